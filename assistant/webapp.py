"""The Gradio web app: chat for teachers, search for students, citations for lecturers.

build_ui lays the page out and wires its events; what each event does is a module-level
handler that takes plain values and returns {component: update}, so a test can call it without
a browser. The HTML it shows comes from pages.py. build_app mounts the UI beside the document
routes (documents.py) and serves the page in Dutch.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import gradio as gr
from fastapi import FastAPI

from assistant.beheer import add_beheer_routes
from assistant.citing import citation_block
from assistant.conversation import export_docx, export_markdown
from assistant.documents import DocumentFiles, add_document_routes
from assistant.errors import (
    AssistantError,
    EmbeddingUnavailableError,
    IndexStateError,
    QueryError,
    StoreUnavailableError,
)
from assistant.facets import FACETS, Facet, facet_named, value_label
from assistant.feedback import FeedbackStore
from assistant.library import Library
from assistant.pages import Pending as PendingTurn
from assistant.pages import collection_html, conversation_html, results_html
from assistant.presenting import answer_to_json, search_to_json
from assistant.records import Answer, Hit
from assistant.retrieval import MAX_QUESTION
from assistant.service import Assistant

log = logging.getLogger(__name__)

ALL = "(alle)"
PAGE = 10
# The start screen's examples: questions the default corpus answers well, one per document
# family, so that a new user sees what an answer with its sources looks like.
EXAMPLES = (
    "Op welke niveaus kunnen ouders betrokken worden bij de school?",
    "Welke vormen van advies op instellingsniveau biedt Stad Gent aan?",
    "Welke vier thema's heeft Kansen4Kinderen?",
    "Wat doet de inclusiecoach van Stad Gent?",
)
NO_DOCUMENTS = "Geen documenten passen bij deze filters. Verwijder een filter om verder te zoeken."
LIMIT_REACHED = f"Je vraag heeft de grens van {MAX_QUESTION} tekens bereikt."
# Colours chosen for WCAG AA contrast on white (4.5:1 for text): the primary button's white on
# #1d4ed8 is 6.7:1, the placeholder #595959 7.0:1, marks #1a1a1a on #ffe58a 15:1.
CSS = """
footer { display: none !important; }
.gesprek { display: flex; flex-direction: column; gap: 0.8em; }
.gesprek.leeg .intro { font-size: 1.05em; }
.beurt { border-bottom: 1px solid #d0d0d0; padding-bottom: 0.6em; }
.vraag .tekst { white-space: pre-wrap; background: #eef2ff; padding: 0.5em 0.7em;
  border-radius: 6px; margin: 0.2em 0; }
.wie { font-weight: 600; margin: 0.2em 0; color: #1a1a1a; }
.gelezen, .noot { font-style: italic; color: #3d3d3d; }
.antwoord ul { margin: 0.3em 0 0.3em 1.4em; }
a.chip { display: inline-block; padding: 0 0.35em; margin: 0 0.1em; border-radius: 4px;
  background: #1d4ed8; color: #ffffff !important; text-decoration: none; font-size: 0.85em;
  position: relative; }
a.chip:focus, a.chip:hover { outline: 2px solid #1a1a1a; }
a.chip:focus::after, a.chip:hover::after { content: attr(data-tip); position: absolute;
  left: 0; top: 1.6em; z-index: 20; width: max-content; max-width: 22em; padding: 0.3em 0.5em;
  background: #1a1a1a; color: #ffffff; border-radius: 4px; font-size: 0.9em;
  white-space: normal; }
details.bronnen { margin-top: 0.4em; }
details.bronnen > summary { cursor: pointer; font-weight: 600; color: #1d4ed8; }
.bron { border-left: 3px solid #6d28d9; padding: 0.3em 0.8em; margin: 0.6em 0; }
.bron:target, .bron.actief { background: #fff7cc; outline: 3px solid #b45309; }
.bron blockquote { margin: 0.4em 0; font-size: 0.95em; white-space: pre-line; }
.treffer { border-bottom: 1px solid #d0d0d0; padding: 0.5em 0; }
mark { background: #ffe58a; color: #1a1a1a; }
table.collectie { border-collapse: collapse; width: 100%; }
table.collectie th, table.collectie td { border-bottom: 1px solid #d0d0d0; padding: 0.3em;
  text-align: left; vertical-align: top; }
.filterchip { flex-grow: 0 !important; }
.tabel { overflow-x: auto; }
#apa-status { font-style: italic; color: #3d3d3d; border-top: 1px solid #d0d0d0;
  padding-top: 0.3em; }
@media (max-width: 640px) {
  .gradio-container { padding: 4px !important; }
  table.collectie thead { position: absolute; left: -9999px; }
  table.collectie caption { text-align: left; }
  table.collectie tr { display: block; border-bottom: 1px solid #d0d0d0; padding: 0.4em 0; }
  table.collectie td { display: block; border: 0; padding: 0.1em 0; }
  table.collectie td::before { content: attr(data-label) ": "; font-weight: 600; }
}
"""
# Runs before Gradio's own scripts (see _dutch_page): Gradio takes its language from the
# browser, and this app is Dutch whatever the browser says; <html lang> follows. The few
# accessible names Gradio's Dutch leaves in English are translated as they appear.
_UNTRANSLATED = {
    "More tabs": "Meer tabbladen",
    "Clear": "Wissen",
    "Copy": "Kopiëren",
    "Download": "Downloaden",
    "Close": "Sluiten",
    "Remove": "Verwijderen",
    "Loading...": "Laden …",
}
_DUTCH_HEAD = (
    "<script>Object.defineProperty(Navigator.prototype,'language',{get:()=>'nl'});"
    "Object.defineProperty(Navigator.prototype,'languages',{get:()=>['nl']});"
    f"const nlNames={json.dumps(_UNTRANSLATED)};"
    "const nlFix=()=>{for(const a of ['aria-label','title']){"
    "for(const e of document.querySelectorAll('['+a+']')){const t=nlNames[e.getAttribute(a)];"
    "if(t)e.setAttribute(a,t);}}};"
    "new MutationObserver(nlFix).observe(document,{subtree:true,childList:true,"
    "attributes:true,attributeFilter:['aria-label','title']});"
    # The question box has several lines: Enter asks, Shift+Enter starts a new line.
    # (Gradio's own box does the opposite: it is kept from seeing these keys.)
    "document.addEventListener('keydown',e=>{if(e.key!=='Enter'||e.isComposing||"
    "!(e.target.closest&&e.target.closest('#vraag-invoer')))return;e.stopPropagation();"
    "if(!e.shiftKey){e.preventDefault();document.getElementById('vraag-knop').click();}},"
    "true);document.addEventListener('keypress',e=>{if(e.key==='Enter'&&e.target.closest&&"
    "e.target.closest('#vraag-invoer'))e.stopPropagation();},true);</script>"
)
# Scroll to the newest turn; a chip's card is opened and marked by fragment navigation.
_SCROLL_JS = (
    "() => { const turns = document.querySelectorAll('#gesprek .beurt');"
    " if (turns.length) turns[turns.length - 1].scrollIntoView({block: 'start'}); }"
)
_COPY_JS = """
async () => {
  const rich = document.querySelector('#apa-rijk');
  const plain = document.querySelector('#apa-tekst');
  const status = document.querySelector('#apa-status');
  if (!rich || !plain) return;
  try {
    await navigator.clipboard.write([new ClipboardItem({
      'text/html': new Blob([rich.innerHTML], {type: 'text/html'}),
      'text/plain': new Blob([plain.textContent], {type: 'text/plain'}),
    })]);
  } catch (error) {
    const area = document.createElement('textarea');
    area.value = plain.textContent; document.body.appendChild(area); area.select();
    document.execCommand('copy'); area.remove();
  }
  if (status) status.textContent = 'Bronvermelding gekopieerd.';
}
"""
_LIMIT_JS = f"(text) => text.length >= {MAX_QUESTION} ? {LIMIT_REACHED!r} : ''"


def _dutch_error(exc: AssistantError) -> str:
    """The Dutch sentence a user sees for an error; the English one goes to the log."""
    if isinstance(exc, QueryError):
        if exc.kind == "empty":
            return "Je vraag is leeg. Typ een vraag."
        if exc.kind == "too_long":
            return f"Je vraag is te lang: gebruik hoogstens {MAX_QUESTION} tekens."
        if exc.kind == "unknown_filter":
            names = [facet.dutch for facet in FACETS]
            choices = f"{', '.join(names[:-1])} of {names[-1]}"
            return f"Onbekend filter ‘{exc.name}’: kies {choices}."
        if exc.kind == "unknown_value":
            facet = facet_named(exc.name)
            name = facet.dutch if facet else exc.name
            known = ", ".join(exc.known)
            return f"Geen document heeft {name} ‘{exc.value}’. Mogelijke waarden: {known}."
    if isinstance(exc, StoreUnavailableError):
        return (
            "De documentenbank is even niet bereikbaar. Probeer het over een ogenblik opnieuw; "
            "je gesprek blijft bewaard."
        )
    if isinstance(exc, EmbeddingUnavailableError):
        return (
            "De dienst die vragen en teksten vergelijkt, is even niet bereikbaar. Probeer het "
            "over een ogenblik opnieuw; je gesprek blijft bewaard."
        )
    return (
        "Er ging iets mis bij het zoeken in de documenten. "
        "Probeer het opnieuw of meld het aan de beheerder."
    )


def _log_refusal(message: str, exc: Exception | None) -> None:
    level = logging.WARNING if isinstance(exc, IndexStateError) else logging.INFO
    log.log(level, "request refused: %s", exc if exc is not None else message)


def user_error(message: str, exc: Exception | None = None) -> gr.Error:
    """The Dutch error an API caller or user sees; the log gets one line, not a traceback (a
    mistyped request is not the app's failure). A failure of the app's own (the store or the
    embeddings server down) is logged as a warning."""
    _log_refusal(message, exc)
    return gr.Error(message, title="Fout", print_exception=False)


def checked_k(k: object, default: int) -> int:
    """The API's k: a whole number of 1 to 100 (not a text, a fraction or a truth value);
    left out, the default."""
    if k is None:
        return default
    if isinstance(k, bool) or not isinstance(k, int | float) or k != int(k) or not 1 <= k <= 100:
        raise user_error(f"k moet een geheel getal van 1 tot 100 zijn (gekregen: {k!r}).")
    return int(k)


def filters_from(*values: str | None) -> dict[str, str]:
    """UI facet values (in FACETS order) to retrieval filters; '(alle)' means no filter."""
    return {
        facet.name: value
        for facet, value in zip(FACETS, values, strict=True)
        if value and value != ALL
    }


@dataclass(frozen=True)
class Context:
    """What the handlers work with: the assistant, the feedback store, today's date."""

    assistant: Assistant
    feedback: FeedbackStore | None = None
    today: Callable[[], date] = date.today

    @property
    def corpus_dir(self) -> Path:
        return self.assistant.settings.corpus_dir


@dataclass
class View:
    """The components the handlers update (built by build_ui, or by a test)."""

    chat: gr.HTML
    conversation: gr.State
    question: gr.Textbox
    limit_note: gr.Markdown
    examples: gr.Row
    chips: list[gr.Button]
    chat_facets: list[gr.Dropdown]
    feedback_box: gr.Row
    feedback_status: gr.Markdown
    feedback_row: gr.State
    comment_box: gr.Group
    which: gr.Dropdown
    apa: gr.HTML
    copy: gr.Button
    download: gr.File
    query: gr.Textbox = field(default_factory=gr.Textbox)
    search_facets: list[gr.Dropdown] = field(default_factory=list)
    results: gr.HTML = field(default_factory=gr.HTML)
    page_size: gr.State = field(default_factory=lambda: gr.State(PAGE))
    more: gr.Button = field(default_factory=gr.Button)


def chip_updates(view: View, values: Sequence[str | None]) -> dict:
    """The active filters as chips above the input, each with a button that removes it."""
    updates = {}
    for chip, facet, value in zip(view.chips, FACETS, values, strict=True):
        active = bool(value) and value != ALL
        updates[chip] = gr.Button(
            value=f"✕ {facet.label}: {value_label(facet, value)}" if active else "",
            visible=active,
        )
    return updates


def citation_updates(ctx: Context, view: View, answer: Answer | None) -> dict:
    """The 'Bronvermelding' panel for one answer: APA references and quotes, with a copy
    button only when the answer cites something."""
    block = citation_block(answer, ctx.today()) if answer is not None else None
    if block is None:
        text = "Dit antwoord citeert geen bronnen." if answer is not None else ""
        return {view.apa: f"<p>{text}</p>" if text else "", view.copy: gr.Button(visible=False)}
    import html

    shown = (
        f"<div id='apa-rijk'>{block.html}</div>"
        f"<pre id='apa-tekst' hidden>{html.escape(block.plain)}</pre>"
        "<p id='apa-status' role='status'></p>"
    )
    return {view.apa: shown, view.copy: gr.Button(visible=True)}


def answer_choices(conversation: Sequence[Answer]) -> gr.Dropdown:
    labels = [
        f"{i}. {a.question[:60]}{'…' if len(a.question) > 60 else ''}"
        for i, a in enumerate(conversation, start=1)
    ]
    return gr.Dropdown(choices=labels, value=labels[-1] if labels else None)


def _no_documents(ctx: Context, filters: dict[str, str]) -> bool:
    """Whether the filters together leave no passage to search."""
    if not filters:
        return False
    lexical = ctx.assistant.retriever.lexical
    fields = ctx.assistant.retriever.normalise_filters(filters)
    mask = lexical.mask(fields)
    return mask is not None and not mask.any()


def respond(
    ctx: Context, view: View, message: str, conversation: list[Answer], *facets: str
) -> Iterator[dict]:
    """Ask the question in the conversation; the answer replaces the 'searching' line, and
    an LLM's words stream in as they come."""
    question = (message or "").strip()
    if not question:
        yield {view.limit_note: "Typ eerst een vraag."}
        return
    filters = filters_from(*facets)
    corpus_dir = ctx.corpus_dir
    yield {
        view.chat: conversation_html(conversation, corpus_dir, PendingTurn(question)),
        view.question: "",
        view.limit_note: "",
        view.examples: gr.Row(visible=False),
    }
    try:
        if _no_documents(ctx, filters):
            answer = Answer(question, False, NO_DOCUMENTS)
        else:
            answer = None
            written = ""
            previous = [a.question for a in conversation]
            for event, value in ctx.assistant.ask_stream(question, filters, previous):
                if event == "delta":
                    written += value
                    pending = PendingTurn(question, written)
                    yield {view.chat: conversation_html(conversation, corpus_dir, pending)}
                else:
                    answer = value
    except AssistantError as exc:
        _log_refusal("question failed", exc)
        answer = Answer(question, False, _dutch_error(exc))
    conversation = [*conversation, answer]
    yield {
        view.chat: conversation_html(conversation, corpus_dir),
        view.conversation: conversation,
        view.which: answer_choices(conversation),
        view.feedback_box: gr.Row(visible=True),
        view.feedback_status: "",
        **citation_updates(ctx, view, answer),
    }


def show_citations(ctx: Context, view: View, choice: str | None, conversation: list[Answer]):
    """The citation panel for the answer chosen in the dropdown."""
    if not choice or not conversation:
        return citation_updates(ctx, view, None)
    return citation_updates(ctx, view, conversation[int(choice.split(".", 1)[0]) - 1])


def new_conversation(ctx: Context, view: View) -> dict:
    """'Nieuw gesprek': the screen, the conversation, its filters, sources and export, gone."""
    return {
        view.chat: conversation_html([], ctx.corpus_dir),
        view.conversation: [],
        view.question: "",
        view.limit_note: "",
        view.examples: gr.Row(visible=True),
        **{dropdown: gr.Dropdown(value=ALL) for dropdown in view.chat_facets},
        **chip_updates(view, [ALL] * len(FACETS)),
        view.feedback_box: gr.Row(visible=False),
        view.feedback_status: "",
        view.feedback_row: None,
        view.which: gr.Dropdown(choices=[], value=None),
        **citation_updates(ctx, view, None),
        view.download: None,
    }


def rate(ctx: Context, view: View, rating: str, conversation: list[Answer]) -> dict:
    """A thumb for the latest answer; says that it was saved, and what was kept."""
    if ctx.feedback is None or not conversation:
        return {view.feedback_status: "Er is nog geen antwoord om te beoordelen."}
    answer = conversation[-1]
    citations = answer_to_json(answer)["citations"]
    row = ctx.feedback.record(answer.question, answer.text, citations, rating)
    verdict = "helpt je" if rating == "up" else "helpt je niet"
    kept = (
        "bewaard, met je vraag en het antwoord"
        if ctx.feedback.keep_text
        else "bewaard (alleen je oordeel en de geciteerde documenten)"
    )
    return {
        view.feedback_status: f"Bedankt! Je oordeel ‘dit antwoord {verdict}’ is {kept}.",
        view.feedback_row: row,
        view.comment_box: gr.Group(visible=ctx.feedback.keep_text),
    }


def send_comment(ctx: Context, view: View, text: str, row: int | None) -> dict:
    if ctx.feedback is None or row is None:
        return {view.feedback_status: "Geef eerst een duim omhoog of omlaag bij een antwoord."}
    saved = ctx.feedback.add_comment(row, text or "")
    return {
        view.feedback_status: "Bedankt, je opmerking is bewaard." if saved else "",
        view.comment_box: gr.Group(visible=False),
    }


def export(ctx: Context, kind: str, conversation: list[Answer]) -> str | None:
    if not conversation:
        gr.Warning("Er is nog geen gesprek om te exporteren.", title="Let op")
        return None
    folder = Path(tempfile.mkdtemp(prefix="gesprek-"))
    if kind == "docx":
        return str(export_docx(conversation, ctx.today(), folder / "gesprek.docx"))
    path = folder / "gesprek.md"
    path.write_text(export_markdown(conversation, ctx.today()), encoding="utf-8")
    return str(path)


@dataclass(frozen=True)
class SearchPage:
    """A search's first results, how many passages match, and each facet's counts."""

    hits: list[Hit]
    total: int
    counts: dict[str, dict[str, int]]


def count_values(ctx: Context, ids: Sequence[str], facet: Facet) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in ctx.assistant.retriever.lexical.filters_of(list(ids)):
        raw = row.get(facet.field)
        for value in raw if isinstance(raw, list) else [raw]:
            if value:
                counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def search_page(ctx: Context, query: str, filters: dict[str, str], shown: int) -> SearchPage:
    """The passages that match the query under the filters. Each facet's counts are over the
    matches under the other facets' filters, so that choosing one value keeps the others."""
    retriever = ctx.assistant.retriever
    ids = retriever.matching(query, filters)
    counts = {}
    for facet in FACETS:
        others = {k: v for k, v in filters.items() if facet_named(k) is not facet}
        pool = ids if others == filters else retriever.matching(query, others)
        counts[facet.name] = count_values(ctx, pool, facet)
    found = retriever.store.get(ids[:shown])
    hits = [Hit(found[i][0], 0.0) for i in ids[:shown] if i in found]
    return SearchPage(hits, len(ids), counts)


def search(ctx: Context, view: View, query: str, shown: int, *facets: str) -> dict:
    """A results page for the search tab."""
    query = (query or "").strip()
    keep = {dropdown: gr.update() for dropdown in view.search_facets}
    if not query:
        return {
            view.results: "<p>Typ een zoekvraag.</p>",
            view.page_size: PAGE,
            view.more: gr.Button(visible=False),
            **keep,
        }
    filters = filters_from(*facets)
    try:
        page = search_page(ctx, query, filters, shown)
    except AssistantError as exc:
        _log_refusal("search failed", exc)
        import html

        return {
            view.results: f"<p>{html.escape(_dutch_error(exc))}</p>",
            view.page_size: shown,
            view.more: gr.Button(visible=False),
            **keep,
        }
    updates = {}
    analyzer = ctx.assistant.retriever.lexical.analyzer
    for dropdown, facet, chosen in zip(view.search_facets, FACETS, facets, strict=True):
        counts = page.counts[facet.name]
        if chosen and chosen != ALL and chosen not in counts:
            counts = {**counts, chosen: 0}
        choices = [
            ALL,
            *[(f"{value_label(facet, v)} ({n})", v) for v, n in sorted(counts.items())],
        ]
        updates[dropdown] = gr.Dropdown(choices=choices)
    return {
        view.results: results_html(
            page.hits, page.total, query, analyzer, ctx.corpus_dir, filtered=bool(filters)
        ),
        view.page_size: shown,
        view.more: gr.Button(visible=page.total > len(page.hits)),
        **updates,
    }


def checked_filters(filters) -> dict[str, str]:
    if filters in (None, ""):
        return {}
    if not isinstance(filters, dict) or not all(isinstance(v, str) for v in filters.values()):
        raise user_error(
            'Filters zijn een object met tekstwaarden, bijvoorbeeld {"country": "BE"}.'
        )
    return filters


def checked_question(question) -> str:
    if not isinstance(question, str):
        raise user_error("De vraag moet tekst zijn.")
    return question.strip()


def api_ask(ctx: Context, question, filters, conversation):
    """The API's ask: the CLI's JSON; each client session is its own conversation."""
    try:
        question, filters = checked_question(question), checked_filters(filters)
        answer = ctx.assistant.ask(question, filters, [a.question for a in conversation])
    except AssistantError as exc:
        raise user_error(_dutch_error(exc), exc) from None
    return answer_to_json(answer), [*conversation, answer]


def api_search(ctx: Context, question, filters, k):
    query = checked_question(question)
    k = checked_k(k, ctx.assistant.settings.top_k)
    try:
        hits = ctx.assistant.search(query, k, checked_filters(filters))
    except AssistantError as exc:
        raise user_error(_dutch_error(exc), exc) from None
    return search_to_json(query, hits)


def _facet_dropdowns(ctx: Context, prefix: str) -> list[gr.Dropdown]:
    lexical = ctx.assistant.retriever.lexical
    return [
        gr.Dropdown(
            choices=[ALL, *[(value_label(facet, v), v) for v in lexical.values(facet.field)]],
            value=ALL,
            label=facet.label,
            elem_id=f"{prefix}-{facet.name}",
            interactive=True,
            min_width=140,
        )
        for facet in FACETS
    ]


def _on(event, fn, inputs, outputs, **kwargs):
    """Wire an event without exposing it in the API."""
    return event(fn, inputs, outputs, api_name=False, api_visibility="private", **kwargs)


def _asker(ctx: Context, view: View, text: str):
    """An example question's handler: asks it as if typed."""

    def ask(conversation, *facets):
        yield from respond(ctx, view, text, conversation, *facets)

    return ask


# System fonts: the default theme's web font would be fetched from Google (offline here, and
# a request about every visitor to a third party).
THEME = gr.themes.Default(
    primary_hue="blue",
    font=["system-ui", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "Consolas", "monospace"],
).set(
    button_primary_background_fill="#1d4ed8",
    button_primary_background_fill_hover="#1e40af",
    button_primary_text_color="#ffffff",
    input_placeholder_color="#595959",
)


def build_ui(
    assistant: Assistant,
    feedback: FeedbackStore | None = None,
    today: Callable[[], date] = date.today,
) -> gr.Blocks:
    """The page's layout and wiring; every piece of per-user state lives in gr.State here."""
    ctx = Context(assistant, feedback, today)
    settings = assistant.settings
    files = DocumentFiles(assistant.retriever.store, settings.corpus_dir)
    with gr.Blocks(title="Kansen-assistent") as ui:
        gr.Markdown(
            "# Kansen-assistent\n"
            "Vragen over kansengelijkheid in onderwijs en kinderopvang, beantwoord met "
            "letterlijke citaten uit de documenten van Kleine Kinderen Grote Kansen, "
            "Kansen4Kinderen en Stad Gent, elk met zijn bron."
        )
        conversation = gr.State([])
        feedback_row = gr.State(None)
        with gr.Tab("Vraag het", id="vraag"):
            chat = gr.HTML(conversation_html([], settings.corpus_dir), elem_id="gesprek")
            with gr.Row(elem_id="voorbeelden") as examples:
                example_buttons = [
                    gr.Button(text, size="sm", elem_classes="voorbeeld") for text in EXAMPLES
                ]
            with gr.Row(elem_id="actieve-filters"):
                chips = [
                    gr.Button("", visible=False, size="sm", elem_classes="filterchip",
                              elem_id=f"filter-{facet.name}")  # fmt: skip
                    for facet in FACETS
                ]
            question = gr.Textbox(
                label="Je vraag",
                placeholder="Typ je vraag; Enter verstuurt, Shift+Enter begint een nieuwe regel",
                lines=2,
                max_lines=8,
                max_length=MAX_QUESTION,
                elem_id="vraag-invoer",
            )
            limit_note = gr.Markdown("", elem_id="vraag-grens")
            with gr.Row():
                send = gr.Button("Vraag", variant="primary", elem_id="vraag-knop")
                new = gr.Button("Nieuw gesprek", elem_id="nieuw-gesprek")
            with gr.Accordion("Filters voor dit gesprek", open=False, elem_id="filters"), gr.Row():
                chat_facets = _facet_dropdowns(ctx, "chat")
            with gr.Row(visible=False, elem_id="beoordeling") as feedback_box:
                up = gr.Button("Dit antwoord helpt me", size="sm", elem_id="duim-omhoog")
                down = gr.Button("Dit antwoord helpt me niet", size="sm", elem_id="duim-omlaag")
            feedback_status = gr.Markdown("", elem_id="beoordeling-status")
            with gr.Group(visible=False) as comment_box:
                comment = gr.Textbox(label="Opmerking bij je beoordeling (optioneel)", lines=2)
                comment_send = gr.Button("Verstuur opmerking", size="sm")
            with gr.Accordion("Bronvermelding en export", open=False, elem_id="bronvermelding"):
                which = gr.Dropdown(
                    label="Bronvermelding van antwoord", choices=[], elem_id="welk-antwoord"
                )
                apa = gr.HTML("", elem_id="apa")
                copy = gr.Button("Bronvermelding kopiëren", visible=False, elem_id="kopieer-apa")
                with gr.Row():
                    to_docx = gr.Button("Exporteer als Word", size="sm", elem_id="export-docx")
                    to_md = gr.Button("Exporteer als Markdown", size="sm", elem_id="export-md")
                download = gr.File(label="Export", interactive=False, elem_id="export-bestand")

        with gr.Tab("Zoeken", id="zoeken"):
            page_size = gr.State(PAGE)
            with gr.Row():
                query = gr.Textbox(
                    label="Zoek in de documenten",
                    placeholder="Een of meer woorden, bijvoorbeeld: instaptraject",
                    scale=4,
                    elem_id="zoek-invoer",
                )
                go = gr.Button(
                    "Zoek", variant="primary", scale=1, min_width=80, elem_id="zoek-knop"
                )
            with gr.Row():
                search_facets = _facet_dropdowns(ctx, "zoek")
            results = gr.HTML(elem_id="resultaten")
            more = gr.Button("Meer resultaten", size="sm", visible=False, elem_id="meer")

        with gr.Tab("Collectie", id="collectie"):
            collection = gr.HTML(elem_id="collectie")

        view = View(
            chat, conversation, question, limit_note, examples, chips, chat_facets,
            feedback_box, feedback_status, feedback_row, comment_box, which, apa, copy,
            download, query, search_facets, results, page_size, more,
        )  # fmt: skip
        chat_outputs = [
            chat, conversation, question, limit_note, examples, which, feedback_box,
            feedback_status, apa, copy,
        ]  # fmt: skip

        def ask(message, history, *facets):
            yield from respond(ctx, view, message, history, *facets)

        _on(send.click, ask, [question, conversation, *chat_facets], chat_outputs).then(
            None, None, None, js=_SCROLL_JS
        )
        for button in example_buttons:
            _on(button.click, _asker(ctx, view, button.value), [conversation, *chat_facets],
                chat_outputs).then(None, None, None, js=_SCROLL_JS)  # fmt: skip
        question.input(None, [question], [limit_note], js=_LIMIT_JS, api_visibility="private")
        _on(
            new.click,
            lambda: new_conversation(ctx, view),
            None,
            [*chat_outputs, *chat_facets, *chips, feedback_row, download],
        )
        for dropdown in chat_facets:
            _on(dropdown.change, lambda *v: chip_updates(view, v), chat_facets, chips)
        for chip, dropdown in zip(chips, chat_facets, strict=True):
            _on(chip.click, lambda: gr.Dropdown(value=ALL), None, [dropdown])
        _on(
            which.input,
            lambda c, conv: show_citations(ctx, view, c, conv),
            [which, conversation],
            [apa, copy],
        )
        copy.click(None, None, None, js=_COPY_JS, api_visibility="private")
        _on(to_docx.click, lambda c: export(ctx, "docx", c), [conversation], [download])
        _on(to_md.click, lambda c: export(ctx, "md", c), [conversation], [download])
        rated = [feedback_status, feedback_row, comment_box]
        _on(up.click, lambda c: rate(ctx, view, "up", c), [conversation], rated)
        _on(down.click, lambda c: rate(ctx, view, "down", c), [conversation], rated)
        _on(
            comment_send.click,
            lambda text, row: send_comment(ctx, view, text, row),
            [comment, feedback_row],
            [feedback_status, comment_box],
        )

        search_outputs = [results, page_size, more, *search_facets]
        gr.on(
            [go.click, query.submit, *[facet.input for facet in search_facets]],
            lambda q, *f: search(ctx, view, q, PAGE, *f),
            [query, *search_facets],
            search_outputs,
            api_name=False,
            api_visibility="private",
        )
        _on(
            more.click,
            lambda q, n, *f: search(ctx, view, q, n + PAGE, *f),
            [query, page_size, *search_facets],
            search_outputs,
        )
        ui.load(
            lambda: collection_html(files.documents(), settings.corpus_dir),
            None,
            collection,
            api_name=False,
            api_visibility="private",
        )

        # The API: the same JSON as the CLI; each client session is its own conversation.
        with gr.Row(visible=False):
            api_question = gr.Textbox()
            api_filters = gr.JSON(value={})
            # JSON, not Number: a Number rounds 2.5 to 2 and fails on "5" with an English
            # error before checked_k could name the field.
            api_k = gr.JSON(value=str(settings.top_k))  # a JSON text: the default 5
            api_out = gr.JSON()
            api_ask_button = gr.Button()
            api_search_button = gr.Button()
        api_ask_button.click(
            lambda q, f, c: api_ask(ctx, q, f, c),
            [api_question, api_filters, conversation],
            [api_out, conversation],
            api_name="ask",
        )
        api_search_button.click(
            lambda q, f, k: api_search(ctx, q, f, k),
            [api_question, api_filters, api_k],
            api_out,
            api_name="search",
        )
    return ui


class DutchPage:
    """ASGI middleware that serves the page as Dutch: <html lang="nl">, and Gradio's own words
    in its Dutch. Only GET / is read and rewritten; every other request, the queue's event
    streams included, passes straight through untouched (a BaseHTTPMiddleware wrapped each of
    them in its own task and stream)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in ("/", ""):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        parts: list[bytes] = []

        async def rewrite(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(parts)
            headers = [h for h in start.get("headers", []) if h[0].lower() != b"content-length"]
            html = any(
                k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers
            )
            if html:
                body = body.replace(b'lang="en"', b'lang="nl"', 1)
                body = body.replace(b"<head>", b"<head>" + _DUTCH_HEAD.encode(), 1)
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


def build_app(
    assistant: Assistant,
    feedback: FeedbackStore | None = None,
    today: Callable[[], date] = date.today,
    library: Library | None = None,
) -> FastAPI:
    """The whole web app: the Gradio UI, the corpus's documents served by id (documents.py),
    and document management at /beheer with its API (beheer.py). Gradio itself is allowed no
    folder at all."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    files = DocumentFiles(assistant.retriever.store, assistant.settings.corpus_dir)
    add_document_routes(app, files)
    add_beheer_routes(app, library, assistant.settings)
    app.add_middleware(DutchPage)
    ui = build_ui(assistant, feedback, today).queue(default_concurrency_limit=8)
    return gr.mount_gradio_app(
        app,
        ui,
        path="",
        show_error=False,
        footer_links=[],
        allowed_paths=[],
        css=CSS,
        theme=THEME,
    )
