"""One frozen Settings object, read from an optional TOML file and ASSISTANT_* variables."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from assistant.admin import is_password_hash
from assistant.embedding import DEFAULT_MODEL, check_model_name
from assistant.errors import SettingsError

CONFIG_ENV = "ASSISTANT_CONFIG"
DEFAULT_CONFIG_FILE = Path("assistant.toml")
ENV_PREFIX = "ASSISTANT_"

STEMMERS = ("dutch", "dutch_porter", "none")
RETRIEVAL_MODES = ("hybrid", "lexical", "dense")
FUSIONS = ("weighted", "rrf")


@dataclass(frozen=True)
class Settings:
    """Every tunable of the assistant, with its default; see README for what each does."""

    index_dir: Path = Path("index")
    # A Chroma server (`chroma run`) instead of the embedded store in index_dir; the lexical
    # index stays in index_dir and is rebuilt from the server whenever it falls out of step.
    chroma_host: str = ""
    chroma_port: int = 8000
    corpus_dir: Path = Path("corpus")
    # "multilingual-e5-small" or "use-multilingual" (both packaged, offline),
    # "sentence-transformers:<name or path>", or "openai:<model>" at embedding_base_url; or two
    # of them joined by "+", whose cosines are weighted embedding_weight and 1 - embedding_weight
    # (the default: e5 and USE, 0.8, chosen on the dev set's tuning half; see README).
    embedding_model: str = DEFAULT_MODEL
    embedding_weight: float = 0.8
    embedding_batch_size: int = 64
    # Threads of the e5 engine (0: one per core).
    embedding_threads: int = 0
    # An OpenAI-compatible embeddings server, for "openai:" models; input_type tells it which
    # texts are passages and which are queries (switch off for servers that refuse the field).
    embedding_base_url: str = ""
    embedding_api_key: str = ""
    embedding_input_type: bool = True
    # Document vectors by (model, text hash), kept across re-ingests and resets; "" for none.
    embedding_cache: Path = Path(".cache/embeddings.sqlite3")
    # A file larger than this, or whose reading (loading and chunking) takes longer than
    # this, is skipped at ingest with a clear line.
    max_file_mb: float = 50.0
    max_file_seconds: float = 300.0
    # Characters per chunk; chosen on the dev set (see README, "Evaluation").
    chunk_size: int = 900
    chunk_overlap: int = 100
    stemmer: str = "dutch_porter"
    synonyms: bool = True
    compound_splitting: bool = True
    retrieval_mode: str = "hybrid"
    # "weighted": lexical_weight * BM25/max + (1 - lexical_weight) * min-max cosine;
    # "rrf": reciprocal rank fusion with weights lexical_weight and 1 - lexical_weight.
    fusion: str = "weighted"
    lexical_weight: float = 0.4
    rrf_k: int = 60
    candidates: int = 50
    top_k: int = 5
    # An answer quotes at most answer_sentences units (sentences, lists, quotes), each scoring
    # at least answer_keep_ratio times the best one (chosen on the dev set's tuning half).
    answer_sentences: int = 3
    answer_keep_ratio: float = 0.85
    # Refusal: answer only when the best sentence's evidence reaches min_evidence and the best
    # retrieved passage's cosine similarity to the question reaches min_relevance. Unset: the
    # embedding model's own values (answering.REFUSAL_THRESHOLDS), set on the dev set's tuning
    # half; another model needs its own (`assistant eval` prints the calibration).
    min_evidence: float | None = None
    min_relevance: float | None = None
    # Off-topic questions: refused when the question is closer to an everyday off-domain
    # question than to any domain question (assistant/topics.py). domain_questions is a file of
    # such questions, one per line ("": the packaged ones, on the default corpus's subject);
    # the check runs with e5 models only, the anchors' measured model.
    off_topic_check: bool = True
    domain_questions: str = ""
    devset: Path = Path("eval/devset.jsonl")
    # An OpenAI-compatible chat server (Ollama, vLLM, llama.cpp, hosted APIs); unset means the
    # extractive answerer. Timeouts fall back to the extractive answer with a note.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 60.0
    llm_max_tokens: int = 400
    llm_temperature: float = 0.1
    # A generated sentence counts as supported when this share of its content words, and all
    # of its numbers, occur in the passages it cites.
    min_claim_support: float = 0.6
    # Feedback is stored only when switched on: teachers may type details about pupils.
    feedback_logging: bool = False
    feedback_db: Path = Path("feedback.sqlite3")
    # Document management at /beheer: off until a password is set (`python -m assistant admin
    # set-password` writes its salted hash here); admin_token is the API's bearer token.
    admin_password: str = ""
    admin_token: str = ""
    # Removed documents' files, kept this many days for restoring; the coordinators' log.
    trash_dir: Path = Path("prullenbak")
    trash_days: int = 30
    admin_log: Path = Path("beheer.sqlite3")

    def __post_init__(self) -> None:
        check_model_name(self.embedding_model)
        if self.embedding_threads < 0:
            raise SettingsError("embedding_threads: must be 0 (one per core) or more")
        if self.stemmer not in STEMMERS:
            raise SettingsError(f"stemmer: expected one of {', '.join(STEMMERS)}")
        if self.retrieval_mode not in RETRIEVAL_MODES:
            raise SettingsError(f"retrieval_mode: expected one of {', '.join(RETRIEVAL_MODES)}")
        if self.fusion not in FUSIONS:
            raise SettingsError(f"fusion: expected one of {', '.join(FUSIONS)}")
        if not 0.0 <= self.lexical_weight <= 1.0:
            raise SettingsError("lexical_weight: must be between 0 and 1")
        if not 0.0 < self.embedding_weight < 1.0:
            raise SettingsError("embedding_weight: must be between 0 and 1 (both excluded)")
        for name in ("chunk_size", "candidates", "top_k", "embedding_batch_size", "rrf_k"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name}: must be at least 1")
        if self.max_file_mb <= 0:
            raise SettingsError("max_file_mb: must be more than 0")
        if self.max_file_seconds <= 0:
            raise SettingsError("max_file_seconds: must be more than 0")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise SettingsError("chunk_overlap: must be between 0 and chunk_size")
        if bool(self.llm_base_url) != bool(self.llm_model):
            raise SettingsError("llm_base_url and llm_model: set both to use an LLM, or neither")
        if self.llm_timeout <= 0:
            raise SettingsError("llm_timeout: must be more than 0 seconds")
        if self.admin_password and not is_password_hash(self.admin_password):
            raise SettingsError(
                "admin_password: holds a hash, not the password; set it with "
                "`python -m assistant admin set-password`"
            )
        if self.admin_token and len(self.admin_token) < 16:
            raise SettingsError("admin_token: must be at least 16 characters")
        if self.trash_days < 1:
            raise SettingsError("trash_days: must be at least 1")

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed (validated like the original)."""
        return dataclasses.replace(self, **changes)


