"""The web app's HTML: the conversation with its citations, search results, the collection, and a
document's stored copy. Pure functions of records; every text from a document or a user is
escaped here and nowhere is it put in a script, an attribute that runs, or a link other than
http(s) and the app's own routes."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from assistant.documents import corpus_file, document_id, pdf_href
from assistant.dutch import Analyzer
from assistant.facets import country_name
from assistant.records import Answer, Chunk, Citation, DocumentInfo, Hit

CONTEXT_CHARS = 160  # of the passage shown around a quote before the rest is folded

INTRO = (
    "Stel een vraag over je praktijk. Het antwoord bestaat uit letterlijke citaten uit de "
    "documenten, elk met zijn bron; staat het antwoord er niet in, dan zegt de assistent dat."
)


def source_href(chunk: Chunk, corpus_dir: Path, page: int | None = None) -> str | None:
    """Where 'Open de bron' leads: a corpus PDF at its page, else the web address, else nowhere.

    Only PDFs inside the corpus folder are served, by id (documents.py): a document in HTML or
    text served from the app's origin would run its scripts there. Web addresses must be
    http(s)."""
    source = chunk.info.source
    if source.lower().endswith(".pdf") and corpus_file(corpus_dir, source) is not None:
        return pdf_href(source, page or (chunk.pages[0] if chunk.pages else None))
    if chunk.info.url and re.match(r"https?://", chunk.info.url):
        return chunk.info.url
    return None


def copy_href(chunk: Chunk, spans: Sequence[tuple[int, int]] = ()) -> str:
    """The app's stored copy of the passage's document, opened at the quotes (or the
    passage)."""
    query: dict[str, object] = {"passage": chunk.index}
    if spans:
        query["spans"] = ",".join(f"{start}-{end}" for start, end in spans)
    return f"/kopie/{document_id(chunk.info.source)}?{urlencode(query)}#citaat"


def _link(href: str | None, text: str, extra: str = "") -> str:
    if not href:
        return ""
    target = html.escape(href, quote=True)
    opens = ' target="_blank" rel="noopener noreferrer"'
    return f'<a href="{target}"{opens}{extra}>{html.escape(text)}</a>'


def page_location(citation: Citation) -> str:
    """The location as a card shows it: a PDF's page says it is the page of the PDF file."""
    if citation.page is not None:
        return f"{citation.location} (paginanummer in de pdf)"
    return citation.location


def card_id(turn: int, n: int) -> str:
    return f"bron-{turn}-{n}"


def _spans(text: str, quotes: Sequence[str]) -> list[tuple[int, int]]:
    """Where each quote stands in the passage, in order, overlaps merged."""
    spans = []
    for quote in quotes:
        start = text.find(quote)
        if start >= 0 and quote:
            spans.append((start, start + len(quote)))
    return _merged(sorted(spans))


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlaps merged."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Escaped text with the spans in <mark>."""
    out, position = [], 0
    for start, end in spans:
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def quote_in_context(text: str, quotes: Sequence[str]) -> str:
    """The quoted text highlighted with a little of the passage around it, and the whole
    passage folded below."""
    spans = _spans(text, quotes)
    if not spans:
        return f"<blockquote>{html.escape(text)}</blockquote>"
    start = max(0, spans[0][0] - CONTEXT_CHARS)
    end = min(len(text), spans[-1][1] + CONTEXT_CHARS)
    shown = [(s - start, e - start) for s, e in spans if e <= end]
    head = "… " if start else ""
    tail = " …" if end < len(text) else ""
    excerpt = f"<blockquote>{head}{marked(text[start:end], shown)}{tail}</blockquote>"
    if start == 0 and end == len(text):
        return excerpt
    whole = f"<blockquote>{marked(text, spans)}</blockquote>"
    return f"{excerpt}<details class='passage'><summary>Hele passage</summary>{whole}</details>"


def source_card(turn: int, citation: Citation, corpus_dir: Path) -> str:
    """One cited passage: number, title, organisation, location, the quote highlighted, and
    the ways to open it."""
    chunk, info = citation.chunk, citation.chunk.info
    links = [
        _link(source_href(chunk, corpus_dir, citation.page), "Open de bron"),
        _link(copy_href(chunk, _spans(chunk.text, citation.quotes)), "Opgeslagen kopie"),
    ]
    return (
        f'<div class="bron" id="{card_id(turn, citation.n)}" tabindex="-1">'
        f"<p class='bron-kop'><strong>[{citation.n}] {html.escape(info.title)}</strong><br>"
        f"{html.escape(info.organisation)} · {html.escape(page_location(citation))}</p>"
        f"{quote_in_context(chunk.text, citation.quotes)}"
        f"<p class='bron-links'>{' · '.join(link for link in links if link)}</p>"
        "</div>"
    )


