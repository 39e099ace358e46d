"""The shortest path through the program: one intake through a pipe, read
back by show, advice and export."""
from harness import IntakeTest, base_answers


class Smoke(IntakeTest):
    def test_pipe_intake_is_saved_and_exported(self):
        out = self.new_intake(base_answers())
        self.assertIn("Saved intake 1 for client 1.", out)
        self.assertIn("\nSMP is cosmetic only\n", out)
        data = self.export()
        self.assertEqual(len(data), 1)
        self.assertEqual(data[0]["client"]["first_name"], "Ana")
        self.assertEqual(data[0]["staff"], "Dana Staff")
        self.assertEqual([a["id"] for a in data[0]["advice"]], ["smp-cosmetic-only", "root-cause"])
        show = self.run_cmd("show", "1")
        self.assertEqual(show.returncode, 0, show.stderr)
        self.assertIn("Silva", show.stdout)
