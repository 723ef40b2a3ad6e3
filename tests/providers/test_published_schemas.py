"""Every body Pickup sends to fal and Replicate, validated with ``jsonschema`` against the
model's published input schema (fixtures in ``tests/providers/schemas``, with their sources
and check date): the schema's types, ranges and enums, no field the schema does not list,
and the schema's own conditions (Kling 2.1 on Replicate: an end image needs ``mode: pro``).

Neither ``fal-client`` nor ``replicate`` types model inputs (both take a free ``dict``), so
the published schema is the vendor's word here.  Catalog models without a schema fixture
are listed in ``NOT_FOUND`` with the reason; a new catalog model fails this file until it
gets a fixture or a reason.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from pickup.providers.base import ShotRequest
from pickup.providers.catalog import load_catalog
from pickup.providers.registry import get_provider
from tests.providers.fakes import KEY, FakeAPI, FalFake, ReplicateFake

jsonschema = pytest.importorskip("jsonschema")

SCHEMAS = Path(__file__).parent / "schemas"
#: catalog models whose published input schema could not be read (2026-12-04), and why.
NOT_FOUND = {
    ("replicate", "wan-video/wan-2.2-i2v-fast"):
        "no version API page of this model was in the search index",
    ("replicate", "minimax/hailuo-02"):
        "only minimax/hailuo-02-fast's version page was found (prompt, first_frame_image, "
        "duration, prompt_optimizer, go_fast: no end frame); hailuo-02's own end-frame input "
        "name stays unverified",
}
SIZES = [(1920, 1080), (1080, 1920), (2048, 858), (854, 480)]
RATES = [Fraction(24), Fraction(30000, 1001), Fraction(16)]
SECONDS = [0.5, 4.9, 6.2, 9.5]


def _fixtures() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))]


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with unknown fields refused (a field the model does not list is a field
    Pickup thinks it set and the model ignores)."""
    strict = copy.deepcopy(schema)
    strict["additionalProperties"] = False
    return strict


def _requests(model: str, frame: Path) -> Iterator[ShotRequest]:
    for width, height in SIZES:
        for rate in RATES:
            for seconds in SECONDS:
                frames = max(1, round(seconds * rate))
                base = ShotRequest(slot_id="V1-0001", prompt="a harbour at dawn",
                                   kind="establishing", frames=frames, rate=rate, width=width,
                                   height=height, seed=42, negative_prompt="text, watermark",
                                   model=model)
                yield base
                yield replace(base, first_frame=frame)
                yield replace(base, first_frame=frame, last_frame=frame, seed=None)


def _fitted(provider: Any, req: ShotRequest) -> ShotRequest | None:
    """``req`` as the plan sends it to this very model, or None if the model cannot make
    it (the plan would choose another)."""
    from pickup.engine.plan import fit_request

    fitted = fit_request(req, provider.capabilities_for(req)).request
    try:
        provider.validate(fitted)
    except Exception:
        return None
    return fitted


def _input_of(provider_name: str, fake: FakeAPI) -> dict[str, Any]:
    body = json.loads(fake.requests_of("submit")[-1].body)
    return body["input"] if provider_name == "replicate" else body


def test_every_catalog_model_has_a_schema_or_a_reason() -> None:
    covered = {(f["provider"], f["endpoint"]) for f in _fixtures()}
    for provider in ("fal", "replicate"):
        for model in load_catalog(provider).models:
            assert (provider, model) in covered or (provider, model) in NOT_FOUND, model
    for fixture in _fixtures():
        assert fixture["checked"] and fixture["sources"] and fixture["coverage"]
        jsonschema.Draft202012Validator.check_schema(fixture["schema"])


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda f: f["endpoint"])
def test_bodies_match_the_published_input_schema(fixture: dict[str, Any], video_bytes: bytes,
                                                 frame_png: Path, tmp_path: Path) -> None:
    name = fixture["provider"]
    fake_type = FalFake if name == "fal" else ReplicateFake
    validator = jsonschema.Draft202012Validator(_strict(fixture["schema"]))
    with fake_type(video_bytes) as fake:
        provider = get_provider(name, api_key=KEY, base_url=fake.base_url)
        sent, problems = 0, []
        for req in _requests(fixture["endpoint"], frame_png):
            fitted = _fitted(provider, req)
            if fitted is None:
                continue
            provider.submit(fitted, tmp_path)
            body = _input_of(name, fake)
            for error in validator.iter_errors(body):
                where = "/".join(map(str, error.path)) or "(body)"
                problems.append(f"{fitted.width}x{fitted.height} {float(fitted.rate):.3f} fps "
                                f"{fitted.seconds:.2f} s: {where}: {error.message}")
            sent += 1
        assert not problems, "\n".join(problems[:10])
        assert sent >= 40, sent  # the variants really reached the model


def test_the_validator_refuses_what_the_schemas_refuse() -> None:
    """The check can fail: bodies the published schemas refuse are refused."""
    by_endpoint = {f["endpoint"]: f["schema"] for f in _fixtures()}
    kling = jsonschema.Draft202012Validator(_strict(by_endpoint["kwaivgi/kling-v2.1"]))
    good = {"prompt": "p", "start_image": "data:image/png;base64,AA", "mode": "pro",
            "end_image": "data:image/png;base64,AA", "duration": 5}
    assert not list(kling.iter_errors(good))
    assert list(kling.iter_errors({**good, "mode": "standard"}))  # end frame needs pro
    assert list(kling.iter_errors({**good, "seed": 1}))  # no such input
    assert list(kling.iter_errors({**good, "duration": 6}))
    wan = jsonschema.Draft202012Validator(_strict(by_endpoint["wan-video/wan-2.2-t2v-fast"]))
    assert list(wan.iter_errors({"prompt": "p", "num_frames": 121}))
    assert list(wan.iter_errors({"prompt": "p", "negative_prompt": "x"}))
    fal_wan = jsonschema.Draft202012Validator(
        _strict(by_endpoint["fal-ai/wan/v2.2-a14b/image-to-video"]))
    assert list(fal_wan.iter_errors({"prompt": "p", "image_url": "u", "num_frames": 200}))
    fal_kling = jsonschema.Draft202012Validator(
        _strict(by_endpoint["fal-ai/kling-video/v2.1/pro/image-to-video"]))
    assert list(fal_kling.iter_errors({"prompt": "p", "image_url": "u", "duration": 5}))
    assert list(fal_kling.iter_errors({"prompt": "p", "image_url": "u",
                                       "aspect_ratio": "16:9"}))
