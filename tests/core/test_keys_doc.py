"""docs/keys.md must be exactly what the key table generates, so the docs cannot drift."""

from __future__ import annotations

from pathlib import Path

from reader.commands.keys import keys_markdown
from reader.core.keymap import KEYMAP

DOC = Path(__file__).resolve().parents[2] / "docs" / "keys.md"


def test_keys_doc_is_generated_from_the_table() -> None:
    assert DOC.read_text(encoding="utf-8") == keys_markdown(), (
        "docs/keys.md is stale: run `kexue-reader-cli keys > docs/keys.md`")


def test_every_bound_key_appears_in_the_doc() -> None:
    text = keys_markdown()
    for binding in KEYMAP:
        for key in binding.keys:
            assert f"`{key}`" in text
