"""`export --format csv --excel` opened by a real spreadsheet: LibreOffice
Calc (headless, Debian's libreoffice-calc-nogui) reads the file, and the
cells it made are read back from the .xlsx it writes.  One soffice run for
every cell, with a private profile and a timeout."""
import os
import re
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

from harness import IntakeTest, base_answers

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
# Comma separated, " quotes, UTF-8 (76), from line 1, standard columns,
# language 0, quoted fields not forced to text, special numbers detected,
# and formulas evaluated: the worst case for a cell that could be one.
INFILTER = "Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1,true"


def column_index(ref):
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_xlsx(path):
    """The first sheet as rows of (text, is_formula, type) per cell."""
    with zipfile.ZipFile(path) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter("{%s}row" % NS["m"]):
        cells = {}
        for c in row.findall("m:c", NS):
            v = c.find("m:v", NS)
            text = v.text if v is not None else ""
            if c.get("t") == "s":
                text = shared[int(text)]
            cells[column_index(c.get("r"))] = (text, c.find("m:f", NS) is not None, c.get("t"))
        width = max(cells) + 1 if cells else 0
        rows.append([cells.get(i, ("", False, None)) for i in range(width)])
    return rows


class LibreOfficeReadsTheCsv(IntakeTest):
    def test_accents_phones_and_formulas(self):
        soffice = shutil.which("soffice")
        self.assertIsNotNone(soffice, "soffice is missing: install libreoffice-calc-nogui "
                                      "(Makefile TEST_DEBS)")
        self.new_intake(base_answers(first_name="Zoë", last_name="Dubois",
                                     phone="+44 7700 900123", other_medication="-5 mg a day"))
        self.new_intake(base_answers(first_name="José", last_name="García",
                                     phone="07700 900456", other_medication="@SUM(1)"))
        self.new_intake(base_answers(first_name='=HYPERLINK("http://example.com/x";"y")',
                                     last_name="=1+1", phone="-44 (0) 7700.900789"))
        path = os.path.join(self.tmp, "clients.csv")
        p = self.run_cmd("export", "--format", "csv", "--excel", "-o", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(path, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"\xef\xbb\xbfintake_id,"), data[:20])
        # the plain CSV has no byte order mark, and keeps the apostrophe
        plain = self.run_cmd("export", "--format", "csv").stdout
        self.assertTrue(plain.startswith("intake_id,"))
        self.assertIn(",'+44 7700 900123,", plain)

        out = os.path.join(self.tmp, "out")
        home = os.path.join(self.tmp, "lo-home")
        os.mkdir(home)
        env = dict(self.env, HOME=home)
        r = subprocess.run([soffice, "-env:UserInstallation=file://" + os.path.join(home, "profile"),
                            "--headless", "--norestore", "--infilter=" + INFILTER,
                            "--convert-to", "xlsx", "--outdir", out, path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=180)
        xlsx = os.path.join(out, "clients.xlsx")
        self.assertTrue(os.path.exists(xlsx), r.stdout.decode(errors="replace"))
        rows = read_xlsx(xlsx)
        head = [c[0] for c in rows[0]]
        self.assertEqual(head[0], "intake_id")  # the byte order mark is not in the cell
        col = {name: i for i, name in enumerate(head)}

        def cell(row, name):
            return rows[row][col[name]]

        self.assertEqual(len(rows), 4)
        # accents intact
        self.assertEqual(cell(1, "first_name")[0], "Zoë")
        self.assertEqual(cell(2, "first_name")[0], "José")
        self.assertEqual(cell(2, "last_name")[0], "García")
        # a phone number is text as typed: no apostrophe, not a formula, not
        # a number; the one leading space that guards it is all there is
        for row, typed in ((1, "+44 7700 900123"), (2, "07700 900456"),
                           (3, "-44 (0) 7700.900789")):
            text, formula, kind = cell(row, "phone")
            self.assertFalse(formula, text)
            self.assertNotIn(kind, ("n", "str"), text)
            self.assertNotIn("'", text)
            self.assertEqual(text.strip(), typed)
        # names and notes that would be formulas are not evaluated
        for row, name, typed in ((3, "first_name", '=HYPERLINK("http://example.com/x";"y")'),
                                 (3, "last_name", "=1+1"), (1, "other_medication", "-5 mg a day"),
                                 (2, "other_medication", "@SUM(1)")):
            text, formula, kind = cell(row, name)
            self.assertFalse(formula, (name, text))
            self.assertEqual(text.lstrip("'"), typed)
