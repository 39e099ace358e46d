"""Input that never ends, and lines far too long: bounded as they are read,
before they fill the memory (through a pipe and at a terminal).  At most
PROMPT_LINE_MAX bytes (64 KiB) of a line are kept: a longer answer is
refused as too long, naming its question; a line (or a note of
continued lines) that has not ended after PROMPT_INPUT_MAX (16 MiB) ends
the input with one line (include/prompt.h)."""
import os
import resource
import subprocess
import time

from harness import BIN, TIMEOUT, WRAPPER, IntakeTest, base_answers, pipe_lines
from ptyutil import ENTER, PROMPTS, finish, paste, record

LIMIT = 65536
REFUSED = "smp-intake: a line of input is longer than 16 MiB; nothing more is read\n"


def sanitized():
    """True when BIN is built with AddressSanitizer (make check), which
    reserves terabytes of address space for itself."""
    with open(BIN, "rb") as f:
        return b"__asan_init" in f.read()


# Valgrind and ASan need far more address space for themselves.
LIMIT_MEMORY = not WRAPPER and not sanitized()


def bounded_memory():
    """preexec_fn: at most 256 MB of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (256 << 20, 256 << 20))


class PipeLimits(IntakeTest):
    def run_limited(self, args, stdin):
        start = time.monotonic()
        p = subprocess.run(WRAPPER + [BIN, *args], stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=self.env, timeout=TIMEOUT * 3,
                           preexec_fn=bounded_memory if LIMIT_MEMORY else None)
        return p, time.monotonic() - start

    def test_endless_input_is_refused_at_the_limit(self):
        # /dev/zero: no line end ever comes (NUL bytes are dropped only
        # once a line is read).
        self.new_intake(base_answers(acknowledged_by=None))
        # Under valgrind 16 MiB read a byte at a time takes long: one reader.
        for args in (["new"], ["edit", "1"], ["acknowledge", "1"])[:1 if WRAPPER else 3]:
            with open("/dev/zero", "rb") as zero:
                p, took = self.run_limited(args, zero)
            with self.subTest(args=args):
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertEqual(p.stderr.decode(), REFUSED)
                if not WRAPPER:
                    self.assertLess(took, 5)

    def test_a_huge_line_is_refused_as_too_long_naming_its_question(self):
        lines = pipe_lines(base_answers()).split("\n")
        lines[3] = "x" * (4 * LIMIT)  # date_of_birth
        with open(os.path.join(self.tmp, "in"), "w") as f:
            f.write("\n".join(lines))
        with open(os.path.join(self.tmp, "in"), "rb") as f:
            p, took = self.run_limited(["new"], f)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr.decode(), r"^smp-intake: date_of_birth: too long[^\n]*; "
                         r"nothing saved\n$")
        self.assertEqual(p.stdout.decode().count("Saved intake"), 0)

    def test_a_note_that_never_ends_is_refused(self):
        if WRAPPER:
            self.skipTest("18 MiB read a byte at a time is slow under valgrind")
        lines = pipe_lines(base_answers()).split("\n")
        # hair_loss_notes, continued for 18 MiB in lines under the limit
        lines[6] = ("x" * 60000 + "\\\n") * 300
        with open(os.path.join(self.tmp, "in"), "w") as f:
            f.write("\n".join(lines))
        with open(os.path.join(self.tmp, "in"), "rb") as f:
            p, took = self.run_limited(["new"], f)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.decode(),
                         "smp-intake: a note is longer than 16 MiB; nothing more is read\n")

    def test_a_line_at_the_limit_is_read_and_checked_as_an_answer(self):
        lines = pipe_lines(base_answers()).split("\n")
        lines[1] = "x" * LIMIT + "\r"  # first_name, with a CR LF line end
        p = self.run_cmd("new", input="\n".join(lines))
        self.assertEqual(p.returncode, 1)
        self.assertNotIn("limit", p.stderr)
        self.assertIn("too long", p.stderr)


class TerminalLimits(IntakeTest):
    def test_a_huge_paste_is_refused_and_the_question_asked_again(self):
        child = self.spawn("new")
        rec = record(child)
        child.expect_exact(PROMPTS["consent_storage"])
        child.send("yes" + ENTER)
        child.expect_exact(PROMPTS["first_name"])
        # Sent in pieces, as a terminal passes on a long paste.
        text = paste("Q" * (LIMIT + 8192))
        for i in range(0, len(text), 8192):
            child.send(text[i:i + 8192])
        child.send(ENTER)
        child.expect_exact("smp-intake: that is longer than %d bytes, the limit for a line; "
                           "it was not kept" % LIMIT)
        child.expect_exact(PROMPTS["first_name"])
        child.send("Ana" + ENTER)
        child.expect_exact(PROMPTS["last_name"])
        child.sendcontrol("c")
        finish(self, child)
        # Nothing of the paste reached the draft.
        self.assertEqual(self.sql("SELECT count(*) FROM draft_answer WHERE value LIKE '%QQQQ%'"),
                         [(0,)])
