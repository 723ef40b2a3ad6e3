"""Seam figures travel with each take: measured at fill, stored in the take's facts and
the take store, listed by ``pickup takes`` (table, ``--json``, ``--rank seams``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from pickup.takes.model import Take, rank_by_seams
from pickup.takes.store import slot_id_of
from tests.takes.conftest import fill, run, takes_json

SLOT_A, SLOT_B = "V1-01000012", "V1-01000110"


def _take(key: str, head: float | None, tail: float | None, hist: float = 0.1) -> Take:
    def seam(value: float | None) -> dict:
        return ({"ssim": value, "histogram": hist, "note": None} if value is not None
                else {"ssim": None, "histogram": None, "note": "outgoing media offline"})
    meta = {"seams": {"head": seam(head), "tail": seam(tail)}} if head or tail else {}
    return Take(key=key, status="temp", provider="p", model=None, cost=None, media="",
                stale=False, meta=meta)


def test_rank_by_seams_orders_by_the_worse_seam() -> None:
    takes = [_take("T01", 0.5, 0.9), _take("T02", None, None), _take("T03", 0.8, 0.7),
             _take("T04", None, 0.95)]
    assert [t.key for t in rank_by_seams(takes)] == ["T04", "T03", "T01", "T02"]


def test_fill_measures_both_seams_and_takes_lists_them(otio_cut: Path) -> None:
    written = fill(otio_cut, None, "--takes", "2")
    data = takes_json(written)
    for slot in data["slots"]:
        for take in slot["takes"]:
            for side in ("head", "tail"):
                seam = take["seams"][side]
                assert 0.0 <= seam["ssim"] <= 1.0 and 0.0 <= seam["histogram"] <= 1.0
                assert seam["note"] is None
    # stored on the take's media reference in the written timeline too
    tl = otio.adapters.read_from_file(str(written))
    clip = next(c for c in tl.find_clips() if slot_id_of(c) == SLOT_A)
    meta = clip.media_references()["T01"].metadata["pickup"]
    assert meta["seams"]["head"]["ssim"] == data["slots"][0]["takes"][0]["seams"]["head"]["ssim"]
    code, out, _ = run("takes", written, "--rank", "seams")
    assert code == 0 and "seam in" in out and "seam out" in out
    ranked = takes_json(written, "--rank", "seams")
    for slot in ranked["slots"]:
        scores = [min(t["seams"]["head"]["ssim"], t["seams"]["tail"]["ssim"])
                  for t in slot["takes"]]
        assert scores == sorted(scores, reverse=True)


def test_offline_neighbour_is_named_instead_of_a_number(otio_cut: Path) -> None:
    tl = otio.adapters.read_from_file(str(otio_cut))
    clip = next(c for c in tl.find_clips() if c.name == "A001")
    media = Path(unquote(urlparse(clip.media_reference.target_url).path))
    clip.media_reference = otio.schema.ExternalReference(
        target_url=(media.parent / "gone.mp4").as_uri(),
        available_range=clip.media_reference.available_range)
    otio.adapters.write_to_file(tl, str(otio_cut))
    written = fill(otio_cut, (SLOT_A,))
    take = takes_json(written)["slots"][0]["takes"][0]
    assert take["seams"]["head"] == {"ssim": None, "histogram": None,
                                     "note": "outgoing media offline (gone.mp4)"}
    assert take["seams"]["tail"]["ssim"] is not None
    code, out, _ = run("takes", written)
    assert code == 0 and "offline" in out


def test_report_and_contact_sheet_show_the_seams(otio_cut: Path, tmp_path: Path) -> None:
    import csv

    from pickup.media.sheet import contact_sheet
    from pickup.timeline import find_slots, read_timeline

    written = fill(otio_cut, None)
    data = takes_json(written)
    figures = {s["id"]: s["takes"][0]["seams"] for s in data["slots"]}
    report = tmp_path / "shots.csv"
    code, _, err = run("report", written, "-o", report)
    assert code == 0, err
    rows = [r for r in csv.DictReader(report.open()) if r["slot"] in figures]
    assert len(rows) == 2
    for row in rows:
        head = figures[row["slot"]]["head"]
        assert row["seam_in"] == f"{head['ssim']:.2f} / {head['histogram']:.2f}"
    loaded = read_timeline(written)
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame)
    sheet = contact_sheet(loaded, slots, tmp_path / "sheet.png")
    texts = {c.slot_id: c.seams for c in sheet.cells if c.key == "T01"}
    for slot_id, seams in figures.items():
        assert texts[slot_id] == (f"SSIM in {seams['head']['ssim']:.2f} | "
                                  f"out {seams['tail']['ssim']:.2f}")


def test_stored_seams_for_faces_that_list_the_journal(otio_cut: Path) -> None:
    from pickup.project import Project
    from pickup.takes.record import stored_seams

    written = fill(otio_cut, None)
    data = takes_json(written)
    known = stored_seams(Project.for_timeline(otio_cut))
    for slot in data["slots"]:
        take = slot["takes"][0]
        seams = known[str(Path(take["media"]).resolve())]
        assert seams.to_json() == take["seams"]
