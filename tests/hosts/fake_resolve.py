"""A stand-in for Blackmagic's ``DaVinciResolveScript`` module, faithful to the README.

``scriptapp("Resolve")`` returns the app, or ``None`` when "Resolve is not running"
(``reset(running=False)``).  The objects implement the documented methods Pickup
uses with their documented return values: ``None`` or ``False`` (never an
exception) on failure, 1-based track and take indices, timeline frames counted
from the start frame (86400 at 24 fps for 01:00:00:00), markers as
``{frame: {color, duration, note, name, customData}}`` with frames relative to
the start of the timeline (or the item).  ``Timeline.Export`` writes real OTIO or
FCP 7 XML; ``MediaPool.ImportTimelineFromFile`` reads the file and links clips to
media pool items by file path (unlinked clips come in offline, as in Resolve).

Every call is recorded in ``CALLS``; ``fail("MediaPool.ImportMedia")`` makes that
method return its failure value without doing anything; ``snapshot()`` describes
the whole project, to check that a failed round trip changed nothing.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import opentimelineio as otio

CALLS: list[tuple[str, tuple[Any, ...]]] = []
_FAIL: set[str] = set()
_FAIL_NTH: dict[str, int] = {}
_COUNTS: dict[str, int] = {}
_APP: list[Any] = [None]
_IDS = itertools.count(1)

RATE = 24
START = 86400  # 01:00:00:00 at 24 fps


def fail(*methods: str) -> None:
    """Make ``Class.Method`` return its failure value (None/False/[])."""
    _FAIL.update(methods)


def fail_nth(method: str, n: int) -> None:
    """Make only the ``n``-th call (1-based) of ``Class.Method`` fail."""
    _FAIL_NTH[method] = n


def _rec(obj: Any, method: str, *args: Any) -> bool:
    """Record a call; True when the method is set to fail."""
    name = f"{type(obj).__name__}.{method}"
    CALLS.append((name, args))
    _COUNTS[name] = _COUNTS.get(name, 0) + 1
    return name in _FAIL or _FAIL_NTH.get(name) == _COUNTS[name]


def called(name: str) -> list[tuple[Any, ...]]:
    return [args for n, args in CALLS if n == name]


def scriptapp(name: str) -> Any:
    CALLS.append(("scriptapp", (name,)))
    return _APP[0] if name == "Resolve" else None


def _path_of(url: str) -> str:
    if url.startswith("file:"):
        return unquote(urlparse(url).path)
    return url


# -- media pool ----------------------------------------------------------------------
class MediaPoolItem:
    def __init__(self, path: str, frames: int = 48, start: int = 0) -> None:
        self._path = str(path)
        self._frames = frames
        self._start = start
        self._id = f"mpi-{next(_IDS)}"

    def GetName(self) -> str:
        _rec(self, "GetName")
        return Path(self._path).name

    def GetMediaId(self) -> str:
        return self._id

    def GetClipProperty(self, name: str | None = None) -> Any:
        _rec(self, "GetClipProperty", name)
        props = {"File Path": self._path, "Clip Name": Path(self._path).name,
                 "Frames": str(self._frames), "FPS": str(RATE)}
        return props if name is None else props.get(name, "")


class Folder:
    def __init__(self, name: str) -> None:
        self._name = name
        self._clips: list[MediaPoolItem] = []
        self._subs: list[Folder] = []
        self._id = f"folder-{next(_IDS)}"

    def GetName(self) -> str:
        _rec(self, "GetName")
        return self._name

    def GetClipList(self) -> list[MediaPoolItem]:
        _rec(self, "GetClipList")
        return list(self._clips)

    def GetSubFolderList(self) -> list[Folder]:
        _rec(self, "GetSubFolderList")
        return list(self._subs)

    def GetUniqueId(self) -> str:
        return self._id

    def walk(self) -> list[Folder]:
        out = [self]
        for sub in self._subs:
            out += sub.walk()
        return out


class MediaPool:
    def __init__(self, project: Project) -> None:
        self._project = project
        self._root = Folder("Master")
        self._current = self._root

    def GetRootFolder(self) -> Folder | None:
        if _rec(self, "GetRootFolder"):
            return None
        return self._root

    def GetCurrentFolder(self) -> Folder:
        _rec(self, "GetCurrentFolder")
        return self._current

    def SetCurrentFolder(self, folder: Folder) -> bool:
        if _rec(self, "SetCurrentFolder", folder) or folder not in self._root.walk():
            return False
        self._current = folder
        return True

    def AddSubFolder(self, folder: Folder, name: str) -> Folder | None:
        if _rec(self, "AddSubFolder", folder, name):
            return None
        sub = Folder(name)
        folder._subs.append(sub)
        return sub

    def DeleteFolders(self, folders: list[Folder]) -> bool:
        if _rec(self, "DeleteFolders", folders):
            return False
        for parent in self._root.walk():
            parent._subs = [f for f in parent._subs if f not in folders]
        if self._current in folders:
            self._current = self._root
        return True

    def ImportMedia(self, items: list[str]) -> list[MediaPoolItem]:
        if _rec(self, "ImportMedia", items):
            return []
        made = []
        for path in items:
            if Path(path).is_file():  # Resolve skips what it cannot read
                item = MediaPoolItem(path, frames=_frames_of(path))
                self._current._clips.append(item)
                made.append(item)
        return made

    def DeleteClips(self, clips: list[MediaPoolItem]) -> bool:
        if _rec(self, "DeleteClips", clips):
            return False
        for folder in self._root.walk():
            folder._clips = [c for c in folder._clips if c not in clips]
        return True

    def DeleteTimelines(self, timelines: list[Timeline]) -> bool:
        if _rec(self, "DeleteTimelines", timelines):
            return False
        project = self._project
        project._timelines = [t for t in project._timelines if t not in timelines]
        if project._current in timelines:
            project._current = project._timelines[0] if project._timelines else None
        return True

    def ImportTimelineFromFile(self, path: str, options: dict[str, Any] | None = None
                               ) -> Timeline | None:
        options = dict(options or {})
        if _rec(self, "ImportTimelineFromFile", path, options):
            return None
        suffix = Path(path).suffix.lower()
        adapter = {".otio": "otio_json", ".xml": "fcp_xml"}.get(suffix)
        if adapter is None or not Path(path).is_file():
            return None
        self._project.last_import_text = Path(path).read_text(encoding="utf-8")
        try:
            result = otio.adapters.read_from_file(path, adapter_name=adapter)
        except Exception:
            return None
        name = options.get("timelineName") or result.name
        if any(t._name == name for t in self._project._timelines):
            return None  # Resolve refuses a second timeline of the same name
        if options.get("importSourceClips", True):
            search = [self._current]
        else:
            search = list(options.get("sourceClipsFolders") or [self._current])
        pool = {c._path: c for f in search for c in f._clips}
        timeline = _timeline_from_otio(result, name, pool)
        self._project._timelines.append(timeline)
        return timeline


def _frames_of(path: str) -> int:
    try:
        import av

        with av.open(path) as container:
            stream = container.streams.video[0]
            return int(stream.frames or 0) or 48
    except Exception:
        return 48


# -- timeline ------------------------------------------------------------------------
class TimelineItem:
    def __init__(self, name: str, start: int, duration: int, mpi: MediaPoolItem | None,
                 track: int, *, source_in: int = 0, generator: str | None = None) -> None:
        self._name = name
        self._start = start
        self._duration = duration
        self._mpi = mpi
        self._track = track
        self._source_in = source_in
        self._generator = generator
        self._markers: dict[float, dict[str, Any]] = {}
        self._takes: list[dict[str, Any]] = []
        self._selected = 0

    def GetName(self) -> str:
        _rec(self, "GetName")
        return self._name

    def GetStart(self, subframe_precision: bool = False) -> int:
        _rec(self, "GetStart")
        return self._start

    def GetEnd(self, subframe_precision: bool = False) -> int:
        return self._start + self._duration

    def GetDuration(self, subframe_precision: bool = False) -> int:
        return self._duration

    def GetLeftOffset(self, subframe_precision: bool = False) -> int:
        return self._source_in

    def GetMediaPoolItem(self) -> MediaPoolItem | None:
        _rec(self, "GetMediaPoolItem")
        return self._mpi

    def GetTrackTypeAndIndex(self) -> list[Any]:
        return ["video", self._track]

    def GetMarkers(self) -> dict[float, dict[str, Any]]:
        return copy.deepcopy(self._markers)

    def AddTake(self, mediaPoolItem: MediaPoolItem, startFrame: int | None = None,
                endFrame: int | None = None) -> bool:
        if _rec(self, "AddTake", mediaPoolItem, startFrame, endFrame):
            return False
        if not isinstance(mediaPoolItem, MediaPoolItem):
            return False
        if not self._takes:  # the first take initialises a take selector with the clip
            self._takes.append({"mediaPoolItem": self._mpi, "startFrame": self._source_in,
                                "endFrame": self._source_in + self._duration})
            self._selected = 1
        first = 0 if startFrame is None else startFrame
        last = mediaPoolItem._frames if endFrame is None else endFrame
        self._takes.append({"mediaPoolItem": mediaPoolItem, "startFrame": first,
                            "endFrame": last})
        return True

    def GetSelectedTakeIndex(self) -> int:
        return self._selected if self._takes else 0

    def GetTakesCount(self) -> int:
        _rec(self, "GetTakesCount")
        return len(self._takes)

    def GetTakeByIndex(self, idx: int) -> dict[str, Any] | None:
        if not 1 <= idx <= len(self._takes):
            return None
        return dict(self._takes[idx - 1])

    def DeleteTakeByIndex(self, idx: int) -> bool:
        if _rec(self, "DeleteTakeByIndex", idx) or not 1 <= idx <= len(self._takes):
            return False
        del self._takes[idx - 1]
        if self._selected > len(self._takes) or self._selected == idx:
            self._selected = min(max(self._selected, 1), len(self._takes))
        return True

    def SelectTakeByIndex(self, idx: int) -> bool:
        if _rec(self, "SelectTakeByIndex", idx) or not 1 <= idx <= len(self._takes):
            return False
        self._selected = idx
        return True

    def FinalizeTake(self) -> bool:
        if _rec(self, "FinalizeTake") or not self._takes or not self._selected:
            return False
        take = self._takes[self._selected - 1]
        self._mpi = take["mediaPoolItem"]
        self._source_in = take["startFrame"]
        self._takes, self._selected = [], 0
        return True


class Timeline:
    def __init__(self, name: str, start: int = START) -> None:
        self._name = name
        self._start = start
        self._tracks: dict[int, list[TimelineItem]] = {1: []}
        self._markers: dict[float, dict[str, Any]] = {}

    def GetName(self) -> str:
        _rec(self, "GetName")
        return self._name

    def GetStartFrame(self) -> int:
        return self._start

    def GetEndFrame(self) -> int:
        ends = [i.GetEnd() for items in self._tracks.values() for i in items]
        return max(ends, default=self._start)

    def GetStartTimecode(self) -> str:
        return otio.opentime.to_timecode(otio.opentime.RationalTime(self._start, RATE), RATE)

    def GetSetting(self, name: str = "") -> str:
        # A small custom resolution keeps the previz renders of the tests fast.
        return {"timelineFrameRate": str(RATE), "timelineResolutionWidth": "320",
                "timelineResolutionHeight": "180"}.get(name, "")

    def GetTrackCount(self, track_type: str) -> int:
        return len(self._tracks) if track_type == "video" else 0

    def GetItemListInTrack(self, track_type: str, index: int) -> list[TimelineItem] | None:
        _rec(self, "GetItemListInTrack", track_type, index)
        if track_type != "video" or index not in self._tracks:
            return None
        return list(self._tracks[index])

    def GetMarkers(self) -> dict[float, dict[str, Any]]:
        _rec(self, "GetMarkers")
        return copy.deepcopy(self._markers)

    def AddMarker(self, frameId: float, color: str, name: str, note: str, duration: float,
                  customData: str = "") -> bool:
        if _rec(self, "AddMarker", frameId, color, name, note, duration) or (
                float(frameId) in self._markers):
            return False
        self._markers[float(frameId)] = {"color": color, "duration": float(duration),
                                         "note": note, "name": name, "customData": customData}
        return True

    def Export(self, fileName: str, exportType: int, exportSubtype: int | None = None
               ) -> bool:
        if _rec(self, "Export", fileName, exportType, exportSubtype):
            return False
        app = _APP[0]
        if exportType in (app.EXPORT_AAF, app.EXPORT_EDL) and exportSubtype is None:
            return False  # the subtype is required for AAF and EDL
        if exportType == getattr(app, "EXPORT_OTIO", object()):
            adapter = "otio_json"
        elif exportType == app.EXPORT_FCP_7_XML:
            adapter = "fcp_xml"
        else:
            return False
        timeline = self.to_otio()
        if adapter == "fcp_xml":  # OTIO's FCP XML writer cannot write generators
            for clip in timeline.find_clips():
                if isinstance(clip.media_reference, otio.schema.GeneratorReference):
                    clip.media_reference = otio.schema.MissingReference()
        try:
            otio.adapters.write_to_file(timeline, fileName, adapter_name=adapter)
        except Exception:  # Resolve reports a failed export as False
            return False
        return True

    # -- not part of the API: building and inspecting the fake -------------------------
    def add_item(self, track: int, item: TimelineItem) -> TimelineItem:
        self._tracks.setdefault(track, []).append(item)
        self._tracks[track].sort(key=lambda i: i._start)
        return item

    def to_otio(self) -> otio.schema.Timeline:
        """The timeline as Resolve's OTIO export writes it (gaps, markers on the stack)."""
        timeline = otio.schema.Timeline(name=self._name)
        timeline.global_start_time = otio.opentime.RationalTime(self._start, RATE)
        for index in sorted(self._tracks):
            track = otio.schema.Track(name=f"Video {index}", kind=otio.schema.TrackKind.Video)
            at = self._start
            for item in self._tracks[index]:
                if item._start > at:
                    track.append(otio.schema.Gap(
                        duration=otio.opentime.RationalTime(item._start - at, RATE)))
                clip = otio.schema.Clip(name=item._name)
                clip.source_range = otio.opentime.TimeRange(
                    otio.opentime.RationalTime(item._source_in, RATE),
                    otio.opentime.RationalTime(item._duration, RATE))
                if item._generator:
                    clip.media_reference = otio.schema.GeneratorReference(
                        generator_kind=item._generator,
                        available_range=otio.opentime.TimeRange(
                            otio.opentime.RationalTime(0, RATE),
                            otio.opentime.RationalTime(item._duration, RATE)))
                elif item._mpi is not None:
                    clip.media_reference = otio.schema.ExternalReference(
                        target_url=item._mpi._path,
                        available_range=otio.opentime.TimeRange(
                            otio.opentime.RationalTime(item._mpi._start, RATE),
                            otio.opentime.RationalTime(item._mpi._frames, RATE)))
                track.append(clip)
                at = item._start + item._duration
            timeline.tracks.append(track)
        for frame, info in sorted(self._markers.items()):
            marker = otio.schema.Marker(
                name=info["name"], color=info["color"].upper(),
                marked_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(frame, RATE),
                    otio.opentime.RationalTime(info["duration"], RATE)),
                metadata={"Resolve_OTIO": {"Keywords": [], "Note": info["note"]}})
            timeline.tracks.markers.append(marker)
        return timeline


