"""Incremental ingest: files on disk -> chunks -> vectors in Chroma, and the lexical index."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import hashlib
import itertools
import json
import logging
import multiprocessing
import multiprocessing.process
import os
import shutil
import signal
import time
from collections.abc import Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.catalog import CATALOG_FILE, CatalogEntry, load_catalog
from assistant.chunking import chunk_document, iter_chunks
from assistant.dutch import analysis_version
from assistant.errors import DocumentError, IndexBusyError, IndexCorruptError
from assistant.facets import filter_row
from assistant.instructions import addresses_model
from assistant.lexical import LexicalIndex, LexicalRow
from assistant.loading import (
    SUPPORTED_SUFFIXES,
    is_streamed,
    load_document,
    streamed_blocks,
    streamed_info,
)
from assistant.records import Chunk, DocumentInfo
from assistant.settings import Settings
from assistant.store import ChunkStore

log = logging.getLogger(__name__)

# Bump when loading or chunking changes so that every file is chunked again.
PIPELINE_VERSION = "5"  # 5: a heading in capitals under a section is its sub-heading


@dataclass(frozen=True)
class FileNote:
    """One line about one file: why it failed or was skipped, or what ingest noticed."""

    path: str
    message: str


@dataclass
class IngestReport:
    """File counts of one ingest run, plus the total of chunks in the index afterwards."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    failed: list[FileNote] = field(default_factory=list)  # files not ingested, with the reason
    skipped: list[FileNote] = field(default_factory=list)  # files of a type ingest does not read
    warnings: list[FileNote] = field(default_factory=list)
    # Passages that address a language model: kept out of LLM prompts (instructions.py).
    flagged: list[FileNote] = field(default_factory=list)

    def summary(self) -> dict:
        """The JSON line promised by `ingest.py --json`."""
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "chunks": self.chunks,
            "failed": [{"path": note.path, "reason": note.message} for note in self.failed],
        }

    @property
    def ingested_nothing(self) -> bool:
        return bool(self.failed) and not (self.added or self.updated or self.unchanged)


@dataclass(frozen=True)
class Job:
    """A file that must be loaded, chunked and written (again)."""

    path: Path
    source: str
    version: str
    entry: CatalogEntry | None
    size: int
    is_new: bool
    resume: bool = False  # an interrupted run wrote some of this very version already


@dataclass(frozen=True)
class Plan:
    """What an ingest run has to do: the files to (re)load, and the sources that are gone."""

    jobs: tuple[Job, ...]
    unchanged: int
    gone: tuple[str, ...]


