"""Text from files and keyboards is only text.

Control characters (C0 but tab, DEL, C1) and the terminal escape sequences they start (CSI, OSC …)
are found and named here (the importer refuses them, ``FILE:LINE:COLUMN``), or removed (pasted
text, the Word and Excel writers, anything shown on the screen). No Textual or Rich here.
"""

from __future__ import annotations

import re

# C0 except tab, DEL, C1
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# the same, but line ends are allowed (CSV text before it is split into cells)
CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# a whole escape sequence, so that removing it leaves no "[2J" or "]52;c;…" behind:
# CSI (ESC [ or 0x9B) … final byte; OSC/DCS/SOS/PM/APC … up to BEL or ST (never past a line end);
# ESC and one more character
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)

_C0 = ("NUL SOH STX ETX EOT ENQ ACK BEL BS TAB LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM "
       "SUB ESC FS GS RS US").split()
_C1 = {0x84: "IND", 0x85: "NEL", 0x88: "HTS", 0x8D: "RI", 0x90: "DCS", 0x9B: "CSI", 0x9C: "ST", 0x9D: "OSC",
       0x9E: "PM", 0x9F: "APC"}


def describe(ch: str) -> str:
    """``U+001B (ESC)``: a control character named for a person reading an import problem."""
    n = ord(ch)
    name = _C0[n] if n < 32 else ("DEL" if n == 0x7F else _C1.get(n, "C1 control"))
    return f"U+{n:04X} ({name})"


def find_control(s: str, lines: bool = False) -> int | None:
    """Index of the first control character in ``s`` (tab allowed; line ends too with ``lines``)."""
    m = (CONTROL_BUT_LINES if lines else CONTROL).search(s)
    return m.start() if m else None


def strip_controls(s: str, keep: str = "\t\n") -> str:
    """``s`` without escape sequences and control characters, but those in ``keep`` (tab and line
    ends by default; a CR LF or a lone CR becomes LF when LF is kept)."""
    if not CONTROL.search(s):
        return s
    if "\n" in keep:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _SEQUENCE.sub("", s)
    return "".join(ch for ch in s if ch in keep or not CONTROL.match(ch))


def one_line(s: str) -> str:
    """For a table cell or a line of a screen: control characters removed, tabs and line ends
    made spaces."""
    return strip_controls(s, keep="\t\n").replace("\t", " ").replace("\n", " ")


def non_ascii_digit(s: str) -> str | None:
    """The first digit in ``s`` that is not 0-9 (full-width, Arabic-Indic, superscript …), or None."""
    if s.isascii():  # (most values: no character to look at one by one)
        return None
    return next((ch for ch in s if ch.isdigit() and not ch.isascii()), None)


def digit_problem(s: str) -> str | None:
    """What to say about a value with digits outside 0-9, or None."""
    ch = non_ascii_digit(s)
    if ch is None:
        return None
    import unicodedata

    from ..i18n import t

    return t("imp.odd_digits", value=repr(s), char=repr(ch), code=f"U+{ord(ch):04X}",
             name=unicodedata.name(ch, "DIGIT"))
