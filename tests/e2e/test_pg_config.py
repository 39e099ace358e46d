"""`config` on both backends (tests/e2e/server.subset runs this module on a
PostgreSQL server too): the same lines, byte for byte, and the same exit
codes as on an SQLite file, for every key, a good and a bad value, and an
unset."""
from harness import IntakeTest


class ConfigBothBackends(IntakeTest):
    def test_every_key_set_got_listed_and_refused_the_same(self):
        # The first run makes the SQLite file (a server's database is made
        # by its administrator).
        runs = [(["config", "set", "minimum_age", "18"], None), (["config", "list"], None)]
        for key, good, bad in [("studio_name", "Ink & Scalp — Zoë", "x\x1b[2J"),
                               ("pause_days_before", "10", "61"),
                               ("pause_days_after", "0", "-1"),
                               ("minimum_age", "21", "17"),
                               ("staff_required", "yes", "maybe"),
                               ("date_input", "dmy", "ymd"),
                               ("draft_max_age", "4w", "30x"),
                               ("course_sessions", "4", "0"),
                               ("course_interval_days", "21", "366"),
                               ("touch_up_years", "5", "21"),
                               ("retention_years", "8", "0"),
                               ("photo_max_mb", "20", "101"),
                               ("allow_insecure_server", "yes", "sometimes")]:
            runs += [(["config", "set", key, good], None), (["config", "get", key], None),
                     (["config", "set", key, bad], None), (["config", "get", key], None)]
        runs += [(["config", "set", "retention_years", ""], None),
                 (["config", "get", "retention_years"], None),
                 (["config", "get", "colour"], None),
                 (["config", "list"], None)]
        out = self.same_on_file(runs)
        self.assertEqual(out[1].returncode, 0, out[1].stderr)
        self.assertIn("photo_max_mb", out[1].stdout)
        self.assertEqual(out[3].stdout, "Ink & Scalp — Zoë\n")
        self.assertEqual(out[4].returncode, 1)
        self.assertIn("20", out[-1].stdout)            # photo_max_mb as set
        self.assertIn("not set", out[-1].stdout)       # retention_years unset again

    def test_a_setting_saved_is_there_for_the_next_run(self):
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "25").returncode, 0)
        self.assertEqual(self.sql("SELECT value FROM setting WHERE key = 'minimum_age'"),
                         [("25",)])
        self.sql_write("UPDATE setting SET value = '30' WHERE key = 'minimum_age'")
        self.assertEqual(self.run_cmd("config", "get", "minimum_age").stdout, "30\n")
