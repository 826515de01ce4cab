"""The collection as coordinators manage it: add, describe, replace, remove and restore
documents while the app answers teachers.

Every change follows one order, so that a crash at any point leaves nothing that the next
start cannot put right: the file is placed (or moved to the trash), then the catalog entry is
written (corpus/catalog.toml stays the one source of truth, edited with its comments kept and
replaced atomically), then the index is brought in step by an ingest job. Jobs run one at a
time in a thread of the app, which holds the index's writer lock; each finished job hands the
running app its new lexical index, so a document is searchable at once, dense and lexical
alike. At start-up the app runs one job over the whole corpus, which completes what a crash
left half done. Every action is written to a local SQLite log.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import tomlkit
from langchain_core.embeddings import Embeddings

from assistant.catalog import CATALOG_FILE, CatalogEntry, load_catalog
from assistant.documents import document_id
from assistant.errors import AssistantError
from assistant.indexing import (
    IngestReport,
    Job,
    NoProgress,
    ingest,
    prepare_all,
    sync_lexical,
)
from assistant.records import DocumentInfo
from assistant.service import Assistant
from assistant.settings import Settings

log = logging.getLogger(__name__)

UPLOAD_DIR = "uploads"  # inside the corpus: where uploaded files are stored
STAGING_DIR = ".wachtrij"  # inside the corpus, hidden: checked uploads waiting for a description
FIELDS = ("title", "organisation", "type", "country", "year", "url", "themes")


class LibraryError(AssistantError):
    """A coordinator's request that cannot be done; message is Dutch, for the page."""


# Ingest's reasons (English, for logs) as a coordinator reads them.
_DUTCH_REASONS = (
    ("encrypted PDF", "de pdf is beveiligd met een wachtwoord"),
    ("no text layer", "de pdf bevat geen tekst (een scan?); laat er eerst tekstherkenning op los"),
    ("PDF has no pages", "de pdf heeft geen pagina's"),
    ("corrupt or unreadable PDF", "de pdf is beschadigd of onleesbaar"),
    ("corrupt or unreadable Word", "het Word-bestand is beschadigd of onleesbaar"),
    ("Word file unpacks", "het Word-bestand is uitgepakt te groot (een zip-bom?)"),
    ("binary content", "het bestand bevat geen tekst maar binaire gegevens"),
    ("no text found", "er staat geen tekst in het bestand"),
    ("empty file", "het bestand is leeg"),
    ("took more than max_file_seconds", "het lezen duurde te lang"),
    ("text in an unknown encoding", "de tekst heeft een onbekende codering; bewaar hem als UTF-8"),
    ("the reader stopped", "het lezen liep vast"),
)


def dutch_reason(reason: str) -> str:
    return next((dutch for key, dutch in _DUTCH_REASONS if key in reason), reason)


# --- the catalog, edited with its comments kept ----------------------------------------------


def _catalog_document(corpus_dir: Path) -> tomlkit.TOMLDocument:
    path = corpus_dir / CATALOG_FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return tomlkit.parse(text)


def _write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new one, never half of one. It keeps
    the file's permissions (a temporary file is private to its owner), or is readable by all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _entry_table(entry: CatalogEntry) -> tomlkit.items.Table:
    table = tomlkit.table()
    table["file"] = entry.file
    table["title"] = entry.title
    table["organisation"] = entry.organisation
    table["type"] = entry.doc_type
    for key, value in (("country", entry.country), ("year", entry.year), ("url", entry.url)):
        if value not in (None, ""):
            table[key] = value
    if entry.themes:
        table["themes"] = list(entry.themes)
    if entry.accessed:
        table["accessed"] = date.fromisoformat(entry.accessed)
    return table


def write_entry(corpus_dir: Path, entry: CatalogEntry) -> None:
    """Add or replace the catalog entry of entry.file, keeping every other line as it was."""
    document = _catalog_document(corpus_dir)
    tables = document.get("document")
    if tables is None:
        tables = tomlkit.aot()
        document["document"] = tables
    for position, table in enumerate(tables):
        if table.get("file") == entry.file:
            tables[position] = _entry_table(entry)
            break
    else:
        if len(tables) and not tables[-1].as_string().endswith("\n\n"):
            tables[-1].add(tomlkit.nl())  # a blank line between entries, as written by hand
        tables.append(_entry_table(entry))
    _write_atomically(corpus_dir / CATALOG_FILE, tomlkit.dumps(document))
    load_catalog(corpus_dir)  # what was written must read back


