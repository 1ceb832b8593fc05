"""Write a fixture's CSV input files: ``{file name: (header, rows)}`` into a directory."""

from __future__ import annotations

import csv
from pathlib import Path


def write_files(directory: Path, files: dict[str, tuple[list[str], list[list[str]]]]) -> Path:
    """Write each file (UTF-8, header first) into ``directory``, made if need be; return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in files.items():
        with (directory / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    return directory
