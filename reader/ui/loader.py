"""Loads a library on a worker thread: its posts, then their index; with progress and cancel."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Sequence

from PySide6.QtCore import QObject, QThread, Signal, Slot

from reader.core.library import Library


class _Worker(QObject):
    progress = Signal(str, int, int)   # phase ('Reading' / 'Indexing'), done, total
    parsed = Signal(object)            # Library, its index still None
    finished = Signal(object)          # the same Library, indexed
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, paths: Sequence[str], cancel: threading.Event) -> None:
        super().__init__()
        self._paths = list(paths)
        self._cancel = cancel

    @Slot()
    def run(self) -> None:
        from reader.core.index import SearchIndex
        from reader.core.parser import ParseCancelled, parse_paths

        last_permille = -1

        def on_progress(done: int, total: int) -> None:
            # Signals cross threads through the event queue: send one per 0.1 %, not per line.
            nonlocal last_permille
            permille = 1000 * done // total if total else 0
            if permille != last_permille:
                last_permille = permille
                self.progress.emit("Reading", done, total)

        try:
            result = parse_paths(self._paths, on_progress=on_progress,
                                 should_cancel=self._cancel.is_set)
            if self._cancel.is_set():
                raise ParseCancelled()
            library = Library(self._paths, result.posts, None, result.diagnostics)
            # The posts can be listed and read while the index is built (about a second for
            # the whole archive); only searching waits for it.
            self.parsed.emit(library)
            self.progress.emit("Indexing", 0, 0)
            index = SearchIndex.build(result.posts)
            if self._cancel.is_set():
                raise ParseCancelled()
            library.index = index
        except ParseCancelled:
            self.cancelled.emit()
            return
        except Exception as error:  # a bug below must reach the user, not kill the thread
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            self.failed.emit(f"Loading failed: {detail}")
            traceback.print_exc()
            return
        self.finished.emit(library)


class Loader(QObject):
    """Runs one load at a time; a new load cancels the one in progress."""

    progress = Signal(str, int, int)
    parsed = Signal(object)  # Library, not indexed yet: its posts can be shown
    finished = Signal(object)  # the same Library, indexed
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._cancel = threading.Event()
        self._worker: _Worker | None = None
        self._abandoned: list[QThread] = []

    @property
    def busy(self) -> bool:
        """True while a load, or a cancelled one that has not stopped yet, is running."""
        threads = [self._thread, *self._abandoned]
        return any(t is not None and t.isRunning() for t in threads)

    def start(self, paths: Sequence[str]) -> None:
        self.stop()
        self._cancel = threading.Event()
        thread = QThread(self)
        worker = _Worker(paths, self._cancel)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.progress)
        worker.parsed.connect(self._parsed)
        worker.finished.connect(self._finished)
        worker.cancelled.connect(self._cancelled)
        worker.failed.connect(self._failed)
        for signal in (worker.finished, worker.cancelled, worker.failed):
            signal.connect(thread.quit)
        thread.finished.connect(worker.deleteLater)
        self._thread, self._worker = thread, worker
        thread.start()

    def cancel(self) -> None:
        """Stop the running load; `cancelled` is emitted at once.

        Parsing stops at its next check. An index build cannot be interrupted halfway (it is a
        few long numpy calls), so it is left to finish in the background and its result is
        dropped: the window is back on its previous library immediately either way."""
        thread = self._thread
        if thread is None:
            return
        self._cancel.set()
        thread.quit()
        if thread.isRunning():  # keep it referenced: destroying a running QThread aborts
            self._abandoned.append(thread)
        # The worker's own signals no longer count once it is detached (see _current).
        self._thread = None
        self._worker = None
        self.cancelled.emit()

    def stop(self, timeout_ms: int = 1000) -> bool:
        """Cancel and wait for the worker thread (on close or before a new load); False when it
        is still busy after `timeout_ms` (indexing cannot be interrupted halfway)."""
        thread = self._thread
        if thread is None:
            return True
        self._cancel.set()
        thread.quit()
        finished = thread.wait(timeout_ms)
        if finished:
            self._thread = None
            self._worker = None
        else:  # keep it referenced: destroying a running QThread aborts the process
            self._abandoned.append(thread)
            self._thread = None
        return finished

    def _current(self) -> bool:
        return self.sender() is self._worker

    def _parsed(self, library: Library) -> None:
        if self._current():
            self.parsed.emit(library)

    def _finished(self, library: Library) -> None:
        if self._current():
            self.finished.emit(library)

    def _cancelled(self) -> None:
        if self._current():
            self.cancelled.emit()

    def _failed(self, message: str) -> None:
        if self._current():
            self.failed.emit(message)
