"""The one table of key bindings: commands, their keys, scope, menu and help text (no Qt)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Scope = Literal["window", "browse", "search"]
"""Where a binding is active.

- ``window``: everywhere in the main window, also while typing in the search bar
  (only keys with Ctrl/Alt or function keys belong here);
- ``browse``: while the post list or the reading pane has focus, never while typing in the
  search bar (single letters, arrows, Space, ...);
- ``search``: inside the search bar only (handled by the search bar itself).
"""

SCOPES: tuple[Scope, ...] = ("window", "browse", "search")

# Scopes that are active at the same moment, so a key may not appear in both.
OVERLAPPING_SCOPES: tuple[tuple[Scope, Scope], ...] = (("window", "browse"), ("window", "search"))


@dataclass(frozen=True, slots=True)
class Binding:
    """One command and the keys that run it."""

    command: str
    """Stable name of the command; the window provides one handler per command."""
    keys: tuple[str, ...]
    """Keys in a readable form: 'j', 'G' (= Shift+g), 'g g' (two presses), 'Ctrl+F', 'Space'."""
    scope: Scope
    description: str
    """One line for menus and the help overlay."""
    menu: str | None = None
    """Menu the command appears in ('File', 'Go', 'Post', 'View', 'Help'), None for none."""
    checkable: bool = False
    """True for on/off commands (filters, full screen): the menu item shows a check mark."""


KEYMAP: tuple[Binding, ...] = (
    # File
    Binding("open_file", ("Ctrl+O",), "window", "Open dump or Markdown file(s)…", "File"),
    Binding("open_folder", ("Ctrl+Shift+O",), "window", "Open a folder…", "File"),
    Binding("reload", ("Ctrl+R",), "window", "Reload the library from disk", "File"),
    Binding("quit", ("Ctrl+Q",), "window", "Quit", "File"),
    # Go
    Binding("next_post", ("j", "Down"), "browse", "Next post", "Go"),
    Binding("previous_post", ("k", "Up"), "browse", "Previous post", "Go"),
    Binding("first_post", ("g g", "Home"), "browse", "First post", "Go"),
    Binding("last_post", ("G", "End"), "browse", "Last post", "Go"),
    Binding("page_down", ("Space", "PgDown"), "browse",
            "Page down in the post (at the end: next post)", "Go"),
    Binding("page_up", ("Shift+Space", "PgUp"), "browse", "Page up in the post", "Go"),
    Binding("back", ("Alt+Left",), "window", "Back to the previously visited post", "Go"),
    Binding("forward", ("Alt+Right",), "window", "Forward through visited posts", "Go"),
    Binding("focus_list", ("Ctrl+L",), "window", "Focus the post list", "Go"),
    # Search
    Binding("focus_search", ("Ctrl+F", "Ctrl+K"), "window", "Search", "Search"),
    Binding("focus_search", ("/",), "browse", "Search"),
    Binding("next_match", ("n",), "browse", "Next match in the post", "Search"),
    Binding("previous_match", ("N",), "browse", "Previous match in the post", "Search"),
    Binding("open_first_result", ("Enter", "Return"), "search", "Open the first result"),
    Binding("clear_search", ("Esc",), "search", "Clear the search and go back to the list"),
    Binding("history_back", ("Up",), "search", "Earlier search from history"),
    Binding("history_forward", ("Down",), "search", "Later search from history"),
    # Post
    Binding("toggle_star", ("s",), "browse", "Star / unstar the post", "Post"),
    Binding("toggle_read", ("m",), "browse", "Mark the post read / unread", "Post"),
    Binding("open_original", ("o",), "browse",
            "Open the original page in the browser (else copy the title)", "Post"),
    # View
    Binding("only_unread", ("u",), "browse", "Show only unread posts", "View", checkable=True),
    Binding("only_starred", ("*",), "browse", "Show only starred posts", "View", checkable=True),
    Binding("sort_date", ("Ctrl+1",), "window", "Sort by date (newest first)", "View"),
    Binding("sort_readers", ("Ctrl+2",), "window", "Sort by readers", "View"),
    Binding("sort_score", ("Ctrl+3",), "window", "Sort by search score", "View"),
    Binding("zoom_in", ("Ctrl+=", "Ctrl++"), "window", "Zoom in", "View"),
    Binding("zoom_out", ("Ctrl+-",), "window", "Zoom out", "View"),
    Binding("zoom_reset", ("Ctrl+0",), "window", "Actual size", "View"),
    Binding("theme_light", (), "window", "Light theme", "View"),
    Binding("theme_dark", (), "window", "Dark theme", "View"),
    Binding("theme_auto", (), "window", "Theme follows the system", "View"),
    Binding("toggle_diagnostics", ("Ctrl+D",), "window", "Show / hide the diagnostics panel",
            "View", checkable=True),
    Binding("full_screen", ("F11",), "window", "Full screen", "View", checkable=True),
    # Help
    Binding("help", ("F1",), "window", "Show the keys (this overlay)", "Help"),
    Binding("help", ("?",), "browse", "Show the keys (this overlay)"),
)


def normalize_key(key: str) -> str:
    """A comparison form of a readable key: 'ctrl+shift+o' == 'Shift+Ctrl+O', 'G' == 'Shift+g'."""
    chords = key.split(" ")
    return " ".join(_normalize_chord(chord) for chord in chords)


def _normalize_chord(chord: str) -> str:
    # 'Ctrl++' ends with the key '+', so split off the last key by hand.
    if chord.endswith("++"):
        mods, last = chord[:-2], "+"
    elif "+" in chord[:-1]:
        mods, _, last = chord.rpartition("+")
    else:
        mods, last = "", chord
    modifiers = {m.strip().lower() for m in mods.split("+") if m.strip()}
    # A bare capital letter means Shift+letter ('G'); with modifiers the case does not matter.
    if not modifiers and len(last) == 1 and last.isalpha() and last.isupper():
        modifiers.add("shift")
    aliases = {"esc": "escape", "pgdown": "pagedown", "pgup": "pageup"}
    name = aliases.get(last.lower(), last.lower())
    return "+".join([*sorted(modifiers), name])


def to_qt_key(key: str) -> str:
    """The QKeySequence portable-text form of a readable key ('G' -> 'Shift+G', 'g g' -> 'G, G')."""
    return ", ".join(_qt_chord(chord) for chord in key.split(" "))


def _qt_chord(chord: str) -> str:
    if len(chord) == 1 and chord.isalpha():
        return f"Shift+{chord}" if chord.isupper() else chord.upper()
    return chord


def validate(keymap: Iterable[Binding] = KEYMAP,
             handlers: Mapping[str, object] | None = None) -> list[str]:
    """Problems with a key table, as sentences; [] when it is sound.

    Checks: a command listed at most once per scope, known scopes, no key twice within a scope
    or in two scopes active at once, and (when `handlers` is given) a handler for every command.
    """
    problems: list[str] = []
    bindings = list(keymap)
    seen_commands: set[tuple[str, str]] = set()
    owner: dict[tuple[str, str], str] = {}
    for binding in bindings:
        if (binding.command, binding.scope) in seen_commands:
            problems.append(f"command {binding.command!r} is listed twice in {binding.scope!r}")
        seen_commands.add((binding.command, binding.scope))
        if binding.scope not in SCOPES:
            problems.append(f"command {binding.command!r} has unknown scope "
                            f"{binding.scope!r}")
        for key in binding.keys:
            slot = (binding.scope, normalize_key(key))
            if slot in owner:
                problems.append(f"key {key!r} is bound twice in scope {binding.scope!r}: "
                                f"{owner[slot]!r} and {binding.command!r}")
            else:
                owner[slot] = binding.command
    for first, second in OVERLAPPING_SCOPES:
        for (scope, key), command in owner.items():
            if scope == first and (second, key) in owner:
                problems.append(f"key {key!r} is bound in both {first!r} ({command!r}) and "
                                f"{second!r} ({owner[(second, key)]!r}), which are active at once")
    if handlers is not None:
        problems.extend(f"command {b.command!r} has no handler"
                        for b in bindings if b.command not in handlers)
    return problems


def commands(keymap: Iterable[Binding] = KEYMAP) -> list[str]:
    """Every command once, in table order."""
    return list(dict.fromkeys(b.command for b in keymap))


def keys_of(command: str, keymap: Iterable[Binding] = KEYMAP,
            scopes: Iterable[Scope] = ("window", "browse")) -> list[str]:
    """All keys of a command in the given scopes, in table order."""
    wanted = set(scopes)
    return [k for b in keymap if b.command == command and b.scope in wanted for k in b.keys]


def describe(command: str, keymap: Iterable[Binding] = KEYMAP) -> Binding:
    """The first binding of a command, which carries its menu and description."""
    for item in keymap:
        if item.command == command:
            return item
    raise KeyError(command)


def is_browse_key(chord: str, keymap: Iterable[Binding] = KEYMAP) -> bool:
    """True when a single key press (readable form) starts a binding in the browse scope."""
    wanted = normalize_key(chord)
    return any(normalize_key(k).split(" ")[0] == wanted
               for b in keymap if b.scope == "browse" for k in b.keys)
