"""``pickup providers`` and ``pickup auth``: JSON listing, keys stored and shown masked."""

from __future__ import annotations

import io
import json

import keyring
import keyring.backends.fail
import pytest

from pickup.cli import main
from pickup.secrets import SERVICE
from tests.providers.conftest import MemoryKeyring

HOSTED = ("runway", "veo", "fal", "replicate", "luma")
SECRET = "r_live_0123456789abcdef0123456789"


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_providers_json_lists_capabilities_and_setup(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     memory_keyring: MemoryKeyring) -> None:
    monkeypatch.setenv("FAL_KEY", "fal-key-0000000000000")
    memory_keyring.set_password(SERVICE, "luma", "luma-key-000000000000")
    entries = {e["name"]: e for e in _json(capsys, ["providers", "--json"])["providers"]}
    assert set(HOSTED) | {"comfyui"} <= set(entries)
    assert entries["fal"]["configured"] and entries["fal"]["key_source"] == "env"
    assert entries["luma"]["configured"] and entries["luma"]["key_source"] == "keyring"
    assert not entries["runway"]["configured"] and entries["runway"]["key_source"] is None
    assert entries["runway"]["key_env"] == "RUNWAYML_API_SECRET"
    gen4 = entries["runway"]["models"]["gen4_turbo"]
    assert gen4["durations_s"] == [float(s) for s in range(2, 11)]
    assert gen4["first_frame"] and gen4["cancel"]
    assert gen4["price_per_second"] == 0.05
    assert entries["veo"]["models"]["veo-3.1-generate-preview"]["cancel"] is False
    # where each price comes from: a vendor page, or an estimate with its reason
    assert not gen4["price_estimated"] and "runwayml.com" in gen4["price_source"]
    kling = entries["replicate"]["models"]["kwaivgi/kling-v2.1"]
    assert kling["price_estimated"] and "no Replicate price" in kling["price_estimate"]
    assert entries["comfyui"]["configured"] and entries["comfyui"]["key_env"] is None
    assert entries["comfyui"]["models"]["wan2.2-ti2v-5b"]["fps"] == [24.0]
    text = json.dumps(entries)
    assert "fal-key-0000000000000" not in text and "luma-key-000000000000" not in text


def test_providers_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers"]) == 0
    out = capsys.readouterr().out
    assert "gen4_turbo" in out and "no: set" in out and "[prices]" in out


def test_auth_set_status_delete(capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch,
                                memory_keyring: MemoryKeyring) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert main(["auth", "set", "runway"]) == 0
    assert memory_keyring.store[(SERVICE, "runway")] == SECRET
    assert SECRET not in capsys.readouterr().err
    assert main(["auth", "status"]) == 0
    captured = capsys.readouterr()
    assert "r_li…6789" in captured.out and "from the OS keyring" in captured.out
    assert SECRET not in captured.out + captured.err
    keys = {k["provider"]: k for k in _json(capsys, ["auth", "status", "--json"])["keys"]}
    assert keys["runway"] == {"provider": "runway", "env_var": "RUNWAYML_API_SECRET",
                              "source": "keyring", "masked": "r_li…6789", "keyring_error": None}
    assert keys["veo"]["source"] is None
    assert main(["auth", "delete", "runway"]) == 0
    assert (SERVICE, "runway") not in memory_keyring.store


def test_auth_errors_are_one_line_with_the_right_exit_code(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["auth", "set", "fal"]) == 2
    assert "no key on stdin" in capsys.readouterr().err
    assert main(["auth", "set", "comfyui"]) == 2
    assert "takes no API key" in capsys.readouterr().err
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert main(["auth", "set", "veo"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "keyring is not available" in err and "GEMINI_API_KEY" in err
    assert SECRET not in err
    assert main(["auth", "status"]) == 0
    assert "keyring is not available" in capsys.readouterr().err
