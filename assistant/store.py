"""Chroma persistence of chunks and their vectors; Chroma's result dicts never leave this module."""

from __future__ import annotations

import contextlib
import functools
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError

from assistant.chunking import chunk_id
from assistant.errors import (
    IndexCorruptError,
    IndexMissingError,
    ModelMismatchError,
    StoreUnavailableError,
)
from assistant.records import Chunk, DocumentInfo

log = logging.getLogger(__name__)

COLLECTION = "chunks"
CHROMA_DIR = "chroma"
# Chroma's HNSW graph settings for new collections, and the search breadth, which is also applied
# to existing ones. Chroma's defaults (16 neighbours, ef 100) found 0.41 of the exact top 10 for
# the dev-set questions at 100k chunks; these find 0.986 on two builds, where ef_search 1000
# found 0.91-0.98 depending on the build, for 4 ms more per search (bench/query.py).
HNSW = {"space": "cosine", "max_neighbors": 48, "ef_construction": 300}
HNSW_EF_SEARCH = 2000
_PAGE = 5000


def _server_errors(method):
    """Turn a Chroma server that stopped answering into StoreUnavailableError (the client
    reconnects by itself on the next call, so the app recovers when the server is back)."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"the Chroma server does not answer ({exc})") from None

    return wrapper


@dataclass(frozen=True)
class FileState:
    """What the store holds of one source file."""

    version: str  # hash of the file's bytes, catalog entry and chunking settings
    stored: int  # chunks present with this version
    expected: int  # chunks the file had when written; fewer stored means an interrupted write


def open_client(index_dir: Path, host: str = "", port: int = 8000) -> chromadb.ClientAPI:
    """A client of the Chroma server at host:port, or else the embedded store in index_dir."""
    if host:
        try:
            return chromadb.HttpClient(
                host=host, port=port, settings=ChromaSettings(anonymized_telemetry=False)
            )
        except (ChromaError, ValueError, OSError) as exc:
            raise StoreUnavailableError(
                f"the Chroma server at {host}:{port} cannot be reached ({exc})"
            ) from None
    (index_dir / CHROMA_DIR).mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(
            path=str(index_dir / CHROMA_DIR),
            settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
        )
    except ChromaError as exc:
        raise IndexCorruptError(
            f"the index in {index_dir} cannot be read ({exc}): "
            "rebuild it with `python ingest.py --reset`"
        ) from None


class ChunkStore:
    """The chunk collection of one index, tied to the embedding model that built it."""

    def __init__(self, client: chromadb.ClientAPI, model: str, create: bool = False) -> None:
        self._client = client
        self.model = model
        try:
            self._collection = client.get_collection(COLLECTION)
        except (NotFoundError, ValueError):
            if not create:
                raise IndexMissingError("no index yet: run `python ingest.py` first") from None
            self._collection = client.create_collection(
                COLLECTION,
                configuration={"hnsw": {**HNSW, "ef_search": HNSW_EF_SEARCH}},
                metadata={"embedding_model": model},
                embedding_function=None,
            )
        built_with = (self._collection.metadata or {}).get("embedding_model")
        if built_with != model:
            raise ModelMismatchError(
                f"the index was built with embedding model {built_with!r}, not {model!r}: "
                "re-ingest with `python ingest.py --reset` (or configure the old model)"
            )
        hnsw = (self._collection.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search") != HNSW_EF_SEARCH:
            # Takes effect when Chroma loads the index, at the first search after opening.
            self._collection.modify(configuration={"hnsw": {"ef_search": HNSW_EF_SEARCH}})

    @staticmethod
    def drop(client: chromadb.ClientAPI) -> None:
        """Delete the chunk collection, if there is one."""
        with contextlib.suppress(NotFoundError, ValueError):
            client.delete_collection(COLLECTION)

    @_server_errors
    def count(self) -> int:
        return self._collection.count()

    @_server_errors
    def file_states(self) -> dict[str, FileState]:
        """Per source file: its stored version and how many of its chunks are present."""
        stored: dict[tuple[str, str], int] = {}
        expected: dict[tuple[str, str], int] = {}
        for _, meta in self._scan(include=["metadatas"]):
            key = (meta["source"], meta["version"])
            stored[key] = stored.get(key, 0) + 1
            expected[key] = int(meta["n_chunks"])
        states: dict[str, FileState] = {}
        for (source, version), count in stored.items():
            known = states.get(source)
            # A source with chunks of two versions is mid-replacement; either way it is redone.
            if known is None or count > known.stored:
                states[source] = FileState(version, count, expected[(source, version)])
        return states

    @_server_errors
    def generation(self) -> str:
        """A token that changes with every change to the stored chunks: the lexical index
        remembers the one it was built from. Reading it costs one metadata fetch, where hashing
        every file's state took a scan of the whole collection (seconds at 100k chunks)."""
        metadata = self._client.get_collection(COLLECTION).metadata or {}
        return metadata.get("generation") or self._new_generation()

    def _new_generation(self) -> str:
        # Set before each change, so that an interrupted write leaves a token that no lexical
        # index holds: the next open rebuilds it from the store.
        generation = uuid.uuid4().hex
        metadata = dict(self._client.get_collection(COLLECTION).metadata or {})
        self._collection.modify(metadata={**metadata, "generation": generation})
        return generation

    @_server_errors
    def write(
        self,
        chunks: Sequence[Chunk],
        vectors: Sequence[Sequence[float]],
        version: str,
        total: int | None = None,
    ) -> None:
        """Upsert chunks of one file (all of them, or a batch of its total), then, unless more
        are to come, drop its chunks of any other version."""
        if not chunks:
            return
        source = chunks[0].info.source
        total = len(chunks) if total is None else total
        self._new_generation()
        batch = self._client.get_max_batch_size()
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[start : start + batch], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[_metadata(c, version, total) for c in part],
            )
        if chunks[-1].index + 1 >= total:
            self.finish(source, version)

    @_server_errors
    def finish(self, source: str, version: str) -> None:
        """A file's chunks of this version are all written: drop those of other versions."""
        self._new_generation()
        self._collection.delete(where={"$and": [{"source": source}, {"version": {"$ne": version}}]})

    @_server_errors
    def stored_vectors(self, chunks: Sequence[Chunk], version: str) -> dict[str, np.ndarray]:
        """The stored vectors of those of these chunks that the store holds with this version
        and the same text: what an interrupted ingest of the file already wrote."""
        if not chunks:
            return {}
        result = self._collection.get(
            ids=[c.id for c in chunks], include=["documents", "metadatas", "embeddings"]
        )
        texts = {c.id: c.text for c in chunks}
        return {
            i: np.asarray(v, dtype=np.float32)
            for i, text, meta, v in zip(
                result["ids"],
                result["documents"],
                result["metadatas"],
                result["embeddings"],
                strict=True,
            )
            if meta.get("version") == version and texts.get(i) == text
        }

    @_server_errors
    def delete_source(self, source: str) -> None:
        self._new_generation()
        self._collection.delete(where={"source": source})

    @_server_errors
    def query(
        self, vector: Sequence[float], k: int, filters: dict[str, str] | None = None
    ) -> list[tuple[str, float]]:
        """The k nearest chunk ids with their cosine similarity (none from an empty store)."""
        result = self._collection.query(
            query_embeddings=np.asarray([vector], dtype=np.float32),
            n_results=k,
            where=_where(filters or {}),
            include=["distances"],
        )
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    @_server_errors
    def get(
        self, ids: Sequence[str], vectors: bool = False
    ) -> dict[str, tuple[Chunk, np.ndarray | None]]:
        """Chunks by id, with their stored vectors when asked (None otherwise); ids the store
        does not hold are left out."""
        if not ids:
            return {}
        include = ["documents", "metadatas", *(["embeddings"] if vectors else [])]
        result = self._collection.get(ids=list(ids), include=include)
        stored = result["embeddings"] if vectors else [None] * len(result["ids"])
        return {
            i: (_chunk(i, text, meta), None if v is None else np.asarray(v, dtype=np.float32))
            for i, text, meta, v in zip(
                result["ids"], result["documents"], result["metadatas"], stored, strict=True
            )
        }

    @_server_errors
    def _page(self, include: list[str], offset: int) -> dict:
        return self._collection.get(include=include, limit=_PAGE, offset=offset)

    @_server_errors
    def source_chunks(self, source: str) -> list[Chunk]:
        """Every stored chunk of one file, in reading order."""
        result = self._collection.get(where={"source": source}, include=["documents", "metadatas"])
        chunks = [
            _chunk(i, text, meta)
            for i, text, meta in zip(
                result["ids"], result["documents"], result["metadatas"], strict=True
            )
        ]
        return sorted(chunks, key=lambda c: c.index)

    def documents(self) -> list[tuple[DocumentInfo, int]]:
        """Each stored file's catalog facts with its number of chunks, by title."""
        found: dict[str, tuple[DocumentInfo, int]] = {}
        for passage_id, meta in self._scan(include=["metadatas"]):
            source = meta["source"]
            info, count = found.get(source) or (_chunk(passage_id, "", meta).info, 0)
            found[source] = (info, count + 1)
        return sorted(found.values(), key=lambda pair: pair[0].title.casefold())

    def following(self, chunk: Chunk) -> Chunk | None:
        """The passage that comes after this one in its document, if the store holds it."""
        next_id = chunk_id(chunk.info.source, chunk.index + 1)
        found = self.get([next_id]).get(next_id)
        return found[0] if found else None

    def chunks(self) -> Iterator[Chunk]:
        """Every stored chunk, page by page."""
        offset = 0
        while True:
            result = self._page(["documents", "metadatas"], offset)
            if not result["ids"]:
                return
            for i, text, meta in zip(
                result["ids"], result["documents"], result["metadatas"], strict=True
            ):
                yield _chunk(i, text, meta)
            offset += len(result["ids"])

    def _scan(self, include: list[str]) -> Iterator[tuple[str, dict]]:
        offset = 0
        while True:
            result = self._page(include, offset)
            if not result["ids"]:
                return
            yield from zip(result["ids"], result["metadatas"], strict=True)
            offset += len(result["ids"])


