"""BM25 over Dutch index terms, persisted beside Chroma and rebuilt only by ingest."""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from assistant.dutch import Analyzer, build_vocabulary
from assistant.errors import IndexCorruptError

log = logging.getLogger(__name__)

LEXICAL_DIR = "lexical"
_POINTER = "CURRENT"


@dataclass(frozen=True)
class LexicalRow:
    """What the lexical index keeps of one chunk: its id, indexed text and filter fields."""

    id: str
    text: str
    filters: dict[str, object]


class LexicalIndex:
    """A BM25 index of chunk texts with the filter fields needed to restrict a search."""

    def __init__(
        self,
        analyzer: Analyzer,
        ids: list[str],
        filters: list[dict[str, object]],
        bm25: bm25s.BM25 | None,
        fingerprint: str,
    ) -> None:
        self.analyzer = analyzer
        self.ids = ids
        self.filters = filters
        self._bm25 = bm25
        self.fingerprint = fingerprint
        self._df: dict[str, int] | None = None
        self._positions: dict[str, int] | None = None

    @classmethod
    def build(
        cls, rows: list[LexicalRow], stemmer: str, synonyms: bool, compounds: bool, fingerprint: str
    ) -> LexicalIndex:
        """Analyse every row and build the BM25 matrix."""
        texts = [row.text for row in rows]
        vocabulary = build_vocabulary(texts, stemmer, synonyms) if compounds else frozenset()
        analyzer = Analyzer(
            stemmer=stemmer, synonyms=synonyms, compounds=compounds, vocabulary=vocabulary
        )
        bm25 = None
        if rows:
            bm25 = bm25s.BM25()
            bm25.index([analyzer.terms(text) or ["<empty>"] for text in texts], show_progress=False)
        return cls(analyzer, [r.id for r in rows], [r.filters for r in rows], bm25, fingerprint)

    def __len__(self) -> int:
        return len(self.ids)

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """The k best chunk ids with their BM25 scores; allowed is a boolean mask over ids."""
        terms = self.analyzer.terms(query)
        if self._bm25 is None or not terms:
            return []
        scores = self._bm25.get_scores(terms)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        k = min(k, int(np.count_nonzero(scores)))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top]

    def idf(self, terms: list[str]) -> list[float]:
        """BM25's inverse document frequency of each term; unknown terms get the highest."""
        n = len(self.ids)
        if self._bm25 is None:
            return [0.0 for _ in terms]
        if self._df is None:
            indptr = np.asarray(self._bm25.scores["indptr"])
            self._df = dict(zip(self._bm25.vocab_dict, np.diff(indptr).tolist(), strict=False))
        return [
            float(np.log(1 + (n - (df := self._df.get(t, 0)) + 0.5) / (df + 0.5))) for t in terms
        ]

    def knows(self, term: str) -> bool:
        """Whether any indexed text holds this term."""
        self.idf([])
        return bool(self._df and self._df.get(term, 0))

    def mask(self, filters: dict[str, str]) -> np.ndarray | None:
        """Boolean mask of the chunks that match every filter (None when there are no filters)."""
        if not filters:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        for key, value in filters.items():
            if key == "themes":
                column = [value in (row.get("themes") or ()) for row in self.filters]
            else:
                column = [row.get(key) == value for row in self.filters]
            keep &= np.array(column, dtype=bool)
        return keep

    def filters_of(self, ids: list[str]) -> list[dict[str, object]]:
        """The filter fields of these chunks (as filter_row gives them), in order."""
        if self._positions is None:
            self._positions = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        return [self.filters[self._positions[i]] for i in ids if i in self._positions]

    def values(self, key: str) -> dict[str, int]:
        """Each value of a filter field with the number of chunks that have it."""
        counts: dict[str, int] = {}
        for row in self.filters:
            raw = row.get(key)
            for value in raw if isinstance(raw, list) else [raw]:
                if value:
                    counts[str(value)] = counts.get(str(value), 0) + 1
        return dict(sorted(counts.items()))

    def save(self, index_dir: Path) -> None:
        """Write a new version beside the old one, then switch the pointer atomically."""
        root = index_dir / LEXICAL_DIR
        root.mkdir(parents=True, exist_ok=True)
        version = f"v-{self.fingerprint[:16]}-{os.getpid()}"
        folder = root / version
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        if self._bm25 is not None:
            self._bm25.save(str(folder / "bm25"), show_progress=False)
        meta = {
            "fingerprint": self.fingerprint,
            "ids": self.ids,
            "filters": self.filters,
            "stemmer": self.analyzer.stemmer,
            "synonyms": self.analyzer.synonyms,
            "compounds": self.analyzer.compounds,
            "vocabulary": sorted(self.analyzer.vocabulary),
        }
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        pointer_tmp = root / f"{_POINTER}.tmp-{os.getpid()}"
        pointer_tmp.write_text(version, encoding="utf-8")
        os.replace(pointer_tmp, root / _POINTER)
        for old in root.iterdir():
            if old.is_dir() and old.name != version:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, index_dir: Path) -> LexicalIndex | None:
        """The current saved version, or None when none was saved yet; IndexCorruptError when
        its files cannot be read (it is derived from Chroma: sync_lexical rebuilds it)."""
        root = index_dir / LEXICAL_DIR
        try:
            version = (root / _POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        try:
            meta = json.loads((root / version / "meta.json").read_text(encoding="utf-8"))
            analyzer = Analyzer(
                stemmer=meta["stemmer"],
                synonyms=meta["synonyms"],
                compounds=meta["compounds"],
                vocabulary=frozenset(meta["vocabulary"]),
            )
            bm25 = None
            if (root / version / "bm25").exists():
                bm25 = bm25s.BM25.load(str(root / version / "bm25"))
            return cls(analyzer, meta["ids"], meta["filters"], bm25, meta["fingerprint"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"lexical index in {root} cannot be read ({exc})") from None
