"""A teacher's conversation: follow-up questions in context, and export to Markdown and Word."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from assistant.citing import dutch_date, quoted_passages, references
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


# People a question may itself name before a pronoun points at them ("Hoe betrek ik de ouders bij
# het leren van hun kind?"): then the pronoun, or a relative "die"/"dat" right after them, points
# inside the question, not back.
_PEOPLE = re.compile(
    r"\b(ouders?|kind(?:eren|je|jes)?|kleuters?|peuters?|baby'?s?|zoon|dochter|meisjes?|"
    r"jongens?|leerlingen|leerling|leraren|leraar|leerkrachten|"
    r"leerkracht|juf(?:fen)?|scholen|gezinnen|gezin|families|mensen|collega'?s|teams?|"
    r"studenten|student|(?:kinder)?begeleiders?|onthaalouders?|vrijwilligers?|moeders?|vaders?)\b"
)
_PERSONAL = {"ze", "zij", "hun", "hen", "hij", "haar"}
# "dat" after these starts a clause of the question's own ("zorg ik dat kinderen ...").
_CLAUSE_BEFORE = {"zonder", "zodat", "omdat", "opdat", "voordat", "nadat", "ervoor", "ik", "je",
                  "we", "wij", "jullie", "u"}  # fmt: skip


# A question that first tells its own situation ("Mijn kleuters komen vaak te laat en zijn dan
# moe. Wat doe ik daaraan?"): its later pointers point at that. A statement of four words or
# more, ended by a full stop or "!".
_SITUATION = re.compile(r"^(?:[^.!?]*?\s){3,}[^.!?]*[.!](?=\s)")


def refers_back(question: str) -> bool:
    """Whether the question holds a word that may point back at an earlier question: not a
    pronoun whose people the question names before it, a relative "die"/"dat" right after
    them, a "dat" that opens the question's own clause, or a pointer after the question's
    own situation."""
    text = fold(question.strip())
    situation = _SITUATION.match(text)
    end = situation.end() if situation else len(text)
    return any(_points_back(text, m) for m in _REFERS_BACK.finditer(text) if m.start() < end)


def _points_back(text: str, match: re.Match) -> bool:
    word = match.group(2)
    if word is None:  # a leading "en", "maar", "ook"
        return True
    before = text[: match.start(2)]
    after = text[match.end(2) :].strip()
    words = before.split()
    previous = words[-1] if words else ""
    if word in _PERSONAL and _PEOPLE.search(before):
        return False
    if word in ("die", "dat") and _PEOPLE.fullmatch(previous):
        return False
    return not (word == "dat" and previous in _CLAUSE_BEFORE and after[:1].isalpha())


def joined(question: str, previous: Sequence[str], limit: int = MAX_QUESTION) -> str:
    """A follow-up read together with the question before it, within the question length
    limit: the limit is on what the user typed, so the earlier question gives way (its end,
    nearest the follow-up, is kept)."""
    room = max(limit - len(question) - 1, 0)
    before = previous[-1][-room:] if room else ""
    return f"{before} {question}".strip()


def export_markdown(answers: Sequence[Answer], accessed: date) -> str:
    """The conversation with answers, quoted passages and one reference list, as Markdown."""
    refs = references(answers, accessed)
    lines = [
        "# Gesprek met de kansen-assistent",
        "",
        f"Geëxporteerd op {dutch_date(accessed)}.",
        "",
    ]
    for number, answer in enumerate(answers, start=1):
        lines += [f"## Vraag {number}: {answer.question}", "", answer.text, ""]
        quotes = quoted_passages(answer, refs)
        if quotes:
            lines += ["**Geciteerde passages**", ""]
            lines += [f"> {q.plain}\n" for q in quotes]
    if refs:
        lines += ["## Referenties", ""] + [f"- {r.markdown}" for r in refs.values()]
    return "\n".join(lines).rstrip() + "\n"


# APA's reference list: each entry's lines after the first indented by half an inch.
_HANGING_INDENT_CM = 1.27


def export_docx(
    answers: Sequence[Answer], accessed: date, path: Path, created: datetime | None = None
) -> Path:
    """The same content as export_markdown, as a Dutch Word document (python-docx): language
    nl-NL, the assistant as author, the export's time as creation date, APA's hanging indent,
    web addresses as links."""
    import docx
    from docx.shared import Cm

    created = created or datetime.now(UTC)
    refs = references(answers, accessed)
    document = docx.Document()
    properties = document.core_properties
    properties.author = "Kansen-assistent"
    properties.last_modified_by = "Kansen-assistent"
    properties.title = "Gesprek met de kansen-assistent"
    properties.language = "nl-NL"
    properties.created = properties.modified = created.replace(tzinfo=None)
    _set_language(document, "nl-NL")
    document.add_heading("Gesprek met de kansen-assistent", level=0)
    document.add_paragraph(f"Geëxporteerd op {dutch_date(accessed)}.")
    for number, answer in enumerate(answers, start=1):
        document.add_heading(f"Vraag {number}: {answer.question}", level=1)
        document.add_paragraph(answer.text)
        for quote in quoted_passages(answer, refs):
            document.add_paragraph(quote.plain, style="Quote")
    if refs:
        document.add_heading("Referenties", level=1)
        for ref in refs.values():
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.left_indent = Cm(_HANGING_INDENT_CM)
            paragraph.paragraph_format.first_line_indent = Cm(-_HANGING_INDENT_CM)
            paragraph.add_run(f"{ref.author}. ({ref.year}). ")
            paragraph.add_run(ref.title).italic = True
            paragraph.add_run(".")
            if ref.url:
                if ref.accessed:
                    paragraph.add_run(f" Geraadpleegd op {ref.accessed}, van ")
                else:
                    paragraph.add_run(" ")
                _add_hyperlink(paragraph, ref.url)
    document.save(str(path))
    return path


def _set_language(document, language: str) -> None:
    """Mark the document's default run language (w:lang in the default run properties)."""
    from docx.oxml.ns import qn
    from docx.oxml.shared import OxmlElement

    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if properties is None:
        return
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), language)


def _add_hyperlink(paragraph, url: str) -> None:
    """A clickable web address: a hyperlink relationship and a run styled as a link."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn
    from docx.oxml.shared import OxmlElement

    relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "0563C1")
    properties.append(colour)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = url
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