@dataclass(frozen=True)
class Prepared:
    """A job's file read and chunked, or the reason it could not be."""

    job: Job
    info: DocumentInfo | None = None
    count: int = 0  # the file's passages
    chunks: tuple[Chunk, ...] = ()  # all of them, except for a streamed file (read again)
    warnings: tuple[str, ...] = ()
    failure: str | None = None
    vectors: np.ndarray | None = None  # the chunks' vectors, when a worker process embedded them


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
                    FileNote(str(path), "links to a file outside the folder, not read")
                )
                continue
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(path)
            else:
                report.skipped.append(
                    FileNote(str(path), f"unsupported file type {path.suffix or '(none)'}")
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
                    report.warnings.append(FileNote(str(folder / CATALOG_FILE), f"no file {file}"))
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


def file_version(
    data: bytes | Iterable[bytes], entry: CatalogEntry | None, settings: Settings
) -> str:
    """Changes when the file, its catalog entry or the chunking settings change."""
    digest = hashlib.sha256()
    for piece in [data] if isinstance(data, bytes) else data:
        digest.update(piece)
    extra = {
        "catalog": asdict(entry) if entry else None,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "pipeline": PIPELINE_VERSION,
    }
    digest.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def _file_pieces(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    """A file's bytes, a megabyte at a time (hashing a large file needs no more memory)."""
    with path.open("rb") as file:
        while piece := file.read(size):
            yield piece


def lock_path(index_dir: Path) -> Path:
    """The lock file of an index: beside its folder, so that a reset does not remove it."""
    index_dir = index_dir.resolve()
    return index_dir.parent / f".{index_dir.name}.lock"


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's one writer lock, or raise IndexBusyError at once: one process writes
    at a time (an ingest, or the web app, which holds it while it runs)."""
    handle = hold_writer_lock(index_dir)
    try:
        yield
    finally:
        handle.close()


def hold_writer_lock(index_dir: Path):
    """Take the index's writer lock and return the open file that holds it (closing it, or the
    process ending, releases it); IndexBusyError when another process has it."""
    import fcntl

    path = lock_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise IndexBusyError(
            f"the index in {index_dir} is being written by another process (the web app, or "
            "another ingest): stop it first, or add documents on the app's Beheer page"
        ) from None
    return handle


def reset_index(index_dir: Path) -> None:
    """Remove an index folder entirely."""
    if index_dir.exists():
        shutil.rmtree(index_dir)


class IngestProgress(Protocol):
    """What ingest tells as it goes: a file being read, each file read (with its passages),
    passages embedded."""

    def reading(self, path: Path) -> None: ...

    def read(self, path: Path, passages: int) -> None: ...

    def embedded(self, passages: int) -> None: ...


class NoProgress:
    """Tells nobody."""

    def reading(self, path: Path) -> None:
        pass

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
    """Bring the index in step with the files under roots; bad files are reported, not fatal.

    Four steps: plan (which files changed), prepare (read and chunk each, in worker processes
    with a time limit), write (embed and store each file batch by batch, so that an interrupted
    run keeps what it finished), prune (drop the files that are gone)."""
    report = IngestReport()
    progress = progress or NoProgress()
    work = plan(roots, settings, store, report)
    report.unchanged = work.unchanged
    writer = _Writer(store, embeddings, settings.embedding_batch_size, progress, report)
    prepared = prepare_all(list(work.jobs), settings, embeddings, progress)
    try:
        for item in prepared:
            progress.read(item.job.path, item.count)
            if item.failure is not None:
                report.failed.append(FileNote(str(item.job.path), item.failure))
                continue
            report.warnings.extend(FileNote(str(item.job.path), w) for w in item.warnings)
            try:
                writer.add(item, batches(item, settings))
            except DocumentError as exc:  # a streamed file that fails on its second reading
                report.failed.append(FileNote(str(item.job.path), exc.reason))
        writer.flush()
    finally:
        prepared.close()
    report.removed = prune(work.gone, store)
    sync_lexical(settings, store)
    report.chunks = store.count()
    return report


def plan(roots: list[Path], settings: Settings, store: ChunkStore, report: IngestReport) -> Plan:
    """The files to (re)load: new ones, changed ones, and those an interrupted run left
    incomplete; files over max_file_mb are reported, not read."""
    corpus_dir = settings.corpus_dir
    catalog = catalogs(roots, corpus_dir, report)
    states = store.file_states()
    seen: set[str] = set()
    jobs: list[Job] = []
    unchanged = 0
    for path in discover(roots, report):
        source = source_name(path, corpus_dir)
        seen.add(source)
        try:
            size = path.stat().st_size
            if size > settings.max_file_mb * 1_000_000:
                report.failed.append(
                    FileNote(
                        str(path),
                        f"{size / 1_000_000:.3g} MB, more than max_file_mb "
                        f"({settings.max_file_mb:g} MB): not read",
                    )
                )
                continue
            version = file_version(_file_pieces(path), catalog.get(source), settings)
        except OSError as exc:
            report.failed.append(FileNote(str(path), f"cannot read file ({exc.strerror})"))
            continue
        state = states.get(source)
        if state and state.version == version and state.stored == state.expected:
            unchanged += 1
            continue
        resume = state is not None and state.version == version
        jobs.append(Job(path, source, version, catalog.get(source), size, state is None, resume))
    gone = tuple(
        source for source in sorted(set(states) - seen) if _under_any(source, roots, corpus_dir)
    )
    return Plan(tuple(jobs), unchanged, gone)


def prune(gone: Iterable[str], store: ChunkStore) -> int:
    """Drop the chunks of files that are gone; returns how many files that was."""
    removed = 0
    for source in gone:
        store.delete_source(source)
        removed += 1
    return removed


def prepare(
    job: Job, chunk_size: int, chunk_overlap: int, embeddings: Embeddings | None = None
) -> Prepared:
    """Read and chunk one file (embedding it too when given a model); a bad file gives its
    reason. A large text file is only counted here: its chunks are made again as it is
    written (see batches)."""
    try:
        if is_streamed(job.path, job.size):
            info, warnings = streamed_info(job.path, job.source, job.entry)
            count = sum(
                1 for _ in iter_chunks(info, streamed_blocks(job.path), chunk_size, chunk_overlap)
            )
            return Prepared(job, info, count, warnings=warnings)
        document = load_document(job.path, job.source, job.entry)
    except DocumentError as exc:
        return Prepared(job, failure=exc.reason)
    chunks = tuple(_flagged(chunk_document(document, chunk_size, chunk_overlap)))
    vectors = _embed(embeddings, list(chunks)) if embeddings is not None else None
    return Prepared(job, document.info, len(chunks), chunks, document.warnings, vectors=vectors)


def _flagged(chunks: Iterable[Chunk]) -> Iterator[Chunk]:
    """The chunks, those whose text addresses a language model marked as such."""
    for chunk in chunks:
        yield (
            dataclasses.replace(chunk, addresses_model=True)
            if addresses_model(chunk.text)
            else chunk
        )


def batches(item: Prepared, settings: Settings) -> Iterator[list[Chunk]]:
    """A prepared file's chunks in batches of embedding_batch_size; a streamed file's are made
    anew from its text, one batch at a time."""
    size = settings.embedding_batch_size
    if item.chunks or item.count == 0:
        for start in range(0, len(item.chunks), size):
            yield list(item.chunks[start : start + size])
        return
    stream = _flagged(
        iter_chunks(
            item.info, streamed_blocks(item.job.path), settings.chunk_size, settings.chunk_overlap
        )
    )
    while batch := list(itertools.islice(stream, size)):
        yield batch


# From this much to (re)load, worker processes (one per core) read files side by side while
# the main process embeds and writes; below it, one worker at a time reads each file.
PARALLEL_MIN_BYTES = 1_000_000


class _ReadTimeout(BaseException):
    """A worker's file took longer than max_file_seconds to read."""


def _on_alarm(signum, frame) -> None:
    raise _ReadTimeout


def _too_slow(seconds: float) -> str:
    return f"took more than max_file_seconds ({seconds:g} s) to read: skipped"


def _read_in_child(
    send: Connection,
    job: Job,
    chunk_size: int,
    chunk_overlap: int,
    embeddings: Embeddings | None,
    seconds: float,
) -> None:
    """A worker process: read one file within the time limit and send back what it made."""
    with contextlib.suppress(OSError, AttributeError):
        # Linux: end with the ingest process, even when it is killed (PR_SET_PDEATHSIG).
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        prepared = prepare(job, chunk_size, chunk_overlap)
    except _ReadTimeout:
        prepared = Prepared(job, failure=_too_slow(seconds))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if embeddings is not None and prepared.chunks:
        prepared = dataclasses.replace(prepared, vectors=_embed(embeddings, list(prepared.chunks)))
    send.send(prepared)
    send.close()


# A worker stuck in compiled code, where the alarm cannot reach it, is killed this much after
# its time is up.
_KILL_GRACE_SECONDS = 5.0


def prepare_all(
    jobs: list[Job], settings: Settings, embeddings: Embeddings, progress: IngestProgress
) -> Generator[Prepared, None, None]:
    """Each job read and chunked, in order. Every file is read in a worker process of its own,
    which ends it when it runs over max_file_seconds (a hostile PDF cannot stall ingest);
    several at once for large loads, largest first, so no core is left with a big file at the
    end. Without fork (Windows), files are read here, without a time limit."""
    if not jobs:
        return
    if "fork" not in multiprocessing.get_all_start_methods():
        for job in jobs:
            progress.reading(job.path)
            yield prepare(job, settings.chunk_size, settings.chunk_overlap)
        return
    parallel = len(jobs) >= 2 and sum(job.size for job in jobs) >= PARALLEL_MIN_BYTES
    workers = min(len(jobs), os.cpu_count() or 1) if parallel else 1
    # Workers embed too only when the model says it is safe after a fork (pure numpy); e5's and
    # torch's thread pools hang in a forked child once the parent used them.
    worker_embeddings = embeddings if parallel and getattr(embeddings, "fork_safe", False) else None
    limit = settings.max_file_seconds
    context = multiprocessing.get_context("fork")
    waiting = (
        sorted(range(len(jobs)), key=lambda i: -jobs[i].size)
        if parallel
        else list(range(len(jobs)))
    )
    running: dict[Connection, tuple[int, multiprocessing.process.BaseProcess, float]] = {}
    done: dict[int, Prepared] = {}
    following = 0
    try:
        while following < len(jobs):
            while waiting and len(running) < workers:
                position = waiting.pop(0)
                job = jobs[position]
                receive, send = context.Pipe(duplex=False)
                child = context.Process(
                    target=_read_in_child,
                    args=(
                        send,
                        job,
                        settings.chunk_size,
                        settings.chunk_overlap,
                        worker_embeddings,
                        limit,
                    ),
                    daemon=True,
                )
                progress.reading(job.path)
                child.start()
                send.close()
                running[receive] = (position, child, time.monotonic())
            while following in done:
                yield done.pop(following)
                following += 1
            if not running:
                continue
            oldest = min(started for _, _, started in running.values())
            timeout = max(0.0, oldest + limit + _KILL_GRACE_SECONDS - time.monotonic())
            for receive in wait(list(running), timeout=timeout):
                position, child, _ = running.pop(receive)
                done[position] = _received(receive, child, jobs[position])
            now = time.monotonic()
            for receive, (position, child, started) in list(running.items()):
                if now - started >= limit + _KILL_GRACE_SECONDS and not receive.poll():
                    child.kill()
                    child.join()
                    receive.close()
                    del running[receive]
                    done[position] = Prepared(jobs[position], failure=_too_slow(limit))
    finally:
        for receive, (_, child, _) in running.items():
            child.kill()
            child.join()
            receive.close()


def _received(
    receive: Connection, child: multiprocessing.process.BaseProcess, job: Job
) -> Prepared:
    """What a worker sent, or the reason it sent nothing (it crashed, or was killed)."""
    try:
        prepared = receive.recv()
    except (EOFError, OSError):
        child.join()
        prepared = Prepared(
            job,
            failure=f"the reader stopped while reading it (exit code {child.exitcode}): skipped",
        )
    finally:
        receive.close()
    child.join()
    return prepared


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


@dataclass
class _Part:
    """A batch of one file's chunks waiting to be embedded and written."""

    item: Prepared
    chunks: list[Chunk]
    vectors: dict[str, np.ndarray]  # those known already (a worker embedded them, or stored)
    last: bool  # the file's final batch


class _Writer:
    """Embeds and writes files batch by batch: small files share an embedding call, a large
    file is written a batch at a time, and what an interrupted run wrote is not embedded
    again."""

    def __init__(
        self,
        store: ChunkStore,
        embeddings: Embeddings,
        batch_size: int,
        progress: IngestProgress,
        report: IngestReport,
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.batch_size = batch_size
        self.progress = progress
        self.report = report
        self.parts: list[_Part] = []

    def add(self, item: Prepared, chunk_batches: Iterable[list[Chunk]]) -> None:
        offset = 0
        pending = None
        for chunks in chunk_batches:
            if pending is not None:
                self._queue(pending)
            known: dict[str, np.ndarray] = {}
            if item.vectors is not None:
                known = {c.id: item.vectors[offset + i] for i, c in enumerate(chunks)}
            elif item.job.resume:
                known = self.store.stored_vectors(chunks, item.job.version)
            offset += len(chunks)
            pending = _Part(item, chunks, known, last=False)
        if pending is not None:
            pending.last = True
            self._queue(pending)

    def _queue(self, part: _Part) -> None:
        self.parts.append(part)
        waiting = sum(len(p.chunks) - len(p.vectors) for p in self.parts)
        if waiting >= self.batch_size or part.item.vectors is not None:
            self.flush()

    def flush(self) -> None:
        """Embed what the queued batches lack (identical texts once) and write each."""
        if not self.parts:
            return
        missing = [c for p in self.parts for c in p.chunks if c.id not in p.vectors]
        self.progress.embedded(sum(len(p.vectors) for p in self.parts))
        vectors = dict(
            zip(
                (c.id for c in missing),
                _embed(self.embeddings, missing, self.progress),
                strict=True,
            )
        )
        for part in self.parts:
            item = part.item
            ordered = [part.vectors.get(c.id, vectors.get(c.id)) for c in part.chunks]
            self.store.write(part.chunks, ordered, item.job.version, item.count)
            log.info(
                "wrote %s: passages %d-%d of %d (%d stored before)",
                item.job.source,
                part.chunks[0].index + 1,
                part.chunks[-1].index + 1,
                item.count,
                len(part.vectors) if item.vectors is None else 0,
            )
            self.report.flagged.extend(
                FileNote(str(item.job.path), f"passage {c.index + 1} addresses a language model")
                for c in part.chunks
                if c.addresses_model
            )
            if part.last:
                log.info("stored %s (%d chunks)", item.job.source, item.count)
                if item.job.is_new:
                    self.report.added += 1
                else:
                    self.report.updated += 1
        self.parts.clear()


def lexical_fingerprint(store: ChunkStore) -> str:
    """What a lexical index in step with the store records: the store's contents and the
    analysis code's version (either changing makes it stale)."""
    return f"{store.generation()}-a{analysis_version()}"


def sync_lexical(settings: Settings, store: ChunkStore) -> LexicalIndex:
    """Rebuild and save the lexical index when it does not match the store's contents."""
    fingerprint = lexical_fingerprint(store)
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
            filters=filter_row(chunk.info),
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
