"""Extractive Dutch answers: the passage sentences that answer the question, with [n] markers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pysbd
from langchain_core.embeddings import Embeddings

from assistant.dutch import fold
from assistant.embedding import E5_MODEL, USE_MODEL
from assistant.lexical import LexicalIndex
from assistant.loading import is_heading_line
from assistant.records import Answer, Chunk, Citation, Claim, Hit
from assistant.settings import Settings

REFUSAL = (
    "De documenten in deze collectie beantwoorden deze vraag niet. "
    "Probeer de vraag anders te formuleren, of kies een ander thema of een andere organisatie."
)
_MIN_SENTENCE = 25
# Questions that ask for an amount, a duration, a frequency or a date want a number back.
_QUANTITY_QUESTION = re.compile(
    r"\b(hoeveel|hoe ?lang|hoe vaak|hoe oud|wanneer|welk jaar|in welk jaar|welke datum|hoe groot)\b"
)
_NUMBER = re.compile(
    r"\d|\b(een paar|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|"
    r"vijftien|twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig|honderd|duizend|"
    r"miljoen|meerdere|jaarlijks|maandelijks|wekelijks|dagelijks|eenmalig)\w*"
)


def wants_number(question: str) -> bool:
    """Whether the question asks for an amount, duration, frequency or date."""
    return bool(_QUANTITY_QUESTION.search(fold(question)))


def has_number(text: str) -> bool:
    return bool(_NUMBER.search(fold(text)))


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, scored against the question."""

    text: str
    hit_rank: int  # 0-based rank of the passage it comes from
    position: int  # order within the passage
    lexical: float  # share of the question's idf-weighted terms the sentence contains
    dense: float  # cosine similarity of sentence and question
    score: float


@cache
def sentence_segmenter() -> pysbd.Segmenter:
    """pysbd's Dutch sentence splitter (abbreviations such as o.a. and O.B.S. stay whole)."""
    return pysbd.Segmenter(language="nl", clean=False)


def split_sentences(text: str) -> list[str]:
    """Quotable sentences of a passage, in order (see _split_sentences)."""
    return list(_split_sentences(text))


def quotable_sentences(text: str) -> list[str]:
    """The sentences of a passage an answer may quote (long enough to say something)."""
    return [sentence for sentence in split_sentences(text) if len(sentence) >= _MIN_SENTENCE]


@lru_cache(maxsize=8192)  # passages recur across questions; pysbd is slow (50 ms per answer)
def _split_sentences(text: str) -> tuple[str, ...]:
    """Quotable sentences of a passage, in order.

    Every line ends a sentence; heading lines are left out; a line ending in ':' takes the list
    items that follow it along, so an answer never quotes a lead-in without its list.
    """
    sentences: list[str] = []
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    position = 0
    while position < len(lines):
        line = lines[position]
        position += 1
        if line.startswith("• "):
            sentences.append(line.removeprefix("• "))
            continue
        if is_heading_line(line):
            continue
        parts = [s.strip() for s in sentence_segmenter().segment(line) if s.strip()]
        if parts and parts[-1].endswith(":"):
            items = []
            while position < len(lines) and lines[position].startswith("• "):
                items.append(lines[position])
                position += 1
            if items:
                parts[-1] = "\n".join([parts[-1], *items])
        sentences.extend(parts)
    return tuple(sentences)


@dataclass(frozen=True)
class Evidence:
    """What the retrieved passages offer for a question."""

    candidates: list[Candidate]  # best first
    relevance: float  # highest cosine similarity of the question to a whole retrieved passage


def gather_evidence(
    question: str, hits: Sequence[Hit], lexical: LexicalIndex, embeddings: Embeddings
) -> Evidence:
    """Every sentence of the hits scored against the question, and the passages' relevance."""
    analyzer = lexical.analyzer
    q_terms = sorted(set(analyzer.terms(question)))
    weights = dict(zip(q_terms, lexical.idf(q_terms), strict=True))
    total = sum(weights.values()) or 1.0
    raw = [
        (text, rank, position)
        for rank, hit in enumerate(hits)
        for position, text in enumerate(quotable_sentences(hit.chunk.text))
    ]
    if not hits:
        return Evidence([], 0.0)
    # Passages come with the vectors the store holds for them (of chunk.context); embedding
    # them again would take half of a new question's time.
    stored = [hit.vector for hit in hits if hit.vector is not None]
    passages = [] if len(stored) == len(hits) else [hit.chunk.context for hit in hits]
    # The question as a query, the passages and sentences as documents: models such as E5
    # were trained to score exactly that pair.
    texts = [*passages, *(text for text, _, _ in raw)]
    question_vector = np.asarray([embeddings.embed_query(question)], dtype=np.float64)
    dim = question_vector.shape[1]
    vectors = np.asarray(embeddings.embed_documents(texts), dtype=np.float64).reshape(-1, dim)
    if not passages:
        vectors = np.concatenate([np.asarray(stored, dtype=np.float64).reshape(-1, dim), vectors])
    vectors = np.concatenate([question_vector, vectors])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    relevance = float(np.max(vectors[1 : 1 + len(hits)] @ vectors[0]))
    similarity = vectors[1 + len(hits) :] @ vectors[0]
    candidates = []
    for (text, rank, position), dense in zip(raw, similarity.tolist(), strict=True):
        found = set(analyzer.terms(text))
        lexical_share = sum(w for t, w in weights.items() if t in found) / total
        score = 0.5 * lexical_share + 0.5 * dense + 0.05 / (rank + 1)
        candidates.append(Candidate(text, rank, position, lexical_share, dense, score))
    return Evidence(sorted(candidates, key=lambda c: -c.score), relevance)


