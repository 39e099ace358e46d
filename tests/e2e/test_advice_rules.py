"""The advice rules: which advice each set of answers switches on and off
(cases/advice.json, checked in the export and in the printed sheet), and
the facts each text must carry: GP sign-off status, products, pause dates."""
import datetime
import sqlite3

from harness import base_answers, today
from test_pipe_intake import PipeTest, expand, lines_for, load_cases

ALL = ["smp-cosmetic-only", "gp-signoff-obtained", "treatments-compatible", "gp-signoff",
       "gp-declined", "tell-artist", "pause-topicals", "root-cause"]
# The titles the client's sheet prints (without the ids the artist sees).
TITLES = {
    "smp-cosmetic-only": "SMP is cosmetic only",
    "gp-signoff-obtained": "Your GP's go-ahead",
    "treatments-compatible": "Carrying on alongside SMP",
    "gp-signoff": "Ask your GP first",
    "gp-declined": "Your GP advised against it",
    "tell-artist": "Tell your artist",
    "pause-topicals": "Pausing topical products while you heal",
    "root-cause": "The cause of hair loss",
}


def titles(text):
    """The advice titles of a client's sheet, in order."""
    return [l for l in text.splitlines() if l in TITLES.values()]


def flat(text):
    """The printed sheet with its line wrapping undone."""
    return " ".join(text.split())


