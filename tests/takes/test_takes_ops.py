"""Takes on the clip and in the store: per-take facts, statuses, re-fill, prune, report,
clip names, and the provenance marks read back from the media files."""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.errors import ConfigError
from pickup.media.probe import probe
from pickup.project import Project
from pickup.takes.model import clip_name, file_checksum
from pickup.takes.provenance import DIGITAL_SOURCE_TYPE, read_marks
from pickup.takes.store import TakeStore, slot_id_of
from tests.takes.conftest import fill, ok, run, takes_json

SLOT_A, SLOT_B = "V1-01000012", "V1-01000110"


def test_takes_json_shape_and_per_take_facts(otio_cut: Path) -> None:
    written = fill(otio_cut, None, "--takes", "2")
    data = takes_json(written)
    assert set(data) == {"slots"}
    for slot in data["slots"]:
        assert set(slot) == {"id", "active", "takes"}
        for take in slot["takes"]:
            assert set(take) == {"key", "status", "provider", "model", "cost", "media",
                                 "stale", "seams", "note", "segments"}
    assert [s["id"] for s in data["slots"]] == [SLOT_A, SLOT_B]
    # facts on each take's media reference, in the written timeline and the store
    tl = otio.adapters.read_from_file(str(written))
    clip = next(c for c in tl.find_clips() if slot_id_of(c) == SLOT_A)
    assert clip.name == f"{SLOT_A}_T01"
    for key in ("T01", "T02"):
        meta = clip.media_references()[key].metadata["pickup"]
        assert meta["provider"] == "previz" and meta["status"] == "temp"
        assert meta["prompt"] == "a farmhouse at dusk" and isinstance(meta["seed"], int)
        assert len(meta["request_hash"]) == 32 and meta["slot_frames"] == 10
        datetime.datetime.strptime(meta["created"], "%Y-%m-%dT%H:%M:%SZ")
        assert meta["checksum"] == file_checksum(meta["media"])
        assert probe(meta["media"]).frames == 10
    store = TakeStore.load(Project(otio_cut.with_name("cut.pickup")))
    assert set(store.clips) == {SLOT_A, SLOT_B}
    assert set(store.get(SLOT_A).media_references()) == {"PLACEHOLDER", "T01", "T02"}


def test_statuses_notes_locks_and_refill_keeps_active(otio_cut: Path) -> None:
    written = fill(otio_cut, None, "--takes", "2")
    ok("use", written, SLOT_A, "T02")
    ok("approve", written, SLOT_A, "T02", "--note", "director likes it")
    ok("reject", written, SLOT_B, "T02")
    ok("lock", written, SLOT_B, "T01")
    code, _, err = run("use", written, SLOT_B, "T02")
    assert code == 2 and "locked on T01" in err
    code, _, err = run("reject", written, SLOT_B, "T01")
    assert code == 2 and "locked" in err
    # fill again: new takes are added, the active take and statuses stay
    fill(otio_cut, None, "--new-seed")
    data = {s["id"]: s for s in takes_json(written)["slots"]}
    assert data[SLOT_A]["active"] == "T02" and data[SLOT_B]["active"] == "T01"
    assert [(t["key"], t["status"]) for t in data[SLOT_A]["takes"]] == [
        ("T01", "temp"), ("T02", "approved"), ("T03", "temp")]
    assert [(t["key"], t["status"]) for t in data[SLOT_B]["takes"]] == [
        ("T01", "locked"), ("T02", "rejected"), ("T03", "temp")]
    tl = otio.adapters.read_from_file(str(written))
    clip = next(c for c in tl.find_clips() if slot_id_of(c) == SLOT_A)
    assert clip.name == f"{SLOT_A}_T02"
    assert clip.media_references()["T02"].metadata["pickup"]["note"] == "director likes it"
    # --activate-new makes the first new take active
    fill(otio_cut, (SLOT_A,), "--new-seed", "--activate-new")
    assert takes_json(written, SLOT_A)["slots"][0]["active"] == "T04"


