"""Helpers for the pseudo-terminal tests: the exact prompts a person sees,
the keys they press, and a driver that answers an intake prompt by prompt
(it waits for each prompt before typing, as a person would).
"""
import os
import re

import pexpect

from harness import DEFAULTS, ORDER, WRAPPER, applies

# The prompt of each question exactly as printed (docs: prompt text, then
# [yes/no] or [choices], then the default in parentheses, then ": ").
PROMPTS = {
    "consent_storage": "Does the client agree that these details are stored by the studio? [yes/no]: ",
    "first_name": "First name: ",
    "last_name": "Last name: ",
    "date_of_birth": "Date of birth (YYYY-MM-DD): ",
    "phone": "Phone (optional): ",
    "email": "Email (optional): ",
    "hair_loss_notes": "Hair loss: pattern, areas, for how long (optional): ",
    "hair_loss_scale": "Hair-loss scale (Norwood 1-7, Ludwig I-III) [norwood_1/norwood_2/norwood_3/"
                       "norwood_4/norwood_5/norwood_6/norwood_7/ludwig_1/ludwig_2/ludwig_3/other/"
                       "not_applicable]: ",
    "treatment_type": "Treatment [full_head/density/scar_camouflage/alopecia_areata/other]: ",
    "hairline_style": "Hairline style (optional): ",
    "consent_photos": "May the studio keep photos of the client's scalp in their record? [yes/no]: ",
    "consent_marketing": "May the studio use those photos for its marketing? [yes/no]: ",
    "uses_rogaine": "Uses minoxidil (Rogaine, Regaine), in any form? [yes/no] (no): ",
    "rogaine_form": "Minoxidil form [foam/solution/oral/other] (foam): ",
    "rogaine_since": "Using minoxidil since (YYYY-MM or YYYY-MM-DD, optional): ",
    "uses_propecia": "Uses finasteride (Propecia), in any form? [yes/no] (no): ",
    "propecia_form": "Finasteride form [tablet/topical] (tablet): ",
    "uses_other_topical": "Uses any other cream, foam or lotion on the scalp? [yes/no] (no): ",
    "other_topical_products": "Which topical products?: ",
    "uses_other_medical": "Uses any other medical hair-growth treatment? [yes/no] (no): ",
    "other_medical_products": "Which medical products?: ",
    "gp_discussed": "Has the client discussed SMP with these treatments with their GP? [yes/no]: ",
    "gp_signoff": "GP sign-off [obtained/pending/declined]: ",
    "gp_name": "GP's name: ",
    "gp_signoff_date": "Date of the GP's sign-off (YYYY-MM-DD): ",
    "scalp_conditions": "Scalp conditions now (several separated by commas) "
                        "[none/psoriasis/eczema/folliculitis/infection/sunburn/other]: ",
    "scalp_conditions_detail": "Which other scalp condition?: ",
    "keloid_history": "Raised (keloid) scars after cuts, piercings or tattoos? [yes/no]: ",
    "blood_thinners": "Takes blood thinners (for example warfarin, or aspirin every day)? [yes/no]: ",
    "blood_thinners_detail": "Which blood thinner, and how often?: ",
    "allergies": "Any allergies? [yes/no]: ",
    "allergies_detail": "Allergic to what (pigments, latex, anaesthetic creams, other)?: ",
    "pregnant_or_breastfeeding": "Pregnant or breastfeeding? [yes/no/not_applicable]: ",
    "other_medication": "Other medication (optional): ",
    "wants_root_cause_help": "Would the client like help with the cause of the hair loss? [yes/no] (no): ",
    "planned_session_date": "Planned first session (YYYY-MM-DD, optional): ",
}

SAVE = "Save this intake? [yes/no]: "
# After the advice sheet of a saved intake or edit: the client types their name.
ACK = "Client's full name (Enter: not now): "
MENU = "smp-intake> "
CANCELLED = "intake cancelled; nothing saved"
# Stopped after an answer was given: the answers stay in draft N.
STOPPED = "intake stopped; the answers so far are kept as draft "
SAME_PERSON = "Is this the same person? [yes/no]: "
RETRY = "Type ? for help."

ENTER = "\r"
BACKSPACE = "\x7f"
CTRL_A = "\x01"
CTRL_E = "\x05"
CTRL_U = "\x15"
CTRL_V = "\x16"  # quoted-insert: the next key goes into the line as is
UP = "\x1b[A"
TAB = "\t"
ESC = "\x1b"
BRACKETED_PASTE_ON = "\x1b[?2004h"
# What a terminal's paste sends (bracketed paste, on as readline has it).
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
# readline writes these around each prompt; the "off" one ends in a CR.
_PASTE_MODE = re.compile(r"\x1b\[\?2004[hl]\r?")

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_VALGRIND = re.compile(r"^==\d+==")


def strip_ansi(text):
    return _ANSI.sub("", text)


def paste(text):
    """What the terminal sends when text is pasted (bracketed paste)."""
    return PASTE_START + text + PASTE_END


def screen_lines(text):
    """Output split into lines as the terminal shows them (CR LF), without
    valgrind's own report lines nor readline's bracketed-paste switches."""
    text = _PASTE_MODE.sub("", text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [l for l in lines if not _VALGRIND.match(l)]


class Recorder:
    """Keeps everything the program wrote to the terminal (child.logfile_read)."""

    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)

    def flush(self):
        pass

    @property
    def text(self):
        return "".join(self.parts)


