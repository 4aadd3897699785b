"""Subcommands of kexue-reader-cli, one module each (add_arguments + run)."""
