"""Wiring: one plain function builds the real pieces; tests pass other embedders in."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from assistant.answering import (
    NOT_DUTCH,
    OFF_TOPIC,
    ExtractiveAnswerer,
    final_answer,
    passage_relevance,
    refusal_thresholds,
    refuse,
)
from assistant.conversation import joined, refers_back
from assistant.dutch import writes_english
from assistant.embedding import cached, first_model, make_embeddings
from assistant.errors import IndexMissingError
from assistant.indexing import (
    IngestProgress,
    IngestReport,
    ingest,
    reset_index,
    sync_lexical,
    writer_lock,
)
from assistant.records import Answer, Hit
from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.store import ChunkStore, open_client
from assistant.topics import topic_check

if TYPE_CHECKING:
    # The LLM path's modules (openai, LangChain's language models) take a second to import;
    # only a configured LLM loads them.
    from langchain_core.language_models import BaseChatModel

    from assistant.generation import LLMAnswerer


# Up to this many passages, start-up embeds every unit an answer could quote (with e5 on two
# cores 6.9 s for the 211 units of the default corpus's 46 passages on a first start, so
# about a minute for 500; next starts read them from the persistent cache).
WARM_UNITS_MAX_CHUNKS = 500
# A question that points back is read with the one before it when the passages found that way
# match at least this much better (cosine, e5) than those found for it alone: the middle of the
# gap between the tuning half's follow-ups (lowest +0.009) and its topic switches that hold a
# pointing word (highest -0.004), measured 2026-11-25.
FOLLOW_UP_MARGIN = 0.0025
OUTSIDE_FILTERS = (
    "Dat geldt voor de documenten die bij je filters passen: de rest van de collectie geeft wel "
    "een antwoord. Verwijder een filter om het te zien."
)
FILTERED_OUT = (
    "De documenten die bij je filters passen, gaan hier niet over: de rest van de collectie "
    "geeft wel een antwoord. Verwijder een filter om het te zien."
)
log = logging.getLogger(__name__)


@dataclass
class Assistant:
    """Search and ask over one index; with a generator, answers come from the LLM, verified."""

    settings: Settings
    retriever: Retriever
    answerer: ExtractiveAnswerer
    generator: LLMAnswerer | None = None

    def search(
        self, query: str, k: int | None = None, filters: dict[str, str] | None = None
    ) -> list[Hit]:
        return self.retriever.search(query, k or self.settings.top_k, filters)

    def passages(self, query: str, filters: dict[str, str] | None = None) -> list[Hit]:
        """The passages an answer is made from, with the vectors the store holds for them."""
        return self.retriever.search(query, self.settings.top_k, filters, vectors=True)

    def warm_up(self) -> None:
        """Before the first user asks: load the model weights and the index's search structures
        (one extractive answer), and for an index of up to WARM_UNITS_MAX_CHUNKS passages embed
        every answer unit, which an answer would otherwise embed on first use (with e5, 20 new
        questions at once then waited up to 5 s). The persistent embedding cache keeps them, so
        only the first start of a new index pays."""
        question = "Hoe betrekken we ouders bij de school?"
        self.answerer.answer(question, self.passages(question))
        store = self.retriever.store
        count = store.count()
        if count > WARM_UNITS_MAX_CHUNKS:
            log.info("%d passages: answer units are embedded as answers first need them", count)
            return
        started = time.perf_counter()
        units = self.answerer.embed_units(store.chunks())
        log.info("%d answer units ready in %.1f s", units, time.perf_counter() - started)

    def ask(
        self, question: str, filters: dict[str, str] | None = None, previous: Sequence[str] = ()
    ) -> Answer:
        """Answer a question; after earlier questions, a follow-up is read in their context."""
        return final_answer(self.ask_stream(question, filters, previous))

    def read_as(
        self, question: str, previous: Sequence[str], filters: dict[str, str] | None = None
    ) -> str | None:
        """The question joined to the one before it when it is a follow-up, else None."""
        return self._read(question, previous, filters)[0]

    def _read(
        self, question: str, previous: Sequence[str], filters: dict[str, str] | None
    ) -> tuple[str | None, list[Hit]]:
        """How to read the question, and the passages retrieved that way.

        A follow-up points back ('En hoe leren die van elkaar?') and does not stand on its own:
        the passages found for it together with the previous question match better than those
        found for it alone. A short self-contained question or a topic switch stays alone."""
        alone = self.passages(question, filters)
        if not previous or not refers_back(question):
            return None, alone
        together = joined(question, previous)
        with_previous = self.passages(together, filters)
        embeddings = self.answerer.embeddings
        gain = passage_relevance(together, with_previous, embeddings) - passage_relevance(
            question, alone, embeddings
        )
        if gain < FOLLOW_UP_MARGIN:
            return None, alone
        return together, with_own_best(with_previous, alone)

    def ask_stream(
        self, question: str, filters: dict[str, str] | None = None, previous: Sequence[str] = ()
    ) -> Iterator[tuple[str, object]]:
        """Yields ("delta", text) while an LLM writes, then ("answer", the checked Answer). A
        refusal under filters says so when the rest of the collection answers the question."""
        for event, value in self._ask_stream(question, filters, previous):
            if (
                event == "answer"
                and filters
                and not value.answered
                and value.read_as is None
                and self.answerer.answer(question, self.passages(question)).answered
            ):
                # Under filters an unrelated passage set is no sign of an off-topic question.
                text = (
                    FILTERED_OUT if value.text == OFF_TOPIC else f"{value.text} {OUTSIDE_FILTERS}"
                )
                value = replace(value, text=text)
            yield event, value

    def _ask_stream(
        self, question: str, filters: dict[str, str] | None, previous: Sequence[str]
    ) -> Iterator[tuple[str, object]]:
        if writes_english(question):
            # The documents are Dutch, and so are the answers: BM25 finds nothing for English
            # words, and the refusal thresholds were set on Dutch questions.
            yield "answer", refuse(question, (), NOT_DUTCH)
            return
        together, hits = self._read(question, previous, filters)
        if self.generator is None:
            query = together or question
            answer = self.answerer.answer(query, hits, asked=question)
            yield "answer", replace(answer, question=question, read_as=together)
            return
        # With an LLM, condensing a follow-up into a standalone question is the model's job.
        query = self.generator.condense(question, previous) if together else question
        if together:
            hits = self.passages(query, filters)
        read_as = query if together else None
        for event, value in self.generator.stream(query, hits):
            if event == "answer":
                value = replace(value, question=question, read_as=read_as)
            yield event, value


def with_own_best(together: list[Hit], alone: list[Hit]) -> list[Hit]:
    """The passages for a follow-up read with the question before, and after them the best
    passage for the follow-up's own words when it is missing: what it asks that is new ('En
    hoeveel dagen per maand ...?') is often in a passage the joined question, dominated by the
    earlier one's words, ranks just below the top. (Put in the place of the last passage
    instead, it lost an answer that passage held.)"""
    if not together or not alone or any(h.chunk.id == alone[0].chunk.id for h in together):
        return together
    return [*together, alone[0]]


def client_for(settings: Settings):
    """The Chroma client the settings name: a server, or the embedded store."""
    return open_client(settings.index_dir, settings.chroma_host, settings.chroma_port)


def open_assistant(
    settings: Settings,
    embeddings: Embeddings | None = None,
    chat_model: BaseChatModel | None = None,
) -> Assistant:
    """Open an existing index for querying; raises IndexStateError when it cannot serve."""
    if not settings.chroma_host and not (settings.index_dir / "chroma").exists():
        raise IndexMissingError(f"no index in {settings.index_dir}: run `python ingest.py` first")
    store = ChunkStore(client_for(settings), settings.embedding_model)
    # The lexical index is derived from the store: when it is missing, damaged, or out of step
    # (an interrupted ingest, another machine ingesting into a shared Chroma server, changed
    # analysis settings), sync_lexical rebuilds it from the store, once, here.
    lexical = sync_lexical(settings, store)
    # One cache in front of the model: retrieval and answering both embed the question, and
    # answering embeds the sentences of passages that recur from one question to the next.
    embeddings = cached(embeddings or make_embeddings(settings))
    retriever = Retriever(
        store,
        lexical,
        embeddings,
        mode=settings.retrieval_mode,
        fusion=settings.fusion,
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
        lexical_weight=settings.lexical_weight,
    )
    min_evidence, min_relevance = refusal_thresholds(settings)
    scoring = first_model(embeddings)
    answerer = ExtractiveAnswerer(
        lexical,
        scoring,
        max_units=settings.answer_sentences,
        keep_ratio=settings.answer_keep_ratio,
        min_evidence=min_evidence,
        min_relevance=min_relevance,
        following=store.following,
        topics=topic_check(scoring, settings),
    )
    if chat_model is None and settings.llm_base_url:
        from assistant.generation import make_chat_model

        chat_model = make_chat_model(
            settings.llm_base_url,
            settings.llm_model,
            settings.llm_api_key,
            settings.llm_timeout,
            settings.llm_max_tokens,
            settings.llm_temperature,
        )
    generator = None
    if chat_model is not None:
        from assistant.generation import LLMAnswerer

        generator = LLMAnswerer(
            chat_model,
            answerer,
            lexical.analyzer,
            settings.min_claim_support,
            timeout=settings.llm_timeout,
        )
    return Assistant(settings, retriever, answerer, generator)


def build_index(
    settings: Settings,
    paths: list[Path] | None = None,
    embeddings: Embeddings | None = None,
    reset: bool = False,
    progress: IngestProgress | None = None,
) -> IngestReport:
    """Ingest the given files and folders (default: the corpus) into the settings' index,
    holding its writer lock (IndexBusyError when the web app or another ingest has it)."""
    with writer_lock(settings.index_dir):
        if reset:
            if settings.chroma_host:
                ChunkStore.drop(client_for(settings))
            reset_index(settings.index_dir)
        store = ChunkStore(client_for(settings), settings.embedding_model, create=True)
        embeddings = embeddings or make_embeddings(settings)
        return ingest(paths or [settings.corpus_dir], settings, store, embeddings, progress)
