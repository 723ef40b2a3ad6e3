"""The AI-shot report: every generated shot in the cut, for producers, clearances and
guild disclosure, as CSV, JSON or a self-contained HTML page with a thumbnail each.

One row per slot whose active take is generated: record in/out, slot, active take,
provider, model, prompt, seed, cost, status, the editor's note, created; and totals (shots, seconds,
cost).  Thumbnails come from :mod:`pickup.media.thumbnails` (the middle frame),
embedded in the HTML as PNG data so the page can be mailed on its own.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pickup.atomic import atomic_path
from pickup.errors import InputError
from pickup.media.seams import Seams
from pickup.takes.model import media_path_of, take_meta
from pickup.takes.ops import Session

__all__ = ["COLUMNS", "FORMATS", "ReportRow", "report_rows", "write_report"]

COLUMNS = ("record_in", "record_out", "slot", "take", "provider", "model", "prompt", "seed",
           "cost", "status", "note", "created", "seconds", "seam_in", "seam_out", "media")
FORMATS = ("csv", "json", "html")


@dataclass(frozen=True)
class ReportRow:
    """One generated shot in the cut."""

    record_in: str
    record_out: str
    slot: str
    take: str
    provider: str
    model: str | None
    prompt: str | None
    seed: int | None
    cost: float | None
    status: str
    note: str | None
    created: str | None
    seconds: float
    media: str
    #: the seams (SSIM / histogram distance, or why not measured), as `pickup takes` shows
    seam_in: str = "not measured"
    seam_out: str = "not measured"


def report_rows(s: Session) -> list[ReportRow]:
    """The generated shots of the cut, in record order."""
    rows: list[ReportRow] = []
    start = s.loaded.start_frame
    for found in s.assoc.slots:
        if found.clip is None or not found.active:
            continue
        stored = s.store.get(found.slot_id) or found.clip
        ref = stored.media_references().get(found.active)
        meta = take_meta(ref)
        path = media_path_of(ref)
        take = found.takes.take(found.active)
        seams = Seams.from_json(meta.get("seams"))
        rows.append(ReportRow(
            record_in=found.record_in(start), record_out=found.record_out(start),
            slot=found.slot_id, take=found.active, provider=take.provider,
            model=take.model, prompt=meta.get("prompt") or found.takes.prompt,
            seed=meta.get("seed"), cost=take.cost, status=take.status, note=take.note,
            created=meta.get("created"), seconds=round(found.duration / found.rate, 3),
            media=str(path or take.media),
            seam_in=seams.head.text() if seams else "not measured",
            seam_out=seams.tail.text() if seams else "not measured"))
    return rows


def _totals(rows: list[ReportRow]) -> dict[str, Any]:
    return {"shots": len(rows), "seconds": round(sum(r.seconds for r in rows), 3),
            "cost": round(sum(r.cost or 0.0 for r in rows), 4)}


def _csv(rows: list[ReportRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        data = asdict(row)
        writer.writerow(["" if data[c] is None else data[c] for c in COLUMNS])
    totals = _totals(rows)
    writer.writerow(["TOTAL", "", f"{totals['shots']} shots", "", "", "", "", "",
                     totals["cost"], "", "", "", totals["seconds"], "", "", ""])
    return buf.getvalue()


def _thumbnail(media: str) -> str | None:
    """The middle frame as a PNG data URL, or None if the media cannot be read."""
    try:
        from pickup.media.thumbnails import thumbnail_images

        _, middle, _ = thumbnail_images(media, width=192)
    except Exception:  # a missing or unreadable take still gets its row
        return None
    buf = io.BytesIO()
    middle.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _html(rows: list[ReportRow], title: str) -> str:
    e = html.escape
    totals = _totals(rows)
    head = "".join(f"<th>{e(c.replace('_', ' '))}</th>" for c in ("thumbnail", *COLUMNS[:-1]))
    body = []
    for row in rows:
        data = asdict(row)
        thumb = _thumbnail(row.media)
        cell = (f'<img src="{thumb}" alt="{e(row.slot)} {e(row.take)}" width="192">'
                if thumb else "(no picture)")
        values = "".join(f"<td>{e('' if data[c] is None else str(data[c]))}</td>"
                         for c in COLUMNS[:-1])
        body.append(f"<tr><td>{cell}</td>{values}</tr>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>AI-generated shots: {e(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:4px 8px;vertical-align:top;font-size:13px}}
th{{background:#eee}}tfoot td{{font-weight:bold}}</style></head><body>
<h1>AI-generated shots in {e(title)}</h1>
<p>Every shot below was made by a generative model (IPTC digital source type
trainedAlgorithmicMedia) and placed by Pickup.</p>
<table><thead><tr>{head}</tr></thead><tbody>
{chr(10).join(body)}
</tbody><tfoot><tr><td>Total</td><td colspan="2">{totals['shots']} shots</td>
<td colspan="2">{totals['seconds']} s</td><td colspan="{len(COLUMNS) - 5}">
USD {totals['cost']:.2f}</td></tr></tfoot></table></body></html>
"""


def write_report(s: Session, fmt: str, dest: Path) -> Path:
    """Write the report as ``fmt`` (csv, json, html) to ``dest`` atomically."""
    if fmt not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}", hint="csv, json or html")
    rows = report_rows(s)
    if fmt == "csv":
        text = _csv(rows)
    elif fmt == "json":
        text = json.dumps({"timeline": str(s.loaded.path), "shots": [asdict(r) for r in rows],
                           "totals": _totals(rows)}, indent=2) + "\n"
    else:
        text = _html(rows, s.loaded.path.name)
    dest = Path(dest)
    if not dest.parent.is_dir():
        raise InputError("the output folder does not exist", where=str(dest.parent))
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return dest