def chip(turn: int, citation: Citation | None, n: int) -> str:
    """A clickable [n]: jumps to its source card; hovering or focusing shows the source."""
    if citation is None:
        return f"[{n}]"
    info = citation.chunk.info
    tip = f"{info.title} — {info.organisation}, {citation.location}"
    return (
        f'<a class="chip" href="#{card_id(turn, n)}" data-tip="{html.escape(tip, quote=True)}" '
        f'title="{html.escape(tip, quote=True)}" '
        f'aria-label="Bron {n}: {html.escape(tip, quote=True)}">[{n}]</a>'
    )


_MARKER = re.compile(r"\[(\d+)\]")


def answer_text(turn: int, answer: Answer) -> str:
    """The answer's text as paragraphs (list items as a list), each [n] a chip."""
    by_number = {c.n: c for c in answer.citations}
    parts = []
    for paragraph in answer.text.split("\n\n"):
        lines = paragraph.split("\n")
        rendered = []
        for line in lines:
            escaped = html.escape(line)
            rendered.append(
                _MARKER.sub(lambda m: chip(turn, by_number.get(int(m[1])), int(m[1])), escaped)
            )
        if all(line.startswith("• ") for line in lines[1:]) and len(lines) > 1:
            items = "".join(f"<li>{r.removeprefix('• ')}</li>" for r in rendered[1:])
            parts.append(f"<p>{rendered[0]}</p><ul>{items}</ul>")
        elif all(line.startswith("• ") for line in lines):
            items = "".join(f"<li>{r.removeprefix('• ')}</li>" for r in rendered)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<p>{'<br>'.join(rendered)}</p>")
    return "".join(parts)


def related_list(answer: Answer) -> str:
    if not answer.related:
        return ""
    items = "".join(
        f"<li>{html.escape(h.chunk.info.title)} — {html.escape(h.chunk.info.organisation)}, "
        f"{html.escape(h.chunk.location)}</li>"
        for h in answer.related
    )
    return (
        "<details class='bronnen'><summary>Verwante passages (geen antwoord op de vraag)"
        f"</summary><ul>{items}</ul></details>"
    )


@dataclass(frozen=True)
class Pending:
    """A turn still being answered: the question, and what the model wrote so far."""

    question: str
    written: str = ""


def turn_html(turn: int, answer: Answer, corpus_dir: Path) -> str:
    """One question and its answer, the answer's sources folded right under it."""
    parts = [_question_html(answer.question), "<div class='antwoord'>"]
    parts.append("<p class='wie'>Assistent</p>")
    if answer.read_as:
        parts.append(f"<p class='gelezen'>Gelezen als: {html.escape(answer.read_as)}</p>")
    parts.append(answer_text(turn, answer))
    if answer.note:
        parts.append(f"<p class='noot'>{html.escape(answer.note)}</p>")
    if answer.citations:
        cards = "".join(source_card(turn, c, corpus_dir) for c in answer.citations)
        parts.append(
            f"<details class='bronnen'><summary>Bronnen ({len(answer.citations)})</summary>"
            f"{cards}</details>"
        )
    parts.append(related_list(answer))
    parts.append("</div>")
    return f"<div class='beurt' id='beurt-{turn}'>{''.join(parts)}</div>"


def _question_html(question: str) -> str:
    # Plain text: "*ster*" stays "*ster*"; line breaks are kept by the stylesheet.
    text = html.escape(question)
    return f"<div class='vraag'><p class='wie'>Jij</p><p class='tekst'>{text}</p></div>"


def conversation_html(
    answers: Sequence[Answer], corpus_dir: Path, pending: Pending | None = None
) -> str:
    """The whole conversation, or the start screen's introduction when it is empty."""
    if not answers and pending is None:
        return f"<div class='gesprek leeg'><p class='intro'>{html.escape(INTRO)}</p></div>"
    turns = [turn_html(i, a, corpus_dir) for i, a in enumerate(answers, start=1)]
    if pending is not None:
        written = html.escape(pending.written or "Even zoeken in de documenten …")
        turns.append(
            f"<div class='beurt bezig' id='beurt-{len(answers) + 1}'>"
            f"{_question_html(pending.question)}"
            f"<div class='antwoord'><p class='wie'>Assistent</p><p>{written}</p></div></div>"
        )
    return f"<div class='gesprek' role='log' aria-label='Gesprek'>{''.join(turns)}</div>"


def highlight(text: str, analyzer: Analyzer, query: str) -> str:
    """HTML of text with the words that match the query's terms marked; all else escaped."""
    wanted = set(analyzer.terms(query))
    pieces = []
    for token in re.split(r"(\w+)", text):
        escaped = html.escape(token)
        matches = bool(token) and token[0].isalnum() and bool(set(analyzer.terms(token)) & wanted)
        pieces.append(f"<mark>{escaped}</mark>" if matches else escaped)
    return "".join(pieces)


