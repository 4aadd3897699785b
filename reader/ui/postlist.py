"""The post list: a lazily filled list model over a Listing and a delegate that paints each row."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from reader.core.library import PAGE_SIZE, Listing, Row
from reader.core.model import Post

PostRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2
FETCH_SIZE = 500
"""Rows added each time the view scrolls to the end of what it has."""

ModelIndex = QModelIndex | QPersistentModelIndex


class PostListModel(QAbstractListModel):
    """Rows of the current listing; more are fetched as the view scrolls (canFetchMore)."""

    def __init__(self, read: Collection[str], starred: Collection[str]) -> None:
        super().__init__()
        self._read = read
        self._starred = starred
        self._rows: list[Row] = []
        self._row_of: dict[str, int] = {}
        self.listing = Listing()
        self.highlight_background = QColor("#ffe97a")
        self.highlight_foreground = QColor("#000000")
        self.selection_background = QColor("#dce8f8")
        self.accent = QColor("#1a5fb4")

    # -- filling --------------------------------------------------------------------------
    def set_listing(self, listing: Listing) -> None:
        self.beginResetModel()
        self.listing = listing
        self._rows = listing.fetch(PAGE_SIZE)
        self._row_of = {row.post.id: i for i, row in enumerate(self._rows)}
        self.endResetModel()

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.listing.exhausted

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid():
            self._append(self.listing.fetch(FETCH_SIZE))

    def fetch_all(self) -> None:
        """Fetch every remaining row at once (for 'last post')."""
        rows: list[Row] = []
        while not self.listing.exhausted:
            rows.extend(self.listing.fetch(50_000))
        self._append(rows)

    def _append(self, rows: list[Row]) -> None:
        if not rows:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        for offset, row in enumerate(rows):
            self._row_of.setdefault(row.post.id, start + offset)
        self.endInsertRows()

    @property
    def has_snippets(self) -> bool:
        return bool(self.listing.query)

    # -- access ---------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.post.title
        if role == PostRole:
            return row.post
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.post.title}\n{row.post.source}:{row.post.line}"
        return None

    def post_at(self, row: int) -> Post | None:
        return self._rows[row].post if 0 <= row < len(self._rows) else None

    def row_of(self, post_id: str) -> int | None:
        """Row of a post among the rows fetched so far."""
        return self._row_of.get(post_id)

    def fetch_to(self, post_id: str) -> int | None:
        """Row of a post, fetching rows until it comes (None when the listing lacks it)."""
        position_of = self.listing.position_of
        if post_id not in self._row_of and position_of is not None and position_of(post_id) is None:
            return None  # not there: fetching 50,000 rows to learn it would take about 0.1 s
        while post_id not in self._row_of and self.canFetchMore():
            self.fetchMore()
        return self._row_of.get(post_id)

    def is_read(self, post_id: str) -> bool:
        return post_id in self._read

    def is_starred(self, post_id: str) -> bool:
        return post_id in self._starred

    def post_changed(self, post_id: str) -> None:
        """Repaint a post's row after its marks changed."""
        row = self._row_of.get(post_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index)


