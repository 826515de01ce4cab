"""Answer units: the pieces of a passage an extractive answer may quote, each readable alone.

A unit is a sentence (with the heading it stands under when that heading names its subject),
a lead-in line with the list or the headed items it announces, a quotation with its
attribution, or a "Label: value" line. Every unit knows the exact span of the passage it
quotes, so a citation can show, highlight and cite the page of precisely that text.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import pysbd

from assistant.dutch import fold
from assistant.loading import is_heading_line, nested_heading

UnitKind = Literal["sentence", "list", "quote", "label"]

_MIN_CHARS = 25  # shorter sentences say too little to quote on their own
_MAX_QUOTE = 450  # a longer quotation is quoted sentence by sentence, with its attribution
_MAX_PARAGRAPH = 420  # a paragraph up to this long is also a unit as a whole
_MAX_ITEMS = 8
_LINE = re.compile(r"[^\n]+")
_ITEM = re.compile(r"^(?:•|[-–*]|\d{1,2}[).])\s+")
_OPENING_QUOTE = re.compile(r"^[“\"„]")
_LABEL = re.compile(r"^([A-ZÀ-Ý][^:.!?]{1,40}):\s+\S")
# A lead-in that announces items without a colon: "vier thema's", "meerdere niveaus".
_ANNOUNCES = re.compile(
    r"\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|meerdere|\d+)\s+(\w+\s+)?"
    r"(thema|vorm|stap|niveau|hefbo|luik|manier|fase|domein|pijler|competentie|kerncompetentie)"
)
# An enumeration at the end of a sentence: "... de vorm aannemen van a, b, c en d."
_ENUMERATION = re.compile(r"(?:\bvan|\bzoals|:)\s+([^.:;]+?,[^.:;]+?\s(?:en|of)\s[^.:;]+?)\.?$")
_COUNT_WORDS = {
    "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9,
    "tien": 10,
}  # fmt: skip
# A sentence that opens with one of these leans on the sentence before it.
_ANAPHORIC = re.compile(
    r"^(zij|hij|ze|het|dit|deze|dat|die|daar\w*|hier\w*|ook|bovendien|daarnaast|verder|zo|bijvoorbeeld)\b"
)


@dataclass(frozen=True)
class Unit:
    """A quotable piece of one passage."""

    kind: UnitKind
    text: str  # as an answer shows it: list items on their own lines, a label before it
    start: int  # the quoted span in the passage text
    end: int
    heading: str | None = None  # the heading or attribution shown with it, if any
    quoted: str = ""  # passage[start:end]
    wants: int = 0  # a list's items still to come from the passages that follow
    # The sections a lead-in names ("de vorm ... van coaching, praktijkbegeleiding en
    # vorming") that are still to come from the passages that follow.
    sections: tuple[str, ...] = ()

    def quote(self, passage: str) -> str:
        return passage[self.start : self.end]


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def is_item(self) -> bool:
        return bool(_ITEM.match(self.text))

    @property
    def item_text(self) -> str:
        return _ITEM.sub("", self.text, count=1)


@cache
def sentence_segmenter() -> pysbd.Segmenter:
    """pysbd's Dutch sentence splitter (abbreviations such as o.a. and O.B.S. stay whole)."""
    return pysbd.Segmenter(language="nl", clean=False)


def answer_units(text: str, section: str | None = None) -> list[Unit]:
    """The units of a passage in reading order (section: the heading the passage starts under)."""
    return list(_answer_units(text, section))


@lru_cache(maxsize=8192)  # passages recur across questions; pysbd costs ~1 ms a line
def _answer_units(text: str, section: str | None) -> tuple[Unit, ...]:
    lines = _lines(text)
    units: list[Unit] = []
    heading = section
    for i, line in enumerate(lines):
        if i > 0 and _is_quotation(lines[i - 1].text) and is_heading_line(line.text):
            continue  # the attribution, quoted with its quotation
        if is_heading_line(line.text) and not line.is_item:
            heading = nested_heading(heading, line.text)
            continue
        if _is_quotation(line.text):
            attribution = lines[i + 1] if i + 1 < len(lines) else None
            if attribution is not None and not is_heading_line(attribution.text):
                attribution = None
            units.extend(_quotation_units(text, line, attribution, heading))
            continue
        lead = _lead_in_unit(text, lines, i, heading)
        if lead is not None:
            units.append(lead)  # its sentences and items stay quotable one by one as well
        units.extend(_line_units(text, line, heading))
    return tuple(dataclasses.replace(u, quoted=text[u.start : u.end]) for u in units)


def _lines(text: str) -> list[_Line]:
    """The passage's non-empty lines, stripped, with their offsets."""
    return [line for line in (_line(m) for m in _LINE.finditer(text)) if line.text]


def _line(match: re.Match) -> _Line:
    raw = match.group(0)
    stripped = raw.strip()
    start = match.start() + (len(raw) - len(raw.lstrip()))
    return _Line(start, start + len(stripped), stripped)


