"""Mark every conformed take as AI-generated, in the media file itself.

Two marks, both read back by :func:`read_marks`:

* **Container tags**, always: conform writes them into the file it makes
  (``ConformTarget.metadata``): ``pickup_ai_generated=true``, the IPTC digital
  source type ``trainedAlgorithmicMedia``, provider, model, slot, take, request
  hash and creation time, and a readable ``comment``.  QuickTime/MP4 keep them as
  metadata items; MXF keeps them as user comments (``comment_pickup_*``, which
  Avid shows as clip comments).
* **A signed C2PA manifest** for ``.mov`` and ``.mp4`` when a signing certificate
  is configured (``c2pa-python``; MXF is not a C2PA format): a ``c2pa.actions.v2``
  ``c2pa.created`` action with ``digitalSourceType`` = trainedAlgorithmicMedia and
  the provider and model, plus a ``com.pickup.take`` assertion.  Signing is offline
  (no timestamp authority unless ``PICKUP_C2PA_TSA_URL`` is set).

The certificate: ``PICKUP_C2PA_CERT`` (PEM chain: signing certificate first, then
its CA) and ``PICKUP_C2PA_KEY`` (PEM private key) name files outside the project;
``PICKUP_C2PA_ALG`` is ``es256`` (default), ``es384``, ``es512``, ``ps256``... or
``ed25519``.  A studio whose key lives in an HSM or KMS calls :func:`set_signer`
with a callback signer instead.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pickup import __version__
from pickup.atomic import atomic_path
from pickup.errors import ConfigError, WriteError

__all__ = ["C2PA_SUFFIXES", "DIGITAL_SOURCE_TYPE", "Provenance", "SignerConfig",
           "provenance_conformer", "read_marks", "set_signer", "sign_c2pa",
           "signer_from_env"]

DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
C2PA_SUFFIXES = {".mov": "video/quicktime", ".mp4": "video/mp4", ".m4v": "video/mp4"}
_custom_signer: Callable[[], Any] | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Provenance:
    """What is said about one generated take."""

    provider: str
    model: str | None
    slot_id: str
    take: str
    request_hash: str | None = None
    created: str | None = None

    def tags(self) -> dict[str, str]:
        """Container metadata tags (conform writes them)."""
        made_by = self.provider + (f" {self.model}" if self.model else "")
        tags = {"comment": f"AI-generated (trainedAlgorithmicMedia) by {made_by}, via Pickup "
                           f"{__version__}; slot {self.slot_id} take {self.take}",
                "pickup_ai_generated": "true",
                "pickup_digital_source_type": DIGITAL_SOURCE_TYPE,
                "pickup_provider": self.provider,
                "pickup_model": self.model or "",
                "pickup_take": self.take}
        if self.request_hash:
            tags["pickup_request_hash"] = self.request_hash
        if self.created:
            tags["pickup_created"] = self.created
        return tags

    def manifest(self, title: str, mime: str) -> dict[str, Any]:
        """The C2PA manifest definition."""
        agent = {"name": self.provider + (f" {self.model}" if self.model else "")}
        return {
            "claim_generator_info": [{"name": "Pickup", "version": __version__}],
            "title": title, "format": mime,
            "assertions": [
                {"label": "c2pa.actions.v2", "data": {"actions": [{
                    "action": "c2pa.created", "digitalSourceType": DIGITAL_SOURCE_TYPE,
                    "softwareAgent": agent,
                    "parameters": {"provider": self.provider, "model": self.model or ""}}]}},
                {"label": "com.pickup.take", "data": {
                    "provider": self.provider, "model": self.model, "slot": self.slot_id,
                    "take": self.take, "request_hash": self.request_hash,
                    "created": self.created}},
            ]}


@dataclass(frozen=True)
class SignerConfig:
    """A PEM certificate chain and private key (their text), the algorithm, a TSA."""

    cert_pem: str
    key_pem: str
    alg: str = "es256"
    tsa_url: str | None = None


def signer_from_env(env: Mapping[str, str] | None = None) -> SignerConfig | None:
    """The signer named by ``PICKUP_C2PA_CERT``/``PICKUP_C2PA_KEY``, or None."""
    env = os.environ if env is None else env
    cert, key = env.get("PICKUP_C2PA_CERT"), env.get("PICKUP_C2PA_KEY")
    if not cert and not key:
        return None
    if not (cert and key):
        raise ConfigError("C2PA signing needs both PICKUP_C2PA_CERT and PICKUP_C2PA_KEY",
                          hint="set both to PEM files, or neither")
    try:
        cert_pem = Path(cert).read_text(encoding="utf-8")
        key_pem = Path(key).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the C2PA certificate or key: {exc.strerror}",
                          where=str(exc.filename),
                          hint="check PICKUP_C2PA_CERT and PICKUP_C2PA_KEY") from None
    return SignerConfig(cert_pem, key_pem, env.get("PICKUP_C2PA_ALG", "es256").lower(),
                        env.get("PICKUP_C2PA_TSA_URL") or None)


def set_signer(factory: Callable[[], Any] | None) -> None:
    """Use ``factory()`` (returning a ``c2pa.Signer``, e.g. ``Signer.from_callback`` for
    an HSM/KMS key) for every signature; None goes back to the environment."""
    global _custom_signer
    _custom_signer = factory


def _c2pa_signer(config: SignerConfig | None) -> Any | None:
    if _custom_signer is not None:
        return _custom_signer()
    if config is None:
        return None
    import c2pa

    try:
        alg = c2pa.C2paSigningAlg[config.alg.upper()]
    except KeyError:
        raise ConfigError(f"unknown C2PA signing algorithm {config.alg!r}",
                          hint="PICKUP_C2PA_ALG: es256, es384, es512, ps256, ps384, ps512 "
                          "or ed25519") from None
    info = c2pa.C2paSignerInfo(alg, config.cert_pem.encode(), config.key_pem.encode(),
                               config.tsa_url)
    return c2pa.Signer.from_info(info)


def sign_c2pa(path: Path, prov: Provenance, config: SignerConfig | None) -> bool:
    """Embed a signed C2PA manifest in ``path`` (replaced atomically).  False when no
    signer is configured, ``c2pa`` is not installed or the format is not a C2PA one."""
    path = Path(path)
    mime = C2PA_SUFFIXES.get(path.suffix.lower())
    if mime is None or (config is None and _custom_signer is None):
        return False
    try:
        import c2pa
    except ImportError:
        return False
    with _lock:  # the native library is not documented as thread-safe
        signer = _c2pa_signer(config)
        if signer is None:
            return False
        try:
            builder = c2pa.Builder(prov.manifest(path.name, mime))
            with atomic_path(path) as tmp, open(path, "rb") as src, open(tmp, "w+b") as dst:
                builder.sign(signer, mime, src, dst)
        except c2pa.C2paError as exc:
            raise WriteError(f"C2PA signing failed: {exc}", where=str(path),
                             hint="check the certificate (PICKUP_C2PA_CERT: signing "
                             "certificate then CA, with digitalSignature key usage)") from None
        finally:
            with contextlib.suppress(Exception):
                signer.close()
    return True


def read_marks(path: Path | str) -> dict[str, Any]:
    """What a file says about itself: ``{"tags": {...}, "c2pa": {...} | None}``.

    ``c2pa`` holds ``digital_source_type``, ``provider``, ``model``, ``validation``
    (``Valid``/``Trusted``/``Invalid``) and the ``take`` assertion when a manifest
    is embedded."""
    import av

    path = Path(path)
    with av.open(str(path)) as container:
        tags = dict(container.metadata)
        for stream in container.streams:
            for key, value in stream.metadata.items():
                tags.setdefault(key, value)
    return {"tags": tags, "c2pa": _read_c2pa(path)}


def _read_c2pa(path: Path) -> dict[str, Any] | None:
    if path.suffix.lower() not in C2PA_SUFFIXES:
        return None
    try:
        import c2pa
    except ImportError:
        return None
    try:
        reader = c2pa.Reader(str(path))
    except c2pa.C2paError:
        return None  # no manifest
    try:
        manifest = reader.get_active_manifest() or {}
        state = reader.get_validation_state()
    finally:
        with contextlib.suppress(Exception):
            reader.close()
    out: dict[str, Any] = {"validation": state, "digital_source_type": None,
                           "provider": None, "model": None, "take": None}
    for assertion in manifest.get("assertions", []):
        data = assertion.get("data") or {}
        if assertion.get("label", "").startswith("c2pa.actions"):
            for action in data.get("actions", []):
                if action.get("action") == "c2pa.created":
                    out["digital_source_type"] = action.get("digitalSourceType")
                    params = action.get("parameters") or {}
                    out["provider"] = params.get("provider")
                    out["model"] = params.get("model") or None
        elif assertion.get("label") == "com.pickup.take":
            out["take"] = data
    return out


def provenance_conformer(facts: Callable[[str, Path], Provenance | None], *,
                         signer: SignerConfig | None = None) -> Callable[..., Any]:
    """An engine conformer that writes the provenance tags while conforming and then
    signs the file with C2PA when a signer is configured.

    ``facts(slot_id, dest)`` says what to write for the take conformed to ``dest``.
    """
    def conformer(src: Path, out: Any, dest: Path, slot_id: str,
                  cancel: threading.Event) -> Any:
        from pickup.media.conform import ConformTarget, conform

        prov = facts(slot_id, dest)
        target = ConformTarget(frames=out.frames, rate=out.rate, width=out.width,
                               height=out.height, profile=out.profile, handles=out.handles,
                               timecode=out.timecode, reel=out.reel, slot_id=slot_id,
                               metadata=prov.tags() if prov else {})
        info = conform(src, target, dest, cancel=cancel)
        if prov is not None and sign_c2pa(dest, prov, signer):
            from pickup.media.probe import probe

            info = probe(dest)
        return info

    return conformer

