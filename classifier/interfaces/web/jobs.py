"""Heavy web jobs (batch, report, review) in a small bounded pool of child processes, with a time limit.

A thread cannot be stopped: a six-minute openpyxl parse would hold a server thread for six minutes,
and 45 of them stop the whole server. So each heavy job runs in a forked child process (it inherits
the loaded model; nothing is pickled on the way in), at most ``limits.jobs`` at once; a request past
that gets 429 with Retry-After at once, so ``/`` and ``/api/classify`` (which stay in the server
process) keep answering. A job past ``limits.job_seconds`` is killed and answered 503.

Temporary files: each route removes its own on every path (success, error, 429, 503); under
``cuishou serve`` the process's temp folder is also a private folder (``cuishou-serve-*``) removed
with everything in it when the server stops (SIGTERM through uvicorn, or interpreter exit), so
nothing of a killed job outlives the server.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager

from fastapi import HTTPException

from ...files.limits import current, hint
from ...files.tabular import InputError

RETRY_AFTER = "10"


class JobPool:
    """Counts running jobs and owns their child processes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._children: set = set()
        self._running = 0

    def run(self, fn: Callable, /, *args, **kwargs):
        """``fn(*args, **kwargs)`` in a child process; its result, or InputError / HTTPException."""
        lim = current()
        with self._lock:
            if self._running >= lim.jobs:
                raise HTTPException(429, f"busy: {lim.jobs} files are being processed; try again shortly "
                                         f"{hint('jobs')}", headers={"Retry-After": RETRY_AFTER})
            self._running += 1
        proc = None
        try:
            ctx = multiprocessing.get_context("fork")
            receiver, sender = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(sender, fn, args, kwargs), daemon=True)
            with self._lock:
                self._children.add(proc)
            proc.start()
            sender.close()
            if not receiver.poll(lim.job_seconds):
                raise HTTPException(503, f"the file took longer than the time limit of {lim.job_seconds} s and was "
                                         f"stopped {hint('job_seconds')}", headers={"Retry-After": RETRY_AFTER})
            try:
                status, payload = receiver.recv()
            except EOFError:
                raise HTTPException(503, "the job was stopped (the server is shutting down or out of memory)",
                                    headers={"Retry-After": RETRY_AFTER}) from None
            if status == "input":
                raise InputError(payload)
            if status == "error":
                raise HTTPException(500, f"the job failed ({payload})")
            return payload
        finally:
            if proc is not None:
                if proc.is_alive():
                    proc.kill()
                proc.join(5)
                with self._lock:
                    self._children.discard(proc)
            with self._lock:
                self._running -= 1

    def stop_all(self) -> None:
        """Kill every running job (server shutdown)."""
        with self._lock:
            children = list(self._children)
        for proc in children:
            with contextlib.suppress(Exception):
                proc.kill()


def _child(conn, fn: Callable, args: tuple, kwargs: dict) -> None:
    """The child: run, send the result or a message-free error, and leave without running exit handlers."""
    code = 0
    try:
        try:
            result = ("ok", fn(*args, **kwargs))
        except InputError as e:
            result = ("input", str(e))
        except Exception as e:  # the type only: messages may quote the data
            result = ("error", type(e).__name__)
        conn.send(result)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


POOL = JobPool()


def run_job(fn: Callable, /, *args, **kwargs):
    """Run a heavy job in the server's pool (see :class:`JobPool`)."""
    return POOL.run(fn, *args, **kwargs)


def install(app) -> None:
    """Every running job is stopped when the server stops (lifespan end, also after SIGTERM)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a):
        try:
            async with inner(a) as state:
                yield state
        finally:
            POOL.stop_all()

    app.router.lifespan_context = lifespan


@contextlib.contextmanager
def private_tempdir():
    """The process's temp folder is a private one while the server runs, removed with its contents after.

    Used by ``cuishou serve`` (the whole process is the server): uploads, half-written outputs and
    openpyxl's temporary files of a job that was killed are removed on every way out, including
    SIGTERM and interpreter exit.
    """
    previous = tempfile.tempdir
    private = tempfile.mkdtemp(prefix="cuishou-serve-")
    tempfile.tempdir = private

    def clean() -> None:
        POOL.stop_all()
        shutil.rmtree(private, ignore_errors=True)

    def on_sigterm(signum, frame):
        # uvicorn handles SIGTERM itself, then restores this handler and raises the signal again
        raise SystemExit(128 + signum)

    atexit.register(clean)
    old_handler = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield private
    finally:
        clean()
        atexit.unregister(clean)
        signal.signal(signal.SIGTERM, old_handler)
        tempfile.tempdir = previous


def summary_header(summary: dict, max_bytes: int = 4096) -> str:
    """The ``X-Cuishou-Summary`` header: the summary as ASCII JSON, at most ``max_bytes``.

    Error reasons can be one per bad line (60,000 lines made a 1.85 MB header that clients refuse);
    only the most frequent are kept, and the rest are counted.
    """
    summary = dict(summary)
    reasons = sorted((summary.get("error_reasons") or {}).items(), key=lambda kv: -kv[1])
    keep = 20
    while True:
        summary["error_reasons"] = {str(k)[:200]: v for k, v in reasons[:keep]}
        if len(reasons) > keep:
            summary["error_reasons_not_listed"] = len(reasons) - keep
        text = json.dumps(summary, ensure_ascii=True)
        if len(text) <= max_bytes or keep == 0:
            return text if len(text) <= max_bytes else json.dumps({k: summary[k] for k in ("rows", "scored", "errors")
                                                                   if k in summary})
        keep //= 2