def _is_quotation(text: str) -> bool:
    return bool(_OPENING_QUOTE.match(text)) and len(text) > _MIN_CHARS


def _labelled(text: str, heading: str | None) -> tuple[str, str | None]:
    """Show the heading before the text when it names what the text does not (a school, a
    project, a lever): 'Thomas More Mechelen: Beluister hier de podcast over het kleuterlabo.'"""
    if not heading or _mentions(text, heading):
        return text, None
    separator = " — " if heading.endswith(":") or ":" in heading else ": "
    return f"{heading.rstrip(':')}{separator}{text}", heading


def _mentions(text: str, heading: str) -> bool:
    words = [w for w in re.findall(r"\w{4,}", fold(heading))]
    folded = fold(text)
    return bool(words) and all(w[:6] in folded for w in words)


def _sentences(text: str, line: _Line) -> list[tuple[int, int]]:
    """Spans of the sentences of one line, in the passage's offsets."""
    spans = []
    position = line.start
    for piece in sentence_segmenter().segment(line.text):
        piece = piece.strip()
        if not piece:
            continue
        found = text.find(piece, position, line.end)
        if found < 0:
            continue
        spans.append((found, found + len(piece)))
        position = found + len(piece)
    return spans


def _line_units(text: str, line: _Line, heading: str | None) -> list[Unit]:
    """A list item, a 'Label: value' line, or the sentences of a paragraph (and the paragraph
    itself when it is short), each sentence that leans on the one before joined to it."""
    if line.is_item:
        body = line.item_text
        if len(body) < _MIN_CHARS and not _LABEL.match(body):
            return []
        shown, label = _labelled(body, heading)
        kind = "label" if _LABEL.match(body) else "sentence"
        return [Unit(kind, shown, line.end - len(body), line.end, label)]
    if _LABEL.match(line.text) and not line.text.endswith(":"):
        shown, label = _labelled(line.text, heading)
        return [Unit("label", shown, line.start, line.end, label)]
    spans = _sentences(text, line)
    units = []
    chain = 0  # the first sentence of the run this one leans on
    for index, (start, end) in enumerate(spans):
        if index == 0 or not _ANAPHORIC.match(fold(text[start:end])):
            chain = index
        start = spans[chain][0]
        sentence = text[start:end]
        if len(sentence) < _MIN_CHARS:
            continue
        shown, label = _labelled(sentence, heading)
        units.append(Unit("sentence", shown, start, end, label))
    whole = (spans[0][0], spans[-1][1]) if spans else None
    if (
        len(spans) > 1
        and line.end - line.start <= _MAX_PARAGRAPH
        and whole not in ((u.start, u.end) for u in units)
    ):
        shown, label = _labelled(text[whole[0] : whole[1]], heading)
        units.append(Unit("sentence", shown, whole[0], whole[1], label))
    return units


def _quotation_units(
    text: str, line: _Line, attribution: _Line | None, heading: str | None
) -> list[Unit]:
    """A short quotation whole with its attribution; a long one sentence by sentence."""
    source = attribution.text if attribution else None
    if len(line.text) <= _MAX_QUOTE:
        end = attribution.end if attribution else line.end
        shown = f"{line.text}\n— {source}" if source else line.text
        return [Unit("quote", shown, line.start, end, source or heading)]
    units = []
    for start, end in _sentences(text, line):
        sentence = text[start:end]
        if len(sentence) < _MIN_CHARS:
            continue
        shown = f"{source}: {sentence}" if source else _labelled(sentence, heading)[0]
        units.append(Unit("quote", shown, start, end, source or heading))
    return units


def _lead_in_unit(text: str, lines: list[_Line], index: int, heading: str | None) -> Unit | None:
    """A lead-in line with the list items, or the headed items, it introduces. When the items
    run on past the passage's end (or the lead-in ends it), the unit says how many more its
    lead-in announces (wants): an answer then takes them from the passages that follow."""
    lead = lines[index]
    if lead.is_item:
        return None
    colon = lead.text.endswith(":")
    # Only the line's last sentence leads into what follows: "... met zeven hefbomen en vier
    # verbindende concepten ... . Klasse zorgde voor een mediacampagne." announces nothing.
    spans = _sentences(text, lead) or [(lead.start, lead.end)]
    announced = _ANNOUNCES.search(fold(text[spans[-1][0] : spans[-1][1]]))
    named = _named_sections(text, lead)
    if named and (index + 1 == len(lines) or fold(lines[index + 1].text) in named):
        return _sections_unit(text, lines, index, heading, named)
    if not colon and not announced:
        return None
    limit = _COUNT_WORDS.get(announced.group(1), _MAX_ITEMS) if announced else _MAX_ITEMS
    if announced and not colon and announced.group(1) not in _COUNT_WORDS:
        limit = _MAX_ITEMS  # "meerdere niveaus": as many as follow
    items, end, open_ended = _items(text, lines, index + 1, limit)
    if len(items) < 2 and not open_ended:
        return None
    # The lead-in proper is the line's last sentence (with those it leans on).
    k = len(spans) - 1
    while k > 0 and _ANAPHORIC.match(fold(text[spans[k][0] : spans[k][1]])):
        k -= 1
    begin = spans[k][0]
    shown_lead, label = _labelled(text[begin : lead.end], heading)
    body = "".join(f"\n• {item}" for item in items)
    # The chunker keeps a list that fits whole; headed items (or none yet) may run on.
    headed = not (index + 1 < len(lines) and lines[index + 1].is_item)
    wants = max(limit - len(items), 0) if open_ended and headed else 0
    return Unit("list", f"{shown_lead}{body}", begin, end or lead.end, label, wants=wants)


