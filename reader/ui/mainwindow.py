"""The main window: search bar and post list | reading pane, menus, status bar and panels."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reader.core.library import Library, Listing, SortKey, mark_filter
from reader.core.model import Diagnostic, Post
from reader.core.visited import Visited
from reader.ui.actions import HelpOverlay, build_actions, build_menus
from reader.ui.diagnostics import DiagnosticsPanel
from reader.ui.keyfilter import WebViewKeyFilter
from reader.ui.loader import Loader
from reader.ui.postlist import PostListModel, PostListView, PostRole
from reader.ui.readingpane import ReadingPane
from reader.ui.searchbar import SearchBar
from reader.ui.state import AppState, library_key
from reader.ui.theme import (
    ACCENT,
    HIGHLIGHT_BACKGROUND,
    HIGHLIGHT_FOREGROUND,
    LIST_BACKGROUND,
    SELECTION_BACKGROUND,
    ThemeManager,
)

ZOOM_STEPS = (0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
SORT_LABELS: dict[SortKey, str] = {"date": "Newest first", "readers": "Most read",
                                   "score": "Best match"}
SLOW_SEARCH_MS = 40
MAX_SEARCH_DELAY_MS = 250
WELCOME = ("<b>Welcome to kexue-reader.</b> You are reading a small sample of 科学空间. "
           "To read your own copy: <b>File ▸ Open file</b> (Ctrl+O) or <b>Open folder</b> "
           "(Ctrl+Shift+O), drag files or folders onto this window, or pick one under "
           "<b>File ▸ Recent libraries</b>. Press <b>?</b> for the keys.")


class MainWindow(QMainWindow):
    """Browse a library with the keyboard: list on the left, the post on the right."""

    library_loaded = Signal(int)
    error_reported = Signal(str)
    """Emitted (from any thread) to show an error in the diagnostics panel."""

    def __init__(self, state: AppState, theme: ThemeManager | None = None) -> None:
        super().__init__()
        self.setWindowTitle("kexue-reader")
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.state = state
        self.theme = theme
        self.library: Library | None = None
        self.posts: list[Post] = []
        self.search_results = None
        self.current_post: Post | None = None
        self._match_message = ""  # the last count of matches in the pane shown in the status bar
        self._visited = Visited()
        # The list's filters stay as the reader left them, like the sort order.
        self._only_unread = state.get("only_unread") is True
        self._only_starred = state.get("only_starred") is True
        self._zoom = float(state.get("zoom", 1.0)) if isinstance(state.get("zoom"), int | float) \
            else 1.0
        self._scroll_to_restore: tuple[str, float] | None = None
        # While a library's posts are shown and its index is built: the one shown before, back
        # if the build is cancelled or fails.
        self._shown_before: Library | None = None

        self.loader = Loader(self, cache_dir=state.cache_dir)
        self.loader.progress.connect(self._load_progress)
        self.loader.parsed.connect(self._show_library)
        self.loader.finished.connect(self._library_ready)
        self.loader.cancelled.connect(self._load_cancelled)
        self.loader.failed.connect(self._load_failed)

        self._build_widgets()
        self.error_reported.connect(lambda message: self.report("error", message))
        self.actions_by_command = build_actions(self, self.handlers())
        self.menus = build_menus(self, self.actions_by_command)
        self._build_recent_menu()
        self.actions_by_command["only_unread"].setChecked(self._only_unread)
        self.actions_by_command["only_starred"].setChecked(self._only_starred)
        self._key_filter = WebViewKeyFilter(self.reading_pane)
        self._restore_layout()
        for problem in state.problems:
            self.report("error", problem, source="settings")
        state.problem.connect(lambda message: self.report("error", message, source="settings"))
        if theme is not None:
            theme.dark_changed.connect(self._dark_changed)
        self._dark_changed(theme.dark if theme is not None else False)
        self._check_theme_action()

    # -- construction ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.search_bar = SearchBar()
        self.search_bar.query_changed.connect(self._query_changed)
        self.search_bar.accepted.connect(self.open_first_result)
        self.search_bar.cleared.connect(self.focus_list)
        for signal in (self.search_bar.accepted, self.search_bar.cleared):
            signal.connect(lambda: self.state.set("search_history", self.search_bar.history))
        self.search_bar.set_history(self.state.get("search_history", []) or [])
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.sort_box = QComboBox()
        for key, label in SORT_LABELS.items():
            self.sort_box.addItem(label, key)
        self.sort_box.setToolTip("Sort order (Ctrl+1 date, Ctrl+2 readers, Ctrl+3 score)")
        self.sort_box.activated.connect(
            lambda _i: self.set_sort(self.sort_box.currentData()))
        self.sort_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.model = PostListModel(self.state.read, self.state.starred)
        self.post_list = PostListView(self.model)
        self.post_list.selectionModel().currentChanged.connect(self._current_changed)
        self.post_list.setMinimumWidth(260)

        # Created dark when the theme is dark, so it never flashes white first.
        self.reading_pane = ReadingPane(dark=self.theme.dark if self.theme else False)
        self.reading_pane.end_reached.connect(self.next_post)
        self.reading_pane.scroll_changed.connect(self._scroll_changed)
        self.reading_pane.typeset_finished.connect(self._typeset_finished)
        self.reading_pane.matches_changed.connect(self._matches_changed)
        self.reading_pane.setAcceptDrops(False)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 0)
        left_layout.setSpacing(4)
        left_layout.addWidget(self.search_bar)
        info = QHBoxLayout()
        info.addWidget(self.count_label, 1)
        info.addWidget(self.sort_box)
        left_layout.addLayout(info)
        left_layout.addWidget(self.post_list, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.reading_pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(lambda *_: self._save_layout())

        self.welcome = QFrame()
        self.welcome.setObjectName("welcome")
        self.welcome.setFrameShape(QFrame.Shape.StyledPanel)
        welcome_layout = QHBoxLayout(self.welcome)
        welcome_layout.setContentsMargins(10, 4, 4, 4)
        welcome_text = QLabel(WELCOME)
        welcome_text.setWordWrap(True)
        welcome_layout.addWidget(welcome_text, 1)
        close_welcome = QToolButton()
        close_welcome.setText("✕")
        close_welcome.setToolTip("Close this note")
        close_welcome.clicked.connect(self.welcome.hide)
        welcome_layout.addWidget(close_welcome, 0, Qt.AlignmentFlag.AlignTop)
        self.welcome.hide()

        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.welcome)
        central_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.diagnostics = DiagnosticsPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.diagnostics)
        self.diagnostics.hide()
        self.diagnostics.visibilityChanged.connect(self._diagnostics_visibility)

        status = self.statusBar()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_button.clicked.connect(self.loader.cancel)
        self.diagnostics_button = QToolButton()
        self.diagnostics_button.setAutoRaise(True)
        self.diagnostics_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.diagnostics_button.clicked.connect(self.toggle_diagnostics)
        for widget in (self.progress, self.cancel_button):
            status.addPermanentWidget(widget)
            widget.hide()
        status.addPermanentWidget(self.diagnostics_button)
        self.diagnostics_button.hide()

        self.help_overlay = HelpOverlay(self)
        self.help_overlay.closed.connect(self.focus_list)

    def handlers(self) -> dict[str, Callable[[], object]]:
        """The handler of every command of the key table."""
        return {
            "open_file": self.choose_files, "open_folder": self.choose_folder,
            "reload": self.reload, "quit": self.close,
            "next_post": self.next_post, "previous_post": self.previous_post,
            "first_post": self.first_post, "last_post": self.last_post,
            "page_down": self.reading_pane.page_down, "page_up": self.reading_pane.page_up,
            "back": self.back, "forward": self.forward, "focus_list": self.focus_list,
            "focus_search": self.focus_search,
            "next_match": self.reading_pane.next_match,
            "previous_match": self.reading_pane.previous_match,
            "open_first_result": self.open_first_result, "clear_search": self.clear_search,
            "history_back": lambda: self.search_bar.keyPressEvent(_key(Qt.Key.Key_Up)),
            "history_forward": lambda: self.search_bar.keyPressEvent(_key(Qt.Key.Key_Down)),
            "toggle_star": self.toggle_star, "toggle_read": self.toggle_read,
            "open_original": self.open_original,
            "only_unread": self.toggle_only_unread, "only_starred": self.toggle_only_starred,
            "sort_date": lambda: self.set_sort("date"),
            "sort_readers": lambda: self.set_sort("readers"),
            "sort_score": lambda: self.set_sort("score"),
            "zoom_in": lambda: self.zoom(+1), "zoom_out": lambda: self.zoom(-1),
            "zoom_reset": lambda: self.zoom(0),
            "theme_light": lambda: self.set_theme("light"),
            "theme_dark": lambda: self.set_theme("dark"),
            "theme_auto": lambda: self.set_theme("auto"),
            "toggle_diagnostics": self.toggle_diagnostics,
            "full_screen": self.toggle_full_screen, "help": self.help_overlay.toggle,
        }

    def _build_recent_menu(self) -> None:
        self.recent_menu = self.menus["File"].addMenu("Recent libraries")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        self.menus["View"].addSeparator()
        for command in ("theme_light", "theme_dark", "theme_auto"):
            self.actions_by_command[command].setCheckable(True)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.state.recent_libraries
        for paths in recent:
            label = " + ".join(Path(p).name or p for p in paths)
            action = self.recent_menu.addAction(label)
            action.setToolTip("\n".join(paths))
            action.triggered.connect(lambda _c=False, p=paths: self.open_paths(p))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    # -- layout state ---------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.state.get("geometry")
        restored = False
        if isinstance(geometry, str):
            try:
                restored = self.restoreGeometry(base64.b64decode(geometry))
            except ValueError:
                restored = False
        if not restored:
            self.resize(1280, 820)
        sizes = self.state.get("splitter")
        if isinstance(sizes, list) and len(sizes) == 2 and all(isinstance(s, int) for s in sizes):
            self.splitter.setSizes(sizes)
        else:
            self.splitter.setSizes([400, 880])
        self.reading_pane.set_zoom(self._zoom)

    def _save_layout(self) -> None:
        self.state.set("geometry", base64.b64encode(bytes(self.saveGeometry())).decode("ascii"))
        self.state.set("splitter", self.splitter.sizes())

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.isVisible():  # saved (debounced) so that a killed process keeps it too
            self._save_layout()

    def moveEvent(self, event: object) -> None:
        super().moveEvent(event)  # type: ignore[arg-type]
        if self.isVisible():
            self._save_layout()

    def closeEvent(self, event: object) -> None:
        self.loader.stop()
        self._save_layout()
        self.state.set("search_history", self.search_bar.history)
        self.state.flush()
        super().closeEvent(event)  # type: ignore[arg-type]

    # -- opening libraries ----------------------------------------------------------------
    def open_paths(self, paths: Sequence[str]) -> None:
        """Parse and index `paths` off the GUI thread; `library_loaded` follows."""
        paths = [str(p) for p in paths]
        missing = [p for p in paths if not Path(p).exists()]
        for path in missing:
            self.report("error", "This file or folder does not exist.", source=path)
        paths = [p for p in paths if p not in missing]
        if not paths:
            self.statusBar().showMessage("Nothing to open.", 5000)
            return
        self._pending_paths = paths
        self.progress.setRange(0, 0)
        self.progress.setFormat("Reading…")
        self.progress.show()
        self.cancel_button.show()
        self.statusBar().showMessage(f"Opening {', '.join(Path(p).name for p in paths)}…")
        # The index is what the reader waits for next (search): the pane's background
        # typesetting waits until it is built (docs/benchmarks.md, "Opening a library").
        self.reading_pane.hold_background(True)
        self.loader.start(paths)

    def show_welcome(self) -> None:
        self.welcome.show()

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Open dump or Markdown files", str(Path.home()),
            "Archives (*.txt *.md *.markdown);;All files (*)")
        if files:
            self.open_paths(files)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder", str(Path.home()))
        if folder:
            self.open_paths([folder])

    def reload(self) -> None:
        if self.library is not None:
            self.open_paths(self.library.paths)

    def dragEnterEvent(self, event: object) -> None:
        if event.mimeData().hasUrls():  # type: ignore[attr-defined]
            event.acceptProposedAction()  # type: ignore[attr-defined]

    def dropEvent(self, event: object) -> None:
        urls = event.mimeData().urls()  # type: ignore[attr-defined]
        paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()  # type: ignore[attr-defined]
            self.open_paths(paths)

    def _load_progress(self, phase: str, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
            self.progress.setFormat(f"{phase} %p%")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat(f"{phase}…")

    def _end_loading(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.reading_pane.hold_background(False)

    def _load_cancelled(self) -> None:
        self._end_loading()
        self._back_to_indexed()
        self.statusBar().showMessage("Opening cancelled.", 5000)

    def _load_failed(self, message: str) -> None:
        self._end_loading()
        self._back_to_indexed()
        self.report("error", message)
        self.diagnostics.show()

    def _back_to_indexed(self) -> None:
        """After a load stopped while its index was built: the library shown before it."""
        if self.library is None or self.library.index is not None:
            return
        previous, self._shown_before = self._shown_before, None
        if previous is not None:
            self._show_library(previous)
            return
        self.library, self.posts, self.current_post = None, [], None
        self.model.set_listing(Listing())
        self._update_count(Listing())
        self.reading_pane.clear()
        self.setWindowTitle("kexue-reader")

    def _library_ready(self, library: Library) -> None:
        """The library is indexed: searching works from now on."""
        self._end_loading()
        self._shown_before = None
        # Remembered only now: a load cancelled while indexing is not reopened at the next start.
        self.state.add_recent(library.paths)
        self.state.set("last_library", library.paths)
        # Its posts are shown already: `parsed` comes first (queued signals of one thread keep
        # their order).
        if self.search_bar.text().strip():
            self._refresh()  # the query typed while indexing
        self.library_loaded.emit(len(library.posts))

    def _show_library(self, library: Library) -> None:
        """List and read the library's posts (searching them waits for its index)."""
        if library.index is None and self.library is not None and self.library.index is not None:
            self._shown_before = self.library
        self.library = library
        self.posts = library.posts
        self.diagnostics.model.set_diagnostics(library.diagnostics)
        self._update_diagnostics_button()
        self._visited.clear()
        self.current_post = None
        names = ", ".join(Path(p).name for p in library.paths)
        self.setWindowTitle(f"{names} — kexue-reader")
        summary = self.diagnostics.summary()
        self.statusBar().showMessage(
            f"{len(library.posts):,} posts from {names}" + (f" ({summary})" if summary else ""),
            8000)
        self._refresh()
        post_id, scroll = self.state.last_position(library_key(library.paths))
        if post_id and post_id in library.by_id:
            self.select_post(post_id, scroll=scroll, restore=True)
        elif self.model.rowCount():
            self._select_row(0)
        else:
            self.reading_pane.clear()  # an empty library: nothing to show

    # -- listing --------------------------------------------------------------------------
    def _sort(self) -> SortKey:
        name = "search_sort" if self.search_bar.text().strip() else "sort"
        value = self.state.get(name, "score" if name == "search_sort" else "date")
        return value if value in SORT_LABELS else "date"

    def set_sort(self, sort: SortKey) -> None:
        name = "search_sort" if self.search_bar.text().strip() else "sort"
        self.state.set(name, sort)
        self._refresh()

    def _refresh(self) -> None:
        """Rebuild the list from the query, sort and filters, keeping the current post."""
        sort = self._sort()
        self.sort_box.setCurrentIndex(self.sort_box.findData(sort))
        if self.library is None:
            return
        keep = mark_filter(only_unread=self._only_unread, only_starred=self._only_starred,
                           read=self.state.read, starred=self.state.starred)
        listing = self.library.listing(self.search_bar.text(), sort, keep=keep)
        self.search_results = listing.results
        self.model.set_listing(listing)
        self._update_count(listing)
        if self.current_post is not None:
            row = self._row_in_list(self.current_post.id)
            if row is not None:
                self._select_row(row, show=False)
        self.reading_pane.set_terms(listing.terms)

    def _update_count(self, listing: Listing) -> None:
        filters = [name for name, on in (("unread", self._only_unread),
                                         ("starred", self._only_starred)) if on]
        shown = f" · only {' & '.join(filters)}" if filters else ""
        if listing.message:
            text = listing.message
        elif listing.query:
            text = f"{listing.total:,} match{'es' if listing.total != 1 else ''}{shown}"
        else:
            text = f"{listing.total:,} posts{shown}"
        self.count_label.setText(text)
        self.count_label.setToolTip(text)

    def _query_changed(self, _text: str) -> None:
        started = time.perf_counter()
        self._refresh()
        if self.search_bar.text().strip():
            # The best matches are what a reader types for, not wherever the current post
            # ranks: it stays selected (arrows, n/p go on from it), but the list shows the top.
            # A cleared query goes back to the current post in the full list.
            self.post_list.scrollToTop()
        elapsed_ms = (time.perf_counter() - started) * 1000
        # Fast searches run on every keystroke; slow ones (huge libraries, busy machine) wait
        # for a short pause in typing instead, so that key presses are never held up.
        self.search_bar.set_delay(0 if elapsed_ms < SLOW_SEARCH_MS else
                                  min(MAX_SEARCH_DELAY_MS, int(elapsed_ms)))

    def set_query(self, text: str) -> None:
        """Search as if `text` had been typed into the search bar."""
        self.search_bar.set_query(text)
        self.search_bar.flush()

    def open_first_result(self) -> None:
        if self.model.rowCount():
            self._select_row(0)
            self.focus_list()

    def clear_search(self) -> None:
        self.set_query("")
        self.focus_list()

    def focus_search(self) -> None:
        self.search_bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_bar.selectAll()

    def focus_list(self) -> None:
        self.post_list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def toggle_only_unread(self) -> None:
        self._only_unread = not self._only_unread
        self.actions_by_command["only_unread"].setChecked(self._only_unread)
        self.state.set("only_unread", self._only_unread)
        self._refresh()

    def toggle_only_starred(self) -> None:
        self._only_starred = not self._only_starred
        self.actions_by_command["only_starred"].setChecked(self._only_starred)
        self.state.set("only_starred", self._only_starred)
        self._refresh()

    # -- moving between posts -------------------------------------------------------------
    def _current_row(self) -> int:
        index = self.post_list.currentIndex()
        return index.row() if index.isValid() else -1

    def _row_in_list(self, post_id: str) -> int | None:
        """A post's row: found however far down the full list, but in search results only among
        the rows fetched (finding it further down would cost a search per page of results)."""
        if self.model.listing.query:
            return self.model.row_of(post_id)
        return self.model.fetch_to(post_id)

    def _select_row(self, row: int, *, show: bool = True) -> None:
        index = self.model.index(row)
        if not index.isValid():
            return
        selection = self.post_list.selectionModel()
        if not show:
            selection.blockSignals(True)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if not show:
            selection.blockSignals(False)
            self.post_list.viewport().update()
        self.post_list.scroll_to_row(index)

    def next_post(self) -> None:
        row = self._current_row() + 1
        if row >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        if row < self.model.rowCount():
            self._select_row(row)

    def previous_post(self) -> None:
        row = self._current_row()
        if row > 0:
            self._select_row(row - 1)
        elif row < 0 and self.model.rowCount():
            self._select_row(0)

    def first_post(self) -> None:
        self._select_row(0)

    def last_post(self) -> None:
        self.model.fetch_all()
        self._select_row(self.model.rowCount() - 1)

    def select_post(self, post_id: str, *, scroll: float = 0.0, restore: bool = False) -> None:
        """Show a post (selecting its row when it is in the list); `restore` = reopening the
        last post at `scroll` without marking it read."""
        if self.library is None or post_id not in self.library.by_id:
            return
        row = self.model.fetch_to(post_id)
        self._scroll_to_restore = (post_id, scroll) if restore else None
        if row is not None:
            if self._current_row() == row:
                self._show(self.library.by_id[post_id])
            else:
                self._select_row(row)
        else:
            self.post_list.selectionModel().clearCurrentIndex()
            self._show(self.library.by_id[post_id])

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        post = current.data(PostRole) if current.isValid() else None
        if post is not None:
            self._show(post)

    def _show(self, post: Post, *, from_history: bool = False) -> None:
        scroll = 0.0
        restoring = bool(self._scroll_to_restore and self._scroll_to_restore[0] == post.id)
        if self._scroll_to_restore and restoring:
            scroll = self._scroll_to_restore[1]
        self._scroll_to_restore = None
        self.current_post = post
        terms = self.model.listing.terms
        self.reading_pane.show_post(post, terms=terms, scroll=scroll)
        if not from_history:
            self._visited.visit(post.id)
        if not restoring:  # reopening where the reader left keeps the marks as they were
            self.state.set_read(post.id, True)
            self.model.post_changed(post.id)
        if self.library is not None:
            self.state.set_position(library_key(self.library.paths), post.id, scroll)

    def back(self) -> None:
        self._go_visited(self._visited.back())

    def forward(self) -> None:
        self._go_visited(self._visited.forward())

    def _go_visited(self, post_id: str | None) -> None:
        if self.library is None or post_id is None:
            return
        post = self.library.by_id.get(post_id)
        if post is None:
            return
        row = self._row_in_list(post.id)
        selection = self.post_list.selectionModel()
        selection.blockSignals(True)
        if row is not None:
            selection.setCurrentIndex(self.model.index(row),
                                      QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.post_list.scroll_to_row(self.model.index(row))
        else:
            selection.clearCurrentIndex()
        selection.blockSignals(False)
        self.post_list.viewport().update()
        self._show(post, from_history=True)

    def _matches_changed(self, current: int, total: int) -> None:
        # The pane counts from 0, and -1 means no match is selected yet.
        bar = self.statusBar()
        if total and current >= 0:
            message = f"Match {current + 1} of {total} in this post  (n / N: next / previous)"
        elif total:
            plural = "es" if total != 1 else ""
            message = f"{total} match{plural} in this post  (n: go to the first)"
        else:
            # None left (`向量` typed after `向`): the count shown for the shorter query is stale.
            if bar.currentMessage() == self._match_message:
                bar.clearMessage()
            return
        self._match_message = message
        bar.showMessage(message, 4000)

    def _scroll_changed(self, post_id: str, fraction: float) -> None:
        if self.library is not None and post_id in self.library.by_id:
            self.state.set_position(library_key(self.library.paths), post_id, fraction)

    # -- marks ----------------------------------------------------------------------------
    def toggle_star(self) -> None:
        post = self.current_post
        if post is None:
            return
        starred = post.id not in self.state.starred
        self.state.set_starred(post.id, starred)
        self.model.post_changed(post.id)
        self.statusBar().showMessage("Starred." if starred else "Star removed.", 3000)

    def toggle_read(self) -> None:
        post = self.current_post
        if post is None:
            return
        read = post.id not in self.state.read
        self.state.set_read(post.id, read)
        self.model.post_changed(post.id)
        self.statusBar().showMessage("Marked read." if read else "Marked unread.", 3000)

    def open_original(self) -> None:
        post = self.current_post
        if post is None:
            return
        if post.url:
            QDesktopServices.openUrl(QUrl(post.url))
            self.statusBar().showMessage(f"Opened {post.url}", 5000)
        else:
            QGuiApplication.clipboard().setText(post.title)
            self.statusBar().showMessage(
                "The original address of this post is not known; its title was copied.", 5000)

    # -- view -----------------------------------------------------------------------------
    def zoom(self, step: int) -> None:
        if step == 0:
            factor = 1.0
        else:
            nearest = min(range(len(ZOOM_STEPS)), key=lambda i: abs(ZOOM_STEPS[i] - self._zoom))
            factor = ZOOM_STEPS[max(0, min(len(ZOOM_STEPS) - 1, nearest + step))]
        self._zoom = factor
        self.reading_pane.set_zoom(factor)
        self.state.set("zoom", factor)
        self.statusBar().showMessage(f"Zoom {round(factor * 100)}%", 2000)

    def set_theme(self, choice: str) -> None:
        self.state.set("theme", choice)
        if self.theme is not None:
            self.theme.set_choice(choice)
        self._check_theme_action()

    def _check_theme_action(self) -> None:
        choice = self.theme.choice if self.theme is not None else self.state.get("theme", "auto")
        for name in ("light", "dark", "auto"):
            self.actions_by_command[f"theme_{name}"].setChecked(name == choice)

    def _dark_changed(self, dark: bool) -> None:
        self.reading_pane.set_dark(dark)
        name = "dark" if dark else "light"
        self.model.highlight_background = _color(HIGHLIGHT_BACKGROUND[name])
        self.model.highlight_foreground = _color(HIGHLIGHT_FOREGROUND[name])
        self.model.selection_background = _color(SELECTION_BACKGROUND[name])
        self.model.accent = _color(ACCENT[name])
        self.post_list.setStyleSheet(
            f"QTableView {{ background-color: {LIST_BACKGROUND[name]}; }}")
        self.post_list.viewport().update()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.actions_by_command["full_screen"].setChecked(self.isFullScreen())

    def toggle_diagnostics(self) -> None:
        self.diagnostics.setVisible(not self.diagnostics.isVisible())

    def _diagnostics_visibility(self, visible: bool) -> None:
        self.actions_by_command["toggle_diagnostics"].setChecked(visible)

    def report(self, severity: str, message: str, *, source: str = "kexue-reader") -> None:
        """Show an error or warning in the diagnostics panel and the status bar."""
        self.diagnostics.model.add(Diagnostic(source, None, severity, message))  # type: ignore[arg-type]
        self._update_diagnostics_button()
        self.statusBar().showMessage(message, 10000)

    def _update_diagnostics_button(self) -> None:
        summary = self.diagnostics.summary()
        self.diagnostics_button.setText(f"⚠ {summary}" if summary else "")
        self.diagnostics_button.setToolTip("Show the diagnostics panel (Ctrl+D)")
        self.diagnostics_button.setVisible(bool(summary))

    def _typeset_finished(self, report: dict) -> None:
        errors = report.get("errors") or []
        if not errors or self.library is None:
            return
        post = self.library.by_id.get(str(report.get("id")))
        where = post.source if post else "post"
        for error in errors[:5]:
            self.diagnostics.model.add(Diagnostic(
                where, post.line if post else None, "warning",
                f"Formula could not be typeset in “{post.title if post else '?'}”: "
                f"{error.get('message')} — {error.get('tex')}"))
        self._update_diagnostics_button()


def _key(key: Qt.Key) -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)


def _color(name: str):
    from PySide6.QtGui import QColor

    return QColor(name)