def _convert(name: str, kind: Callable[[Any], Any], raw: Any, origin: str) -> Any:
    """Turn a TOML value or an environment string into the field's type."""
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if kind is int and isinstance(raw, bool):
            raise ValueError(raw)
        if kind is Path:
            return Path(str(raw)).expanduser()
        return kind(raw)
    except (TypeError, ValueError):
        expected = "number" if kind is _optional_float else kind.__name__
        raise SettingsError(f"{origin}: {name} must be a {expected}, got {raw!r}") from None


def _optional_float(raw: Any) -> float | None:
    return None if raw is None or str(raw).strip() == "" else float(raw)


_TYPES = {
    "Path": Path,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "float | None": _optional_float,
}


def load_settings(
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Read settings: defaults, then the TOML file, then ASSISTANT_* variables, then overrides."""
    env = os.environ if env is None else env
    types = {f.name: _TYPES[str(f.type)] for f in fields(Settings)}
    values: dict[str, Any] = {}

    path = config_file or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    if path is None and DEFAULT_CONFIG_FILE.is_file():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"{path}: configuration file not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: not valid TOML ({exc})") from None
        for key, raw in data.items():
            if key not in types:
                raise SettingsError(f"{path}: unknown setting {key!r}")
            values[key] = _convert(key, types[key], raw, str(path))

    for key, raw in env.items():
        if not key.startswith(ENV_PREFIX) or key == CONFIG_ENV:
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name not in types:
            raise SettingsError(f"environment: unknown setting {key}")
        values[name] = _convert(name, types[name], raw, "environment")

    for key, raw in overrides.items():
        if raw is not None:
            values[key] = _convert(key, types[key], raw, "command line")
    try:
        return Settings(**values)
    except TypeError as exc:
        raise SettingsError(str(exc)) from None