def select_sentences(
    candidates: Sequence[Candidate], limit: int, keep_ratio: float
) -> list[Candidate]:
    """The best sentence and those close to it, without repeats, at most limit."""
    if not candidates:
        return []
    best = candidates[0].score
    chosen: list[Candidate] = []
    for candidate in candidates:
        if len(chosen) == limit or candidate.score < keep_ratio * best:
            break
        if any(_same_text(candidate.text, c.text) for c in chosen):
            continue
        chosen.append(candidate)
    return chosen


def quote_location(chunk: Chunk, quote: str) -> str:
    """The citation location of a quote: the page it stands on, or the section it stands in."""
    start = max(chunk.text.find(quote), 0)
    if chunk.pages:
        return f"p. {chunk.page_at(start)}"
    return chunk.location_of(chunk.section_at(start))


def _same_text(a: str, b: str) -> bool:
    return a in b or b in a


def compose_answer(question: str, hits: Sequence[Hit], chosen: Sequence[Candidate]) -> Answer:
    """Join the chosen sentences with [n] markers, numbering passages in order of first use."""
    numbers: dict[int, int] = {}
    parts: list[str] = []
    for candidate in chosen:
        n = numbers.setdefault(candidate.hit_rank, len(numbers) + 1)
        parts.append(f"{candidate.text} [{n}]")
    claims = tuple(Claim(c.text, (numbers[c.hit_rank],), True) for c in chosen)
    first_quote: dict[int, str] = {}
    for candidate in chosen:
        first_quote.setdefault(candidate.hit_rank, candidate.text)
    citations = []
    for rank, n in numbers.items():
        chunk, quote = hits[rank].chunk, first_quote[rank]
        page = chunk.page_at(max(chunk.text.find(quote), 0))
        citations.append(Citation(n, chunk, quote_location(chunk, quote), page))
    return Answer(question, True, " ".join(parts), tuple(citations), tuple(hits), claims=claims)


# The refusal thresholds (min_evidence, min_relevance) of each packaged model: the lower of the
# two evaluation corpora's suggestions (`assistant eval`: the 2% quantile of the answerable
# tuning-half questions), measured 2026-11-25 on the 312-question dev set. The two models'
# similarities live on different scales.
REFUSAL_THRESHOLDS = {E5_MODEL: (0.492, 0.831), USE_MODEL: (0.205, 0.219)}


def refusal_thresholds(settings: Settings) -> tuple[float, float]:
    """The configured thresholds, or else the model's own (E5's for any other E5 model)."""
    model = settings.embedding_model
    if model not in REFUSAL_THRESHOLDS:
        model = E5_MODEL if "e5" in model.lower() else USE_MODEL
    evidence, relevance = REFUSAL_THRESHOLDS[model]
    return (
        evidence if settings.min_evidence is None else settings.min_evidence,
        relevance if settings.min_relevance is None else settings.min_relevance,
    )


def should_answer(evidence: Evidence, min_evidence: float, min_relevance: float) -> bool:
    """Answer only when a sentence is strong enough and the passages are about the question."""
    return (
        bool(evidence.candidates)
        and evidence.candidates[0].score >= min_evidence
        and evidence.relevance >= min_relevance
    )


def refuse(question: str, hits: Sequence[Hit] = ()) -> Answer:
    """The Dutch refusal: no answer, nothing cited."""
    return Answer(question, False, REFUSAL, (), tuple(hits))


class ExtractiveAnswerer:
    """Answers from the retrieved passages' own sentences, or refuses when evidence is weak."""

    def __init__(
        self,
        lexical: LexicalIndex,
        embeddings: Embeddings,
        max_sentences: int = 3,
        keep_ratio: float = 0.7,
        *,
        min_evidence: float,
        min_relevance: float,
    ) -> None:
        self.lexical = lexical
        self.embeddings = embeddings
        self.max_sentences = max_sentences
        self.keep_ratio = keep_ratio
        self.min_evidence = min_evidence
        self.min_relevance = min_relevance

    def evidence(self, question: str, hits: Sequence[Hit]) -> Evidence:
        """Sentences that could answer, best first (an amount or date needs a number)."""
        evidence = gather_evidence(question, hits, self.lexical, self.embeddings)
        if wants_number(question):
            kept = [c for c in evidence.candidates if has_number(c.text)]
            return Evidence(kept, evidence.relevance)
        return evidence

    def embed_sentences(self, chunks: Iterable[Chunk], batch: int = 64) -> int:
        """Embed the quotable sentences of these passages ahead of any question (the vectors
        stay in the embedder's caches); returns how many sentences there were."""
        sentences = list(dict.fromkeys(s for c in chunks for s in quotable_sentences(c.text)))
        for start in range(0, len(sentences), batch):
            self.embeddings.embed_documents(sentences[start : start + batch])
        return len(sentences)

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        evidence = self.evidence(question, hits)
        if not should_answer(evidence, self.min_evidence, self.min_relevance):
            return refuse(question, hits)
        chosen = select_sentences(evidence.candidates, self.max_sentences, self.keep_ratio)
        return compose_answer(question, hits, chosen)


def final_answer(events: Iterable[tuple[str, object]]) -> Answer:
    """The Answer that ends a stream of ("delta", text) ... ("answer", Answer) events."""
    answer = None
    for event, value in events:
        if event == "answer":
            answer = value
    return answer
