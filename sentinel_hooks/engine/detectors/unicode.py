"""Invisible and deceptive Unicode: tag characters, bidirectional controls, zero-width characters and
identifiers that mix Latin with look-alike Cyrillic or Greek letters.

These checks look at characters and their neighbours only, so they work on a window of a file as
well as on a whole file, and report in the unit's file coordinates.

Characters written as escapes count too, once decoded: a run of escaped tag characters
(``"\\U000E0049"``, JavaScript ``"\\u{E0049}"`` or ``"\\uDB40\\uDC49"``) anywhere in the text, and
escaped zero-width or bidirectional characters in the tool descriptions a file declares (the decoded
text the model reads; ``engine/tool_metadata``), where an escape elsewhere in code is an ordinary way
to name such a character.
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.engine.units import TextUnit

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule

# -- tag characters --------------------------------------------------------------------------------

TAG_RUN = lazy("[\U000E0000-\U000E007F]+")
BLACK_FLAG = "\U0001F3F4"
CANCEL_TAG = "\U000E007F"
_FLAG_TAGS = lazy("[\U000E0030-\U000E0039\U000E0061-\U000E007A]{2,6}" + CANCEL_TAG)


def decode_tags(run: str) -> str:
    """The ASCII text a run of tag characters spells; language and cancel tags are shown in brackets."""
    out = []
    for ch in run:
        code = ord(ch) - 0xE0000
        if 0x20 <= code <= 0x7E:
            out.append(chr(code))
        elif code == 0x01:
            out.append("[lang]")
        elif code == 0x7F:
            out.append("[end]")
        else:
            out.append(f"[U+{ord(ch):05X}]")
    return "".join(out)


def _is_emoji_flag(text: str, start: int, run: str) -> bool:
    """England, Scotland, Wales and other subdivision flags: black flag + tag letters + cancel tag."""
    return start > 0 and text[start - 1] == BLACK_FLAG and bool(_FLAG_TAGS.fullmatch(run))


CHARACTER_TABLE_MIN = 48


def is_character_table(line: str) -> bool:
    """Lines listing many distinct non-ASCII characters (charset maps, generated tables)."""
    return len({ch for ch in line if ord(ch) > 0x7F}) >= CHARACTER_TABLE_MIN


def _hit(unit: TextUnit, start: int, end: int, content: str, message: str, **extra) -> Hit:
    line, col = unit.position(start)
    end_line, end_col = unit.position(end)
    return Hit(line, col, end_line, end_col, content=content, message=message, extra=dict(extra))


# one tag character written as an escape: Python \U000E00XX, JavaScript \u{E00XX}, UTF-16 \uDB40\uDCXX
_TAG_ESCAPE = r"\\U000[eE]00[0-7][0-9a-fA-F]|\\u\{0*[eE]00[0-7][0-9a-fA-F]\}|\\u[dD][bB]40\\u[dD][cC][0-7][0-9a-fA-F]"
ESCAPED_TAG_RUN = lazy(f"(?:{_TAG_ESCAPE}){{2,}}")
_ESCAPED_FLAG_BASE = lazy(r"(?:\\U0001[fF]3[fF]4|\\u\{1[fF]3[fF]4\}|\\u[dD]83[cC]\\u[dD][fF][fF]4)$")
_ONE_TAG_ESCAPE = lazy(_TAG_ESCAPE)


def decode_tag_escapes(run: str) -> str:
    """The tag characters a run of escapes writes (each escape ends in the tag's two low hex digits)."""
    return "".join(chr(0xE0000 + int(m.group(0).rstrip("}")[-2:], 16)) for m in _ONE_TAG_ESCAPE.finditer(run))


@detector("unicode_tags")
def detect_tag_characters(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    text = unit.text
    for m in TAG_RUN.finditer(text):
        if _is_emoji_flag(text, m.start(), m.group(0)):
            continue
        decoded = decode_tags(m.group(0))
        yield _hit(unit, m.start(), m.end(), f"tags:{decoded}",
                   f"{len(m.group(0))} invisible tag characters spelling “{decoded[:120]}”", decoded=decoded)
    if "\\" not in text:
        return
    for m in ESCAPED_TAG_RUN.finditer(text):
        run = decode_tag_escapes(m.group(0))
        if _ESCAPED_FLAG_BASE.search(text, max(m.start() - 12, 0), m.start()) and _FLAG_TAGS.fullmatch(run):
            continue
        decoded = decode_tags(run)
        yield _hit(unit, m.start(), m.end(), f"tags:{decoded}",
                   f"{len(run)} invisible tag characters written as escapes, spelling “{decoded[:120]}”",
                   decoded=decoded)


# -- escaped characters in tool descriptions -------------------------------------------------------

def escaped_in_descriptions(unit: TextUnit, escape: re.Pattern[str], chars: re.Pattern[str]
                            ) -> Iterator[tuple[int, int, int, int, str]]:
    """(line, column, end line, end column, decoded text) of each tool, prompt, resource or parameter
    description in the unit whose decoded text holds ``chars`` while its source holds them only as
    escapes (``escape``, searched in the lower-cased text). The tool model is built only for a
    file that writes such an escape."""
    if unit.partial or "\\" not in unit.text or not escape.search(unit.lowered()):
        return
    from sentinel_hooks.engine.tool_metadata.extract import unit_tools  # only for files with such escapes

    lines = unit.full_text().splitlines()
    for tool in unit_tools(unit):
        texts = [(tool.description, tool.report_span)] + [(p.description, p.span) for p in tool.params]
        for text, span in texts:
            if not text or span is None or not chars.search(text) or not unit.covers(span.line, span.end_line):
                continue
            if chars.search("\n".join(lines[span.line - 1:span.end_line])):
                continue  # the characters themselves: the raw check reports them
            yield span.line, span.column, span.end_line, span.end_column, text


# -- bidirectional controls ------------------------------------------------------------------------

BIDI = lazy("[\u202A-\u202E\u2066-\u2069]")
_BIDI_ESCAPE = lazy(r"\\u\{?0*(?:202[a-e]|206[6-9])|"
                    r"\\n\{(?:left|right|pop|first)[a-z -]*(?:embedding|override|isolate|formatting)\}")
_BIDI_NAMES = {
    "\u202A": "LRE", "\u202B": "RLE", "\u202C": "PDF", "\u202D": "LRO", "\u202E": "RLO",
    "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI",
}
_RTL_LETTER = lazy("[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]")


def _balanced(line: str) -> bool:
    """Every embedding/override closed by PDF and every isolate closed by PDI, in order."""
    stack = []
    for ch in line:
        if ch in "\u202A\u202B\u202D\u202E":
            stack.append("e")
        elif ch in "\u2066\u2067\u2068":
            stack.append("i")
        elif ch == "\u202C":
            if not stack or stack.pop() != "e":
                return False
        elif ch == "\u2069":
            if not stack or stack.pop() != "i":
                return False
    return not stack


@detector("unicode_bidi")
def detect_bidi_controls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    text = unit.text
    reported_lines: set[int] = set()
    for m in BIDI.finditer(text):
        line_no, _ = unit.position(m.start())
        if line_no in reported_lines:
            continue
        reported_lines.add(line_no)
        line = unit.line_text(line_no)
        if (_RTL_LETTER.search(line) and _balanced(line)) or is_character_table(line):
            continue
        controls = [f"{_BIDI_NAMES[c]} (U+{ord(c):04X})" for c in dict.fromkeys(BIDI.findall(line))]
        yield _hit(unit, m.start(), m.start() + 1, f"bidi:{line.strip()}",
                   f"bidirectional control characters: {', '.join(controls)}",
                   detail="shown with controls made visible: " + _visible(line.strip()))
    for line, col, end_line, end_col, text in escaped_in_descriptions(unit, _BIDI_ESCAPE, BIDI):
        if _RTL_LETTER.search(text) and _balanced(text):
            continue
        controls = [f"{_BIDI_NAMES[c]} (U+{ord(c):04X})" for c in dict.fromkeys(BIDI.findall(text))]
        yield Hit(line, col, end_line, end_col, content=f"bidi-escaped:{text}",
                  message=f"bidirectional control characters written as escapes in a description: "
                          f"{', '.join(controls)}", extra={"detail": "decoded: " + _visible(text)})


def _visible(line: str) -> str:
    return BIDI.sub(lambda m: f"<{_BIDI_NAMES[m.group(0)]}>", line)[:200]


# -- zero-width characters -------------------------------------------------------------------------

ZERO_WIDTH = lazy("[\u200B\u200C\u200D\u2060\uFEFF]+")
_ZERO_WIDTH_ESCAPE = lazy(r"\\u\{?0*(?:200[bcd]|2060|feff)|\\n\{(?:zero width|word joiner|"
                          r"zero width no-break)")
_ZW_NAMES = {"\u200B": "ZERO WIDTH SPACE", "\u200C": "ZERO WIDTH NON-JOINER", "\u200D": "ZERO WIDTH JOINER",
             "\u2060": "WORD JOINER", "\uFEFF": "BYTE ORDER MARK"}
# scripts that use joiners or zero-width spaces in ordinary writing
_JOINING_SCRIPT = lazy(
    "[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF"  # Arabic, Persian, Urdu
    "\u0700-\u074F\u0780-\u07BF"  # Syriac, Thaana
    "\u0900-\u0DFF"  # Devanagari .. Sinhala
    "\u0E00-\u0EFF\u0F00-\u0FFF\u1000-\u109F\u1780-\u17FF"  # Thai, Lao, Tibetan, Myanmar, Khmer
    "\u3040-\u30FF\u3400-\u9FFF\uAC00-\uD7AF]"  # Japanese, CJK, Hangul
)


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return (0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or code in (0xFE0F, 0x20E3)
            or 0x1F3FB <= code <= 0x1F3FF or 0x2300 <= code <= 0x23FF or 0x2B00 <= code <= 0x2BFF
            or code in (0x2640, 0x2642, 0x2695, 0x2696, 0x2708, 0x2764))


def legitimate_zero_width(text: str, start: int, end: int) -> bool:
    run = text[start:end]
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if run == "\u200D" and before and after and _is_emoji(before) and _is_emoji(after):
        return True
    if set(run) <= {"\u200B", "\u200C", "\u200D"} and len(run) <= 2 and \
            (_JOINING_SCRIPT.match(before or " ") or _JOINING_SCRIPT.match(after or " ")):
        return True
    return False


@detector("unicode_zero_width")
def detect_zero_width(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    text = unit.text
    for m in ZERO_WIDTH.finditer(text):
        start, end = m.span()
        run = m.group(0)
        if start == 0 and unit.first_line == 1 and run[0] == "\uFEFF":
            start += 1
            run = run[1:]
            if not run:
                continue
        if legitimate_zero_width(text, start, end) or \
                is_character_table(unit.line_text(unit.position(start)[0])):
            continue
        names = ", ".join(f"{_ZW_NAMES[c]} (U+{ord(c):04X})" for c in dict.fromkeys(run))
        extra = {}
        if len(run) >= 8:
            extra["detail"] = f"a run of {len(run)} invisible characters, which can encode hidden data"
        yield _hit(unit, start, end, f"zw:{unit.line_text(unit.position(start)[0]).strip()}",
                   f"invisible character{'s' if len(run) > 1 else ''}: {names}", **extra)
    for line, col, end_line, end_col, text in escaped_in_descriptions(unit, _ZERO_WIDTH_ESCAPE, ZERO_WIDTH):
        runs = [m for m in ZERO_WIDTH.finditer(text) if not legitimate_zero_width(text, m.start(), m.end())]
        if not runs:
            continue
        names = ", ".join(f"{_ZW_NAMES[c]} (U+{ord(c):04X})" for c in dict.fromkeys("".join(m.group(0) for m in runs)))
        yield Hit(line, col, end_line, end_col, content=f"zw-escaped:{text}",
                  message=f"invisible characters written as escapes in a description: {names}")


# -- homoglyph-mixed identifiers -------------------------------------------------------------------

_CONFUSABLE = (
    "аеорсухіјѕԁһӏ"  # Cyrillic small letters that look Latin
    "АВЕКМНОРСТХІЈЅ"  # Cyrillic capitals that look Latin
    "οΟΑΒΕΖΗΙΚΜΝΡΤΥΧ"  # Greek letters that look Latin
)
_WORD = lazy(r"[^\W\d_][\w]*", re.UNICODE)
_LATIN = lazy(r"[A-Za-z]")
_CONFUSABLE_CHAR = lazy(f"[{_CONFUSABLE}]")
_OTHER_NON_LATIN = lazy(r"[^\x00-\x7F" + _CONFUSABLE + "]")


def mixed_script_words(text: str) -> Iterator[re.Match[str]]:
    """Words with Latin letters and look-alike letters, and no other non-ASCII letter (real mixed
    writing, such as Cyrillic words, has letters that do not look Latin)."""
    # words do not span lines, so only the lines holding a look-alike letter are read word by word
    end = 0
    for confusable in _CONFUSABLE_CHAR.finditer(text):
        if confusable.start() < end:
            continue  # on a line read already
        start = text.rfind("\n", 0, confusable.start()) + 1
        end = text.find("\n", confusable.end())
        end = len(text) if end == -1 else end
        for m in _WORD.finditer(text, start, end):
            word = m.group(0)
            if word.isascii() or not _LATIN.search(word) or not _CONFUSABLE_CHAR.search(word):
                continue
            if _OTHER_NON_LATIN.search(word):
                continue
            yield m


@detector("unicode_homoglyph")
def detect_homoglyph_identifiers(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    for m in mixed_script_words(unit.text):
        word = m.group(0)
        lookalikes = ", ".join(f"{c} ({unicodedata.name(c, 'U+%04X' % ord(c))})"
                               for c in dict.fromkeys(_CONFUSABLE_CHAR.findall(word)))
        yield _hit(unit, m.start(), m.end(), f"homoglyph:{word}",
                   f"“{word}” mixes Latin with look-alike letters: {lookalikes}",
                   decoded=word.translate(_TO_LATIN))


_TO_LATIN = str.maketrans(
    "аеорсухіјѕԁһӏАВЕКМНОРСТХІЈЅοΟΑΒΕΖΗΙΚΜΝΡΤΥΧ",
    "aeopcyxijsdhlABEKMHOPCTXIJSoOABEZHIKMNPTYX",
)
