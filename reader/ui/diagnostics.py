"""The diagnostics panel: the parser's diagnostics and the application's errors, in a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QDockWidget, QHeaderView, QTableView, QWidget

from reader.core.model import Diagnostic

COLUMNS = ("Severity", "File", "Line", "Message")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class DiagnosticsModel(QAbstractTableModel):
    """Errors first, then warnings, then information, each in input order."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Diagnostic] = []

    def set_diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.beginResetModel()
        self._rows = sorted(diagnostics, key=lambda d: SEVERITY_ORDER.get(d.severity, 3))
        self.endResetModel()

    def add(self, diagnostic: Diagnostic) -> None:
        position = sum(1 for d in self._rows if SEVERITY_ORDER.get(d.severity, 3)
                       <= SEVERITY_ORDER.get(diagnostic.severity, 3))
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, diagnostic)
        self.endInsertRows()

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return list(self._rows)

    def counts(self) -> dict[str, int]:
        result = {"error": 0, "warning": 0, "info": 0}
        for d in self._rows:
            result[d.severity] = result.get(d.severity, 0) + 1
        return result

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        d = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (d.severity, d.source, "" if d.line is None else str(d.line), d.message)
            return values[index.column()]
        return None


class DiagnosticsPanel(QDockWidget):
    """A dock at the bottom of the window, hidden until the user (or an error) opens it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Diagnostics", parent)
        self.setObjectName("diagnostics")
        self.model = DiagnosticsModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(1, 280)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the file name visible
        self.setWidget(self.table)

    def summary(self) -> str:
        counts = self.model.counts()
        parts = [f"{n} {name}{'s' if n != 1 else ''}" for name, n in
                 (("error", counts["error"]), ("warning", counts["warning"])) if n]
        return ", ".join(parts)
