"""The key table: sound as shipped, and the validator catches the mistakes it exists for."""

from __future__ import annotations

import pytest

from reader.core.keymap import (
    KEYMAP,
    Binding,
    commands,
    is_browse_key,
    keys_of,
    normalize_key,
    to_qt_key,
    validate,
)


def test_shipped_table_is_sound() -> None:
    assert validate(KEYMAP) == []


def test_required_keys_are_bound() -> None:
    required = {
        "next_post": {"j", "Down"}, "previous_post": {"k", "Up"},
        "first_post": {"g g", "Home"}, "last_post": {"G", "End"},
        "page_down": {"Space"}, "page_up": {"Shift+Space"},
        "focus_search": {"/", "Ctrl+F", "Ctrl+K"}, "next_match": {"n"},
        "previous_match": {"N"}, "toggle_star": {"s"}, "toggle_read": {"m"},
        "only_unread": {"u"}, "only_starred": {"*"}, "open_original": {"o"},
        "zoom_in": {"Ctrl+="}, "zoom_out": {"Ctrl+-"}, "zoom_reset": {"Ctrl+0"},
        "back": {"Alt+Left"}, "forward": {"Alt+Right"}, "focus_list": {"Ctrl+L"},
        "full_screen": {"F11"}, "quit": {"Ctrl+Q"}, "help": {"?"},
    }
    for command, keys in required.items():
        assert keys <= set(keys_of(command)), command


def test_duplicate_key_in_a_scope_is_reported() -> None:
    table = [Binding("a", ("j",), "browse", "A"), Binding("b", ("J", "x"), "browse", "B"),
             Binding("c", ("Shift+j",), "browse", "C")]
    problems = validate(table)
    assert len(problems) == 1
    assert "'Shift+j'" in problems[0] and "'c'" in problems[0]


def test_same_key_in_separate_scopes_is_allowed() -> None:
    table = [Binding("next", ("Down",), "browse", "Next"),
             Binding("later", ("Down",), "search", "Later")]
    assert validate(table) == []


def test_key_in_two_scopes_active_together_is_reported() -> None:
    table = [Binding("a", ("Ctrl+F",), "window", "A"), Binding("b", ("ctrl+f",), "browse", "B")]
    assert any("active at once" in p for p in validate(table))


def test_command_without_handler_is_reported() -> None:
    table = [Binding("a", ("j",), "browse", "A"), Binding("b", ("k",), "browse", "B")]
    assert validate(table, {"a": print}) == ["command 'b' has no handler"]
    assert validate(table, {"a": print, "b": print}) == []


def test_command_twice_in_one_scope_and_unknown_scope_are_reported() -> None:
    table = [Binding("a", ("j",), "browse", "A"), Binding("a", ("k",), "browse", "A"),
             Binding("b", ("x",), "nowhere", "B")]  # type: ignore[arg-type]
    problems = validate(table)
    assert any("listed twice" in p for p in problems)
    assert any("unknown scope" in p for p in problems)


@pytest.mark.parametrize(("a", "b"), [("G", "Shift+g"), ("Ctrl+Shift+O", "shift+ctrl+o"),
                                      ("Esc", "Escape"), ("Ctrl+O", "Ctrl+o")])
def test_normalize_key_equivalences(a: str, b: str) -> None:
    assert normalize_key(a) == normalize_key(b)


@pytest.mark.parametrize(("a", "b"), [("g", "G"), ("Ctrl++", "Ctrl+="), ("Return", "Enter")])
def test_normalize_key_differences(a: str, b: str) -> None:
    assert normalize_key(a) != normalize_key(b)


def test_qt_forms() -> None:
    assert to_qt_key("j") == "J"
    assert to_qt_key("G") == "Shift+G"
    assert to_qt_key("g g") == "G, G"
    assert to_qt_key("Ctrl+F") == "Ctrl+F"


def test_browse_keys() -> None:
    assert is_browse_key("j") and is_browse_key("g") and is_browse_key("Space")
    assert not is_browse_key("Ctrl+F")


def test_every_command_listed_once_in_order() -> None:
    names = commands()
    assert len(names) == len(set(names))
    assert names[0] == KEYMAP[0].command
