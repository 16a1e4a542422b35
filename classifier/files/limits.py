"""Limits on untrusted input, checked before the work, and the one ``--limits`` option that raises them.

Every structure read from a file or a request is bounded: an XLSX's unzipped size and compression
ratio, its sheet's real extent (rows × columns), the length of one cell, the nesting depth and digit
count of JSON values, a report's date span and label length, and the texts and characters of one API
request. The web server's heavy jobs are bounded too (slots and seconds).

The limits are process-wide settings (``configure`` from the CLI; ``using`` in tests) rather than
arguments threaded through every reader, so the readers, the scoring core and the web routes stay
unchanged in signature. Forked workers inherit them.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

LIMITS_HELP = ("Raise (or lower) the limits on untrusted input, as NAME=VALUE pairs separated by commas, e.g. "
               "--limits xlsx_mb=500,cell_chars=2000000. Names: ")


@dataclass(frozen=True)
class Limits:
    """The limits; each field's comment is its documentation (README "Security")."""

    xlsx_mb: int = 200  # total unzipped size of an XLSX's parts, in MB
    xlsx_ratio: int = 200  # largest compression ratio of one XLSX part (parts over 1 MB unzipped)
    xlsx_cells: int = 50_000_000  # rows × columns of a sheet's real extent (not its declared dimension)
    cell_chars: int = 1_000_000  # characters in one cell, field or JSON value
    json_depth: int = 64  # nesting depth of one JSON Lines value
    json_digits: int = 400  # digits in one JSON number
    report_days: int = 36_525  # days between the first and the last dated message of a report
    label_chars: int = 120  # characters of a sender name shown in a report (longer ones are cut, with …)
    api_texts: int = 1000  # texts in one /api/classify request
    api_chars: int = 200_000  # characters in all texts of one /api/classify request
    jobs: int = 2  # web: heavy jobs (batch, report, review) run at once; more get 429
    job_seconds: int = 300  # web: time limit of one heavy job; past it the job is stopped (503)
    raw_cells: bool = False  # not a limit: CSV output writes formula-like cells unchanged (``batch --raw-cells``)

    def describe(self) -> str:
        return ", ".join(f"{f.name}={getattr(self, f.name)}" for f in dataclasses.fields(self))


_current = Limits()


def current() -> Limits:
    """The limits in force."""
    return _current


def configure(limits: Limits | None = None, **changes) -> Limits:
    """Set the limits for this process (and the workers it forks); returns the previous ones."""
    global _current
    previous = _current
    _current = dataclasses.replace(limits or _current, **changes)
    return previous


@contextlib.contextmanager
def using(**changes) -> Iterator[Limits]:
    """Temporarily changed limits (tests)."""
    previous = configure(**changes)
    try:
        yield _current
    finally:
        configure(previous)


def parse(spec: str | None) -> Limits:
    """``"xlsx_mb=500,jobs=4"`` → Limits; ValueError with a clear message for a bad name or value."""
    fields = {f.name: f for f in dataclasses.fields(Limits) if f.name != "raw_cells"}
    changes: dict[str, object] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in fields:
            raise ValueError(f"unknown limit {name!r}; the limits are: {', '.join(fields)}")
        value = value.strip()
        try:
            number = int(value.replace("_", ""))
        except ValueError:
            raise ValueError(f"limit {name} needs a whole number, not {value!r}") from None
        if number < 1:
            raise ValueError(f"limit {name} must be at least 1")
        changes[name] = number
    return dataclasses.replace(Limits(), **changes)


def hint(name: str) -> str:
    """The sentence every limit error ends with."""
    return f"(limit {name}={getattr(_current, name)}; raise it with --limits {name}=N if you trust the file)"


LIMITS_HELP += ", ".join(f.name for f in dataclasses.fields(Limits) if f.name != "raw_cells") + \
    ". See the README section Security."
