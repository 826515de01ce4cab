"""The Gradio web app: chat for teachers, search for students, citations for lecturers."""

from __future__ import annotations

import html
import logging
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import gradio as gr
from fastapi import FastAPI

from assistant.citing import citation_block
from assistant.conversation import export_docx, export_markdown
from assistant.documents import DocumentFiles, add_document_routes, corpus_file, pdf_href
from assistant.dutch import Analyzer
from assistant.errors import (
    AssistantError,
    EmbeddingUnavailableError,
    IndexStateError,
    QueryError,
    StoreUnavailableError,
)
from assistant.feedback import FeedbackStore
from assistant.presenting import answer_to_json, search_to_json
from assistant.records import Answer, Chunk, Hit
from assistant.retrieval import MAX_QUESTION
from assistant.service import Assistant

log = logging.getLogger(__name__)

ALL = "(alle)"
FACETS = (
    ("organisation", "Organisatie"),
    ("type", "Documenttype"),
    ("country", "Land"),
    ("theme", "Thema"),
)
PAGE = 10
_STREAM_STEP = 6  # words per streamed update
CSS = """
.bron { border-left: 3px solid #8a5cf6; padding: 0.3em 0.8em; margin: 0.6em 0; }
.bron blockquote { margin: 0.4em 0; font-size: 0.95em; white-space: pre-line; }
.treffer { border-bottom: 1px solid #ddd; padding: 0.5em 0; }
mark { background: #ffe58a; }
@media (max-width: 640px) { .gradio-container { padding: 4px !important; } }
"""


def source_href(chunk: Chunk, corpus_dir: Path, page: int | None = None) -> str | None:
    """Where 'open bron' leads: a corpus PDF at its page, else the web address, else nowhere.

    Only PDFs inside the corpus folder are served, by id (documents.py): a document in HTML or
    text served from the app's origin would run its scripts there. Web addresses must be
    http(s).
    """
    source = chunk.info.source
    if source.lower().endswith(".pdf") and corpus_file(corpus_dir, source) is not None:
        return pdf_href(source, page or (chunk.pages[0] if chunk.pages else None))
    if chunk.info.url and re.match(r"https?://", chunk.info.url):
        return chunk.info.url
    return None


def _link(href: str | None) -> str:
    if not href:
        return ""
    target = html.escape(href, quote=True)
    return f'<a href="{target}" target="_blank" rel="noopener noreferrer">Open de bron</a>'


def render_sources(answer: Answer | None, corpus_dir: Path) -> str:
    """The sources panel: per citation its passage, title, organisation, location and link."""
    if answer is None:
        return "<p>Stel een vraag; de bronnen van het antwoord verschijnen hier.</p>"
    if not answer.citations:
        if not answer.related:
            return "<p>Dit antwoord citeert geen bronnen.</p>"
        items = "".join(
            f"<li>{html.escape(h.chunk.info.title)} — {html.escape(h.chunk.info.organisation)}, "
            f"{html.escape(h.chunk.location)}</li>"
            for h in answer.related
        )
        return (
            "<p>Dit antwoord citeert geen bronnen.</p>"
            "<p><strong>Verwante passages</strong> (geen antwoord op de vraag):</p>"
            f"<ul>{items}</ul>"
        )
    parts = []
    for c in answer.citations:
        info = c.chunk.info
        parts.append(
            '<div class="bron">'
            f"<strong>[{c.n}] {html.escape(info.title)}</strong><br>"
            f"{html.escape(info.organisation)} · {html.escape(c.location)}<br>"
            f"<blockquote>{html.escape(c.chunk.text)}</blockquote>"
            f"{_link(source_href(c.chunk, corpus_dir, c.page))}"
            "</div>"
        )
    return "\n".join(parts)


