"""Running the bundled tools: where the executable is, and how a run's outcome becomes Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn, Sequence

#: The multi-call executable the wheel bundles; its first argument names the tool.
EXECUTABLE = Path(__file__).resolve().parent / "bin" / "ckpt-tools"


class ToolError(Exception):
    """A tool could not do its job (exit status 2), or did it and reported problems where the
    caller asked for success (exit status 1). ``line`` is what the tool printed on standard
    error (one line per problem), ``status`` its exit status, ``command`` the argument list."""

    def __init__(self, command: Sequence[str], status: int, line: str) -> None:
        self.command = list(command)
        self.status = status
        self.line = line
        super().__init__(line or f"{command[0]} exited with status {status}")


def run(tool: str, arguments: Sequence[str], *, accept: Sequence[int] = (0,)) -> subprocess.CompletedProcess[str]:
    """Runs ``tool`` (``ckptverify``, ``ckptdiff``, ``ckptdelta``) with ``arguments``; returns
    the finished process when its exit status is one of ``accept``, else raises ToolError."""
    command = [tool, *map(os.fspath, arguments)]
    process = subprocess.run(
        [os.fspath(EXECUTABLE), *command], stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if process.returncode not in accept:
        raise ToolError(command, process.returncode, process.stderr.strip())
    return process


def document(tool: str, arguments: Sequence[str], *, accept: Sequence[int] = (0,)) -> tuple[Any, int]:
    """Runs a tool that prints one JSON document (``--json``); returns it and the exit status."""
    process = run(tool, arguments, accept=accept)
    return json.loads(process.stdout), process.returncode


def _exec(tool: str) -> NoReturn:
    os.execv(EXECUTABLE, [tool, *sys.argv[1:]])


def ckptverify() -> NoReturn:
    """The ``ckptverify`` command this package installs."""
    _exec("ckptverify")


def ckptdiff() -> NoReturn:
    """The ``ckptdiff`` command this package installs."""
    _exec("ckptdiff")


def ckptdelta() -> NoReturn:
    """The ``ckptdelta`` command this package installs."""
    _exec("ckptdelta")
