"""APA 7 references in Dutch conventions, for lecturers who cite the answers.

A reference list is built from the works an answer (or a whole conversation) cites: the
organisation is the author, a work without a year is "z.d.", and two works of one author in
the same year (or both without one) get "a" and "b" in title order ("z.d.-a", "2018a"), in the
reference list and in the in-text citations alike. Each list comes as plain text (titles
without markup, to paste anywhere), as HTML (titles in italics, for a rich paste into a word
processor) and as Markdown.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from assistant.records import Answer, Citation, DocumentInfo

_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
_WEB_TYPES = ("webpagina", "website")


def dutch_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def year_of(info: DocumentInfo) -> str:
    """The year as APA prints it: the publication year, or 'z.d.' (zonder datum)."""
    return str(info.year) if info.year else "z.d."


def work_key(info: DocumentInfo) -> tuple[str, str, str | None]:
    """What makes two cited passages the same work."""
    return (info.organisation, info.title, info.url)


@dataclass(frozen=True)
class Reference:
    """One entry of a reference list."""

    author: str
    year: str  # "2018", "2018a", "z.d.", "z.d.-b"
    title: str
    accessed: str | None  # "23 november 2026" for web pages, else None
    url: str | None

    def _tail(self, url: str) -> str:
        if self.accessed:
            return f" Geraadpleegd op {self.accessed}, van {url}"
        return f" {url}"

    @property
    def plain(self) -> str:
        """Plain text, to paste where no formatting survives."""
        text = f"{self.author}. ({self.year}). {self.title}."
        return text + (self._tail(self.url) if self.url else "")

    @property
    def markdown(self) -> str:
        """Markdown: the title in italics."""
        text = f"{self.author}. ({self.year}). *{self.title}*."
        return text + (self._tail(self.url) if self.url else "")

    @property
    def html(self) -> str:
        """HTML: the title in italics, the address a link; everything else escaped."""
        text = (
            f"{html.escape(self.author)}. ({html.escape(self.year)}). "
            f"<i>{html.escape(self.title)}</i>."
        )
        if self.url:
            href = html.escape(self.url, quote=True)
            text += self._tail(f'<a href="{href}">{html.escape(self.url)}</a>')
        return text


def references(answers: Iterable[Answer], accessed: date) -> dict[tuple, Reference]:
    """The distinct works the answers cite, keyed by work, in APA order."""
    return references_of(
        (c.chunk.info for answer in answers for c in answer.citations), accessed
    )


def references_of(infos: Iterable[DocumentInfo], accessed: date) -> dict[tuple, Reference]:
    """The distinct works, keyed by work, in APA order (author, year, title), with 'a', 'b' ...
    after the year of an author's works of one year."""
    works: dict[tuple, DocumentInfo] = {}
    for info in infos:
        works.setdefault(work_key(info), info)
    ordered = sorted(
        works.values(),
        key=lambda i: (i.organisation.casefold(), i.year or 0, i.title.casefold()),
    )
    found: dict[tuple, Reference] = {}
    for info in ordered:
        same = [i for i in ordered if i.organisation == info.organisation and i.year == info.year]
        year = year_of(info)
        if len(same) > 1:
            letter = "abcdefghijklmnopqrstuvwxyz"[same.index(info) % 26]
            year = f"{year}-{letter}" if info.year is None else f"{year}{letter}"
        web = info.url and (info.doc_type.startswith(_WEB_TYPES) or info.year is None)
        found[work_key(info)] = Reference(
            info.organisation,
            year,
            info.title,
            # The day the stored copy was taken when the catalog says, else today's.
            dutch_date(date.fromisoformat(info.accessed) if info.accessed else accessed)
            if web
            else None,
            info.url,
        )
    return found


def reference(info: DocumentInfo, accessed: date) -> Reference:
    """The reference of one work cited alone."""
    return references_of([info], accessed)[work_key(info)]


def in_text(citation: Citation, refs: dict[tuple, Reference] | None = None) -> str:
    """The parenthetical citation of a quote: (Organisatie, jaar, p. 3) or with the section;
    the year as the reference list gives it ('z.d.-a')."""
    info = citation.chunk.info
    year = refs[work_key(info)].year if refs and work_key(info) in refs else year_of(info)
    return f"({info.organisation}, {year}, {citation.location})"


@dataclass(frozen=True)
class QuotedPassage:
    """A quote of an answer with its number and in-text citation."""

    n: int
    quote: str  # the exact text quoted, whitespace collapsed
    citation: str  # "(Organisatie, z.d., p. 3)"

    @property
    def plain(self) -> str:
        return f"[{self.n}] “{self.quote}” {self.citation}"


_QUOTE_MARKS = "“”\"‘’'„"


def quotable(text: str) -> str:
    """A quoted text on one line: its line breaks (a heading above its sentence, list items) as
    ' / ', as quotations of verse mark them, and no quotation marks of its own around it."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    joined = " / ".join(line for line in lines if line)
    if joined[:1] in _QUOTE_MARKS and joined.rstrip(".")[-1:] in _QUOTE_MARKS:
        joined = joined[1:].rstrip(".")[:-1] + ("." if joined.endswith(".") else "")
    return joined


def quoted_passages(answer: Answer, refs: dict[tuple, Reference]) -> list[QuotedPassage]:
    """Each text the answer quotes (not the whole passage), in order of its [n]."""
    return [
        QuotedPassage(c.n, quotable(quote), in_text(c, refs))
        for c in answer.citations
        for quote in (c.quotes or (c.chunk.text,))
    ]


@dataclass(frozen=True)
class CitationBlock:
    """What 'Bronvermelding kopiëren' puts on the clipboard for one answer, in both forms."""

    plain: str
    html: str


def citation_block(answer: Answer, accessed: date) -> CitationBlock | None:
    """The answer's reference list and quoted passages; None when it cites nothing."""
    if not answer.citations:
        return None
    refs = references([answer], accessed)
    quotes = quoted_passages(answer, refs)
    plain = "\n".join(
        ["Referenties", *(r.plain for r in refs.values()), "", "Geciteerde passages"]
        + [q.plain for q in quotes]
    )
    items = "".join(f"<p class='referentie'>{r.html}</p>" for r in refs.values())
    cited = "".join(f"<p>{html.escape(q.plain)}</p>" for q in quotes)
    rich = f"<p><b>Referenties</b></p>{items}<p><b>Geciteerde passages</b></p>{cited}"
    return CitationBlock(plain, rich)
