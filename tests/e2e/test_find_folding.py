"""`find` folds case and accents the same on both backends (server.subset
runs this module on a PostgreSQL server too, where the server's trigram
search narrows the clients and the file's own matching decides: issue 17).
Names whose folding differs between libraries: the Turkish dotted capital
I, a Vietnamese letter with two marks, a Latin ligature, Greek with and
without its accent.  Each search is run on the server and on a file and
must print the same bytes; what it finds is asserted as well."""
from harness import IntakeTest, base_answers, pipe_lines

NAMES = ["İpek", "Ömer", "Nguyễn", "ﬁona", "Σίσυφος", "Zoë"]
# search text -> the first names it finds (the file's folding is the rule).
FOUND = {
    "ipek": ["İpek"], "IPEK": ["İpek"], "İpek": ["İpek"],
    "omer": ["Ömer"], "ÖMER": ["Ömer"],
    "nguyen": ["Nguyễn"], "NGUYỄN": ["Nguyễn"],
    "ﬁ": ["ﬁona"],
    "ΣΊΣΥΦΟΣ": ["Σίσυφος"],
    "zoe": ["Zoë"], "ZOË": ["Zoë"],
    "zz": [],
}


class FoldingBothBackends(IntakeTest):
    def test_the_same_clients_found(self):
        runs = [(["new"], pipe_lines(base_answers(first_name=n))) for n in NAMES]
        runs += [(["find", "--", text], None) for text in FOUND]
        out = self.same_on_file(runs)[len(NAMES):]
        for (text, names), p in zip(FOUND.items(), out):
            with self.subTest(text=text):
                found = [line.split()[4] for line in p.stdout.splitlines()[1:]]
                self.assertEqual(sorted(found), sorted(names), p.stdout + p.stderr)
                self.assertEqual(p.returncode, 0 if names else 1, p.stderr)