def results_html(
    hits: Sequence[Hit],
    total: int,
    query: str,
    analyzer: Analyzer,
    corpus_dir: Path,
    filtered: bool = False,
) -> str:
    """A results page: how many passages match, then the first of them."""
    if not hits:
        hint = ""
        if filtered:
            hint = " met de gekozen filters; verwijder een filter om breder te zoeken"
        return f"<p class='telling'>Geen resultaten voor “{html.escape(query)}”{hint}.</p>"
    count = "1 passage" if total == 1 else f"{total} passages"
    rows = [f"<p class='telling'>{count} gevonden voor “{html.escape(query)}”.</p>"]
    for rank, hit in enumerate(hits, start=1):
        chunk, info = hit.chunk, hit.chunk.info
        snippet = " ".join(chunk.text.split())
        links = [
            _link(source_href(chunk, corpus_dir), "Open de bron"),
            _link(copy_href(chunk), "Opgeslagen kopie"),
        ]
        rows.append(
            '<div class="treffer">'
            f"<strong>{rank}. {html.escape(info.title)}</strong><br>"
            f"{html.escape(info.organisation)} · {html.escape(info.doc_type)} · "
            f"{html.escape(chunk.location)}<br>"
            f"<span>{highlight(snippet, analyzer, query)}</span><br>"
            f"{' · '.join(link for link in links if link)}"
            "</div>"
        )
    return "\n".join(rows)


_COLLECTION_COLUMNS = ("Titel", "Organisatie", "Type", "Land", "Jaar", "Passages", "Link")


def collection_html(documents: Sequence[tuple[DocumentInfo, int]], corpus_dir: Path) -> str:
    """The documents of the collection as a table."""
    if not documents:
        return "<p>Er zijn nog geen documenten in de collectie.</p>"
    rows = []
    for info, passages in documents:
        probe = Chunk("", info, 0, "")
        link = _link(source_href(probe, corpus_dir), "Open") or ""
        cells = (
            html.escape(info.title),
            html.escape(info.organisation),
            html.escape(info.doc_type),
            html.escape(country_name(info.country)),
            str(info.year or "z.d."),
            str(passages),
            link,
        )
        # Each cell names its column: on a phone the rows become cards (webapp's CSS).
        rows.append(
            "<tr>"
            + "".join(
                f"<td data-label='{label}'>{cell}</td>"
                for label, cell in zip(_COLLECTION_COLUMNS, cells, strict=True)
            )
            + "</tr>"
        )
    head = "<tr>" + "".join(f"<th scope='col'>{c}</th>" for c in _COLLECTION_COLUMNS) + "</tr>"
    return (
        f"<p>{len(documents)} documenten.</p><div class='tabel'><table class='collectie'>"
        f"<caption>Documenten in de collectie</caption><thead>{head}</thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


COPY_PAGE_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.55;color:#1a1a1a}section{border-top:1px solid #ccc;padding:.4rem 0}"
    "p.tekst{white-space:pre-wrap}mark{background:#ffe58a;color:#1a1a1a}"
    ".plaats{color:#444;font-size:.9rem}"
)


def stored_copy_html(
    info: DocumentInfo,
    chunks: Sequence[Chunk],
    passage: int | None,
    spans: Sequence[tuple[int, int]] = (),
) -> str:
    """A document's stored text as the index holds it, passage by passage, escaped; the quotes
    (spans of one passage) marked, the first given the id the link scrolls to."""
    sections = []
    for chunk in chunks:
        text = chunk.text
        if chunk.index == passage:
            kept = sorted((max(0, s), min(e, len(text))) for s, e in spans if s < e) or [
                (0, len(text))
            ]
            body = marked(text, _merged(kept)).replace("<mark>", "<mark id='citaat'>", 1)
        else:
            body = html.escape(text)
        sections.append(
            f"<section id='passage-{chunk.index}'><p class='plaats'>Passage {chunk.index + 1}, "
            f"{html.escape(chunk.location)}</p><p class='tekst'>{body}</p></section>"
        )
    year = info.year or "z.d."
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(info.title)} (opgeslagen kopie)</title>"
        f"<style>{COPY_PAGE_CSS}</style></head><body>"
        f"<h1>{html.escape(info.title)}</h1>"
        f"<p>{html.escape(info.organisation)} ({year}). Opgeslagen kopie: de tekst zoals de "
        "assistent hem uit het document haalde, in passages.</p>"
        f"{''.join(sections)}</body></html>"
    )


def not_found_html() -> str:
    """The app's page for a document link that leads nowhere."""
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>Niet gevonden</title>"
        f"<style>{COPY_PAGE_CSS}</style></head><body><h1>Dit document bestaat hier niet</h1>"
        "<p>De link is oud of onvolledig, of het document is uit de collectie gehaald. Zoek het "
        "opnieuw op in de assistent.</p></body></html>"
    )