def record(child):
    """Starts recording the child's output; returns the Recorder."""
    rec = Recorder()
    child.logfile_read = rec
    return rec


def type_line(child, text):
    """Types text and presses Enter (a terminal's Enter is CR)."""
    child.send(text + ENTER)


def wrapped_prompt(prompt, columns):
    """The lines a prompt takes on a terminal of columns: wrapped at words
    to one column less (as the program does, so that readline never cuts
    a word), a choice list too wide for a line spaced out at its slashes."""
    text = prompt.rstrip(" ")
    width = columns - 1
    if len(text) > width:
        text = re.sub(r"\[([^\]]*)\]",
                      lambda m: "[" + " / ".join(m.group(1).split("/")) + "]"
                      if len(m.group(0)) > width - 10 else m.group(0), text)
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = line + " " + word if line else word
    lines.append(line + (" " if prompt.endswith(" ") else ""))
    return lines


def expect_prompt(child, prompt):
    """Waits for prompt as the terminal shows it (wrapped to its width):
    every line but the last printed, then the last as readline's."""
    for line in wrapped_prompt(prompt, child.getwinsize()[1]):
        child.expect_exact(line)


def answer(child, qid, text, shown=False):
    """Waits for the question's exact prompt (unless already matched),
    then types the answer."""
    if not shown:
        expect_prompt(child, PROMPTS[qid])
    type_line(child, text)


def prompt_start(qid):
    """The start of a question's prompt that stays the same whatever is
    shown after it (choices, a default, a stored answer when editing)."""
    return PROMPTS[qid].split(" (")[0].split(" [")[0].rstrip(": ")


def keep_stored(child, qids):
    """Presses Enter at each of these questions of an edit (keeping the
    stored answers), waiting for each prompt."""
    for q in qids:
        child.expect_exact(prompt_start(q))
        type_line(child, "")


# A returning client at a terminal (src/take.c): Enter keeps last time's
# treatment answers (shown as the default); the GP and screening questions
# show last time's answer and are answered again.
CARRIED_OVER = ("uses_rogaine", "rogaine_form", "rogaine_since", "uses_propecia", "propecia_form",
                "uses_other_topical", "other_topical_products", "uses_other_medical",
                "other_medical_products")
ASKED_AGAIN = ("gp_discussed", "gp_signoff", "gp_name", "gp_signoff_date", "scalp_conditions",
               "scalp_conditions_detail", "keloid_history", "blood_thinners",
               "blood_thinners_detail", "allergies", "allergies_detail",
               "pregnant_or_breastfeeding", "other_medication")


def returning_prompt(qid, last):
    """The prompt a returning client's question shows, given the answers
    of their last intake (question id -> stored text)."""
    p = PROMPTS[qid]
    if qid == "planned_session_date":
        p = p.replace("Planned first session", "Planned session", 1)
    v = last.get(qid)
    if not v or qid not in CARRIED_OVER + ASKED_AGAIN:
        return p
    base = p[:-2]
    if qid in DEFAULTS:
        base = base[:base.rindex(" (")]
    return base + (" (%s): " if qid in CARRIED_OVER else " (last time: %s): ") % v


def answer_all(child, answers, start=None, stop=None, shown=False, same_person=None, last=None):
    """Answers, in order, every question that applies (from start, if
    given), waiting for each prompt; shown says start's prompt has been
    matched already.  same_person ("yes"/"no") answers the returning-client
    question expected after the birth date.  With stop, waits for stop's
    prompt and returns with it on screen; otherwise returns at the Save
    prompt.  last: a returning client's last intake (returning_prompt())."""
    started = start is None
    for qid in ORDER:
        started = started or qid == start
        if not started or not applies(qid, answers):
            continue
        if qid == stop:
            expect_prompt(child, PROMPTS[qid] if last is None else returning_prompt(qid, last))
            return
        if last is not None and not (shown and qid == start):
            expect_prompt(child, returning_prompt(qid, last))
            type_line(child, answers.get(qid, ""))
        else:
            answer(child, qid, answers.get(qid, ""), shown=shown and qid == start)
        if qid == "date_of_birth" and same_person:
            child.expect_exact(SAME_PERSON)
            type_line(child, same_person)
    child.expect_exact("Summary")
    child.expect_exact(SAVE)


def finish(test, child):
    """Waits for the program to end; returns its exit status.  Fails the
    test on a signal death or a valgrind report."""
    child.expect(pexpect.EOF)
    child.close()
    test.assertIsNone(child.signalstatus, "killed by signal %s" % child.signalstatus)
    if WRAPPER:
        # valgrind writes its report to the terminal: show its last lines.
        test.assertNotEqual(child.exitstatus, 99, "valgrind reported errors:\n" +
                            (child.before or "")[-4000:])
    return child.exitstatus


def home_files(home):
    """Every file under HOME, as paths relative to it."""
    out = []
    for d, _, files in os.walk(home):
        for f in files:
            out.append(os.path.relpath(os.path.join(d, f), home))
    return sorted(out)
