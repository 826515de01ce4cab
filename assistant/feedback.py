"""Feedback on answers in a local SQLite file: thumbs always, text only when opted in.

Teachers may type details about pupils, so questions, answers and comments are kept only with
feedback_logging on; otherwise a rating keeps just which documents the answer cited."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT ''
)
"""


class FeedbackStore:
    """Appends feedback rows; one connection per call so that it is safe across threads.
    keep_text: store the question, the answer and comments too (else empty)."""

    def __init__(self, path: Path, keep_text: bool = False) -> None:
        self.path = path
        self.keep_text = keep_text
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        """A connection; the file and its table are made at the first rating, not before."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(self.path, timeout=10) as db:
                db.execute(_SCHEMA)
            self._ready = True
        return sqlite3.connect(self.path, timeout=10)

    def record(
        self, question: str, answer: str, citations: list[dict], rating: str, comment: str = ""
    ) -> int:
        """Store one rating; returns its row id, to which a comment can be added later."""
        if not self.keep_text:
            question, answer, comment = "", "", ""
            citations = [{"source": c.get("source")} for c in citations]
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created, question, answer, citations, rating, comment)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    question,
                    answer,
                    json.dumps(citations, ensure_ascii=False),
                    rating,
                    comment.strip(),
                ),
            )
            return int(cursor.lastrowid)

    def add_comment(self, row: int, comment: str) -> bool:
        """Add a comment to a rating; False (and nothing kept) when text is not kept."""
        if not self.keep_text:
            return False
        with self._lock, self._connect() as db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment.strip(), row))
        return True

    def rows(self) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute("SELECT * FROM feedback ORDER BY id")]
