"""Opt-in feedback log: thumbs and comments in a local SQLite file."""

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
    """Appends feedback rows; one connection per call so that it is safe across threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(
        self, question: str, answer: str, citations: list[dict], rating: str, comment: str = ""
    ) -> int:
        """Store one rating; returns its row id, to which a comment can be added later."""
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

    def add_comment(self, row: int, comment: str) -> None:
        with self._lock, self._connect() as db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment.strip(), row))

    def rows(self) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute("SELECT * FROM feedback ORDER BY id")]
