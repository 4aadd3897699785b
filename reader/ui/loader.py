"""Loads a library on a worker thread: its posts, then their index; with progress and cancel."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from reader.core.library import Library


class _Worker(QObject):
    # Every signal starts with the load's number: the Loader ignores those of a load it gave
    # up (asking Qt for the sender instead crashed when that worker was already deleted).
    progress = Signal(int, str, int, int)  # phase ('Reading' / 'Indexing'), done, total
    parsed = Signal(int, object)           # Library, its index still None
    finished = Signal(int, object)         # the same Library, indexed
    cancelled = Signal(int)
    failed = Signal(int, str)

    def __init__(self, paths: Sequence[str], cancel: threading.Event, load: int,
                 cache_dir: Path | None) -> None:
        super().__init__()
        self._paths = list(paths)
        self._cancel = cancel
        self._load = load
        self._cache_dir = cache_dir

    @Slot()
    def run(self) -> None:
        from reader.core import index_cache
        from reader.core.index import SearchIndex
        from reader.core.parser import ParseCancelled, parse_paths

        last_permille = -1

        def on_progress(done: int, total: int) -> None:
            # Signals cross threads through the event queue: send one per 0.1 %, not per line.
            nonlocal last_permille
            permille = 1000 * done // total if total else 0
            if permille != last_permille:
                last_permille = permille
                self.progress.emit(self._load, "Reading", done, total)

        try:
            result = parse_paths(self._paths, on_progress=on_progress,
                                 should_cancel=self._cancel.is_set)
            if self._cancel.is_set():
                raise ParseCancelled()
            library = Library(self._paths, result.posts, None, result.diagnostics)
            # The posts can be listed and read while the index is built (most of a second for
            # the whole archive, unless it was kept from an earlier open); only searching waits.
            self.parsed.emit(self._load, library)
            self.progress.emit(self._load, "Indexing", 0, 0)
            index, key = None, None
            if self._cache_dir is not None:
                index, key = index_cache.load_cached(result.posts, self._cache_dir)
            built = index is None
            if built:
                index = SearchIndex.build(result.posts)
            if self._cancel.is_set():
                raise ParseCancelled()
            library.index = index
        except ParseCancelled:
            self.cancelled.emit(self._load)
            return
        except Exception as error:  # a bug below must reach the user, not kill the thread
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            self.failed.emit(self._load, f"Loading failed: {detail}")
            traceback.print_exc()
            return
        self.finished.emit(self._load, library)
        if built and key is not None:  # once search is ready (a key: a cache folder is set)
            index_cache.keep(index, key, self._cache_dir)


class Loader(QObject):
    """Runs one load at a time; a new load cancels the one in progress."""

    progress = Signal(str, int, int)
    parsed = Signal(object)  # Library, not indexed yet: its posts can be shown
    finished = Signal(object)  # the same Library, indexed
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, *, cache_dir: Path | None = None) -> None:
        super().__init__(parent)
        self._cache_dir = cache_dir
        """Where built indexes are kept (reader.core.index_cache); None: nowhere."""
        self._thread: QThread | None = None
        self._cancel = threading.Event()
        self._load = 0
        """The number of the load whose signals count; a load given up gets no new one."""
        # Every started load until its thread has finished: a running QThread destroyed aborts
        # the process, and the worker stays alive as long as its thread may still use it.
        self._started: list[tuple[QThread, _Worker]] = []

    @property
    def busy(self) -> bool:
        """True while a load, or a cancelled one that has not stopped yet, is running."""
        return any(thread.isRunning() for thread, _worker in self._started)

    def start(self, paths: Sequence[str]) -> None:
        self.stop()
        self._started = [(t, w) for t, w in self._started if not t.isFinished()]
        self._cancel = threading.Event()
        self._load += 1
        thread = QThread(self)
        worker = _Worker(paths, self._cancel, self._load, self._cache_dir)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._progress)
        worker.parsed.connect(self._parsed)
        worker.finished.connect(self._finished)
        worker.cancelled.connect(self._cancelled)
        worker.failed.connect(self._failed)
        for signal in (worker.finished, worker.cancelled, worker.failed):
            signal.connect(thread.quit)
        self._thread = thread
        self._started.append((thread, worker))
        thread.start()

    def cancel(self) -> None:
        """Stop the running load; `cancelled` is emitted at once.

        Parsing stops at its next check. An index build cannot be interrupted halfway (it is a
        few long numpy calls), so it is left to finish in the background and its result is
        dropped: the window is back on its previous library immediately either way."""
        if self._give_up() is None:
            return
        self.cancelled.emit()

    def stop(self, timeout_ms: int = 1000) -> bool:
        """Cancel and wait for the worker threads, a cancelled load's too (on close or before a
        new load); False when one is still busy after `timeout_ms` (indexing cannot be
        interrupted halfway)."""
        self._give_up()
        deadline = time.monotonic() + timeout_ms / 1000
        for thread, _worker in self._started:
            thread.quit()  # a finished load's thread may not have had its queued quit yet
            left_ms = max(int((deadline - time.monotonic()) * 1000), 0)
            if not thread.wait(left_ms):
                return False
        return True

    def _give_up(self) -> QThread | None:
        """Ask the running load to stop and ignore its signals from now on; its thread."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._cancel.set()
            thread.quit()
            self._load += 1
        return thread

    def _progress(self, load: int, phase: str, done: int, total: int) -> None:
        if load == self._load:
            self.progress.emit(phase, done, total)

    def _parsed(self, load: int, library: Library) -> None:
        if load == self._load:
            self.parsed.emit(library)

    def _finished(self, load: int, library: Library) -> None:
        if load == self._load:
            self._thread = None
            self.finished.emit(library)

    def _cancelled(self, load: int) -> None:
        if load == self._load:
            self._thread = None
            self.cancelled.emit()

    def _failed(self, load: int, message: str) -> None:
        if load == self._load:
            self._thread = None
            self.failed.emit(message)
