"""API keys: environment first, then the OS keyring; a missing keyring is a clear error."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest

from pickup.errors import ConfigError, InputError
from pickup.secrets import (
    SERVICE,
    delete_secret,
    get_secret,
    mask,
    require_secret,
    secret_status,
    set_secret,
)
from tests.providers.conftest import MemoryKeyring

LONG = "r_live_0123456789abcdef0123456789"


def test_env_var_wins_over_keyring(memory_keyring: MemoryKeyring,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    memory_keyring.set_password(SERVICE, "runway", "from-keyring-0000000000")
    assert get_secret("runway") == "from-keyring-0000000000"
    assert secret_status("runway").source == "keyring"
    monkeypatch.setenv("RUNWAYML_API_SECRET", LONG)
    assert get_secret("runway") == LONG
    status = secret_status("runway")
    assert (status.source, status.env_var, status.masked) == ("env", "RUNWAYML_API_SECRET",
                                                              "r_li…6789")


@pytest.mark.parametrize("provider, var", [("runway", "RUNWAYML_API_SECRET"),
                                           ("veo", "GEMINI_API_KEY"), ("fal", "FAL_KEY"),
                                           ("replicate", "REPLICATE_API_TOKEN"),
                                           ("luma", "LUMA_API_KEY")])
def test_each_provider_reads_its_own_variable(provider: str, var: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(var, f"key-for-{provider}-123456")
    assert require_secret(provider) == f"key-for-{provider}-123456"


def test_keyring_round_trip(memory_keyring: MemoryKeyring) -> None:
    set_secret("fal", "  fal-key-abcdef:0123456789  ")
    assert memory_keyring.store[(SERVICE, "fal")] == "fal-key-abcdef:0123456789"
    assert require_secret("fal") == "fal-key-abcdef:0123456789"
    assert delete_secret("fal") is True
    assert delete_secret("fal") is False
    assert get_secret("fal") is None


def test_missing_key_says_how_to_set_it() -> None:
    with pytest.raises(ConfigError) as info:
        require_secret("luma")
    text = str(info.value)
    assert "LUMA_API_KEY" in text and "pickup auth set luma" in text


def test_unavailable_keyring_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert get_secret("veo") is None  # reading just finds nothing
    status = secret_status("veo")
    assert status.source is None and "keyring is not available" in (status.keyring_error or "")
    with pytest.raises(ConfigError) as info:
        require_secret("veo")
    assert "GEMINI_API_KEY" in str(info.value) and "keyring is not available" in str(info.value)
    with pytest.raises(ConfigError, match="cannot store the key"):
        set_secret("veo", "AIza-0000000000000000")
    with pytest.raises(ConfigError, match="cannot delete the key"):
        delete_secret("veo")
    monkeypatch.setenv("GEMINI_API_KEY", "AIza-from-env-0000000")
    assert require_secret("veo") == "AIza-from-env-0000000"  # env still works


def test_bad_values_and_providers() -> None:
    with pytest.raises(InputError, match="empty"):
        set_secret("runway", "   ")
    with pytest.raises(InputError, match="whitespace"):
        set_secret("runway", "two words")
    with pytest.raises(InputError, match="takes no API key"):
        get_secret("comfyui")


def test_mask_never_shows_the_whole_key() -> None:
    assert mask(LONG) == "r_li…6789"
    assert mask("short") == "****"


def test_config_key_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from pickup.providers.runway import RunwayProvider

    config = tmp_path / "c.toml"
    config.write_text('[providers.runway]\nkey_env = "STUDIO_RUNWAY"\n', encoding="utf-8")
    monkeypatch.setenv("PICKUP_CONFIG", str(config))
    monkeypatch.setenv("STUDIO_RUNWAY", "studio-runway-key-000000")
    provider = RunwayProvider()
    assert provider.is_configured() and provider.api_key() == "studio-runway-key-000000"
