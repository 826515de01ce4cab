"""Exceptions raised by the assistant library.

    AssistantError
    ├── SettingsError          a configuration value is invalid (names the key)
    ├── DocumentError          one input file cannot be read (names the file and the reason)
    ├── IndexStateError        the index cannot serve queries as it is
    │   ├── IndexMissingError  nothing has been ingested into this folder yet
    │   ├── IndexCorruptError  the index's files cannot be read
    │   ├── StoreUnavailableError  the Chroma server cannot be reached
    │   ├── EmbeddingUnavailableError  the embeddings server cannot be reached
    │   ├── ModelMismatchError the index was built with another embedding model
    │   └── IndexBusyError     another process is writing to the index
    └── QueryError             a question or filter is invalid

The library raises; only the edges (CLI, web UI) translate these into messages.
"""

from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base class of every error the assistant raises on purpose."""


class SettingsError(AssistantError):
    """A configuration value is missing, unknown or of the wrong type."""


class DocumentError(AssistantError):
    """A file cannot be turned into text; carries the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class IndexStateError(AssistantError):
    """The index folder cannot answer queries in its current state."""


class IndexMissingError(IndexStateError):
    """No index has been built in the folder yet."""


class IndexCorruptError(IndexStateError):
    """The index folder holds files that cannot be read."""


class StoreUnavailableError(IndexStateError):
    """The Chroma server does not answer."""


class EmbeddingUnavailableError(IndexStateError):
    """The OpenAI-compatible embeddings server does not answer, or answers with an error."""


class ModelMismatchError(IndexStateError):
    """The index was built with a different embedding model than the one configured."""


class QueryError(AssistantError):
    """A question or a filter cannot be used.

    kind is "empty", "unknown_filter" or "unknown_value"; name, value and known say which filter
    and what it could have been, so that each edge can phrase the problem in its own language.
    """

    def __init__(
        self, message: str, kind: str, name: str = "", value: str = "", known: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.name = name
        self.value = value
        self.known = known


class IndexBusyError(IndexStateError):
    """Another process (the web app, another ingest) is writing to this index."""