def highlight(text: str, analyzer: Analyzer, query: str) -> str:
    """HTML of text with the words that match the query's terms marked; all else escaped."""
    wanted = set(analyzer.terms(query))
    pieces = []
    for token in re.split(r"(\w+)", text):
        escaped = html.escape(token)
        matches = bool(token) and token[0].isalnum() and bool(set(analyzer.terms(token)) & wanted)
        pieces.append(f"<mark>{escaped}</mark>" if matches else escaped)
    return "".join(pieces)


def render_hits(hits: list[Hit], query: str, analyzer: Analyzer, corpus_dir: Path) -> str:
    if not hits:
        return f"<p>Geen resultaten voor “{html.escape(query)}”.</p>"
    rows = []
    for rank, hit in enumerate(hits, start=1):
        chunk, info = hit.chunk, hit.chunk.info
        snippet = " ".join(chunk.text.split())
        rows.append(
            '<div class="treffer">'
            f"<strong>{rank}. {html.escape(info.title)}</strong><br>"
            f"{html.escape(info.organisation)} · {html.escape(info.doc_type)} · "
            f"{html.escape(chunk.location)}<br>"
            f"<span>{highlight(snippet, analyzer, query)}</span><br>"
            f"{_link(source_href(chunk, corpus_dir))}"
            "</div>"
        )
    return "\n".join(rows)


def filters_from(*values: str | None) -> dict[str, str]:
    """UI facet values (in FACETS order) to retrieval filters; '(alle)' means no filter."""
    return {
        name: value
        for (name, _), value in zip(FACETS, values, strict=True)
        if value and value != ALL
    }


def facet_counts(hits: list[Hit]) -> dict[str, dict[str, int]]:
    """Per facet, each value with the number of results that have it."""
    counts: dict[str, dict[str, int]] = {name: {} for name, _ in FACETS}
    for hit in hits:
        info = hit.chunk.info
        values = {
            "organisation": [info.organisation],
            "type": [info.doc_type],
            "country": [info.country],
            "theme": info.themes,
        }
        for name, found in values.items():
            for value in found:
                if value:
                    counts[name][value] = counts[name].get(value, 0) + 1
    return counts


def stream_words(text: str) -> Iterator[str]:
    words = text.split(" ")
    for end in range(_STREAM_STEP, len(words) + _STREAM_STEP, _STREAM_STEP):
        yield " ".join(words[:end])


_DUTCH_FILTER_NAMES = {
    "organisation": "organisatie",
    "type": "type",
    "country": "land",
    "theme": "thema",
}


def _dutch_error(exc: AssistantError) -> str:
    """The Dutch sentence a user sees for an error; the English one goes to the log."""
    if isinstance(exc, QueryError):
        if exc.kind == "empty":
            return "Je vraag is leeg. Typ een vraag."
        if exc.kind == "too_long":
            return f"Je vraag is te lang: gebruik hoogstens {MAX_QUESTION} tekens."
        if exc.kind == "unknown_filter":
            return f"Onbekend filter ‘{exc.name}’: kies organisatie, type, land of thema."
        if exc.kind == "unknown_value":
            name = _DUTCH_FILTER_NAMES.get(exc.name, exc.name)
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


def user_error(message: str, exc: Exception | None = None) -> gr.Error:
    """The Dutch error an API caller or user sees; the log gets one line, not a traceback (a
    mistyped request is not the app's failure). A failure of the app's own (the store or the
    embeddings server down) is logged as a warning."""
    level = logging.WARNING if isinstance(exc, IndexStateError) else logging.INFO
    log.log(level, "request refused: %s", exc if exc is not None else message)
    return gr.Error(message, title="Fout", print_exception=False)


def checked_k(k: object, default: int) -> int:
    """The API's k: a whole number of 1 to 100 (not a text, a fraction or a truth value);
    left out, the default."""
    if k is None:
        return default
    if isinstance(k, bool) or not isinstance(k, int | float) or k != int(k) or not 1 <= k <= 100:
        raise user_error(f"k moet een geheel getal van 1 tot 100 zijn (gekregen: {k!r}).")
    return int(k)