class AdviceRules(PipeTest):
    def save(self, **over):
        a = base_answers(gp_discussed="no")
        a.update({k: expand(v) for k, v in over.items()})
        p = self.new_raw(lines_for(a))
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def advice_of(self, intake_id):
        [rec] = [r for r in self.export() if r["id"] == intake_id]
        return {a["id"]: a["text"] for a in rec["advice"]}, [a["id"] for a in rec["advice"]]

    def test_table_switches_each_rule_on_and_off(self):
        cases = load_cases("advice.json")["cases"]
        seen_on, seen_off = set(), set()
        exported = {}
        for n, case in enumerate(cases, 1):
            with self.subTest(case=case["name"]):
                out = self.save(**case["set"])
                self.assertIn("Saved intake %d " % n, out)
                want = [TITLES[i] for i in case["advice"]]
                self.assertEqual(titles(out), want, "printed sheet")
                self.assertEqual(self.headings(out), [], "no rule ids on the client's sheet")
                exported[n] = case["advice"]
                again = self.run_cmd("advice", str(n))
                self.assertEqual(again.returncode, 0, again.stderr)
                self.assertEqual(titles(again.stdout), want, "advice ID")
                again = self.run_cmd("advice", str(n), "--for", "artist")
                self.assertEqual(again.returncode, 0, again.stderr)
                self.assertEqual(self.headings(again.stdout), case["advice"], "--for artist")
            seen_on.update(case["advice"])
            seen_off.update(set(ALL) - set(case["advice"]))
        data = self.export()
        for rec in data:
            self.assertEqual([a["id"] for a in rec["advice"]], exported[rec["id"]],
                             cases[rec["id"] - 1]["name"])
        # The table itself must exercise every rule both ways.
        self.assertEqual(seen_on, set(ALL))
        self.assertEqual(seen_off, set(ALL) - {"smp-cosmetic-only"})

    def test_cosmetic_only_text(self):
        out = self.save()
        text, _ = self.advice_of(1)
        self.assertIn("cosmetic", text["smp-cosmetic-only"])
        self.assertIn("does not cure", text["smp-cosmetic-only"])
        self.assertIn(text["smp-cosmetic-only"], flat(out))

    def artist_view(self, intake_id):
        p = self.run_cmd("advice", str(intake_id), "--for", "artist")
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_gp_signoff_pending_warns_the_artist(self):
        out = self.save(uses_rogaine="yes", gp_discussed="yes", gp_signoff="pending")
        text, _ = self.advice_of(1)
        self.assertIn("waiting for your GP's answer", text["gp-signoff"])
        self.assertIn("no SMP session until your GP has said yes", text["gp-signoff"])
        self.assertNotIn("ARTIST WARNING", text["gp-signoff"])
        self.assertNotIn("ARTIST WARNING", out)
        self.assertIn(text["gp-signoff"], flat(out))
        self.assertIn("ARTIST WARNING: do not start: GP sign-off pending.",
                      flat(self.artist_view(1)))

    def test_gp_signoff_declined_warns_the_artist(self):
        out = self.save(uses_propecia="yes", gp_discussed="yes", gp_signoff="declined")
        text, ids = self.advice_of(1)
        self.assertNotIn("gp-signoff", ids)
        self.assertIn("advised against combining SMP with finasteride (tablets)",
                      text["gp-declined"])
        self.assertNotIn("ARTIST WARNING", out)
        self.assertIn("ARTIST WARNING: do not start: GP sign-off declined",
                      flat(self.artist_view(1)))

    def test_gp_not_discussed_warns_the_artist(self):
        out = self.save(uses_other_medical="yes", other_medical_products="x", gp_discussed="no")
        text, _ = self.advice_of(1)
        self.assertIn("not talked to your GP about this yet", text["gp-signoff"])
        self.assertNotIn("ARTIST WARNING", out)
        self.assertIn("ARTIST WARNING: do not start: GP sign-off pending (not yet discussed "
                      "with the GP).", flat(self.artist_view(1)))
        [rec] = self.export()
        self.assertEqual(rec["gp_signoff"], {"status": "pending", "gp_name": None, "date": None})

    def test_gp_obtained_names_gp_and_date_without_warning(self):
        when = (today() - datetime.timedelta(days=12)).isoformat()
        out = self.save(uses_rogaine="yes", gp_discussed="yes", gp_signoff="obtained",
                        gp_name="Dr Ngozi Okafor", gp_signoff_date=when)
        text, _ = self.advice_of(1)
        self.assertIn("Your GP, Dr Ngozi Okafor, gave the go-ahead on %s" % when,
                      text["gp-signoff-obtained"])
        self.assertNotIn("gp-signoff", text)
        self.assertNotIn("ARTIST WARNING", out)
        self.assertNotIn("ARTIST WARNING", self.artist_view(1))
        self.assertIn("Dr Ngozi Okafor", out)
        self.assertIn(when, out)

    def test_tell_artist_lists_every_product(self):
        since = (today() - datetime.timedelta(days=100)).isoformat()
        out = self.save(uses_rogaine="yes", rogaine_form="oral", rogaine_since=since,
                        uses_propecia="yes", propecia_form="topical",
                        uses_other_topical="yes", other_topical_products="Nizoral 2% shampoo",
                        uses_other_medical="yes", other_medical_products="spironolactone 50mg")
        text, _ = self.advice_of(1)
        t = text["tell-artist"]
        for part in ("minoxidil (tablets) since %s" % since,
                     "finasteride (spray or lotion)", "Nizoral 2% shampoo",
                     "spironolactone 50mg"):
            self.assertIn(part, t)
            self.assertIn(part, flat(out))

    def test_tell_artist_leaves_out_unused_products(self):
        self.save(uses_propecia="yes")
        t = self.advice_of(1)[0]["tell-artist"]
        self.assertIn("finasteride (tablets)", t)
        self.assertNotIn("minoxidil", t)
        self.assertNotIn("other scalp", t)
        self.assertNotIn("other hair-growth medicine", t)

    def test_pause_dates_from_the_planned_session(self):
        session = today() + datetime.timedelta(days=40)
        out = self.save(uses_rogaine="yes", planned_session_date=session.isoformat())
        t = self.advice_of(1)[0]["pause-topicals"]
        stop = (session - datetime.timedelta(days=7)).isoformat()
        resume = (session + datetime.timedelta(days=7)).isoformat()
        self.assertIn("stop topical products on %s (7 days before)" % stop, t)
        self.assertIn("start again on %s (7 days after)" % resume, t)
        self.assertIn(t, flat(out))

    def test_pause_days_are_read_from_the_setting_table(self):
        self.save()  # creates the database
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE setting SET value = '10' WHERE key = 'pause_days_before'")
            con.execute("UPDATE setting SET value = '3' WHERE key = 'pause_days_after'")
        con.close()
        session = today() + datetime.timedelta(days=20)
        out = self.save(uses_other_topical="yes", other_topical_products="oil",
                        planned_session_date=session.isoformat())
        t = self.advice_of(2)[0]["pause-topicals"]
        self.assertIn("stop topical products on %s (10 days before)"
                      % (session - datetime.timedelta(days=10)).isoformat(), t)
        self.assertIn("start again on %s (3 days after)"
                      % (session + datetime.timedelta(days=3)).isoformat(), t)
        self.assertIn((session - datetime.timedelta(days=10)).isoformat(), out)

    def test_advice_id_reprints_the_sheet_as_printed(self):
        session = today() + datetime.timedelta(days=20)
        first = self.save(uses_rogaine="yes", planned_session_date=session.isoformat())
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE setting SET value = '2' WHERE key = 'pause_days_before'")
        con.close()
        again = self.run_cmd("advice", "1")
        self.assertEqual(again.returncode, 0, again.stderr)
        stop = (session - datetime.timedelta(days=7)).isoformat()
        self.assertIn(stop, again.stdout)
        # Same sheet as printed at save time (the "Saved" and readiness
        # lines for the artist aside).
        self.assertTrue(first.split("\n")[1].startswith("Ready for a first session: "))
        self.assertEqual(again.stdout, first[first.index("\nAdvice for "):])

    def test_pause_without_a_session_date_defers_to_the_artist(self):
        out = self.save(uses_rogaine="yes", planned_session_date="")
        t = self.advice_of(1)[0]["pause-topicals"]
        self.assertIn("the artist will give you the dates", t)
        self.assertNotRegex(t, r"\d{4}-\d{2}-\d{2}")
        self.assertIn("the artist will give you the dates", flat(out))

    def test_root_cause_text(self):
        out = self.save(wants_root_cause_help="yes")
        t = self.advice_of(1)[0]["root-cause"]
        self.assertIn("trichologist", t)
        self.assertIn("trichologist", out)

    def test_gp_signoff_export_object(self):
        self.save()
        when = (today() - datetime.timedelta(days=2)).isoformat()
        self.save(uses_rogaine="yes", gp_discussed="yes", gp_signoff="obtained",
                  gp_name="Dr A", gp_signoff_date=when)
        self.save(uses_rogaine="yes", gp_discussed="yes", gp_signoff="declined")
        self.save(uses_rogaine="yes", gp_discussed="yes", gp_signoff="pending")
        got = [r["gp_signoff"] for r in self.export()]
        self.assertEqual(got, [
            {"status": "not_required", "gp_name": None, "date": None},
            {"status": "obtained", "gp_name": "Dr A", "date": when},
            {"status": "declined", "gp_name": None, "date": None},
            {"status": "pending", "gp_name": None, "date": None},
        ])
