"""APA 7 references in Dutch conventions, for lecturers who cite the answers."""

from __future__ import annotations

from collections.abc import Iterable
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


def reference(info: DocumentInfo, accessed: date) -> str:
    """One APA 7 reference: the organisation is the author; web pages say when they were read.

    Plain text with the title between asterisks (Markdown italics), as reference lists are pasted.
    """
    head = f"{info.organisation}. ({year_of(info)}). *{info.title}*."
    if info.url and (info.doc_type.startswith(_WEB_TYPES) or info.year is None):
        return f"{head} Geraadpleegd op {dutch_date(accessed)}, van {info.url}"
    if info.url:
        return f"{head} {info.url}"
    return head


def in_text(citation: Citation) -> str:
    """The parenthetical citation of a quote: (Organisatie, jaar, p. 3) or with the section."""
    info = citation.chunk.info
    return f"({info.organisation}, {year_of(info)}, {citation.location})"


def reference_list(answers: Iterable[Answer], accessed: date) -> list[str]:
    """The distinct references of the answers' citations, alphabetical as APA orders them."""
    seen = {}
    for answer in answers:
        for citation in answer.citations:
            info = citation.chunk.info
            seen.setdefault((info.organisation, info.title, info.url), reference(info, accessed))
    return sorted(seen.values(), key=str.casefold)


def quoted_passages(answer: Answer) -> list[str]:
    """Each cited passage as a quote with its in-text citation."""
    return [f"[{c.n}] “{' '.join(c.chunk.text.split())}” {in_text(c)}" for c in answer.citations]


def citation_block(answer: Answer, accessed: date) -> str:
    """What 'Bronvermelding kopiëren' puts on the clipboard for one answer."""
    if not answer.citations:
        return "Dit antwoord citeert geen bronnen."
    lines = ["Referenties", *reference_list([answer], accessed), "", "Geciteerde passages"]
    lines += quoted_passages(answer)
    return "\n".join(lines)
