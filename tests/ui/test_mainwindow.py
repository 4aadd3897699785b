"""The main window driven with the keyboard, offscreen: browse, search, marks, restart."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from reader.core.keymap import validate


def current_row(window) -> int:
    return window.post_list.currentIndex().row()


def press(qtbot, widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifiers)


def type_chinese(widget, text: str) -> None:
    """Commit text the way an input method does (QTest cannot type CJK key by key)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_opens_corpus_newest_first(make_window, sample) -> None:
    window = make_window([sample])
    assert len(window.posts) == 7
    assert window.model.rowCount() == 7
    dates = [window.model.post_at(i).date for i in range(7)]
    assert dates == sorted(dates, reverse=True)
    assert current_row(window) == 0
    assert window.current_post == window.model.post_at(0)
    assert "7 posts" in window.count_label.text()


def test_every_command_has_a_handler(make_window) -> None:
    window = make_window()
    assert validate(handlers=window.handlers()) == []


def test_j_k_and_arrows_move_between_posts(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_J)
    press(qtbot, window.post_list, Qt.Key.Key_J)
    assert current_row(window) == 2
    assert window.current_post == window.model.post_at(2)
    press(qtbot, window.post_list, Qt.Key.Key_K)
    assert current_row(window) == 1
    press(qtbot, window.post_list, Qt.Key.Key_Down)
    assert current_row(window) == 2
    press(qtbot, window.post_list, Qt.Key.Key_Up)
    press(qtbot, window.post_list, Qt.Key.Key_Up)
    press(qtbot, window.post_list, Qt.Key.Key_Up)  # stays on the first post
    assert current_row(window) == 0