def _timeline_from_otio(result: Any, name: str, pool: dict[str, MediaPoolItem]) -> Timeline:
    start = result.global_start_time
    timeline = Timeline(name, round(start.value) if start is not None else 0)
    video = [t for t in result.tracks if t.kind == otio.schema.TrackKind.Video]
    for index, track in enumerate(video, start=1):
        timeline._tracks.setdefault(index, [])
        for clip, rng in track.range_of_all_children().items():
            if not isinstance(clip, otio.schema.Clip):
                continue
            ref = clip.media_reference
            mpi = None
            generator = None
            if isinstance(ref, otio.schema.GeneratorReference):
                generator = ref.generator_kind
            elif getattr(ref, "target_url", None):
                mpi = pool.get(_path_of(ref.target_url))  # None: the clip comes in offline
            source_in = round(clip.source_range.start_time.value) if clip.source_range else 0
            if mpi is not None:
                source_in -= mpi._start
            timeline.add_item(index, TimelineItem(
                clip.name, timeline._start + round(rng.start_time.value_rescaled_to(RATE)),
                round(rng.duration.value_rescaled_to(RATE)), mpi, index,
                source_in=source_in, generator=generator))
    for marker in result.tracks.markers:
        rng = marker.marked_range
        timeline._markers[float(round(rng.start_time.value))] = {
            "color": str(marker.color).title(), "duration": float(rng.duration.value),
            "note": "", "name": marker.name, "customData": ""}
    return timeline