def remove_entry(corpus_dir: Path, file: str) -> None:
    document = _catalog_document(corpus_dir)
    tables = document.get("document") or []
    for position, table in enumerate(tables):
        if table.get("file") == file:
            del tables[position]
            _write_atomically(corpus_dir / CATALOG_FILE, tomlkit.dumps(document))
            return


# --- uploads: checked before anything is stored ----------------------------------------------


def file_kind(data: bytes, name: str) -> str:
    """The file's type by its content (not by its name): '.pdf', '.docx', '.html', '.md' or
    '.txt'; LibraryError for anything else."""
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            import io

            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return ".docx"
        except zipfile.BadZipFile:
            pass
        raise LibraryError("dit zip-bestand is geen Word-document (.docx)")
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return ".html"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LibraryError("dit bestand is geen pdf, Word-document, webpagina of tekst")
    return ".md" if name.lower().endswith((".md", ".markdown")) else ".txt"


def safe_stem(text: str, limit: int = 50) -> str:
    """A file name stem made of ASCII letters, digits and dashes, from any text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return stem[:limit].strip("-") or "document"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


@dataclass(frozen=True)
class Staged:
    """An upload that passed every check, waiting in the staging folder for its description."""

    id: str
    name: str  # as uploaded, for display only
    kind: str  # ".pdf" ...
    size: int
    suggested: dict  # catalog fields taken from the file (title from PDF metadata or heading)


@dataclass(frozen=True)
class Refused:
    name: str
    reason: str  # Dutch


@dataclass
class JobState:
    """One ingest job, as the Beheer page shows it."""

    id: str
    action: str  # "toegevoegd", "bewerkt", "vervangen", "verwijderd", "teruggezet", "bijgewerkt"
    title: str
    source: str = ""  # the document's name in the index ("" for the whole collection)
    state: str = "in de wachtrij"  # "bezig", "klaar", "mislukt"
    file: str = ""
    passages: int = 0
    embedded: int = 0
    started: float | None = None
    finished: float | None = None
    result: str = ""

    @property
    def seconds_left(self) -> float | None:
        if not self.started or not self.embedded or self.embedded >= self.passages:
            return None
        elapsed = time.monotonic() - self.started
        return elapsed / self.embedded * (self.passages - self.embedded)


class _JobProgress:
    """Ingest's progress, written into a job's state."""

    def __init__(self, job: JobState) -> None:
        self.job = job

    def reading(self, path: Path) -> None:
        self.job.file = path.name

    def read(self, path: Path, passages: int) -> None:
        self.job.passages += passages

    def embedded(self, passages: int) -> None:
        self.job.embedded += passages


@dataclass(frozen=True)
class DocumentRow:
    """One document of the collection as the Beheer page lists it."""

    id: str
    source: str
    info: DocumentInfo
    passages: int
    added: str  # "2026-12-01 14:03", or "" when the log does not know
    last_result: str


@dataclass(frozen=True)
class TrashItem:
    id: str
    title: str
    source: str
    removed: str  # ISO time
    entry: dict


class ActionLog:
    """Every coordinator's action, in a local SQLite file: time, action, document, result."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                "time TEXT NOT NULL, action TEXT NOT NULL, document TEXT NOT NULL, "
                "result TEXT NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def write(self, action: str, document: str, result: str) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO log (time, action, document, result) VALUES (?, ?, ?, ?)",
                (now, action, document, result),
            )

    def entries(self, limit: int = 200) -> list[tuple[str, str, str, str]]:
        with self._connect() as db:
            return db.execute(
                "SELECT time, action, document, result FROM log ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()

    def first_and_last(self) -> dict[str, tuple[str, str]]:
        """Per document: when it was first added, and the last result logged for it."""
        found: dict[str, tuple[str, str]] = {}
        with self._connect() as db:
            rows = db.execute("SELECT time, action, document, result FROM log ORDER BY id")
            for when, action, document, result in rows:
                added = found.get(document, ("", ""))[0]
                if action == "toegevoegd" and not added:
                    added = when
                found[document] = (added, result)
        return found


class Library:
    """The collection's documents, changed one job at a time while the app serves."""

    def __init__(
        self,
        assistant: Assistant,
        embeddings: Embeddings,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.assistant = assistant
        self.settings: Settings = assistant.settings
        self.embeddings = embeddings
        self.on_change = on_change
        self.corpus_dir = self.settings.corpus_dir
        self.log = ActionLog(self.settings.admin_log)
        self.jobs: list[JobState] = []
        # Each job with the paths it ingests and, for a change that brought a file in, how to
        # take it back out when the job fails.
        self._queue: list[tuple[JobState, list[Path], Callable[[], str] | None]] = []
        self._wake = threading.Condition()
        self._worker = threading.Thread(target=self._run, daemon=True, name="beheer-ingest")
        self._worker.start()
        self._purge_staging()

    def _purge_staging(self, hours: float = 24) -> None:
        """Uploads that were checked but never described are dropped after a day."""
        if not self.staging_dir.is_dir():
            return
        oldest = time.time() - hours * 3600
        for path in self.staging_dir.iterdir():
            if path.is_file() and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)

    # -- what is there ----------------------------------------------------------------------

    def documents(self, organisation: str | None = None) -> list[DocumentRow]:
        logged = self.log.first_and_last()
        rows = []
        for info, passages in self.assistant.retriever.store.documents():
            if organisation and info.organisation != organisation:
                continue
            added, last = logged.get(info.source, ("", ""))
            rows.append(
                DocumentRow(
                    document_id(info.source), info.source, info, passages,
                    added.replace("T", " ")[:16], last,
                )  # fmt: skip
            )
        return rows

    def source_of(self, doc_id: str) -> str:
        for info, _ in self.assistant.retriever.store.documents():
            if document_id(info.source) == doc_id:
                return info.source
        raise LibraryError("dit document staat niet in de collectie")

    def entry_of(self, source: str) -> CatalogEntry | None:
        return load_catalog(self.corpus_dir).get(source)

    def organisations(self) -> dict[str, dict]:
        """Each organisation's usual type, country and themes, from its earlier documents: what
        a new document of it is pre-filled with."""
        found: dict[str, dict] = {}
        for entry in load_catalog(self.corpus_dir).values():
            usual = found.setdefault(entry.organisation, {"type": "", "country": "", "themes": []})
            usual["type"] = usual["type"] or entry.doc_type
            usual["country"] = usual["country"] or (entry.country or "")
            usual["themes"] = list(dict.fromkeys([*usual["themes"], *entry.themes]))
        return found

    # -- uploads ----------------------------------------------------------------------------

    @property
    def staging_dir(self) -> Path:
        return self.corpus_dir / STAGING_DIR

    def stage(self, name: str, data: bytes) -> Staged | Refused:
        """Check an upload as ingest would (type by content, size, encryption, scans, zip
        bombs, duplicates) and keep it for its description; nothing else is stored."""
        shown = Path(name.replace("\\", "/")).name[:120] or "bestand"
        limit = self.settings.max_file_mb
        if len(data) > limit * 1_000_000:
            return Refused(shown, f"het bestand is groter dan {limit:g} MB")
        if not data:
            return Refused(shown, "het bestand is leeg")
        try:
            kind = file_kind(data, shown)
        except LibraryError as exc:
            return Refused(shown, str(exc))
        duplicate = self.duplicate_of(hashlib.sha256(data).hexdigest())
        if duplicate:
            return Refused(shown, f"dit document staat er al in als ‘{duplicate}’")
        staged_id = uuid.uuid4().hex
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        path = self.staging_dir / f"{staged_id}{kind}"
        path.write_bytes(data)
        prepared = self._read(path)
        if prepared.failure is not None:
            path.unlink(missing_ok=True)
            return Refused(shown, dutch_reason(prepared.failure))
        title = prepared.info.title if prepared.info else Path(shown).stem
        if title == staged_id:  # the staged file's own name is no title
            title = Path(shown).stem
        meta = {"name": shown, "kind": kind, "title": title}
        (self.staging_dir / f"{staged_id}.json").write_text(json.dumps(meta), encoding="utf-8")
        return Staged(staged_id, shown, kind, len(data), {"title": title})

    def pending(self) -> list[Staged]:
        """Uploads checked and waiting for their description, oldest first: those of one
        upload the coordinator has not described yet stay here until they are."""
        metas = sorted(self.staging_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
        waiting = []
        for meta_path in metas:
            try:
                path, meta = self._staged(meta_path.stem)
                size = path.stat().st_size
            except (LibraryError, OSError, ValueError, KeyError):
                continue
            title = meta.get("title") or Path(meta["name"]).stem
            item = Staged(meta_path.stem, meta["name"], meta["kind"], size, {"title": title})
            waiting.append(item)
        return waiting

    def _read(self, path: Path):
        """Read a file as ingest would, in a worker with the time limit."""
        job = Job(path, path.name, "staging", None, path.stat().st_size, True)
        return next(prepare_all([job], self.settings, self.embeddings, NoProgress()))

    def duplicate_of(self, digest: str, except_source: str | None = None) -> str | None:
        """The title (or file) of a corpus document with exactly these bytes."""
        catalog = load_catalog(self.corpus_dir)
        for path in sorted(self.corpus_dir.rglob("*")):
            relative = path.relative_to(self.corpus_dir)
            if not path.is_file() or any(p.startswith(".") for p in relative.parts):
                continue
            if relative.as_posix() == except_source or path.name == CATALOG_FILE:
                continue
            if path.stat().st_size and _sha256(path) == digest:
                entry = catalog.get(relative.as_posix())
                return entry.title if entry else relative.as_posix()
        return None

    def _staged(self, staged_id: str) -> tuple[Path, dict]:
        if not re.fullmatch(r"[0-9a-f]{32}", staged_id or ""):
            raise LibraryError("deze upload bestaat niet (meer); laad het bestand opnieuw op")
        meta_path = self.staging_dir / f"{staged_id}.json"
        if not meta_path.is_file():
            raise LibraryError("deze upload bestaat niet (meer); laad het bestand opnieuw op")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return self.staging_dir / f"{staged_id}{meta['kind']}", meta

    # -- changes ----------------------------------------------------------------------------

    def add(self, staged_id: str, fields: dict) -> JobState:
        """Place a staged upload in the corpus under a safe name, describe it, ingest it."""
        path, meta = self._staged(staged_id)
        entry = checked_entry("", fields)
        target_dir = self.corpus_dir / UPLOAD_DIR
        target_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{safe_stem(entry.title)}-{staged_id[:8]}"
        target = target_dir / f"{stem}{meta['kind']}"
        source = target.relative_to(self.corpus_dir).as_posix()
        entry = dataclasses.replace(entry, file=source)
        os.replace(path, target)
        (self.staging_dir / f"{staged_id}.json").unlink(missing_ok=True)
        write_entry(self.corpus_dir, entry)
        return self._enqueue(
            "toegevoegd", entry.title, source, [target], lambda: self._withdraw(source)
        )

    def edit(self, source: str, fields: dict) -> JobState:
        """New catalog facts for a document; its passages are written again, their vectors
        taken from the embedding cache unless the title (which is embedded) changed."""
        old = self.entry_of(source)
        if old is None and not (self.corpus_dir / source).is_file():
            raise LibraryError("dit document staat niet in de collectie")
        # When the stored copy was taken does not change with its description.
        entry = dataclasses.replace(
            checked_entry(source, fields), accessed=old.accessed if old else None
        )
        write_entry(self.corpus_dir, entry)
        return self._enqueue("bewerkt", entry.title, source, [self.corpus_dir / source])

    def replace(self, source: str, staged_id: str) -> JobState:
        """A new edition of a document: the old file goes to the trash, the new one takes its
        place and its description."""
        path, meta = self._staged(staged_id)
        old = self.corpus_dir / source
        entry = self.entry_of(source)
        if entry is None:
            raise LibraryError("dit document staat niet in de catalogus")
        if Path(source).suffix.lower() != meta["kind"]:
            raise LibraryError(
                f"de nieuwe versie moet hetzelfde soort bestand zijn ({Path(source).suffix})"
            )
        previous = self._to_trash(source, entry)
        os.replace(path, old)
        (self.staging_dir / f"{staged_id}.json").unlink(missing_ok=True)
        return self._enqueue(
            "vervangen", entry.title, source, [old], lambda: self._put_back(source, previous)
        )

    def remove(self, source: str) -> None:
        """The document's file to the trash, its entry out of the catalog, its passages out of
        Chroma and the lexical index."""
        entry = self.entry_of(source)
        title = entry.title if entry else source
        if not (self.corpus_dir / source).is_file():
            raise self._refused("verwijderen", title, "dit document staat niet in de collectie")
        self._to_trash(source, entry)
        if entry is not None:
            remove_entry(self.corpus_dir, source)
        self._enqueue("verwijderd", title, source, [self.corpus_dir / source])

    def _refused(self, action: str, document: str, reason: str) -> LibraryError:
        """A refused change, written to the coordinators' log as such."""
        self.log.write(f"{action} geweigerd", document, reason)
        return LibraryError(reason)

    def restore(self, trash_id: str) -> JobState:
        item = next((t for t in self.trash() if t.id == trash_id), None)
        if item is None:
            raise self._refused(
                "terugzetten", trash_id, "dit document staat niet (meer) in de prullenbak"
            )
        target = self.corpus_dir / item.source
        if target.exists():
            raise self._refused(
                "terugzetten",
                item.title,
                "er staat al een document op die plaats; verwijder het eerst of vervang het",
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._trashed_file(item.id), target)
        if item.entry:
            write_entry(self.corpus_dir, CatalogEntry(**item.entry))
        shutil.rmtree(self.settings.trash_dir / item.id, ignore_errors=True)
        return self._enqueue(
            "teruggezet", item.title, item.source, [target], lambda: self._withdraw(item.source)
        )

    def _withdraw(self, source: str) -> str:
        """After a failed add or restore: the file and its description to the trash, so the
        corpus holds nothing the index lacks and the same file can be tried again."""
        self._to_trash(source, self.entry_of(source))
        remove_entry(self.corpus_dir, source)
        self._ingest([self.corpus_dir / source])  # drops whatever got written
        return (
            "Het bestand is uit de collectie gehaald en staat in de prullenbak: "
            "zet het terug om het opnieuw te proberen."
        )

    def _put_back(self, source: str, previous: str) -> str:
        """After a failed replace: the new version to the trash, the previous one back."""
        self._to_trash(source, self.entry_of(source))
        os.replace(self._trashed_file(previous), self.corpus_dir / source)
        shutil.rmtree(self.settings.trash_dir / previous, ignore_errors=True)
        self._ingest([self.corpus_dir / source])
        return "De vorige versie staat weer in de collectie; de nieuwe staat in de prullenbak."

    def _trashed_file(self, trash_id: str) -> Path:
        """The document file a trash folder keeps beside its item.json."""
        folder = self.settings.trash_dir / trash_id
        return next(p for p in folder.iterdir() if p.name != "item.json")

    def _to_trash(self, source: str, entry: CatalogEntry | None) -> str:
        """Move the file to a new trash folder with its description; returns the folder's id."""
        trash_id = uuid.uuid4().hex
        folder = self.settings.trash_dir / trash_id
        folder.mkdir(parents=True)
        item = {
            "source": source,
            "title": entry.title if entry else source,
            "removed": datetime.now(UTC).isoformat(timespec="seconds"),
            "entry": dataclasses.asdict(entry) if entry else None,
        }
        (folder / "item.json").write_text(json.dumps(item, ensure_ascii=False), "utf-8")
        shutil.copy2(self.corpus_dir / source, folder / Path(source).name)
        (self.corpus_dir / source).unlink()
        return trash_id

    def trash(self) -> list[TrashItem]:
        """What the trash holds, newest first; items older than trash_days are deleted."""
        items = []
        folder = self.settings.trash_dir
        if not folder.is_dir():
            return []
        oldest = datetime.now(UTC) - timedelta(days=self.settings.trash_days)
        for path in folder.iterdir():
            meta = path / "item.json"
            if not meta.is_file():
                continue
            data = json.loads(meta.read_text(encoding="utf-8"))
            if datetime.fromisoformat(data["removed"]) < oldest:
                shutil.rmtree(path, ignore_errors=True)
                continue
            entry = data.get("entry")
            if entry:
                entry["themes"] = tuple(entry.get("themes") or ())
            items.append(
                TrashItem(path.name, data["title"], data["source"], data["removed"], entry)
            )
        return sorted(items, key=lambda t: t.removed, reverse=True)

    def sync(self) -> JobState:
        """Bring the index in step with the whole corpus (at start-up: finishes what a crash
        left half done)."""
        return self._enqueue("bijgewerkt", "de hele collectie", "", [self.corpus_dir])

    # -- the job worker ---------------------------------------------------------------------

    def _enqueue(
        self,
        action: str,
        title: str,
        source: str,
        paths: list[Path],
        undo: Callable[[], str] | None = None,
    ) -> JobState:
        job = JobState(uuid.uuid4().hex[:12], action, title, source)
        with self._wake:
            self.jobs.append(job)
            self._queue.append((job, paths, undo))
            self._wake.notify()
        return job

    def job(self, job_id: str) -> JobState | None:
        return next((j for j in self.jobs if j.id == job_id), None)

    def wait(self, job: JobState, timeout: float = 600) -> JobState:
        """Until the job is done (for scripts and tests)."""
        deadline = time.monotonic() + timeout
        while job.state not in ("klaar", "mislukt") and time.monotonic() < deadline:
            time.sleep(0.1)
        return job

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue:
                    self._wake.wait()
                job, paths, undo = self._queue.pop(0)
            job.state, job.started = "bezig", time.monotonic()
            try:
                report = self._ingest(paths, job)
                result, failed = _summary(report), bool(report.failed)
            except AssistantError as exc:
                log.warning("beheer job %s failed: %s", job.id, exc)
                result, failed = f"mislukt: {exc}", True
            except Exception:  # noqa: BLE001 - a bug must fail its job, not stop every later one
                log.exception("beheer job %s failed unexpectedly", job.id)
                result, failed = "mislukt: interne fout (zie het logboek van de app)", True
            if failed and undo is not None:
                try:
                    result = f"{result}. {undo()}"
                except Exception:  # noqa: BLE001 - the job has failed already; say so, go on
                    log.exception("beheer job %s: undoing the failed change failed", job.id)
            job.result, job.finished = result, time.monotonic()
            self.log.write(job.action, job.source or job.title, job.result)
            self.on_change()
            # The state last: whoever waits for the job sees it only once all is done.
            job.state = "mislukt" if failed else "klaar"

    def _ingest(self, paths: list[Path], job: JobState | None = None) -> IngestReport:
        assistant = self.assistant
        store = assistant.retriever.store
        progress = _JobProgress(job) if job is not None else None
        report = ingest(paths, self.settings, store, self.embeddings, progress)
        # The running app searches the new lexical index from its next question on.
        lexical = sync_lexical(self.settings, store)
        assistant.retriever.lexical = lexical
        assistant.answerer.lexical = lexical
        return report


def _summary(report: IngestReport) -> str:
    if report.failed:
        return "mislukt: " + "; ".join(
            f"{Path(n.path).name}: {dutch_reason(n.message)}" for n in report.failed
        )
    parts = []
    for count, word in (
        (report.added, "toegevoegd"),
        (report.updated, "bijgewerkt"),
        (report.removed, "verwijderd"),
    ):
        if count:
            parts.append(f"{count} {word}")
    return "gelukt: " + (", ".join(parts) or "niets veranderd") + f" ({report.chunks} passages)"


_FIELD_NAMES = {
    "title": "titel",
    "organisation": "organisatie",
    "type": "type",
    "country": "land",
    "year": "jaar",
    "url": "url",
    "themes": "thema's",
}


def checked_entry(file: str, fields: dict) -> CatalogEntry:
    """A catalog entry from a form's or a request's fields; LibraryError naming the field."""
    def text(name: str, limit: int = 300) -> str:
        value = str(fields.get(name) or "").strip()
        dutch = _FIELD_NAMES[name]
        if len(value) > limit:
            raise LibraryError(f"{dutch}: hoogstens {limit} tekens")
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            raise LibraryError(f"{dutch}: bevat stuurtekens")
        return value

    title, organisation = text("title"), text("organisation")
    doc_type = text("type", 60) or "document"
    if not title:
        raise LibraryError("titel: vul een titel in")
    if not organisation:
        raise LibraryError("organisatie: vul de organisatie in (de auteur in de bronvermelding)")
    country = text("country", 20).upper() or None
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise LibraryError("land: een landcode van twee letters, zoals BE of NL")
    year_text = text("year", 20)
    year = None
    if year_text:
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2100:
            raise LibraryError(
                "jaar: een jaartal zoals 2018, of leeg als het document er geen noemt"
            )
        year = int(year_text)
    url = text("url", 500) or None
    if url and not re.match(r"https?://[^\s]+$", url):
        raise LibraryError("url: een webadres dat begint met http:// of https://")
    raw_themes = fields.get("themes") or ""
    if isinstance(raw_themes, list | tuple):
        themes = [str(t).strip() for t in raw_themes]
    else:
        themes = [t.strip() for t in str(raw_themes).split(",")]
    themes = [t for t in dict.fromkeys(themes) if t]
    if any(len(t) > 60 for t in themes):
        raise LibraryError("thema's: elk thema hoogstens 60 tekens")
    return CatalogEntry(file, title, organisation, doc_type, country, year, url, tuple(themes))
