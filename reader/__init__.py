"""kexue-reader: an offline reader for the archive of 科学空间 (kexue.fm)."""

__version__ = "0.1.0"