def _where(filters: dict[str, str]) -> dict | None:
    clauses = [
        {"themes": {"$contains": value}} if key == "themes" else {key: value}
        for key, value in filters.items()
    ]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _metadata(chunk: Chunk, version: str, n_chunks: int) -> dict:
    info = chunk.info
    meta: dict = {
        "source": info.source,
        "version": version,
        "n_chunks": n_chunks,
        "index": chunk.index,
        "title": info.title,
        "organisation": info.organisation,
        "doc_type": info.doc_type,
    }
    optional = {
        "section": chunk.section,
        "country": info.country,
        "year": info.year,
        "url": info.url,
        "accessed": info.accessed,
        "themes": list(info.themes) or None,
        "pages": list(chunk.pages) or None,
        "page_offsets": list(chunk.page_offsets) or None,
        "sections": list(chunk.sections) or None,
        "section_offsets": list(chunk.section_offsets) or None,
        "addresses_model": True if chunk.addresses_model else None,
    }
    meta.update({key: value for key, value in optional.items() if value is not None})
    return meta


def _chunk(chunk_id: str, text: str, meta: dict) -> Chunk:
    info = DocumentInfo(
        source=meta["source"],
        title=meta["title"],
        organisation=meta["organisation"],
        doc_type=meta["doc_type"],
        country=meta.get("country"),
        year=meta.get("year"),
        url=meta.get("url"),
        themes=tuple(meta.get("themes") or ()),
        accessed=meta.get("accessed"),
    )
    return Chunk(
        id=chunk_id,
        info=info,
        index=int(meta["index"]),
        text=text,
        section=meta.get("section"),
        pages=tuple(meta.get("pages") or ()),
        page_offsets=tuple(meta.get("page_offsets") or ()),
        sections=tuple(meta.get("sections") or ()),
        section_offsets=tuple(meta.get("section_offsets") or ()),
        addresses_model=bool(meta.get("addresses_model")),
    )
