"""Hybrid retrieval: BM25 and dense rankings fused by weighted reciprocal rank."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from langchain_core.embeddings import Embeddings

from assistant.errors import QueryError
from assistant.facets import FACETS, facet_named
from assistant.lexical import LexicalIndex
from assistant.records import Hit
from assistant.store import ChunkStore

log = logging.getLogger(__name__)

MAX_QUESTION = 2000  # characters; a pasted document is not a question

def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(d) = sum of weight / (k + rank), ranks counted from 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def weighted_score_fusion(
    lexical: Sequence[tuple[str, float]], dense: Sequence[tuple[str, float]], lexical_weight: float
) -> list[tuple[str, float]]:
    """Fuse scores: lexical_weight * BM25/max(BM25) + (1 - lexical_weight) * min-max(cosine).

    Unlike rank fusion this keeps how far ahead a leg's best result is, which is what tells a
    question in the documents' own wording (one passage far ahead on BM25) from a vague one.
    """
    scores: dict[str, float] = {}
    if lexical:
        top = max(score for _, score in lexical) or 1.0
        for item, score in lexical:
            scores[item] = lexical_weight * score / top
    if dense:
        high, low = max(s for _, s in dense), min(s for _, s in dense)
        span = (high - low) or 1.0
        for item, score in dense:
            scores[item] = scores.get(item, 0.0) + (1 - lexical_weight) * (score - low) / span
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def fuse(
    lexical: Sequence[tuple[str, float]],
    dense: Sequence[tuple[str, float]],
    mode: str,
    fusion: str,
    lexical_weight: float,
    rrf_k: int,
    candidates: int,
) -> list[tuple[str, float]]:
    """One ranking from the legs' top `candidates` each, as the mode and fusion say."""
    lexical, dense = lexical[:candidates], dense[:candidates]
    if mode == "lexical":
        return list(lexical)
    if mode == "dense":
        return list(dense)
    if fusion == "weighted":
        return weighted_score_fusion(lexical, dense, lexical_weight)
    return reciprocal_rank_fusion(
        [[i for i, _ in lexical], [i for i, _ in dense]],
        [lexical_weight, 1 - lexical_weight],
        rrf_k,
    )


def checked_query(query: str) -> str:
    """The query without surrounding blanks; an empty or over-long one raises QueryError."""
    query = query.strip()
    if not query:
        raise QueryError("the question is empty", "empty")
    if len(query) > MAX_QUESTION:
        raise QueryError(f"the question is longer than {MAX_QUESTION} characters", "too_long")
    return query


class Retriever:
    """Searches one index with its lexical and dense legs."""

    def __init__(
        self,
        store: ChunkStore,
        lexical: LexicalIndex,
        embeddings: Embeddings,
        *,
        mode: str = "hybrid",
        fusion: str = "rrf",
        candidates: int = 30,
        rrf_k: int = 60,
        lexical_weight: float = 0.7,
    ) -> None:
        self.store = store
        self.lexical = lexical
        self.embeddings = embeddings
        self.mode = mode
        self.fusion = fusion
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.lexical_weight = lexical_weight

    def normalise_filters(self, filters: dict[str, str] | None) -> dict[str, str]:
        """Map user filter names to fields and values to their stored spelling, or raise."""
        normalised: dict[str, str] = {}
        for name, value in (filters or {}).items():
            facet = facet_named(name)
            if facet is None:
                known = tuple(f.name for f in FACETS)
                raise QueryError(
                    f"unknown filter {name!r}: use one of {', '.join(known)}",
                    "unknown_filter",
                    name,
                    str(value),
                    known,
                )
            if not value:
                continue
            field = facet.field
            values = self.lexical.values(field)
            match = next((v for v in values if v.casefold() == value.strip().casefold()), None)
            if match is None:
                raise QueryError(
                    f"no document has {name}={value!r}; "
                    f"known values: {', '.join(values) or 'none'}",
                    "unknown_value",
                    name,
                    value,
                    tuple(values),
                )
            normalised[field] = match
        return normalised

    def legs(
        self,
        query: str,
        filters: dict[str, str] | None = None,
        mode: str | None = None,
        candidates: int | None = None,
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Each leg's candidates with its scores (BM25, cosine), best first; a leg the mode
        does not use is empty."""
        query = checked_query(query)
        mode = mode or self.mode
        candidates = candidates or self.candidates
        fields = self.normalise_filters(filters)
        lexical: list[tuple[str, float]] = []
        dense: list[tuple[str, float]] = []
        if mode in ("hybrid", "lexical"):
            lexical = self.lexical.search(query, candidates, self.lexical.mask(fields))
        if mode in ("hybrid", "dense"):
            vector = self.embeddings.embed_query(query)
            dense = self.store.query(vector, candidates, fields)
        return lexical, dense

    def search(
        self,
        query: str,
        k: int = 5,
        filters: dict[str, str] | None = None,
        mode: str | None = None,
        vectors: bool = False,
    ) -> list[Hit]:
        """The k best chunks for a question, best first (with their stored vectors if asked:
        answering needs them, a results page does not)."""
        mode = mode or self.mode
        lexical, dense = self.legs(query, filters, mode)
        ranked = fuse(
            lexical, dense, mode, self.fusion, self.lexical_weight, self.rrf_k, self.candidates
        )
        lexical_ids = [i for i, _ in lexical]
        dense_ids = [i for i, _ in dense]
        # Fetch a few extra: after an interrupted ingest the lexical index may name stale ids.
        wanted = [i for i, _ in ranked[: k + 5]]
        chunks = self.store.get(wanted, vectors)
        lexical_rank = {i: r for r, i in enumerate(lexical_ids, start=1)}
        dense_rank = {i: r for r, i in enumerate(dense_ids, start=1)}
        hits = [
            Hit(
                chunk=chunks[i][0],
                score=score,
                lexical_rank=lexical_rank.get(i),
                dense_rank=dense_rank.get(i),
                vector=chunks[i][1],
            )
            for i, score in ranked[: k + 5]
            if i in chunks
        ]
        return hits[:k]

    def matching(self, query: str, filters: dict[str, str] | None = None) -> list[str]:
        """The ids of every passage that holds a term of the query (after stemming, synonyms
        and compound splitting), under the filters, best first by the hybrid score: the
        results of a search page, which must be able to say "no results". The dense leg only
        orders them: e5 gives a nonsense word a cosine of 0.85 to the best passage, as high as
        a real one's, so similarity alone is no evidence of a match."""
        query = checked_query(query)
        fields = self.normalise_filters(filters)
        lexical = self.lexical.search(query, len(self.lexical), self.lexical.mask(fields))
        if not lexical:
            return []
        dense = []
        if self.mode in ("hybrid", "dense"):
            dense = self.store.query(self.embeddings.embed_query(query), self.candidates, fields)
        held = {i for i, _ in lexical}
        mode = "lexical" if self.mode == "lexical" else "hybrid"
        ranked = fuse(
            lexical, dense, mode, self.fusion, self.lexical_weight, self.rrf_k, len(lexical)
        )
        return [i for i, _ in ranked if i in held]