def test_stale_when_the_prompt_changes(otio_cut: Path) -> None:
    fill(otio_cut, None)
    tl = otio.adapters.read_from_file(str(otio_cut))
    gap = next(i for i in tl.tracks[0] if isinstance(i, otio.schema.Gap))
    gap.markers[0].name = "GEN establishing: a farmhouse at dawn"
    otio.adapters.write_to_file(tl, str(otio_cut))
    written = fill(otio_cut, None, "--slots", SLOT_A)
    slot = takes_json(written, SLOT_A)["slots"][0]
    assert [(t["key"], t["stale"]) for t in slot["takes"]] == [("T01", True), ("T02", False)]


def test_prune_keeps_active_approved_locked_and_deletes_media(otio_cut: Path) -> None:
    written = fill(otio_cut, None, "--takes", "3")
    ok("approve", written, SLOT_A, "T02")
    ok("lock", written, SLOT_B, "T03")
    ok("reject", written, SLOT_B, "T02")
    media = Path(otio_cut.with_name("cut.pickup")) / "media"
    ok("prune", written, "--keep", "temp")  # only rejected ones
    assert not (media / f"{SLOT_B}_T02.mov").exists()
    assert (media / f"{SLOT_A}_T03.mov").exists()
    ok("prune", written)
    left = {s["id"]: [t["key"] for t in s["takes"]] for s in takes_json(written)["slots"]}
    # approving T02 made it active, so SLOT_A's T01 is neither active nor approved
    assert left == {SLOT_A: ["T02"], SLOT_B: ["T01", "T03"]}
    assert sorted(p.name for p in media.iterdir()) == sorted(
        [f"{SLOT_A}_T02.mov", f"{SLOT_B}_T01.mov", f"{SLOT_B}_T03.mov"])


def test_revert_puts_the_placeholder_back(otio_cut: Path) -> None:
    written = fill(otio_cut, None, "--takes", "2")
    ok("revert", written, SLOT_A)
    tl = otio.adapters.read_from_file(str(written))
    clip = next(c for c in tl.find_clips() if slot_id_of(c) == SLOT_A)
    assert clip.active_media_reference_key == "PLACEHOLDER"
    assert isinstance(clip.media_reference, otio.schema.MissingReference)
    slot = takes_json(written, SLOT_A)["slots"][0]
    assert slot["active"] is None and len(slot["takes"]) == 2
    ok("use", written, SLOT_A, "T02")
    assert takes_json(written, SLOT_A)["slots"][0]["active"] == "T02"


def test_report_csv_json_html(otio_cut: Path, tmp_path: Path) -> None:
    written = fill(otio_cut, None, "--takes", "2")
    ok("use", written, SLOT_B, "T02")
    ok("approve", written, SLOT_B, "T02")
    out = Path(ok("report", written, "-o", tmp_path / "shots.csv"))
    rows = list(csv.DictReader(out.open()))
    assert [(r["slot"], r["take"], r["status"]) for r in rows[:2]] == [
        (SLOT_A, "T01", "temp"), (SLOT_B, "T02", "approved")]
    assert rows[0]["record_in"] == "01:00:00:12" and rows[0]["record_out"] == "01:00:00:22"
    assert rows[0]["prompt"] == "a farmhouse at dusk" and rows[0]["provider"] == "previz"
    assert rows[2]["record_in"] == "TOTAL" and rows[2]["slot"] == "2 shots"
    data = json.loads(Path(ok("report", written, "--format", "json", "-o",
                              tmp_path / "shots.json")).read_text())
    assert data["totals"] == {"shots": 2, "seconds": pytest.approx(17 / 24, abs=0.002),
                              "cost": 0.0}
    assert all(isinstance(s["seed"], int) and s["created"] for s in data["shots"])
    page = Path(ok("report", written, "-o", tmp_path / "shots.html")).read_text()
    assert page.count('<img src="data:image/png;base64,') == 2
    assert "a hand on a doorknob" in page and "2 shots" in page


def test_clip_names_with_scene_and_shot_and_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    assert clip_name(SLOT_A, 3) == f"{SLOT_A}_T03"
    assert clip_name(SLOT_A, 3, scene="12A", shot="4") == f"12A-4 {SLOT_A}_T03"
    assert clip_name(SLOT_A, 1, pattern="SH{shot} {slot}_T{nn}", shot="7") == \
        f"SH7 {SLOT_A}_T01"
    with pytest.raises(ConfigError):
        clip_name(SLOT_A, 1, pattern="{scene}_{slot}", scene="12")  # hides the id


