"""Extractive Dutch answers: the passage sentences that answer the question, with [n] markers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pysbd
from langchain_core.embeddings import Embeddings

from assistant.lexical import LexicalIndex
from assistant.records import Answer, Citation, Hit

REFUSAL = (
    "De documenten in deze collectie beantwoorden deze vraag niet. "
    "Probeer de vraag anders te formuleren, of kies een ander thema of een andere organisatie."
)
_MIN_SENTENCE = 25


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
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="nl", clean=False)


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; every line (heading, list item) ends a sentence."""
    sentences: list[str] = []
    for line in text.split("\n"):
        line = line.strip().removeprefix("• ").strip()
        if line:
            sentences.extend(s.strip() for s in _segmenter().segment(line) if s.strip())
    return sentences


def score_candidates(
    question: str, hits: Sequence[Hit], lexical: LexicalIndex, embeddings: Embeddings
) -> list[Candidate]:
    """Every sentence of the hits with its lexical, dense and combined score, best first."""
    analyzer = lexical.analyzer
    q_terms = sorted(set(analyzer.terms(question)))
    weights = dict(zip(q_terms, lexical.idf(q_terms), strict=True))
    total = sum(weights.values()) or 1.0
    raw = [
        (text, rank, position)
        for rank, hit in enumerate(hits)
        for position, text in enumerate(split_sentences(hit.chunk.text))
        if len(text) >= _MIN_SENTENCE and hit.chunk.section != text
    ]
    if not raw:
        return []
    vectors = np.asarray(embeddings.embed_documents([question] + [text for text, _, _ in raw]))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    similarity = vectors[1:] @ vectors[0]
    candidates = []
    for (text, rank, position), dense in zip(raw, similarity.tolist(), strict=True):
        found = set(analyzer.terms(text))
        lexical_share = sum(w for t, w in weights.items() if t in found) / total
        score = 0.5 * lexical_share + 0.5 * dense + 0.05 / (rank + 1)
        candidates.append(Candidate(text, rank, position, lexical_share, dense, score))
    return sorted(candidates, key=lambda c: -c.score)


def select_sentences(candidates: Sequence[Candidate], limit: int, keep_ratio: float = 0.8) -> list[Candidate]:
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


def _same_text(a: str, b: str) -> bool:
    return a in b or b in a


def compose_answer(question: str, hits: Sequence[Hit], chosen: Sequence[Candidate]) -> Answer:
    """Join the chosen sentences with [n] markers, numbering passages in order of first use."""
    numbers: dict[int, int] = {}
    parts: list[str] = []
    for candidate in chosen:
        n = numbers.setdefault(candidate.hit_rank, len(numbers) + 1)
        parts.append(f"{candidate.text} [{n}]")
    citations = tuple(Citation(n, hits[rank].chunk) for rank, n in numbers.items())
    return Answer(question, True, " ".join(parts), citations, tuple(hits))


def refuse(question: str, hits: Sequence[Hit] = ()) -> Answer:
    """The Dutch refusal: no answer, nothing cited."""
    return Answer(question, False, REFUSAL, (), tuple(hits))


class ExtractiveAnswerer:
    """Answers from the retrieved passages' own sentences, or refuses when evidence is weak."""

    def __init__(
        self, lexical: LexicalIndex, embeddings: Embeddings, max_sentences: int = 3, min_evidence: float = 0.35
    ) -> None:
        self.lexical = lexical
        self.embeddings = embeddings
        self.max_sentences = max_sentences
        self.min_evidence = min_evidence

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        candidates = score_candidates(question, hits, self.lexical, self.embeddings)
        if not candidates or candidates[0].score < self.min_evidence:
            return refuse(question, hits)
        return compose_answer(question, hits, select_sentences(candidates, self.max_sentences))
