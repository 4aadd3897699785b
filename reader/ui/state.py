"""What survives a restart: marks, positions, window layout, zoom, theme, recent libraries."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QObject, QTimer, Signal

APP_NAME = "kexue-reader"
HOME_ENV = "KEXUE_READER_HOME"
"""When set, config and data live in $KEXUE_READER_HOME/{config,data} (tests, portable use)."""

SAVE_DELAY_MS = 300
"""A change is written this long after it happens (well within the promised second)."""

MAX_RECENT = 10


def default_dirs() -> tuple[Path, Path]:
    """(config_dir, data_dir): $KEXUE_READER_HOME/… when set, else the platform's user dirs."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / "config", Path(home) / "data"
    return (Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def default_cache_dir() -> Path:
    """Where built search indexes are kept: $KEXUE_READER_HOME/cache when set, else the
    platform's user cache dir."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / "cache"
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def atomic_write_json(path: Path, value: object) -> None:
    """Write JSON so that a reader (or a crash) sees either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def library_key(paths: Sequence[str]) -> str:
    """One string naming a library (the set of paths it was opened from)."""
    return "\n".join(sorted(str(Path(p).expanduser().resolve()) for p in paths))


class AppState(QObject):
    """Settings (config dir) and reading marks (data dir), saved soon after every change."""

    problem = Signal(str)
    """A state file could not be read or written; the message says what was done about it."""

    def __init__(self, config_dir: Path | None = None, data_dir: Path | None = None,
                 parent: QObject | None = None, *, cache_dir: Path | None = None) -> None:
        super().__init__(parent)
        default_config, default_data = default_dirs()
        self.cache_dir = cache_dir
        """Where built search indexes are kept (reader.core.index_cache); None: nowhere."""
        self.config_path = Path(config_dir or default_config) / "settings.json"
        self.data_path = Path(data_dir or default_data) / "marks.json"
        self.problems: list[str] = []
        self._settings: dict[str, Any] = self._load(self.config_path)
        marks = self._load(self.data_path)
        self.read: set[str] = set(_str_list(marks.get("read")))
        self.starred: set[str] = set(_str_list(marks.get("starred")))
        positions = marks.get("positions")
        self._positions: dict[str, dict[str, Any]] = (
            positions if isinstance(positions, dict) else {})
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)

    # -- loading and saving -------------------------------------------------------------
    def _load(self, path: Path) -> dict[str, Any]:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as error:
            self._report(f"Could not read {path} ({error.strerror}); starting with defaults.")
            return {}
        try:
            value = json.loads(data.decode("utf-8"))
            if not isinstance(value, dict):
                raise ValueError("not a JSON object")
        except ValueError as error:
            backup = path.with_name(path.name + ".corrupt")
            with contextlib.suppress(OSError):
                os.replace(path, backup)
            self._report(f"The state file {path} was damaged ({error}); it was set aside as "
                         f"{backup.name} and replaced with a fresh one.")
            return {}
        return value

    def _report(self, message: str) -> None:
        self.problems.append(message)
        self.problem.emit(message)

    def changed(self) -> None:
        """Note a change; it is written within SAVE_DELAY_MS."""
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Write both files now (also called on close)."""
        self._timer.stop()
        marks = {"read": sorted(self.read), "starred": sorted(self.starred),
                 "positions": self._positions}
        for path, value in ((self.config_path, self._settings), (self.data_path, marks)):
            try:
                atomic_write_json(path, value)
            except OSError as error:
                self._report(f"Could not save {path}: {error.strerror or error}.")

    # -- marks ----------------------------------------------------------------------------
    def set_read(self, post_id: str, read: bool) -> None:
        if (post_id in self.read) != read:
            (self.read.add if read else self.read.discard)(post_id)
            self.changed()

    def set_starred(self, post_id: str, starred: bool) -> None:
        if (post_id in self.starred) != starred:
            (self.starred.add if starred else self.starred.discard)(post_id)
            self.changed()

    # -- positions ------------------------------------------------------------------------
    def last_position(self, library: str) -> tuple[str | None, float]:
        """(post id, scroll fraction) last shown in this library."""
        entry = self._positions.get(library)
        if not isinstance(entry, dict):
            return None, 0.0
        post = entry.get("post")
        scroll = entry.get("scroll")
        return (post if isinstance(post, str) else None,
                float(scroll) if isinstance(scroll, int | float) else 0.0)

    def set_position(self, library: str, post_id: str, scroll: float) -> None:
        entry = {"post": post_id, "scroll": round(max(0.0, min(1.0, scroll)), 4),
                 "at": int(time.time())}
        old = self._positions.get(library)
        if not isinstance(old, dict) or old.get("post") != post_id or old.get("scroll") != entry[
                "scroll"]:
            self._positions[library] = entry
            self.changed()

    # -- settings -------------------------------------------------------------------------
    def get(self, name: str, default: Any = None) -> Any:
        return self._settings.get(name, default)

    def set(self, name: str, value: Any) -> None:
        if self._settings.get(name) != value:
            self._settings[name] = value
            self.changed()

    @property
    def recent_libraries(self) -> list[list[str]]:
        """Most recent first; each entry is the list of paths a library was opened from."""
        value = self._settings.get("recent", [])
        if not isinstance(value, list):
            return []
        return [entry for entry in value if isinstance(entry, list) and entry
                and all(isinstance(p, str) for p in entry)]

    def add_recent(self, paths: Sequence[str]) -> None:
        entry = [str(Path(p).expanduser().resolve()) for p in paths]
        recent = [r for r in self.recent_libraries if r != entry]
        self.set("recent", [entry, *recent][:MAX_RECENT])


def _str_list(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