def test_scene_and_shot_from_the_shot_list_name_the_clip(otio_cut: Path) -> None:
    tl = otio.adapters.read_from_file(str(otio_cut))
    gap = next(i for i in tl.tracks[0] if isinstance(i, otio.schema.Gap))
    gap.metadata["pickup"] = {"scene": "12A", "shot": "3"}
    otio.adapters.write_to_file(tl, str(otio_cut))
    written = fill(otio_cut, (SLOT_A,))
    tl = otio.adapters.read_from_file(str(written))
    assert any(c.name == f"12A-3 {SLOT_A}_T01" for c in tl.find_clips())
    assert takes_json(written, SLOT_A)["slots"][0]["active"] == "T01"


def test_provenance_tags_are_in_every_take(otio_cut: Path) -> None:
    fill(otio_cut, None, "--profile", "h264")
    for path in (otio_cut.with_name("cut.pickup") / "media").iterdir():
        marks = read_marks(path)
        tags = marks["tags"]
        assert tags["pickup_ai_generated"] == "true"
        assert tags["pickup_digital_source_type"] == DIGITAL_SOURCE_TYPE
        assert tags["pickup_provider"] == "previz" and tags["pickup_take"] == "T01"
        assert "AI-generated" in tags["comment"]
        assert marks["c2pa"] is None  # no certificate configured


def _test_certificate(folder: Path) -> tuple[Path, Path]:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str):  # type: ignore[no-untyped-def]
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pickup tests")])

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def usage(sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=sign, content_commitment=False,
                             key_encipherment=False, data_encipherment=False,
                             key_agreement=False, key_cert_sign=not sign, crl_sign=not sign,
                             encipher_only=False, decipher_only=False)

    def build(subject, issuer, public, ca: bool):  # type: ignore[no-untyped-def]
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(public).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
                   .add_extension(usage(not ca), True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False))
        if not ca:
            builder = builder.add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION]), False).add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)
        return builder.sign(ca_key, hashes.SHA256())

    ca = build(name("Pickup test CA"), name("Pickup test CA"), ca_key.public_key(), True)
    leaf = build(name("Pickup test signer"), ca.subject, key.public_key(), False)
    cert, pem = folder / "chain.pem", folder / "key.pem"
    cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM)
                     + ca.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return cert, pem


def test_c2pa_manifest_is_signed_into_mov_and_mp4(otio_cut: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("c2pa")
    secrets = tmp_path / "outside-the-project"
    secrets.mkdir()
    cert, key = _test_certificate(secrets)
    monkeypatch.setenv("PICKUP_C2PA_CERT", str(cert))
    monkeypatch.setenv("PICKUP_C2PA_KEY", str(key))
    fill(otio_cut, (SLOT_A,))                                # ProRes .mov
    fill(otio_cut, (SLOT_B,), "--profile", "h264")           # H.264 .mp4
    media = otio_cut.with_name("cut.pickup") / "media"
    for path in (media / f"{SLOT_A}_T01.mov", media / f"{SLOT_B}_T01.mp4"):
        marks = read_marks(path)
        assert marks["c2pa"] is not None, path
        assert marks["c2pa"]["digital_source_type"] == DIGITAL_SOURCE_TYPE
        assert marks["c2pa"]["provider"] == "previz"
        assert marks["c2pa"]["validation"] in ("Valid", "Trusted")
        assert marks["c2pa"]["take"]["slot"] in (SLOT_A, SLOT_B)
        assert marks["tags"]["pickup_ai_generated"] == "true"  # the tags survive signing
        assert probe(path).frames in (10, 7)
    # the recorded checksum is the signed file's
    tl = otio.adapters.read_from_file(str(otio_cut.with_name("cut.pickup.otio")))
    ref = next(c for c in tl.find_clips() if slot_id_of(c) == SLOT_B).media_reference
    assert ref.metadata["pickup"]["checksum"] == file_checksum(media / f"{SLOT_B}_T01.mp4")