def _named_sections(text: str, lead: _Line) -> tuple[str, ...]:
    """The three or more things the lead-in's last sentence enumerates ('coaching,
    praktijkbegeleiding, projectbegeleiding en vorming'), folded: the sections it announces
    when headings with those names follow."""
    spans = _sentences(text, lead)
    last = text[spans[-1][0] : spans[-1][1]] if spans else lead.text
    match = _ENUMERATION.search(fold(last))
    if not match:
        return ()
    terms = [t.strip() for t in re.split(r",\s*|\s+(?:en|of)\s+", match.group(1))]
    terms = [t for t in terms if t and len(t.split()) <= 4]
    return tuple(terms) if len(terms) >= 3 else ()


def _sections_unit(
    text: str, lines: list[_Line], index: int, heading: str | None, named: tuple[str, ...]
) -> Unit:
    lead = lines[index]
    spans = _sentences(text, lead) or [(lead.start, lead.end)]
    begin = spans[-1][0]
    _, items, end, remaining = named_sections(text, named, lines[index + 1 :])
    shown_lead, label = _labelled(text[begin : lead.end], heading)
    body = "".join(f"\n• {item}" for item in items)
    return Unit("list", f"{shown_lead}{body}", begin, end or lead.end, label, sections=remaining)


def named_sections(
    text: str, names: tuple[str, ...], lines: list[_Line] | None = None
) -> tuple[int, list[str], int, tuple[str, ...]]:
    """The sections of a passage whose headings carry the announced names, each with its first
    sentence (other headings and paragraphs in between are passed over): where the text they
    quote starts and ends, the items, and the names not found here."""
    if lines is None:
        lines = _lines(text)
    remaining = list(names)
    items: list[str] = []
    start = end = 0
    for j, line in enumerate(lines[:-1]):
        if fold(line.text) in remaining and is_heading_line(line.text):
            body = lines[j + 1]
            if is_heading_line(body.text) or body.is_item:
                continue
            first = _sentences(text, body)
            end = first[0][1] if first else body.end
            start = start if items else line.start
            items.append(f"{line.text}: {text[body.start : end]}")
            remaining.remove(fold(line.text))
    return start, items, end, tuple(remaining)


def continued_items(text: str, wants: int) -> tuple[list[str], int, bool]:
    """The items a previous passage's lead-in announced, from the start of this passage: up to
    wants of them, the end of the text they quote, and whether they run on past this passage.
    Here a headed item with more than one paragraph is the last (its extra paragraph closes
    the list: the first item's shape is not known)."""
    return _items(text, _lines(text), 0, wants, shape=1)


def _items(
    text: str, lines: list[_Line], j: int, limit: int, shape: int = 0
) -> tuple[list[str], int, bool]:
    """List items, or else headed items, from line j on: (items as shown, end offset of what
    they quote, whether they reach the end of the passage)."""
    items: list[str] = []
    end = 0
    while j < len(lines) and lines[j].is_item and len(items) < 3 * _MAX_ITEMS:
        items.append(lines[j].item_text)
        end = lines[j].end
        j += 1
    if items:
        return items, end, j == len(lines)
    return _headed_items(text, lines, j, limit, shape)


def _headed_items(
    text: str, lines: list[_Line], j: int, limit: int, shape: int = 0
) -> tuple[list[str], int, bool]:
    """Headings that each open a paragraph ('Opvoeding' / 'Ouders helpen thuis ...'), shown
    with the paragraph's first sentence. Items have as many paragraphs as the first one (or
    shape, when given); one with more ends the list."""
    items: list[str] = []
    end = 0
    if j == len(lines):
        return items, end, True
    first_paragraphs = shape or None
    while j + 1 < len(lines) and len(items) < limit:
        title, body = lines[j], lines[j + 1]
        if not is_heading_line(title.text) or is_heading_line(body.text) or body.is_item:
            break
        spans = _sentences(text, body)
        end = spans[0][1] if spans else body.end
        items.append(f"{title.text}: {text[body.start : end]}")
        j += 2
        paragraphs = 1
        while j < len(lines) and not is_heading_line(lines[j].text):
            j += 1  # further paragraphs of the same item
            paragraphs += 1
        first_paragraphs = first_paragraphs or paragraphs
        if paragraphs > first_paragraphs:
            # An item longer than the first is the last: the extra paragraph closes the list.
            return items, end, False
    return items, end, j == len(lines) and len(items) < limit
