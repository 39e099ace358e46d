"""A returning client: `new` offers the client on file with the same names
and birth date before asking the contact details, and `new --client ID`
takes them from the record; either way the intake joins one client."""
from harness import ORDER, IntakeTest, applies, base_answers
from ptyutil import ACK, PROMPTS, SAME_PERSON, answer, answer_all, finish, record, type_line

ON_FILE = base_answers(phone="+44 7700 900123", email="ana@example.com")
# The screening questions (2026.2) as an answers file gives them: they have
# no defaults, so a file must answer them.
SCREENED = ('"scalp_conditions": "none", "keloid_history": "no", "blood_thinners": "no", '
            '"allergies": "no", "pregnant_or_breastfeeding": "not_applicable", '
            '"hair_loss_scale": "norwood_3", "treatment_type": "full_head", '
            '"consent_photos": "no"')


def acknowledge(child, intake_id, typed):
    """After the advice sheet: the client types their name (or, with "",
    not now)."""
    child.expect_exact(ACK)
    type_line(child, typed)
    if typed:
        child.expect_exact("Acknowledged by the client: intake %d, advice sheet 1." % intake_id)


class Returning(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(ON_FILE)

    def clients(self):
        return [(d["id"], d["client"]["id"]) for d in self.export()]

    def test_the_match_is_offered_and_its_contact_details_kept(self):
        child = self.spawn("new")
        rec = record(child)
        for q, v in (("consent_storage", "yes"), ("first_name", "ana"), ("last_name", "SILVA"),
                     ("date_of_birth", "1985-07-23")):
            answer(child, q, v)
        child.expect(r"On file: client 1, Ana Silva, born 1985-07-23, last intake 1 on "
                     r"\d{4}-\d\d-\d\d\.")
        child.expect_exact(SAME_PERSON)
        type_line(child, "yes")
        child.expect_exact("This intake joins client 1.")
        child.expect_exact("Phone (optional) (+44 7700 900123): ")
        type_line(child, "")
        child.expect_exact("Email (optional) (ana@example.com): ")
        type_line(child, "")
        answer_all(child, ON_FILE, start="hair_loss_notes", last=ON_FILE)
        type_line(child, "yes")
        child.expect_exact("Saved intake 2 for client 1.")
        acknowledge(child, 2, "Ana Silva")  # the name on the record
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.clients(), [(1, 1), (2, 1)])
        got = self.export()[1]["client"]
        # The record keeps its spelling; the contact details stay.
        self.assertEqual((got["first_name"], got["last_name"], got["phone"], got["email"]),
                         ("Ana", "Silva", "+44 7700 900123", "ana@example.com"))
        self.assertIn("On file", rec.text)

    def test_declining_the_match_makes_a_new_client(self):
        child = self.spawn("new")
        record(child)
        answer_all(child, base_answers(), same_person="no")
        type_line(child, "yes")
        child.expect_exact("Saved intake 2 for client 2.")
        acknowledge(child, 2, "Ana Silva")
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.clients(), [(1, 1), (2, 2)])

    def test_another_birth_date_is_not_offered(self):
        child = self.spawn("new")
        rec = record(child)
        answer_all(child, base_answers(date_of_birth="1985-07-24"))
        type_line(child, "yes")
        child.expect_exact("Saved intake 2 for client 2.")
        acknowledge(child, 2, "")
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn("On file", rec.text)

    def test_a_pipe_joins_the_same_names_and_birth_date(self):
        self.new_intake(base_answers())
        self.assertEqual(self.clients(), [(1, 1), (2, 1)])

    def test_client_option_takes_the_details_from_the_record(self):
        a = base_answers(hair_loss_notes="back again")
        lines = "".join(a.get(q, "") + "\n" for q in ORDER
                        if applies(q, a) and q not in ("first_name", "last_name", "date_of_birth"))
        p = self.run_cmd("new", "--client", "1", input=lines)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Saved intake 2 for client 1.", p.stdout)
        got = self.export()[1]
        self.assertEqual(got["client"]["phone"], "+44 7700 900123")  # an empty line keeps it
        self.assertEqual(got["answers"]["hair_loss_notes"], "back again")

    def test_client_option_at_a_terminal_skips_the_names(self):
        child = self.spawn("new", "--client", "1")
        rec = record(child)
        answer(child, "consent_storage", "yes")
        child.expect_exact("Phone (optional) (+44 7700 900123): ")
        type_line(child, "+44 7700 900999")
        child.expect_exact("Email (optional) (ana@example.com): ")
        type_line(child, "")
        answer_all(child, ON_FILE, start="hair_loss_notes", last=ON_FILE)
        type_line(child, "yes")
        child.expect_exact("Saved intake 2 for client 1.")
        acknowledge(child, 2, "Ana Silva")  # the names were not asked, but are known
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn(PROMPTS["first_name"], rec.text)
        self.assertEqual(self.export()[1]["client"]["phone"], "+44 7700 900999")

    def test_client_option_with_an_answers_file(self):
        path = self.tmp + "/a.json"
        with open(path, "w") as f:
            f.write('{"answers": {"consent_storage": "yes", "uses_rogaine": "no", %s}}' % SCREENED)
        p = self.run_cmd("new", "--client", "1", "--answers", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Saved intake 2 for client 1.", p.stdout)
        with open(path, "w") as f:
            f.write('{"answers": {"consent_storage": "yes", "first_name": "Bo", %s}}' % SCREENED)
        p = self.run_cmd("new", "--client", "1", "--answers", path)
        self.assertEqual((p.returncode, p.stderr),
                         (1, "smp-intake: answers: 'first_name' comes from the client record "
                             "(--client): leave it out; nothing saved\n"))

    def test_client_option_errors(self):
        p = self.run_cmd("new", "--client", "99", input="")
        self.assertEqual((p.returncode, p.stderr),
                         (1, "smp-intake: no client 99 (see smp-intake find)\n"))
        for bad in ("x", "0", ""):
            with self.subTest(client=bad):
                p = self.run_cmd("new", "--client", bad, input="")
                self.assertEqual(p.returncode, 2)
                self.assertEqual(len(p.stderr.splitlines()), 1)
        self.assertEqual(len(self.export()), 1)