class PostDelegate(QStyledItemDelegate):
    """Title (bold while unread), a meta line (date · readers · ★) and, when searching, a snippet
    with the matched text highlighted; fixed height so the view can use uniform item sizes."""

    PADDING = 6

    def __init__(self, model: PostListModel, parent: QTableView) -> None:
        super().__init__(parent)
        self._model = model

    def _fonts(self, base: QFont) -> tuple[QFont, QFont, QFont]:
        title = QFont(base)
        title.setPointSizeF(base.pointSizeF() * 1.05)
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.9)
        return title, small, QFont(small)

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        title, small, _ = self._fonts(option.font)
        lines = QFontMetrics(title).height() + QFontMetrics(small).height()
        if self._model.has_snippets:
            lines += 2 * QFontMetrics(small).height()
        return QSize(200, lines + 3 * self.PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        row: Row | None = index.data(RowRole)
        if row is None:
            return
        style = option.widget.style() if option.widget else None
        option = QStyleOptionViewItem(option)
        self.initStyleOption(option, index)
        option.text = ""
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, self._model.selection_background)
            painter.fillRect(option.rect.adjusted(0, 0, -(option.rect.width() - 3), 0),
                             self._model.accent)
        elif style is not None:  # hover
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter,
                                option.widget)
        post = row.post
        read = self._model.is_read(post.id)
        palette: QPalette = option.palette
        # The themes' selection colour is a light tint under which full-strength text reads
        # better than the (greyish) HighlightedText colour.
        text_color = palette.color(QPalette.ColorRole.Text)
        dim_color = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        title_font, small_font, _ = self._fonts(option.font)
        title_font.setBold(not read)
        rect = option.rect.adjusted(self.PADDING + 10, self.PADDING, -self.PADDING, -self.PADDING)
        painter.save()
        if not read:  # an unread dot in the left margin
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._model.accent)
            dot_y = rect.top() + QFontMetrics(title_font).height() // 2
            painter.drawEllipse(option.rect.left() + 6, dot_y - 3, 6, 6)
        painter.setFont(title_font)
        painter.setPen(text_color if selected or not read else dim_color)
        title_height = QFontMetrics(title_font).height()
        title = QFontMetrics(title_font).elidedText(post.title, Qt.TextElideMode.ElideRight,
                                                    rect.width())
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), title_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(small_font)
        painter.setPen(dim_color)
        small_height = QFontMetrics(small_font).height()
        meta_rect = QRect(rect.left(), rect.top() + title_height, rect.width(), small_height)
        painter.drawText(meta_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         meta_line(post, self._model.is_starred(post.id), read))
        if row.snippet is not None and self._model.has_snippets:
            snippet_rect = QRect(rect.left(), meta_rect.bottom() + 1, rect.width(),
                                 2 * small_height)
            self._paint_snippet(painter, row, snippet_rect, small_font, text_color)
        painter.restore()

    def _paint_snippet(self, painter: QPainter, row: Row, rect: QRect, font: QFont,
                       color: QColor) -> None:
        snippet = row.snippet
        assert snippet is not None
        text = snippet.text.replace("\n", " ")
        layout = QTextLayout(text, font)
        formats = []
        for start, end in snippet.spans:
            fmt = QTextCharFormat()
            fmt.setBackground(self._model.highlight_background)
            fmt.setForeground(self._model.highlight_foreground)
            fmt.setFontWeight(QFont.Weight.Bold)
            span = QTextLayout.FormatRange()
            span.start, span.length, span.format = start, end - start, fmt
            formats.append(span)
        layout.setFormats(formats)
        layout.beginLayout()
        y = 0.0
        line_height = QFontMetrics(font).height()
        lines = 0
        while lines < 2:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            line.setPosition(rect.topLeft().toPointF() + _point(0, y))
            y += line_height
            lines += 1
        layout.endLayout()
        painter.setPen(color)
        painter.save()
        painter.setClipRect(rect)
        layout.draw(painter, _point(0, 0))
        painter.restore()


def _point(x: float, y: float):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def meta_line(post: Post, starred: bool, read: bool) -> str:
    """'2020-07-10 · 110,996 readers · ★' for the list's second line."""
    parts = [post.date.isoformat() if post.date else "no date"]
    if post.readers is not None:
        parts.append(f"{post.readers:,} readers")
    if starred:
        parts.append("★ starred")
    if read:
        parts.append("read")
    return "  ·  ".join(parts)


class PostListView(QTableView):
    """The list widget: one column of fixed-height rows, no type-ahead (letters are commands).

    A table view rather than a QListView: QListView lays out every row (calling the Python
    model per row) on each insert, reset and scrollTo, which takes ~0.5 s at 50,000 posts;
    a table view with a fixed row height does the same in a few milliseconds.
    """

    def __init__(self, model: PostListModel) -> None:
        super().__init__()
        self.setModel(model)
        self._delegate = PostDelegate(model, self)
        self.setItemDelegate(self._delegate)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        model.modelReset.connect(self.update_row_height)
        self.update_row_height()

    def scroll_to_row(self, index: QModelIndex) -> None:
        """Scroll a row into view, right after the rows changed too: the scroll bar's range
        follows new rows only at the view's next (delayed) layout, and scrolling before it
        stopped at the old end (the last of 1,500 posts, after a search of 100 rows was
        cleared, scrolled to row 90)."""
        self.updateGeometries()
        self.scrollTo(index)

    def update_row_height(self) -> None:
        """Rows are taller while searching (they show a snippet)."""
        option = QStyleOptionViewItem()
        option.font = self.font()
        height = self._delegate.sizeHint(option, QModelIndex()).height()
        self.verticalHeader().setMinimumSectionSize(1)
        self.verticalHeader().setDefaultSectionSize(height)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.update_row_height()

    def keyboardSearch(self, search: str) -> None:
        """Type-ahead would make unbound letters jump around the list; keys are commands here."""
