"""Incremental ingest: files on disk -> chunks -> vectors in Chroma, and the lexical index."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import signal
from collections.abc import Generator, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.catalog import CATALOG_FILE, CatalogEntry, load_catalog
from assistant.chunking import chunk_document
from assistant.errors import DocumentError, IndexCorruptError
from assistant.lexical import LexicalIndex, LexicalRow
from assistant.loading import SUPPORTED_SUFFIXES, load_document
from assistant.records import Chunk
from assistant.settings import Settings
from assistant.store import ChunkStore

log = logging.getLogger(__name__)

# Bump when loading or chunking changes so that every file is chunked again.
PIPELINE_VERSION = "3"


@dataclass
class IngestReport:
    """File counts of one ingest run, plus the total of chunks in the index afterwards."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def summary(self) -> dict:
        """The JSON line promised by `ingest.py --json`."""
        data = asdict(self)
        del data["warnings"], data["skipped"]
        return data

    @property
    def ingested_nothing(self) -> bool:
        return bool(self.failed) and not (self.added or self.updated or self.unchanged)


@dataclass(frozen=True)
class _Job:
    """A file that must be loaded and chunked (again)."""

    path: Path
    source: str
    version: str
    entry: CatalogEntry | None
    size: int
    is_new: bool


@dataclass
class _Pending:
    path: Path
    source: str
    version: str
    chunks: list[Chunk]
    is_new: bool
    vectors: np.ndarray | None = None  # embedded by a worker process already


def discover(roots: Iterable[Path], report: IngestReport) -> list[Path]:
    """The supported files under the given files and folders; others are reported as skipped."""
    found: list[Path] = []
    for root in roots:
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in candidates:
            if any(part.startswith(".") for part in path.parts[len(root.parts) - 1 :]):
                continue
            if path.name == CATALOG_FILE:
                continue
            if path != root and not path.resolve().is_relative_to(root.resolve()):
                # A link in the folder to a file elsewhere (corpus/x.txt -> /etc/passwd) would
                # put that file's text in search results: never read it.
                report.failed.append(
                    {"path": str(path), "reason": "links to a file outside the folder, not read"}
                )
                continue
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(path)
            else:
                report.skipped.append(
                    {
                        "path": str(path),
                        "reason": f"unsupported file type {path.suffix or '(none)'}",
                    }
                )
    return found


def catalogs(
    roots: Iterable[Path], corpus_dir: Path, report: IngestReport
) -> dict[str, CatalogEntry]:
    """The corpus's catalog, and that of every other folder ingested that has one, keyed by
    source name; an entry whose file does not exist gets a warning."""
    corpus = corpus_dir.resolve()
    others = [r for r in roots if r.is_dir() and r.resolve() != corpus]
    corpus_ingested = any(r.resolve() == corpus for r in roots)
    merged: dict[str, CatalogEntry] = {}
    for folder in [corpus_dir, *others]:
        for file, entry in load_catalog(folder).items():
            path = folder / file
            if not path.is_file():
                if folder != corpus_dir or corpus_ingested:
                    report.warnings.append(
                        {"path": str(folder / CATALOG_FILE), "warning": f"no file {file}"}
                    )
                continue
            merged[source_name(path, corpus_dir)] = entry
    return merged


def source_name(path: Path, corpus_dir: Path) -> str:
    """How a file is named in the index: relative to the corpus, else its absolute path."""
    resolved, corpus = path.resolve(), corpus_dir.resolve()
    return (
        resolved.relative_to(corpus).as_posix()
        if resolved.is_relative_to(corpus)
        else resolved.as_posix()
    )


def file_version(data: bytes, entry: CatalogEntry | None, settings: Settings) -> str:
    """Changes when the file, its catalog entry or the chunking settings change."""
    digest = hashlib.sha256(data)
    extra = {
        "catalog": asdict(entry) if entry else None,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "pipeline": PIPELINE_VERSION,
    }
    digest.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def reset_index(index_dir: Path) -> None:
    """Remove an index folder entirely."""
    if index_dir.exists():
        shutil.rmtree(index_dir)


class IngestProgress(Protocol):
    """What ingest tells as it goes: each file read (with its passages), passages embedded."""

    def read(self, path: Path, passages: int) -> None: ...

    def embedded(self, passages: int) -> None: ...