# -- project and app -----------------------------------------------------------------
class Project:
    def __init__(self, name: str) -> None:
        self._name = name
        self._timelines: list[Timeline] = []
        self._current: Timeline | None = None
        self._pool = MediaPool(self)
        self.last_import_text: str | None = None

    def GetName(self) -> str:
        return self._name

    def GetMediaPool(self) -> MediaPool | None:
        if _rec(self, "GetMediaPool"):
            return None
        return self._pool

    def GetTimelineCount(self) -> int:
        return len(self._timelines)

    def GetTimelineByIndex(self, idx: int) -> Timeline | None:
        return self._timelines[idx - 1] if 1 <= idx <= len(self._timelines) else None

    def GetCurrentTimeline(self) -> Timeline | None:
        _rec(self, "GetCurrentTimeline")
        return self._current

    def SetCurrentTimeline(self, timeline: Timeline) -> bool:
        if _rec(self, "SetCurrentTimeline", timeline) or timeline not in self._timelines:
            return False
        self._current = timeline
        return True


class ProjectManager:
    def __init__(self, project: Project | None) -> None:
        self._project = project

    def GetCurrentProject(self) -> Project | None:
        return self._project


class Resolve:
    EXPORT_AAF = 0
    EXPORT_DRT = 1
    EXPORT_EDL = 2
    EXPORT_FCP_7_XML = 3
    EXPORT_NONE = 20
    EXPORT_AAF_NEW = 21
    EXPORT_AAF_EXISTING = 22

    def __init__(self, project: Project | None, *, otio_export: bool = True,
                 version: str = "19.1.4.11") -> None:
        self._pm = ProjectManager(project)
        self._version = version
        if otio_export:  # Resolve 18.5 and later
            self.EXPORT_OTIO = 17

    def GetProjectManager(self) -> ProjectManager:
        return self._pm

    def GetVersionString(self) -> str:
        return self._version

    def GetProductName(self) -> str:
        return "DaVinci Resolve Studio"


