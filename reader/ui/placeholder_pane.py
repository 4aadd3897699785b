"""Temporary plain-text stand-in for ReadingPane until reader/ui/readingpane.py lands."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTextBrowser, QWidget

from reader.core.model import Post


class ReadingPane(QTextBrowser):
    shell_ready = Signal()
    post_shown = Signal(str)
    typeset_finished = Signal(dict)
    scroll_changed = Signal(str, float)
    end_reached = Signal()

    def __init__(self, parent: QWidget | None = None, *, dark: bool = False) -> None:
        super().__init__(parent)
        self._post: Post | None = None

    def show_post(self, post: Post, *, terms: Sequence[str] = (), scroll: float = 0.0) -> None:
        self._post = post
        body = "".join(f"<p>{html.escape(p)}</p>" for p in post.paragraphs)
        self.setHtml(f"<h2>{html.escape(post.title)}</h2>{body}")
        self.post_shown.emit(post.id)

    def set_terms(self, terms: Sequence[str]) -> None:
        pass

    def next_match(self) -> None:
        pass

    def previous_match(self) -> None:
        pass

    def page_down(self) -> None:
        bar = self.verticalScrollBar()
        if bar.value() >= bar.maximum():
            self.end_reached.emit()
        bar.setValue(bar.value() + bar.pageStep())

    def page_up(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() - bar.pageStep())

    def set_dark(self, dark: bool) -> None:
        pass

    def set_zoom(self, factor: float) -> None:
        pass
