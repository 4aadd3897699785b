"""The posts visited in a session, for back / forward (like a browser's history)."""

from __future__ import annotations


class Visited:
    """Back/forward through visited post ids; visiting after going back drops the forward part."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._position = -1

    def clear(self) -> None:
        self._ids, self._position = [], -1

    def visit(self, post_id: str) -> None:
        del self._ids[self._position + 1:]
        if not self._ids or self._ids[-1] != post_id:
            self._ids.append(post_id)
        self._position = len(self._ids) - 1

    def back(self) -> str | None:
        """The previous post id (and move there), or None at the start."""
        return self._move(-1)

    def forward(self) -> str | None:
        """The next post id (and move there), or None at the end."""
        return self._move(+1)

    def _move(self, step: int) -> str | None:
        position = self._position + step
        if not 0 <= position < len(self._ids):
            return None
        self._position = position
        return self._ids[position]