# -- building a scene ----------------------------------------------------------------
def reset(media: dict[str, str] | None = None, *, running: bool = True,
          otio_export: bool = True, project: bool = True) -> Resolve | None:
    """A project "Feature" with the timeline "Cut 1" at 24 fps from 01:00:00:00.

    V1: A001 (48 f) | gap marked ``GEN establishing: ...`` (72 f) | A002 (48 f) |
    a solid-colour placeholder ``GEN stunt: ...`` (60 f) | A004 (48 f).  ``media``
    maps the clip names to real files (paths only matter for import and linking).
    """
    CALLS.clear()
    _FAIL.clear()
    _FAIL_NTH.clear()
    _COUNTS.clear()
    media = media or {}
    proj = Project("Feature") if project else None
    if proj is not None:
        timeline = Timeline("Cut 1")
        pool = proj._pool
        rushes = pool.AddSubFolder(pool._root, "Rushes")
        at = START
        for name, frames in (("A001_C003 road", 48), (None, 72), ("A002_C001 porch", 48),
                             ("GEN stunt: a stunt double jumps from a rooftop", 60),
                             ("A004_C007 alley", 48)):
            if name is None:
                timeline._markers[float(at - START)] = {
                    "color": "Blue", "duration": float(frames),
                    "note": "slow push-in at dusk", "customData": "",
                    "name": "GEN establishing: a farmhouse at dusk, slow push-in"}
            elif name.startswith("GEN"):
                timeline.add_item(1, TimelineItem(name, at, frames, None, 1,
                                                  generator="SolidColor"))
            else:
                mpi = MediaPoolItem(media.get(name, f"/media/{name.split()[0]}.mov"), 96)
                rushes._clips.append(mpi)
                timeline.add_item(1, TimelineItem(name, at, frames, mpi, 1))
            at += frames
        proj._timelines.append(timeline)
        proj._current = timeline
        CALLS.clear()
        _COUNTS.clear()
    app = Resolve(proj, otio_export=otio_export)
    _APP[0] = app if running else None
    return app


def snapshot() -> dict[str, Any]:
    """Everything a round trip could change, as plain data."""
    app = _APP[0]
    project = app._pm._project if app is not None else None
    if project is None:
        return {}
    pool = project._pool

    def folder(f: Folder) -> dict[str, Any]:
        return {"name": f._name, "clips": sorted(c._path for c in f._clips),
                "subs": [folder(s) for s in f._subs]}

    def item(i: TimelineItem) -> tuple[Any, ...]:
        return (i._name, i._start, i._duration, i._mpi._path if i._mpi else None,
                i._source_in, len(i._takes), i._selected)

    return {
        "folders": folder(pool._root),
        "current_folder": pool._current._name,
        "timelines": [(t._name, {k: [item(i) for i in v] for k, v in t._tracks.items()},
                       copy.deepcopy(t._markers)) for t in project._timelines],
        "current_timeline": project._current._name if project._current else None,
    }
