"""Saved state: written atomically within a second, read back, corrupt files replaced once."""

from __future__ import annotations

import json
from pathlib import Path

from reader.ui.state import HOME_ENV, AppState, atomic_write_json, default_dirs, library_key


def make_state(tmp_path: Path) -> AppState:
    return AppState(tmp_path / "config", tmp_path / "data")


def test_changes_reach_disk_within_a_second(qtbot, tmp_path: Path) -> None:
    state = make_state(tmp_path)
    state.set_read("p1", True)
    state.set_starred("p2", True)
    state.set("zoom", 1.25)
    qtbot.waitUntil(lambda: state.data_path.exists() and state.config_path.exists(),
                    timeout=1000)
    marks = json.loads(state.data_path.read_text(encoding="utf-8"))
    assert marks["read"] == ["p1"] and marks["starred"] == ["p2"]
    assert json.loads(state.config_path.read_text(encoding="utf-8"))["zoom"] == 1.25


def test_state_round_trip(qtbot, tmp_path: Path) -> None:
    state = make_state(tmp_path)
    state.set_read("p1", True)
    state.set_starred("p1", True)
    state.set_position("lib", "p1", 0.5)
    state.add_recent(["/tmp/a.txt"])
    state.flush()
    again = make_state(tmp_path)
    assert again.read == {"p1"} and again.starred == {"p1"}
    assert again.last_position("lib") == ("p1", 0.5)
    assert again.recent_libraries == [[str(Path("/tmp/a.txt").resolve())]]
    assert again.problems == []


def test_unmarking_is_saved(qtbot, tmp_path: Path) -> None:
    state = make_state(tmp_path)
    state.set_starred("p1", True)
    state.flush()
    state.set_starred("p1", False)
    state.flush()
    assert make_state(tmp_path).starred == set()


def test_corrupt_file_is_reported_once_and_replaced(qtbot, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "marks.json").write_text('{"read": ["p1"', encoding="utf-8")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_bytes(b"\xff\xfe binary")
    state = make_state(tmp_path)
    assert len(state.problems) == 2
    assert any("marks.json" in p and "damaged" in p for p in state.problems)
    assert any("settings.json" in p for p in state.problems)
    assert state.read == set()
    assert (tmp_path / "data" / "marks.json.corrupt").exists()
    state.set_read("p2", True)
    state.flush()
    again = make_state(tmp_path)
    assert again.problems == []
    assert again.read == {"p2"}


def test_wrong_types_are_ignored_not_fatal(qtbot, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "marks.json").write_text(
        '{"read": "p1", "starred": [1, "p2"], "positions": []}', encoding="utf-8")
    state = make_state(tmp_path)
    assert state.read == set() and state.starred == {"p2"}
    assert state.last_position("x") == (None, 0.0)


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.json"
    atomic_write_json(target, {"a": "科学空间"})
    atomic_write_json(target, {"a": 2})
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": 2}
    assert [p.name for p in target.parent.iterdir()] == ["f.json"]


def test_home_env_moves_both_dirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    assert default_dirs() == (tmp_path / "config", tmp_path / "data")


def test_library_key_ignores_order(tmp_path: Path) -> None:
    assert library_key([str(tmp_path / "b"), str(tmp_path / "a")]) == library_key(
        [str(tmp_path / "a"), str(tmp_path / "b")])
