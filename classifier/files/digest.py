"""SHA-256 of files: a model file against its manifest, an input named in a report, the training data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def sha256_file(path: Path | str | Iterable[Path]) -> str:
    """Hex SHA-256 of one file; of several, their names and bytes in name order (the data's fingerprint)."""
    h = hashlib.sha256()
    if isinstance(path, str | Path):
        _update(h, Path(path))
        return h.hexdigest()
    for p in sorted(path):
        h.update(p.name.encode())
        _update(h, p)
    return h.hexdigest()


def _update(h, path: Path) -> None:
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
