"""A teacher's conversation: follow-up questions in context, and export to Markdown and Word."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from assistant.citing import dutch_date, in_text, reference_list
from assistant.dutch import fold
from assistant.records import Answer

# Words with which a follow-up points back at what was asked before.
_REFERS_BACK = re.compile(
    r"\b(die|dat|deze|dit|daar|daarvan|daarmee|daarover|hun|zij|ze|hen|het project|zo'?n|"
    r"ook|en hoe|en wat|en waar|en wie|en wanneer|nog|verder|hetzelfde)\b"
)
_SHORT = 6  # words


def is_follow_up(question: str) -> bool:
    """Short questions, or ones that refer back ('En hoe pakte Gent dat aan?')."""
    text = fold(question.strip())
    return len(text.split()) <= _SHORT or bool(_REFERS_BACK.search(text)) or text.startswith("en ")


def contextualize(question: str, previous: Sequence[str]) -> str:
    """The query to retrieve with: a follow-up is joined to the previous question."""
    if previous and is_follow_up(question):
        return f"{previous[-1]} {question}"
    return question


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
