"""`python -m reader` and the `kexue-reader` GUI script: open the main window."""

from __future__ import annotations

import sys


def main() -> int:
    """Start the GUI with the process's command-line arguments."""
    from reader.ui.app import main as app_main

    return app_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