def build_ui(
    assistant: Assistant,
    feedback: FeedbackStore | None = None,
    today: Callable[[], date] = date.today,
) -> gr.Blocks:
    """The whole app; every piece of per-user state lives in gr.State created here."""
    settings = assistant.settings
    corpus_dir = settings.corpus_dir
    lexical = assistant.retriever.lexical
    analyzer = lexical.analyzer
    choices = {
        "organisation": lexical.values("organisation"),
        "type": lexical.values("doc_type"),
        "country": lexical.values("country"),
        "theme": lexical.values("themes"),
    }

    def facet_dropdowns(prefix: str) -> list[gr.Dropdown]:
        return [
            gr.Dropdown(
                choices=[ALL, *choices[name]],
                value=ALL,
                label=label,
                elem_id=f"{prefix}-{name}",
                interactive=True,
                min_width=140,
            )
            for name, label in FACETS
        ]

    def ask_turn(question: str, conversation: list[Answer], filters: dict[str, str]) -> Answer:
        return assistant.ask(question, filters, [a.question for a in conversation])

    def answer_choices(conversation: list[Answer]):
        labels = [f"{i}. {a.question[:60]}" for i, a in enumerate(conversation, start=1)]
        return gr.Dropdown(choices=labels, value=labels[-1] if labels else None)

    def respond(message, history, conversation, *facets):
        question = (message or "").strip()
        history = list(history or [])
        unchanged = (gr.update(), gr.update(), gr.update())
        if not question:
            yield history, conversation, *unchanged, ""
            return
        history += [
            {"role": "user", "content": html.escape(question)},
            {"role": "assistant", "content": ""},
        ]
        previous = [a.question for a in conversation]
        answer = None
        try:
            written = ""
            for event, value in assistant.ask_stream(question, filters_from(*facets), previous):
                if event == "delta":
                    # An LLM's words as they arrive; replaced by the checked answer at the end.
                    written += value
                    history[-1]["content"] = html.escape(written)
                    yield history, conversation, *unchanged, ""
                else:
                    answer = value
        except AssistantError as exc:
            level = logging.WARNING if isinstance(exc, IndexStateError) else logging.INFO
            log.log(level, "question failed: %s", exc)
            history[-1]["content"] = _dutch_error(exc)
            yield history, conversation, *unchanged, ""
            return
        shown = html.escape(answer.text) + (
            f"\n\n_{html.escape(answer.note)}_" if answer.note else ""
        )
        if answer.read_as:
            # A follow-up was read together with the question before it: say so.
            shown = f"_Gelezen als: {html.escape(answer.read_as)}_\n\n{shown}"
        if answer.generator == "extractive":
            for partial in stream_words(shown):
                history[-1]["content"] = partial
                yield history, conversation, *unchanged, ""
        history[-1]["content"] = shown
        conversation = [*conversation, answer]
        yield (
            history,
            conversation,
            render_sources(answer, corpus_dir),
            citation_block(answer, today()),
            answer_choices(conversation),
            "",
        )

    def show_answer(choice, conversation):
        if not choice or not conversation:
            return render_sources(None, corpus_dir), ""
        answer = conversation[int(choice.split(".", 1)[0]) - 1]
        return render_sources(answer, corpus_dir), citation_block(answer, today())

    def export(kind: str, conversation: list[Answer]):
        if not conversation:
            gr.Warning("Er is nog geen gesprek om te exporteren.")
            return None
        folder = Path(tempfile.mkdtemp(prefix="gesprek-"))
        if kind == "docx":
            return str(export_docx(conversation, today(), folder / "gesprek.docx"))
        path = folder / "gesprek.md"
        path.write_text(export_markdown(conversation, today()), encoding="utf-8")
        return str(path)

    def clear():
        return (
            [],
            [],
            render_sources(None, corpus_dir),
            "",
            gr.Dropdown(choices=[], value=None),
            None,
        )

    def like(event: gr.LikeData, conversation, comment_state):
        if feedback is None or not isinstance(event.index, int | list | tuple):
            return comment_state, gr.update()
        index = event.index[0] if isinstance(event.index, list | tuple) else event.index
        turn = index // 2
        if turn >= len(conversation):
            return comment_state, gr.update()
        answer = conversation[turn]
        data = answer_to_json(answer)
        row = feedback.record(
            answer.question, answer.text, data["citations"], "up" if event.liked else "down"
        )
        return row, gr.update(visible=True)

    def send_comment(text, row):
        if feedback is None or row is None:
            return "Geef eerst een duim omhoog of omlaag bij een antwoord.", ""
        feedback.add_comment(row, text or "")
        return "Bedankt voor je feedback.", ""

    def search(query, page_size, *facets):
        query = (query or "").strip()
        if not query:
            return "<p>Typ een zoekvraag.</p>", PAGE, *[gr.update() for _ in FACETS]
        try:
            filters = filters_from(*facets)
            # One retrieval serves both the page and the facet counts (the page is its head).
            pool = assistant.search(query, max(50, page_size), filters)
            hits = pool[:page_size]
        except AssistantError as exc:
            return (
                f"<p>{html.escape(_dutch_error(exc))}</p>",
                page_size,
                *[gr.update() for _ in FACETS],
            )
        counts = facet_counts(pool)
        updates = [
            gr.Dropdown(
                choices=[ALL, *[(f"{v} ({n})", v) for v, n in sorted(counts[name].items())]]
            )
            for name, _ in FACETS
        ]
        return render_hits(hits, query, analyzer, corpus_dir), page_size, *updates

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

    def api_ask(question, filters, conversation):
        try:
            answer = ask_turn(checked_question(question), conversation, checked_filters(filters))
        except AssistantError as exc:
            raise user_error(_dutch_error(exc), exc) from None
        return answer_to_json(answer), [*conversation, answer]

    def api_search(question, filters, k):
        query = checked_question(question)
        k = checked_k(k, settings.top_k)
        try:
            hits = assistant.search(query, k, checked_filters(filters))
        except AssistantError as exc:
            raise user_error(_dutch_error(exc), exc) from None
        return search_to_json(query, hits)

    with gr.Blocks(title="Kansen-assistent") as ui:
        gr.Markdown(
            "# Kansen-assistent\n"
            "Vragen over kansengelijkheid in onderwijs en kinderopvang, beantwoord met citaten "
            "uit de "
            "documenten van Kleine Kinderen Grote Kansen, Kansen4Kinderen en Stad Gent."
        )
        conversation = gr.State([])
        feedback_row = gr.State(None)
        with gr.Tab("Vraag het", id="vraag"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=300):
                    chat = gr.Chatbot(
                        label="Gesprek",
                        height=460,
                        elem_id="gesprek",
                        feedback_options=("Like", "Dislike") if feedback else None,
                        placeholder=(
                            "Stel je vraag over de praktijk, bijvoorbeeld: "
                            "hoe betrek ik ouders bij de kleuterklas?"
                        ),
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            label="Je vraag",
                            placeholder="Typ je vraag en druk op Enter",
                            scale=4,
                            elem_id="vraag-invoer",
                            max_length=2000,
                        )
                        send = gr.Button(
                            "Vraag", variant="primary", scale=1, min_width=80, elem_id="vraag-knop"
                        )
                    with gr.Accordion("Filters voor dit gesprek", open=False), gr.Row():
                        chat_facets = facet_dropdowns("chat")
                    with gr.Row():
                        new = gr.Button("Nieuw gesprek", size="sm")
                        to_docx = gr.Button("Exporteer als Word", size="sm", elem_id="export-docx")
                        to_md = gr.Button("Exporteer als Markdown", size="sm", elem_id="export-md")
                    download = gr.File(label="Export", interactive=False, elem_id="export-bestand")
                    if feedback is not None:
                        with gr.Group(visible=False) as comment_box:
                            comment = gr.Textbox(
                                label="Opmerking bij je feedback (optioneel)", lines=2
                            )
                            comment_send = gr.Button("Verstuur opmerking", size="sm")
                            comment_status = gr.Markdown()
                with gr.Column(scale=2, min_width=280):
                    which = gr.Dropdown(
                        label="Bronnen van antwoord",
                        choices=[],
                        interactive=True,
                        elem_id="welk-antwoord",
                    )
                    sources = gr.HTML(
                        render_sources(None, corpus_dir), label="Bronnen", elem_id="bronnen"
                    )
                    cite = gr.Textbox(
                        label="Bronvermelding kopiëren (APA 7)",
                        lines=8,
                        buttons=["copy"],
                        interactive=False,
                        elem_id="bronvermelding",
                    )
            outputs = [chat, conversation, sources, cite, which, question]
            question.submit(
                respond, [question, chat, conversation, *chat_facets], outputs, api_name=False
            )
            send.click(
                respond, [question, chat, conversation, *chat_facets], outputs, api_name=False
            )
            which.input(show_answer, [which, conversation], [sources, cite], api_name=False)
            new.click(
                clear, None, [chat, conversation, sources, cite, which, download], api_name=False
            )
            to_docx.click(lambda c: export("docx", c), conversation, download, api_name=False)
            to_md.click(lambda c: export("md", c), conversation, download, api_name=False)
            if feedback is not None:
                chat.like(
                    like, [conversation, feedback_row], [feedback_row, comment_box], api_name=False
                )
                comment_send.click(
                    send_comment, [comment, feedback_row], [comment_status, comment], api_name=False
                )

        with gr.Tab("Zoeken", id="zoeken"):
            page_size = gr.State(PAGE)
            with gr.Row():
                query = gr.Textbox(label="Zoek in de documenten", scale=4, elem_id="zoek-invoer")
                go = gr.Button(
                    "Zoek", variant="primary", scale=1, min_width=80, elem_id="zoek-knop"
                )
            with gr.Row():
                search_facets = facet_dropdowns("zoek")
            results = gr.HTML(elem_id="resultaten")
            more = gr.Button("Meer resultaten", size="sm", elem_id="meer")
            search_out = [results, page_size, *search_facets]
            gr.on(
                [go.click, query.submit, *[facet.input for facet in search_facets]],
                lambda q, *f: search(q, PAGE, *f),
                [query, *search_facets],
                search_out,
                api_name=False,
            )
            more.click(
                lambda q, n, *f: search(q, n + PAGE, *f),
                [query, page_size, *search_facets],
                search_out,
                api_name=False,
            )

        # The API: the same JSON as the CLI; each client session is its own conversation.
        with gr.Row(visible=False):
            api_question = gr.Textbox()
            api_filters = gr.JSON(value={})
            # JSON, not Number: a Number rounds 2.5 to 2 and fails on "5" with an English error
            # before checked_k could name the field.
            api_k = gr.JSON(value=str(settings.top_k))  # a JSON text: the default 5
            api_out = gr.JSON()
            api_ask_button = gr.Button()
            api_search_button = gr.Button()
        api_ask_button.click(
            api_ask,
            [api_question, api_filters, conversation],
            [api_out, conversation],
            api_name="ask",
        )
        api_search_button.click(
            api_search, [api_question, api_filters, api_k], api_out, api_name="search"
        )
    return ui


def build_app(
    assistant: Assistant,
    feedback: FeedbackStore | None = None,
    today: Callable[[], date] = date.today,
) -> FastAPI:
    """The whole web app: the Gradio UI, and the corpus's PDFs served by id (documents.py).
    Gradio itself is allowed no folder at all."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    files = DocumentFiles(assistant.retriever.store, assistant.settings.corpus_dir)
    add_document_routes(app, files)
    ui = build_ui(assistant, feedback, today).queue(default_concurrency_limit=8)
    return gr.mount_gradio_app(
        app, ui, path="", css=CSS, show_error=False, footer_links=[], allowed_paths=[]
    )
