"""The core and the CLI never import Qt (checked in a fresh interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import reader.core

CORE_MODULES = sorted(f"reader.core.{m.name}" for m in pkgutil.iter_modules(reader.core.__path__))


def test_there_are_core_modules_to_check() -> None:
    assert {"reader.core.parser", "reader.core.model", "reader.core.corpus"} <= set(CORE_MODULES)


def test_importing_core_and_cli_does_not_import_pyside6() -> None:
    modules = [*CORE_MODULES, "reader.cli", "reader.commands.parse"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "import reader.cli\n"
        "reader.cli.build_parser()\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(qt))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"Qt imported: {done.stdout.strip()}"


def test_the_check_itself_would_notice_qt() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import PySide6.QtCore, sys; print('PySide6' in sys.modules)"],
        capture_output=True, text=True, check=False,
    )
    assert done.stdout.strip() == "True"