class NoProgress:
    """Tells nobody."""

    def read(self, path: Path, passages: int) -> None:
        pass

    def embedded(self, passages: int) -> None:
        pass


def ingest(
    roots: list[Path],
    settings: Settings,
    store: ChunkStore,
    embeddings: Embeddings,
    progress: IngestProgress | None = None,
) -> IngestReport:
    """Bring the index in step with the files under roots; bad files are reported, not fatal."""
    report = IngestReport()
    progress = progress or NoProgress()
    corpus_dir = settings.corpus_dir
    catalog = catalogs(roots, corpus_dir, report)
    files = discover(roots, report)
    states = store.file_states()
    seen: set[str] = set()
    pending: list[_Pending] = []

    jobs: list[_Job] = []
    for path in files:
        source = source_name(path, corpus_dir)
        seen.add(source)
        try:
            size = path.stat().st_size
            if size > settings.max_file_mb * 1_000_000:
                report.failed.append(
                    {
                        "path": str(path),
                        "reason": f"{size / 1_000_000:.3g} MB, more than max_file_mb "
                        f"({settings.max_file_mb:g} MB): not read",
                    }
                )
                continue
            data = path.read_bytes()
        except OSError as exc:
            report.failed.append(
                {"path": str(path), "reason": f"cannot read file ({exc.strerror})"}
            )
            continue
        version = file_version(data, catalog.get(source), settings)
        state = states.get(source)
        if state and state.version == version and state.stored == state.expected:
            report.unchanged += 1
            continue
        jobs.append(_Job(path, source, version, catalog.get(source), len(data), state is None))

    prepared = _prepare_all(jobs, settings, embeddings)
    try:
        for job, (chunks, warnings, failure, vectors) in zip(jobs, prepared, strict=True):
            path = job.path
            progress.read(path, len(chunks))
            if failure is not None:
                report.failed.append({"path": str(path), "reason": failure})
                continue
            if vectors is not None:
                progress.embedded(len(chunks))
            for warning in warnings:
                report.warnings.append({"path": str(path), "warning": warning})
            pending.append(_Pending(path, job.source, job.version, chunks, job.is_new, vectors))
            # Embed as soon as a batch is there, so the embedder never idles while files load.
            if vectors is not None or sum(len(p.chunks) for p in pending) >= (
                settings.embedding_batch_size
            ):
                _flush(pending, store, embeddings, report, progress)
    finally:
        prepared.close()
    _flush(pending, store, embeddings, report, progress)

    for source in sorted(set(states) - seen):
        if _under_any(source, roots, corpus_dir):
            store.delete_source(source)
            report.removed += 1

    sync_lexical(settings, store)
    report.chunks = store.count()
    return report


# From this much to (re)load, worker processes (one per core) load, chunk and, when they can,
# embed whole files while the main process writes to Chroma; below it they are not worth it.
PARALLEL_MIN_BYTES = 1_000_000
# chunks, warnings, failure reason, and the chunks' vectors when a worker embedded them
_Prepared = tuple[list[Chunk], tuple[str, ...], str | None, np.ndarray | None]
_worker_embeddings: Embeddings | None = None


def _prepare(job: _Job, chunk_size: int, chunk_overlap: int) -> _Prepared:
    """Load and chunk one file (and embed it, in a worker); a bad file gives its reason."""
    try:
        document = load_document(job.path, job.source, job.entry)
    except DocumentError as exc:
        return [], (), exc.reason, None
    chunks = chunk_document(document, chunk_size, chunk_overlap)
    vectors = _embed(_worker_embeddings, chunks) if _worker_embeddings is not None else None
    return chunks, document.warnings, None, vectors


