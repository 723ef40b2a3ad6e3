"""The Resolve bridge against the fake DaVinciResolveScript: connect, export, send, takes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pickup.cli import main
from pickup.errors import InputError
from pickup.hosts.resolve import (
    ResolveStepError,
    ResolveUnavailable,
    add_takes,
    connect,
    export_current_timeline,
    load_module,
    next_version_name,
    script_paths,
    send_timeline,
)
from pickup.timeline import find_slots, read_timeline


# -- reaching Resolve --------------------------------------------------------------------
def test_not_running_is_bad_input_with_file_mode(fake, capsys):
    fake.reset(running=False)
    with pytest.raises(ResolveUnavailable) as info:
        connect(fake)
    assert info.value.exit_code == 2
    assert "not running" in str(info.value) and "file mode" in str(info.value)
    assert main(["resolve", "open", "--no-panel"]) == 2
    err = capsys.readouterr().err
    assert "DaVinci Resolve cannot be reached" in err and "External scripting" in err


def test_no_project_open_is_bad_input(fake):
    fake.reset(project=False)
    session = connect(fake)
    with pytest.raises(ResolveUnavailable, match="no project open"):
        session.project()


def test_module_missing_names_the_folder(monkeypatch, tmp_path):
    monkeypatch.delitem(sys.modules, "DaVinciResolveScript", raising=False)
    env = {"RESOLVE_SCRIPT_API": str(tmp_path / "Scripting")}
    with pytest.raises(ResolveUnavailable) as info:
        load_module("linux", env)
    assert info.value.exit_code == 2
    assert str(tmp_path / "Scripting" / "Modules") in str(info.value)
    assert "file mode" in str(info.value)


def test_module_found_through_resolve_script_api(monkeypatch, tmp_path):
    modules = tmp_path / "Scripting" / "Modules"
    modules.mkdir(parents=True)
    (modules / "DaVinciResolveScript.py").write_text(
        "import os\nLIB = os.environ['RESOLVE_SCRIPT_LIB']\n"
        "def scriptapp(name):\n    return None\n")
    monkeypatch.delitem(sys.modules, "DaVinciResolveScript", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    env = {"RESOLVE_SCRIPT_API": str(tmp_path / "Scripting")}
    monkeypatch.setattr("os.environ", env)
    module = load_module("linux", env)
    assert module.LIB == "/opt/resolve/libs/Fusion/fusionscript.so"  # the documented default
    assert env["RESOLVE_SCRIPT_API"] == str(tmp_path / "Scripting")
    with pytest.raises(ResolveUnavailable):
        connect(module)


@pytest.mark.parametrize(("platform", "env", "api", "lib"), [
    ("darwin", {}, "/Library/Application Support/Blackmagic Design/DaVinci Resolve/Developer/"
     "Scripting", "/Applications/DaVinci Resolve/DaVinci Resolve.app/Contents/Libraries/Fusion/"
     "fusionscript.so"),
    ("win32", {"PROGRAMDATA": "C:/ProgramData", "PROGRAMFILES": "C:/Program Files"},
     "C:/ProgramData/Blackmagic Design/DaVinci Resolve/Support/Developer/Scripting",
     "C:/Program Files/Blackmagic Design/DaVinci Resolve/fusionscript.dll"),
    ("linux", {}, "/opt/resolve/Developer/Scripting", "/opt/resolve/libs/Fusion/fusionscript.so"),
    ("linux", {"RESOLVE_SCRIPT_API": "/x/api", "RESOLVE_SCRIPT_LIB": "/x/lib.so"}, "/x/api",
     "/x/lib.so"),
])
def test_script_paths_per_os(platform, env, api, lib):
    paths = script_paths(platform, env)
    assert paths.api.as_posix() == api
    assert paths.lib.as_posix() == lib
    assert paths.modules == paths.api / "Modules"


# -- export ------------------------------------------------------------------------------
def test_export_writes_otio_with_start_frame_and_slots(fake, tmp_path):
    result = export_current_timeline(connect(fake), tmp_path / "out")
    assert result.path == tmp_path / "out" / "Cut_1.otio" and result.format == "otio"
    (args,) = fake.called("Timeline.Export")
    assert args[1] == 17  # resolve.EXPORT_OTIO
    loaded = read_timeline(result.path)
    assert loaded.start_frame == 86400
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame)
    assert [(s.id, s.mark, s.duration) for s in slots] == [
        ("V1-01000200", "marker", 72), ("V1-01000700", "placeholder", 60)]
    assert list((tmp_path / "out").iterdir()) == [result.path]


def test_export_falls_back_to_fcp7_xml_without_otio(fake, tmp_path):
    fake.reset(otio_export=False)
    result = export_current_timeline(connect(fake), tmp_path)
    assert result.format == "fcp7xml" and result.path.suffix == ".xml"
    assert "18.5" in result.notes[0]
    assert read_timeline(result.path).format.name == "fcp7xml"


def test_export_failure_leaves_no_file(fake, tmp_path):
    fake.fail("Timeline.Export")
    with pytest.raises(ResolveStepError) as info:
        export_current_timeline(connect(fake), tmp_path)
    assert info.value.step == "export" and info.value.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_cli_open_no_panel_prints_export(fake, tmp_path, capsys):
    assert main(["resolve", "open", "--no-panel", "--dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(tmp_path / "Feature" / "Cut_1.otio")
    assert "exported Resolve timeline 'Cut 1' of project 'Feature' as otio" in err


def test_open_panel_missing_ui_is_clear(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pickup.ui.app", None)  # import fails
    assert main(["resolve", "open", "--dir", str(tmp_path)]) == 2
    assert "the Pickup panel is not available" in capsys.readouterr().err


def test_open_panel_calls_the_app(fake, tmp_path, monkeypatch):
    import types

    seen: list[list[str]] = []
    app = types.ModuleType("pickup.ui.app")
    app.main = lambda argv: seen.append(argv) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pickup.ui.app", app)
    assert main(["resolve", "open", "--dir", str(tmp_path)]) == 0
    assert seen == [[str(tmp_path / "Feature" / "Cut_1.otio")]]


# -- send as a new timeline --------------------------------------------------------------
def _timeline(fake, name):
    project = fake._APP[0]._pm._project
    return next(t for t in project._timelines if t._name == name)


def test_send_creates_new_version_and_leaves_cut_alone(fake, filled):
    before = fake.snapshot()
    result = send_timeline(connect(fake), filled)
    assert result.timeline_name == "Cut 1 pickup v01"
    after = fake.snapshot()
    assert after["timelines"][0] == before["timelines"][0]  # the editor's cut
    assert after["current_timeline"] == "Cut 1 pickup v01"
    assert after["current_folder"] == before["current_folder"]
    pickup_bin = next(f for f in after["folders"]["subs"] if f["name"] == "Pickup")
    assert len(pickup_bin["clips"]) == 4  # 2 slots x 2 takes
    items = {i._start: i for i in _timeline(fake, "Cut 1 pickup v01")._tracks[1]}
    assert items[86448]._mpi._path.endswith("V1-01000200_T01.mov")
    assert items[86568]._mpi._path.endswith("V1-01000700_T01.mov")
    assert items[86400]._mpi._path == "/media/A001_C003.mov"  # linked, not re-imported
    (args,) = fake.called("MediaPool.ImportTimelineFromFile")
    assert args[1]["timelineName"] == "Cut 1 pickup v01"
    assert args[1]["importSourceClips"] is False
    text = fake._APP[0]._pm._project.last_import_text
    data = json.loads(text)
    clips = [c for c in data["tracks"]["children"][0]["children"]
             if c["OTIO_SCHEMA"].startswith("Clip")]
    assert {c["OTIO_SCHEMA"] for c in clips} == {"Clip.1"}  # active take only
    assert all(not c["media_reference"].get("target_url", "").startswith("file:")
               for c in clips)


def test_send_twice_makes_v02_and_reuses_media(fake, filled):
    session = connect(fake)
    send_timeline(session, filled)
    second = send_timeline(session, filled)
    assert second.timeline_name == "Cut 1 pickup v02"
    assert second.imported == [] and len(second.reused) == 4
    assert len(fake.called("MediaPool.ImportMedia")) == 1


def test_next_version_name():
    assert next_version_name("Cut 1", ["Cut 1", "Cut 1 pickup v01", "Cut 1 pickup v07",
                                       "Other pickup v09"]) == "Cut 1 pickup v08"
    assert next_version_name("Cut 1 pickup v03", ["Cut 1 pickup v03"]) == "Cut 1 pickup v04"


@pytest.mark.parametrize(("method", "step"), [
    ("Project.GetMediaPool", "find the media pool"),
    ("MediaPool.GetRootFolder", "find the media pool"),
    ("MediaPool.AddSubFolder", "create the 'Pickup' bin"),
    ("MediaPool.SetCurrentFolder", "create the 'Pickup' bin"),
    ("MediaPool.ImportMedia", "import media"),
    ("MediaPool.ImportTimelineFromFile", "import the timeline"),
])
def test_send_failure_at_each_step_changes_nothing(fake, filled, method, step):
    before = fake.snapshot()
    fake.fail(method)
    with pytest.raises(ResolveStepError) as info:
        send_timeline(connect(fake), filled)
    assert info.value.step == step
    assert "left as it was" in str(info.value) and info.value.exit_code == 1
    assert fake.snapshot() == before


def test_send_unlinked_media_is_caught_and_undone(fake, filled, monkeypatch):
    before = fake.snapshot()
    monkeypatch.setattr(fake, "_path_of", lambda url: "/elsewhere/" + Path(url).name)
    with pytest.raises(ResolveStepError) as info:
        send_timeline(connect(fake), filled)
    assert info.value.step == "check the new timeline"
    assert "V1-01000200" in str(info.value)
    assert fake.snapshot() == before


def test_send_missing_take_media_touches_nothing(fake, filled, tmp_path):
    data = json.loads(filled.read_text())
    text = json.dumps(data).replace("V1-01000700_T02.mov", "gone.mov")
    broken = tmp_path / "broken.pickup.otio"
    broken.write_text(text)
    fake.CALLS.clear()
    with pytest.raises(InputError, match="missing"):
        send_timeline(connect(fake), broken)
    assert not [c for c, _ in fake.CALLS if c.startswith("MediaPool.")]


def test_send_unfilled_timeline_is_bad_input(fake, tmp_path):
    exported = export_current_timeline(connect(fake), tmp_path)
    with pytest.raises(InputError, match="no clips that Pickup filled"):
        send_timeline(connect(fake), exported.path)


def test_cli_send_prints_the_new_timeline(fake, filled, capsys):
    assert main(["resolve", "send", str(filled)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "Cut 1 pickup v01"
    assert "imported 4 take file(s) into the 'Pickup' bin" in err
    assert "your timelines are unchanged" in err


def test_cli_send_when_resolve_is_gone(fake, filled, capsys):
    fake.reset(running=False)
    assert main(["resolve", "send", str(filled)]) == 2
    assert "cannot be reached" in capsys.readouterr().err


# -- send as takes -----------------------------------------------------------------------
def _placeholder(fake):
    return next(i for i in _timeline(fake, "Cut 1")._tracks[1] if i._start == 86568)


def test_add_takes_builds_a_take_selector(fake, filled):
    result = add_takes(connect(fake), filled)
    item = _placeholder(fake)
    assert result.takes_added == {"V1-01000700": 2}
    assert item.GetTakesCount() == 3  # the placeholder itself, T01, T02
    assert item.GetSelectedTakeIndex() == 2  # T01, Pickup's active take
    assert item.GetTakeByIndex(2)["mediaPoolItem"]._path.endswith("V1-01000700_T01.mov")
    assert item._mpi is None  # not finalized: the placeholder is still there
    assert fake.called("TimelineItem.FinalizeTake") == []


def test_add_takes_finalize_keeps_the_active_take(fake, filled):
    add_takes(connect(fake), filled, finalize=True)
    item = _placeholder(fake)
    assert item.GetTakesCount() == 0
    assert item._mpi._path.endswith("V1-01000700_T01.mov")


@pytest.mark.parametrize(("method", "nth", "step"), [
    ("TimelineItem.AddTake", 1, "add take T01 to slot V1-01000700"),
    ("TimelineItem.AddTake", 2, "add take T02 to slot V1-01000700"),
    ("TimelineItem.SelectTakeByIndex", 1, "select the active take of slot V1-01000700"),
])
def test_add_takes_failure_is_undone(fake, filled, method, nth, step):
    before = fake.snapshot()
    fake.fail_nth(method, nth)
    with pytest.raises(ResolveStepError) as info:
        add_takes(connect(fake), filled)
    assert info.value.step == step
    assert fake.snapshot() == before


def test_add_takes_moved_placeholder_is_bad_input(fake, filled):
    _placeholder(fake)._start += 5
    before = fake.snapshot()
    with pytest.raises(InputError, match="no clip at V1 01:00:07:00"):
        add_takes(connect(fake), filled)
    assert fake.snapshot() == before


def test_cli_send_as_takes(fake, filled, capsys):
    assert main(["resolve", "send", str(filled), "--as-takes"]) == 0
    err = capsys.readouterr().err
    assert "slot V1-01000700: added 2 take(s)" in err
    assert main(["resolve", "send", str(filled), "--finalize"]) == 2


# -- headless fill -----------------------------------------------------------------------
def test_cli_fill_end_to_end(fake, tmp_path, capsys):
    code = main(["resolve", "fill", "--provider", "previz", "--dir", str(tmp_path),
                 "--name", "Cut 1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "Cut 1 pickup v01"
    items = {i._start: i for i in _timeline(fake, "Cut 1 pickup v01")._tracks[1]}
    assert items[86448]._name == "V1-01000200_T01"
    assert items[86568]._mpi._path.endswith("V1-01000700_T01.mov")
    assert (tmp_path / "Feature" / "Cut_1.pickup.otio").is_file()
    from pickup.media.probe import probe

    take = probe(items[86568]._mpi._path)  # sized from the timeline's Resolve settings
    assert (take.width, take.height) == (320, 180)
