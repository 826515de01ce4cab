from pathlib import Path

import pytest

from assistant.errors import SettingsError
from assistant.settings import Settings, load_settings


def test_defaults_need_no_file_or_environment():
    settings = load_settings(env={})
    assert settings == Settings()
    assert settings.embedding_model == "multilingual-e5-small+use-multilingual"


def test_environment_overrides_toml_and_command_line_overrides_both(tmp_path):
    config = tmp_path / "assistant.toml"
    config.write_text(
        'chunk_size = 500\ntop_k = 7\nsynonyms = false\nindex_dir = "/srv/idx"\n', encoding="utf-8"
    )
    settings = load_settings(config, env={"ASSISTANT_TOP_K": "9"}, index_dir=Path("/elsewhere"))
    assert settings.chunk_size == 500
    assert settings.top_k == 9
    assert settings.synonyms is False
    assert settings.index_dir == Path("/elsewhere")


def test_config_file_is_found_through_the_environment(tmp_path):
    config = tmp_path / "other.toml"
    config.write_text("candidates = 12\n", encoding="utf-8")
    assert load_settings(env={"ASSISTANT_CONFIG": str(config)}).candidates == 12


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ASSISTANT_CHUNK_SIZE": "groot"}, "chunk_size must be a int"),
        ({"ASSISTANT_SYNONYMS": "misschien"}, "synonyms must be a bool"),
        ({"ASSISTANT_STEMMER": "english"}, "stemmer: expected one of"),
        ({"ASSISTANT_EMBEDING_MODEL": "x"}, "unknown setting ASSISTANT_EMBEDING_MODEL"),
        ({"ASSISTANT_EMBEDDING_MODEL": "bert"}, "embedding_model: expected"),
        ({"ASSISTANT_EMBEDDING_MODEL": "openai:"}, "embedding_model: name the model"),
        ({"ASSISTANT_EMBEDDING_THREADS": "-1"}, "embedding_threads: must be 0"),
        ({"ASSISTANT_MIN_EVIDENCE": "veel"}, "min_evidence must be a number"),
        ({"ASSISTANT_LEXICAL_WEIGHT": "1.5"}, "lexical_weight: must be between 0 and 1"),
        ({"ASSISTANT_CHUNK_OVERLAP": "5000"}, "chunk_overlap"),
    ],
)
def test_bad_values_name_the_setting(env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env=env)


def test_unknown_key_in_toml_names_file_and_key(tmp_path):
    config = tmp_path / "assistant.toml"
    config.write_text("chunk_sise = 10\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"assistant.toml: unknown setting 'chunk_sise'"):
        load_settings(config, env={})


def test_broken_toml_is_reported(tmp_path):
    config = tmp_path / "assistant.toml"
    config.write_text("chunk_size = \n", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(config, env={})
