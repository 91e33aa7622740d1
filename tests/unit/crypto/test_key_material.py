"""Loading keys from the environment or instance folder, and generating them only when allowed."""

import base64
import logging
import stat

import pytest

from models.crypto.errors import KeyMaterialError, MissingKeyError
from models.crypto.key_material import parse_previous_keys, resolve_key

KEY = bytes(range(32))
KEY_B64 = base64.b64encode(KEY).decode()


def test_env_value_wins_over_the_key_file(tmp_path):
    (tmp_path / "master.key").write_text(base64.b64encode(bytes(32)).decode())
    assert resolve_key("master", KEY_B64, tmp_path, generate=False) == KEY


def test_url_safe_base64_and_surrounding_whitespace_are_accepted(tmp_path):
    assert resolve_key("master", f"  {base64.urlsafe_b64encode(KEY).decode()}\n", tmp_path, generate=False) == KEY


def test_key_is_read_from_the_instance_folder(tmp_path):
    (tmp_path / "index.key").write_text(KEY_B64 + "\n")
    assert resolve_key("index", None, str(tmp_path), generate=False) == KEY


def test_blank_env_value_falls_back_to_the_key_file(tmp_path):
    (tmp_path / "index.key").write_text(KEY_B64)
    assert resolve_key("index", "  ", tmp_path, generate=False) == KEY


def test_generated_key_file_has_mode_0600_and_a_warning_is_logged(tmp_path, caplog):
    instance = tmp_path / "instance"
    with caplog.at_level(logging.WARNING, logger="safecontext.keys"):
        key = resolve_key("signing", None, instance, generate=True)
    path = instance / "signing.key"
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert base64.b64decode(path.read_text()) == key
    [record] = [r for r in caplog.records if r.name == "safecontext.keys"]
    assert record.levelno == logging.WARNING and "SAFECONTEXT_SIGNING_KEY" in record.getMessage()
    assert base64.b64encode(key).decode() not in caplog.text


def test_a_generated_key_is_reused_on_the_next_start(tmp_path):
    first = resolve_key("master", None, tmp_path, generate=True)
    assert resolve_key("master", None, tmp_path, generate=True) == first
    assert resolve_key("master", None, tmp_path, generate=False) == first


def test_without_generation_a_missing_key_names_the_env_variable(tmp_path):
    with pytest.raises(MissingKeyError, match="SAFECONTEXT_MASTER_KEY"):
        resolve_key("master", None, tmp_path, generate=False)
    assert not (tmp_path / "master.key").exists()


@pytest.mark.parametrize("value", ["not base64 at all!", "AAAA*AAA", KEY_B64[:-2]])
def test_bad_base64_in_env_is_refused_without_echoing_it(tmp_path, value):
    with pytest.raises(KeyMaterialError, match="SAFECONTEXT_MASTER_KEY") as error:
        resolve_key("master", value, tmp_path, generate=True)
    assert value not in str(error.value)


@pytest.mark.parametrize("size", [1, 16, 31, 33, 64])
def test_a_key_of_the_wrong_length_is_refused(tmp_path, size):
    with pytest.raises(KeyMaterialError, match="exactly 32 bytes"):
        resolve_key("master", base64.b64encode(bytes(size)).decode(), tmp_path, generate=True)


def test_a_malformed_key_file_is_refused_naming_the_file(tmp_path):
    (tmp_path / "master.key").write_text(base64.b64encode(bytes(16)).decode())
    with pytest.raises(KeyMaterialError, match="master.key"):
        resolve_key("master", None, tmp_path, generate=True)


@pytest.mark.parametrize("name", ["../master", "Master", "", "a/b"])
def test_key_names_cannot_escape_the_instance_folder(tmp_path, name):
    with pytest.raises(ValueError):
        resolve_key(name, None, tmp_path, generate=True)


def test_previous_keys_are_parsed_from_a_comma_separated_list():
    other = base64.b64encode(bytes(32)).decode()
    assert parse_previous_keys(f" {KEY_B64} ,, {other} ,") == [KEY, bytes(32)]
    assert parse_previous_keys(None) == []
    assert parse_previous_keys("") == []


def test_a_bad_previous_key_is_identified_by_position():
    with pytest.raises(KeyMaterialError, match="#2"):
        parse_previous_keys(f"{KEY_B64},{base64.b64encode(bytes(8)).decode()}")
