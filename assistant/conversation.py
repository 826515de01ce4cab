"""A teacher's conversation: follow-up questions in context, and export to Markdown and Word."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from assistant.citing import dutch_date, in_text, reference_list
from assistant.dutch import fold
from assistant.records import Answer
from assistant.retrieval import MAX_QUESTION

# Words with which a question may point back at the one before: "en ..." without a subject of
# its own, pronouns and demonstratives ("die", "dat project", "daar", "ze"). Many questions that
# stand alone hold them too (a relative "die", a conjunction "dat"): retrieval evidence decides.
_REFERS_BACK = re.compile(
    r"^(en|maar|ook|en dan)\b|\b(die|dat|deze|dit|daar\w*|hier\w*|zo'?n|hetzelfde|dezelfde|"
    r"ze|zij|hen|hun|hij|haar|het project|nog|verder)\b"
)


def refers_back(question: str) -> bool:
    """Whether the question holds a word that may point back at an earlier question."""
    return bool(_REFERS_BACK.search(fold(question.strip())))


def joined(question: str, previous: Sequence[str], limit: int = MAX_QUESTION) -> str:
    """A follow-up read together with the question before it, within the question length
    limit: the limit is on what the user typed, so the earlier question gives way (its end,
    nearest the follow-up, is kept)."""
    room = max(limit - len(question) - 1, 0)
    before = previous[-1][-room:] if room else ""
    return f"{before} {question}".strip()


def export_markdown(answers: Sequence[Answer], accessed: date) -> str:
    """The conversation with answers, quoted passages and one reference list, as Markdown."""
    lines = [
        "# Gesprek met de kansen-assistent",
        "",
        f"Geëxporteerd op {dutch_date(accessed)}.",
        "",
    ]
    for number, answer in enumerate(answers, start=1):
        lines += [f"## Vraag {number}: {answer.question}", "", answer.text, ""]
        if answer.citations:
            lines += ["**Geciteerde passages**", ""]
            for c in answer.citations:
                passage = " ".join(c.chunk.text.split())
                lines += [f"> [{c.n}] {passage} {in_text(c)}", ""]
    references = reference_list(answers, accessed)
    if references:
        lines += ["## Referenties", ""] + [f"- {r}" for r in references]
    return "\n".join(lines).rstrip() + "\n"


def export_docx(answers: Sequence[Answer], accessed: date, path: Path) -> Path:
    """The same content as export_markdown, as a Word document (python-docx)."""
    import docx

    document = docx.Document()
    document.add_heading("Gesprek met de kansen-assistent", level=0)
    document.add_paragraph(f"Geëxporteerd op {dutch_date(accessed)}.")
    for number, answer in enumerate(answers, start=1):
        document.add_heading(f"Vraag {number}: {answer.question}", level=1)
        document.add_paragraph(answer.text)
        for c in answer.citations:
            quote = document.add_paragraph(style="Quote")
            quote.add_run(f"[{c.n}] {' '.join(c.chunk.text.split())} {in_text(c)}")
    references = reference_list(answers, accessed)
    if references:
        document.add_heading("Referenties", level=1)
        for item in references:
            paragraph = document.add_paragraph()
            _add_with_italics(paragraph, item)
    document.save(str(path))
    return path


def _add_with_italics(paragraph, text: str) -> None:
    """Write text whose *asterisked* parts are titles, in italics as APA wants."""
    for index, part in enumerate(text.split("*")):
        if part:
            paragraph.add_run(part).italic = index % 2 == 1