def test_first_and_last_post(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert current_row(window) == 6
    press(qtbot, window.post_list, Qt.Key.Key_G)
    press(qtbot, window.post_list, Qt.Key.Key_G)
    assert current_row(window) == 0
    press(qtbot, window.post_list, Qt.Key.Key_End)
    assert current_row(window) == 6
    press(qtbot, window.post_list, Qt.Key.Key_Home)
    assert current_row(window) == 0


def test_slash_focuses_search_and_typing_searches(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_Slash)
    assert window.search_bar.hasFocus()
    qtbot.keyClicks(window.search_bar, "VAE")
    qtbot.waitUntil(lambda: window.search_results is not None)
    results = window.search_results
    assert results.total >= 1
    assert all("VAE" in (h.post.title + "".join(h.post.paragraphs)) for h in results.hits)
    assert window.model.rowCount() == results.total
    assert "match" in window.count_label.text()


def test_single_letter_keys_do_not_fire_while_typing(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_J)
    before = (current_row(window), window.current_post, set(window.state.starred),
              set(window.state.read))
    window.focus_search()
    typed = "jkgGnNsmuo*/? x"
    qtbot.keyClicks(window.search_bar, typed)
    press(qtbot, window.search_bar, Qt.Key.Key_Space)
    assert window.search_bar.text() == typed + " "
    assert window.search_bar.hasFocus()
    assert window.current_post == before[1]
    assert set(window.state.starred) == before[2]
    assert set(window.state.read) == before[3]
    assert not window.actions_by_command["only_unread"].isChecked()
    assert not window.actions_by_command["only_starred"].isChecked()
    assert not window.help_overlay.isVisible()


def test_enter_opens_first_result_and_esc_clears(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.focus_search()
    type_chinese(window.search_bar, "词向量")
    press(qtbot, window.search_bar, Qt.Key.Key_Return)
    first = window.search_results.hits[0].post
    assert "词向量" in first.title + "".join(first.paragraphs)
    assert window.current_post == first
    assert window.post_list.hasFocus()
    window.focus_search()
    press(qtbot, window.search_bar, Qt.Key.Key_Escape)
    assert window.search_bar.text() == ""
    assert window.post_list.hasFocus()
    assert window.model.rowCount() == 7
    assert window.current_post == first  # still shown, and selected in the full list
    assert window.model.post_at(current_row(window)) == first


def test_a_query_shows_its_best_matches_and_clearing_it_the_current_post(
    qtbot, make_window, tmp_path
) -> None:
    from reader.core.corpus import generate_dump

    dump = tmp_path / "many.txt"
    dump.write_text(generate_dump(300, 0), encoding="utf-8")
    window = make_window([str(dump)])
    bar = window.post_list.verticalScrollBar()
    window.set_query("的")  # in nearly every post
    # A post far down both lists: among the first page of results, but not near its top, and
    # the oldest of those (the full list is newest first).
    current = min((window.model.post_at(r) for r in range(30, 100)), key=lambda p: p.date)
    window.set_query("")
    window.select_post(current.id)
    assert current_row(window) > 100  # past the full list's first page
    qtbot.wait(50)  # the view lays the rows out, as between key presses
    assert bar.value() > 0
    window.set_query("的")
    qtbot.wait(50)
    assert window.model.row_of(current.id) >= 30
    assert window.model.post_at(current_row(window)) == current  # still selected
    assert bar.value() == 0  # but the list shows the best matches
    window.focus_search()
    press(qtbot, window.search_bar, Qt.Key.Key_Escape)
    assert window.model.post_at(current_row(window)) == current
    shown = window.post_list.visualRect(window.model.index(current_row(window)))
    assert window.post_list.viewport().rect().intersects(shown)
    window.first_post()
    window.set_query("")  # the list again fetched only as far as its first page
    window.back()
    assert window.current_post == current
    assert window.model.post_at(current_row(window)) == current
    shown = window.post_list.visualRect(window.model.index(current_row(window)))
    assert window.post_list.viewport().rect().intersects(shown)


def test_search_history_with_up_and_down(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    for query in ("VAE", "BERT"):
        window.focus_search()
        window.search_bar.clear()
        qtbot.keyClicks(window.search_bar, query)
        press(qtbot, window.search_bar, Qt.Key.Key_Return)
    window.focus_search()
    window.search_bar.clear()
    qtbot.keyClicks(window.search_bar, "dra")
    press(qtbot, window.search_bar, Qt.Key.Key_Up)
    assert window.search_bar.text() == "BERT"
    press(qtbot, window.search_bar, Qt.Key.Key_Up)
    assert window.search_bar.text() == "VAE"
    press(qtbot, window.search_bar, Qt.Key.Key_Down)
    press(qtbot, window.search_bar, Qt.Key.Key_Down)
    assert window.search_bar.text() == "dra"
    assert current_row(window) != -1 or window.current_post is not None


def test_star_read_and_restart_keeps_state(qtbot, make_window, sample, tmp_path) -> None:
    window = make_window([sample])
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_J)
    starred = window.current_post
    press(qtbot, window.post_list, Qt.Key.Key_S)
    assert starred.id in window.state.starred
    assert starred.id in window.state.read  # opening a post marks it read
    press(qtbot, window.post_list, Qt.Key.Key_J)
    unread = window.current_post
    press(qtbot, window.post_list, Qt.Key.Key_M)
    assert unread.id not in window.state.read
    press(qtbot, window.post_list, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    zoom = window._zoom
    assert zoom > 1.0
    window.splitter.setSizes([333, 700])
    window.close()

    again = make_window([sample])
    assert starred.id in again.state.starred
    assert starred.id in again.state.read
    assert unread.id not in again.state.read
    assert again.current_post == unread  # the last post shown is shown again
    assert again._zoom == zoom
    assert again.splitter.sizes()[0] == 333
    assert any(sample in p or p in sample for p in again.state.recent_libraries[0])


def test_only_unread_and_only_starred_filters(qtbot, make_window, sample) -> None:
    window = make_window([sample])  # opening shows the first post, which is now read
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_U)
    shown = {window.model.post_at(i).id for i in range(window.model.rowCount())}
    assert len(shown) == 6 and not shown & window.state.read
    press(qtbot, window.post_list, Qt.Key.Key_U)
    assert window.model.rowCount() == 7
    window._select_row(3)
    press(qtbot, window.post_list, Qt.Key.Key_S)
    press(qtbot, window.post_list, Qt.Key.Key_Asterisk)
    assert window.model.rowCount() == 1
    assert window.model.post_at(0) == window.current_post


def test_filtering_out_the_current_post_keeps_the_list_lazy(qtbot, make_window, tmp_path) -> None:
    from reader.core.corpus import generate_dump
    from reader.core.library import PAGE_SIZE

    dump = tmp_path / "many.txt"
    dump.write_text(generate_dump(300, 0), encoding="utf-8")
    window = make_window([str(dump)])
    window.focus_list()
    window._select_row(5)  # read now, so "only unread" leaves it out
    press(qtbot, window.post_list, Qt.Key.Key_U)
    assert window.model.rowCount() == PAGE_SIZE  # not every row fetched to look for it
    assert current_row(window) == -1
    assert window.model.row_of(window.current_post.id) is None


@pytest.mark.parametrize("key, command, label", [
    (Qt.Key.Key_U, "only_unread", "only unread"),
    (Qt.Key.Key_Asterisk, "only_starred", "only starred"),
])
def test_a_filter_left_on_is_on_after_a_restart(
    qtbot, make_window, sample, key, command, label
) -> None:
    window = make_window([sample])
    window.focus_list()
    press(qtbot, window.post_list, key)
    filtered = window.model.rowCount()
    assert filtered < 7
    window.close()

    again = make_window([sample])
    assert again.actions_by_command[command].isChecked()
    assert again.model.rowCount() == filtered
    assert label in again.count_label.text()  # said, so that no post seems lost
    again.focus_list()
    press(qtbot, again.post_list, key)
    assert again.model.rowCount() == 7
    again.close()
    assert not make_window([sample]).actions_by_command[command].isChecked()


def test_back_and_forward_through_visited_posts(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    first = window.current_post
    window._select_row(4)
    fifth = window.current_post
    press(qtbot, window.post_list, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_post == first
    press(qtbot, window.post_list, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.current_post == fifth


def test_keys_work_when_the_reading_pane_has_focus(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    pane = window.reading_pane
    target = pane.focusProxy() or pane
    target.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target)
    press(qtbot, target, Qt.Key.Key_J)
    assert current_row(window) == 1
    press(qtbot, target, Qt.Key.Key_S)
    assert window.current_post.id in window.state.starred
    press(qtbot, target, Qt.Key.Key_End)
    assert current_row(window) == 6
    press(qtbot, target, Qt.Key.Key_Slash)
    assert window.search_bar.hasFocus()


def test_help_overlay_lists_keys(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_Question)
    assert window.help_overlay.isVisible()
    assert "Next post" in window.help_overlay.body.text()
    assert "g g" in window.help_overlay.body.text()
    press(qtbot, window.help_overlay, Qt.Key.Key_Escape)
    assert not window.help_overlay.isVisible()


def test_open_original_copies_title_without_url(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_O)
    assert QApplication.clipboard().text() == window.current_post.title
    assert "copied" in window.statusBar().currentMessage()


def test_missing_path_is_reported_in_the_diagnostics_panel(make_window, tmp_path) -> None:
    window = make_window()
    window.open_paths([str(tmp_path / "nope.txt")])
    messages = [d.message for d in window.diagnostics.model.diagnostics]
    assert any("does not exist" in m for m in messages)
    assert window.diagnostics_button.isVisible()


def test_cancelled_load_keeps_the_window_usable(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    with qtbot.waitSignal(window.loader.cancelled, timeout=10000):
        window.open_paths([sample])
        window.loader.cancel()
    assert not window.progress.isVisible()
    assert len(window.posts) == 7


def test_cancel_during_a_slow_index_build_returns_at_once(qtbot, make_window, sample,
                                                          held_index_build) -> None:
    window = make_window([sample])
    held_index_build.hold(window.loader)
    with qtbot.waitSignal(window.loader.progress, timeout=10000,
                          check_params_cb=lambda phase, *_: phase == "Indexing"):
        window.open_paths([sample, sample])
    finished: list[object] = []
    window.loader.finished.connect(finished.append)
    with qtbot.waitSignal(window.loader.cancelled, timeout=1000):
        window.loader.cancel()
    assert not window.progress.isVisible()
    # The new library's posts were shown while it was indexed: the previous one is back.
    assert window.library is not None and list(window.library.paths) == [sample]
    assert window.library.index is not None
    held_index_build.release()
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=10000)
    qtbot.wait(50)
    assert finished == []  # the abandoned build's library is dropped
    assert len(window.posts) == 7


def test_space_pages_down_then_moves_to_the_next_post(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.resize(900, 400)  # a short pane, so the first post takes several pages
    first = window.current_post
    with qtbot.waitSignal(window.reading_pane.post_shown, timeout=30000):
        window.select_post(first.id)
    window.focus_list()
    for _ in range(40):
        press(qtbot, window.post_list, Qt.Key.Key_Space)
        qtbot.wait(100)
        if window.current_post != first:
            break
    assert window.current_post == window.model.post_at(1)


def test_theme_choice_is_saved_and_reaches_the_pane(qtbot, make_window, monkeypatch) -> None:
    window = make_window()
    calls = []
    monkeypatch.setattr(window.reading_pane, "set_dark", calls.append)
    window._dark_changed(True)
    assert calls == [True]
    window.set_theme("dark")
    assert window.state.get("theme") == "dark"
    assert window.actions_by_command["theme_dark"].isChecked()
    assert not window.actions_by_command["theme_light"].isChecked()


def test_sort_by_readers_and_back_to_date(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    readers = [window.model.post_at(i).readers for i in range(7)]
    assert readers == sorted(readers, reverse=True)
    assert window.sort_box.currentData() == "readers"
    press(qtbot, window.post_list, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    dates = [window.model.post_at(i).date for i in range(7)]
    assert dates == sorted(dates, reverse=True)
    assert window.state.get("sort") == "date"


def test_library_without_posts_says_so(qtbot, make_window, tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("no posts in here\n", encoding="utf-8")
    window = make_window([str(empty)])
    assert window.posts == [] and window.model.rowCount() == 0
    assert "0 posts" in window.count_label.text()
    assert window.diagnostics_button.isVisible()  # the parser's warning is one click away
    press(qtbot, window.post_list, Qt.Key.Key_J)  # nothing to move to, nothing breaks
    assert window.current_post is None


def test_ctrl_q_closes_the_window_and_saves(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    window.focus_search()  # works from the search bar too
    press(qtbot, window.search_bar, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    assert window.state.data_path.exists() and window.state.config_path.exists()


def test_restart_restores_the_scroll_position(qtbot, make_window, sample, monkeypatch) -> None:
    from reader.ui.readingpane import ReadingPane
    from reader.ui.state import library_key

    window = make_window([sample])
    post = window.model.post_at(3)
    window.state.set_position(library_key([sample]), post.id, 0.42)
    window.close()
    shown = []
    original = ReadingPane.show_post

    def spy(self, post, *, terms=(), scroll=0.0):
        shown.append((post.id, scroll))
        return original(self, post, terms=terms, scroll=scroll)

    monkeypatch.setattr(ReadingPane, "show_post", spy)
    again = make_window([sample])
    assert shown[-1] == (post.id, 0.42)
    assert again.current_post == post


def test_a_count_of_matches_in_the_pane_does_not_outlive_them(make_window, sample) -> None:
    """Typing `向量` after `向`: the pane finds none where it found one, and the status bar must
    not keep saying "1 match in this post"."""
    window = make_window([sample])
    window.reading_pane.matches_changed.emit(-1, 1)
    assert "1 match in this post" in window.statusBar().currentMessage()
    window.reading_pane.matches_changed.emit(-1, 0)
    assert window.statusBar().currentMessage() == ""
    window.statusBar().showMessage("7 posts from sample.txt")
    window.reading_pane.matches_changed.emit(-1, 0)  # other messages are left alone
    assert window.statusBar().currentMessage() == "7 posts from sample.txt"


class HeldIndexBuild:
    """Index builds that wait to be released once `hold` is called (an index build that takes a
    while); the loaders held for finish before their windows go (a running QThread destroyed
    aborts the process, hiding the test's own failure)."""

    def __init__(self) -> None:
        self._released = threading.Event()
        self._held = False
        self._loaders: list[object] = []

    def hold(self, loader: object) -> None:
        self._held = True
        self._loaders.append(loader)

    def release(self) -> None:
        self._released.set()

    def wait(self) -> None:
        if self._held:
            self._released.wait(10)

    def finish(self, qtbot) -> None:
        self.release()
        for loader in self._loaders:
            qtbot.waitUntil(lambda loader=loader: not loader.busy, timeout=10000)


@pytest.fixture
def held_index_build(qtbot, monkeypatch):
    from reader.core.index import SearchIndex

    held = HeldIndexBuild()
    real_build = SearchIndex.build.__func__
    monkeypatch.setattr(SearchIndex, "build", classmethod(
        lambda cls, posts: (held.wait(), real_build(cls, posts))[1]))
    yield held
    held.finish(qtbot)


def test_posts_are_listed_while_the_index_is_built(qtbot, make_window, sample,
                                                   held_index_build) -> None:
    """The whole archive takes about a second to index: its posts are listed and read before,
    and a query typed meanwhile runs when the index is there."""
    window = make_window()
    held_index_build.hold(window.loader)
    with qtbot.waitSignal(window.loader.parsed, timeout=10000):
        window.open_paths([sample])
    assert window.library is not None and window.library.index is None
    assert window.model.rowCount() == 7
    assert window.current_post is not None  # the first post is open already
    assert window.progress.isVisible()
    window.set_query("向量")
    assert window.model.rowCount() == 0
    assert "Indexing" in window.count_label.text()
    with qtbot.waitSignal(window.library_loaded, timeout=10000):
        held_index_build.release()
    assert window.model.rowCount() == 1
    assert window.count_label.text() == "1 match"
    assert not window.progress.isVisible()


@pytest.mark.parametrize("end", ["indexed", "cancelled"])
def test_the_pane_works_in_the_background_only_once_indexing_ends(
        qtbot, make_window, sample, held_index_build, end) -> None:
    """Opening a library, the index is what the reader waits for next (search): the pane's
    background typesetting waits for its build to end (finished or cancelled)."""
    window = make_window([sample])
    finished: list[dict] = []
    window.reading_pane.typeset_finished.connect(finished.append)
    held_index_build.hold(window.loader)
    with qtbot.waitSignal(window.reading_pane.post_shown, timeout=30000):
        window.open_paths([sample, sample])  # another library: its first post is shown
    qtbot.wait(500)
    assert finished == []
    with qtbot.waitSignal(window.reading_pane.typeset_finished, timeout=30000):
        if end == "indexed":
            held_index_build.release()
        else:
            window.loader.cancel()


def test_a_first_library_cancelled_while_indexing_leaves_the_window_empty(
        qtbot, make_window, sample, held_index_build) -> None:
    window = make_window()
    held_index_build.hold(window.loader)
    with qtbot.waitSignal(window.loader.parsed, timeout=10000):
        window.open_paths([sample])
    with qtbot.waitSignal(window.loader.cancelled, timeout=1000):
        window.loader.cancel()
    assert window.library is None and window.posts == []
    assert window.model.rowCount() == 0
    window.set_query("向量")  # nothing to search: no error
    assert window.model.rowCount() == 0
    assert window.state.get("last_library") is None  # not reopened at the next start


def test_a_reopened_library_loads_its_kept_index(qtbot, make_window, sample, tmp_path,
                                                 monkeypatch) -> None:
    from reader.core.index import SearchIndex

    builds: list[int] = []
    real_build = SearchIndex.build.__func__
    monkeypatch.setattr(SearchIndex, "build", classmethod(
        lambda cls, posts: (builds.append(len(posts)), real_build(cls, posts))[1]))
    first = make_window([sample], cache=True)
    assert builds == [7]
    qtbot.waitUntil(lambda: any((tmp_path / "home" / "cache").glob("index-*.npz")))
    first.close()
    again = make_window([sample], cache=True)
    assert builds == [7]  # loaded, not built
    again.set_query("向量")
    assert again.model.rowCount() == 1
    assert again.count_label.text() == "1 match"


def test_stop_waits_for_a_cancelled_load_too(qtbot, make_window, sample,
                                             held_index_build) -> None:
    """Closing right after a cancel must not destroy the cancelled load's running thread."""
    window = make_window()
    held_index_build.hold(window.loader)
    with qtbot.waitSignal(window.loader.parsed, timeout=10000):
        window.open_paths([sample])
    window.loader.cancel()
    assert not window.loader.stop(100)  # its index build is still held
    held_index_build.release()
    assert window.loader.stop(10000)
    assert not window.loader.busy


def test_f11_enters_and_leaves_full_screen(qtbot, make_window, sample) -> None:
    window = make_window([sample])
    action = window.actions_by_command["full_screen"]
    window.focus_list()
    press(qtbot, window.post_list, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen, timeout=5000)
    assert action.isChecked()
    press(qtbot, window.post_list, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=5000)
    assert not action.isChecked()


@pytest.mark.parametrize("command", ["open_file", "open_folder"])
def test_open_commands_open_what_the_dialog_chose_and_nothing_when_cancelled(
        qtbot, make_window, sample, tmp_path, monkeypatch, command) -> None:
    from PySide6.QtWidgets import QFileDialog

    folder = tmp_path / "科学 空间"
    folder.mkdir()
    if command == "open_file":
        answers = [([], ""), ([sample], "")]
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: answers.pop(0))
        expected = [sample]
    else:
        answers = ["", str(folder)]
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: answers.pop(0))
        expected = [str(folder)]
    window = make_window()
    opened: list[list[str]] = []
    monkeypatch.setattr(window.loader, "start", lambda paths: opened.append(list(paths)))
    window.actions_by_command[command].trigger()  # the dialog cancelled: nothing opens
    assert opened == []
    window.actions_by_command[command].trigger()
    assert opened == [expected]