def _start_worker(embeddings: Embeddings | None) -> None:
    global _worker_embeddings
    _worker_embeddings = embeddings
    with contextlib.suppress(OSError, AttributeError):
        # Linux: end with the ingest process, even when it is killed (PR_SET_PDEATHSIG).
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _prepare_all(
    jobs: list[_Job], settings: Settings, embeddings: Embeddings
) -> Generator[_Prepared, None, None]:
    """Each job's result, in order: in this process for small loads, else in worker processes
    (largest files first, so that no core is left with a big file at the end)."""
    if (
        len(jobs) < 2
        or sum(job.size for job in jobs) < PARALLEL_MIN_BYTES
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for job in jobs:
            yield _prepare(job, settings.chunk_size, settings.chunk_overlap)
        return
    # fork: the workers start at once, with the loaded model shared copy-on-write. They never
    # touch Chroma or its threads. They embed too only when the embedder says it is safe after a
    # fork (pure numpy); torch's thread pool hangs in a forked child, so those only load.
    pool = ProcessPoolExecutor(
        max_workers=min(len(jobs), os.cpu_count() or 1),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(embeddings if getattr(embeddings, "fork_safe", False) else None,),
    )
    try:
        futures = {
            id(job): pool.submit(_prepare, job, settings.chunk_size, settings.chunk_overlap)
            for job in sorted(jobs, key=lambda job: -job.size)
        }
        for job in jobs:
            yield futures[id(job)].result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


# Passages per embedding call while the main process embeds: small enough for the progress bar
# to move every few seconds with the slowest model, large enough to keep every core busy.
_PROGRESS_STEP = 16


def _embed(
    embeddings: Embeddings, chunks: list[Chunk], progress: IngestProgress | None = None
) -> np.ndarray:
    """The chunks' vectors, in order; identical texts are embedded once."""
    unique = list(dict.fromkeys(c.context for c in chunks))
    found: dict[str, list[float]] = {}
    step = _PROGRESS_STEP if progress is not None else max(len(unique), 1)
    for start in range(0, len(unique), step):
        part = unique[start : start + step]
        found.update(zip(part, embeddings.embed_documents(part), strict=True))
        if progress is not None:
            progress.embedded(len(part))
    if progress is not None and len(chunks) > len(unique):
        progress.embedded(len(chunks) - len(unique))  # repeated texts, embedded once
    return np.asarray([found[c.context] for c in chunks], dtype=np.float32)


def _flush(
    pending: list[_Pending],
    store: ChunkStore,
    embeddings: Embeddings,
    report: IngestReport,
    progress: IngestProgress,
) -> None:
    """Embed the pending files' chunks in one batch (identical texts once), unless a worker did,
    and write each file."""
    if not pending:
        return
    waiting = [item for item in pending if item.vectors is None]
    vectors = _embed(embeddings, [c for item in waiting for c in item.chunks], progress)
    start = 0
    for item in waiting:
        item.vectors, start = vectors[start : start + len(item.chunks)], start + len(item.chunks)
    for item in pending:
        store.write(item.chunks, item.vectors, item.version)
        log.info("stored %s (%d chunks)", item.source, len(item.chunks))
        if item.is_new:
            report.added += 1
        else:
            report.updated += 1
    pending.clear()


def sync_lexical(settings: Settings, store: ChunkStore) -> LexicalIndex:
    """Rebuild and save the lexical index when it does not match the store's contents."""
    fingerprint = store.generation()
    try:
        current = LexicalIndex.load(settings.index_dir)
    except IndexCorruptError as exc:
        log.warning("%s; rebuilding it from the store", exc)
        current = None
    analysis = (settings.stemmer, settings.synonyms, settings.compound_splitting)
    if (
        current is not None
        and current.fingerprint == fingerprint
        and (current.analyzer.stemmer, current.analyzer.synonyms, current.analyzer.compounds)
        == analysis
    ):
        return current
    rows = [
        LexicalRow(
            id=chunk.id,
            text=chunk.context,
            filters={
                "organisation": chunk.info.organisation,
                "doc_type": chunk.info.doc_type,
                "country": chunk.info.country,
                "themes": list(chunk.info.themes),
            },
        )
        for chunk in store.chunks()
    ]
    index = LexicalIndex.build(rows, *analysis, fingerprint=fingerprint)
    index.save(settings.index_dir)
    return index


def _under_any(source: str, roots: list[Path], corpus_dir: Path) -> bool:
    for root in roots:
        prefix = source_name(root, corpus_dir)
        if root.is_file() or not root.exists():
            if source == prefix:
                return True
        elif prefix in ("", ".") or source.startswith(prefix.rstrip("/") + "/"):
            return True
    return False
