"""Integrity and delta tools for TensorFlow checkpoints, from Python.

Each function runs one of the bundled tools (``ckptverify``, ``ckptdiff``, ``ckptdelta``) and
reads its JSON output, so it answers exactly as the command line does. A tool that cannot do its
job raises :class:`ToolError` carrying the tool's one-line message and exit status. Paths may be
local or ``s3://`` URLs, as on the command line; a directory means its newest checkpoint where one
checkpoint is wanted, as ``tf.train.load_checkpoint`` takes it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional, Union

from ._tools import EXECUTABLE, ToolError, document, run

if TYPE_CHECKING:
    import numpy

__all__ = [
    "EXECUTABLE", "ToolError", "CheckpointDamaged", "Finding", "Report", "Variable", "VariableDiff",
    "Diff", "ArchivedStep", "verify", "list_variables", "load", "diff", "archive", "restore", "archived_steps",
]

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Finding:
    """One problem ``ckptverify`` found: ``severity`` is ``"error"`` or ``"warning"``, ``code``
    a stable code (``data.checksum_mismatch``), ``checkpoint`` the prefix it was found in (None
    for a directory's own findings), ``file``, ``tensor`` and ``offset`` where they are known."""

    severity: str
    code: str
    message: str
    checkpoint: Optional[str] = None
    file: Optional[str] = None
    tensor: Optional[str] = None
    offset: Optional[int] = None

    def __str__(self) -> str:
        where = [part for part in (self.checkpoint or self.file, self.tensor and f"tensor {self.tensor}") if part]
        return ": ".join([*where, self.message])


class CheckpointDamaged(Exception):
    """A checkpoint failed verification; ``report`` holds the findings."""

    def __init__(self, report: "Report") -> None:
        self.report = report
        super().__init__("; ".join(str(finding) for finding in report.errors) or "verification failed")


@dataclass(frozen=True)
class Report:
    """What ``ckptverify --json`` reported: ``ok`` is true when no finding is an error
    (warnings allowed), ``checkpoints`` the prefixes checked, ``document`` the JSON itself."""

    ok: bool
    checkpoints: tuple[str, ...]
    findings: tuple[Finding, ...]
    document: Mapping[str, Any] = field(repr=False)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.severity == "error")


def verify(path: PathLike, *more: PathLike, latest: bool = False, structure_only: bool = False,
           jobs: Optional[int] = None) -> Report:
    """Verifies checkpoints as ``ckptverify --json`` does: a checkpoint prefix, a training
    directory (every checkpoint, or the newest with ``latest``), a SavedModel or a TF Serving
    base path. Damage is a report with ``ok`` false, not an exception; a path that is not a
    checkpoint raises :class:`ToolError`."""
    arguments = ["--json", *(["--latest"] if latest else []), *(["--structure-only"] if structure_only else [])]
    arguments += [f"--jobs={jobs}"] if jobs else []
    report, _ = document("ckptverify", [*arguments, path, *more], accept=(0, 1))
    findings = [_finding(item, None) for directory in report.get("directories", []) for item in directory["findings"]]
    findings += [_finding(item, checkpoint["prefix"]) for checkpoint in report["checkpoints"]
                 for item in checkpoint["findings"]]
    return Report(report["ok"], tuple(checkpoint["prefix"] for checkpoint in report["checkpoints"]), tuple(findings), report)


def _finding(item: Mapping[str, Any], checkpoint: Optional[str]) -> Finding:
    return Finding(item["severity"], item["code"], item["message"], checkpoint, item.get("file"), item.get("tensor"),
                   item.get("offset"))


@dataclass(frozen=True)
class Variable:
    """A stored tensor as ``ckptverify --list`` names it: ``name`` is the name people gave it
    (``sequential/dense/kernel``), ``key`` the key in the checkpoint, ``role`` one of
    ``weight``, ``slot``, ``optimizer``, ``bookkeeping``; a slot names its variable's key in
    ``slot_of`` and its kind in ``slot`` (``m``, ``velocity``…)."""

    name: str
    key: str
    dtype: str
    shape: tuple[int, ...]
    role: str
    layer: Optional[str] = None
    slot_of: Optional[str] = None
    slot: Optional[str] = None


def list_variables(path: PathLike) -> list[Variable]:
    """The variables of a checkpoint (a directory: its newest), weights first, each followed by
    its optimizer slots, then optimizer state and bookkeeping, as ``ckptverify --list``."""
    listing, _ = document("ckptverify", ["--list", "--json", "--latest", path])
    (checkpoint,) = listing["checkpoints"]
    return [Variable(item["name"], item["key"], item["dtype"], tuple(item["shape"]), item["role"], item.get("layer"),
                     item.get("slot_of"), item.get("slot")) for item in checkpoint["variables"]]


def load(path: PathLike, name: str) -> "numpy.ndarray":
    """The value of one tensor, by name or key, after its checksum holds (``ckptverify --show
    NAME --npy``): bfloat16 comes back as float32, the float8 family as float16, int4/int2 as
    int8, strings as fixed-width bytes."""
    import numpy

    with tempfile.TemporaryDirectory(prefix="ckpt_tools-") as scratch:
        target = os.path.join(scratch, "tensor.npy")
        run("ckptverify", ["--latest", "--show", name, "--npy", target, path])
        return numpy.load(target, allow_pickle=False)


@dataclass(frozen=True)
class VariableDiff:
    """One variable as ``ckptdiff --json`` compared it: ``status`` (``identical``, ``changed``,
    ``added``, ``removed``, ``retyped``, ``reshaped``) and, in ``stats``, every statistic it
    reported (``changed``, ``changed_fraction``, ``max_abs_diff``, ``rel_l2``, ``cosine``…;
    None where undefined)."""

    name: str
    key: str
    role: str
    layer: Optional[str]
    status: str
    stats: Mapping[str, Any] = field(repr=False)

    @property
    def rel_l2(self) -> Optional[float]:
        return self.stats.get("rel_l2")


@dataclass(frozen=True)
class Diff:
    """Two checkpoints compared variable by variable. ``identical`` when every variable is;
    ``within_tolerance`` when each is identical or within ``atol``/``rtol`` (never by default
    when values differ); ``rel_l2`` is the headline ‖B−A‖/‖A‖ over the model's weights;
    ``summary`` and ``document`` are the JSON ``ckptdiff --json`` wrote."""

    a: str
    b: str
    identical: bool
    within_tolerance: bool
    variables: tuple[VariableDiff, ...]
    summary: Mapping[str, Any] = field(repr=False)
    document: Mapping[str, Any] = field(repr=False)

    @property
    def rel_l2(self) -> Optional[float]:
        return self.summary.get("global_rel_l2")

    @property
    def changed(self) -> tuple[VariableDiff, ...]:
        return tuple(variable for variable in self.variables if variable.status != "identical")


def diff(a: PathLike, b: PathLike, *, atol: Optional[float] = None, rtol: Optional[float] = None,
         include: Optional[str] = None, exclude: Optional[str] = None, keys: bool = False,
         optimizer: Union[bool, str] = True) -> Diff:
    """Compares checkpoint ``b`` with ``a`` as ``ckptdiff --json --all`` does. ``include`` and
    ``exclude`` are regular expressions over names and keys; ``optimizer=False`` leaves optimizer
    state out, ``optimizer="only"`` compares only it."""
    if optimizer not in (True, False, "only"):
        raise ValueError("optimizer is True, False or 'only'")
    arguments = ["--json", "--all", *(["--keys"] if keys else [])]
    arguments += {True: [], False: ["--no-optimizer"], "only": ["--optimizer-only"]}[optimizer]
    for option, value in (("--atol", atol), ("--rtol", rtol), ("--include", include), ("--exclude", exclude)):
        if value is not None:
            arguments.append(f"{option}={value}")
    result, _ = document("ckptdiff", [*arguments, a, b], accept=(0, 1))
    variables = tuple(VariableDiff(item["name"], item["key"], item["role"], item.get("layer"), item["status"], item)
                      for item in result["variables"])
    return Diff(result["a"], result["b"], result["identical"], result["within_tolerance"], variables,
                result["summary"], result)


@dataclass(frozen=True)
class ArchivedStep:
    """A step an archive holds (``ckptdelta ls --json``): the checkpoint's name, the delta file,
    whether it is a keyframe or a delta against ``base_step``, and its sizes before and after."""

    step: int
    checkpoint: str
    file: str
    keyframe: bool
    base_step: Optional[int]
    raw_bytes: int
    stored_bytes: int


def archived_steps(dest: PathLike) -> list[ArchivedStep]:
    """The steps an archive (a directory or an ``s3://`` folder) holds, oldest first."""
    listing, _ = document("ckptdelta", ["ls", "--json", dest])
    return [ArchivedStep(item["step"], item["checkpoint"], item["file"], item["keyframe"], item["base_step"],
                         item["raw_bytes"], item["stored_bytes"]) for item in listing["steps"]]


def archive(run_dir: PathLike, dest: PathLike, *, storage_class: Optional[str] = None,
            max_chain: Optional[int] = None, level: Optional[int] = None) -> list[ArchivedStep]:
    """Adds every checkpoint of a training directory that the archive ``dest`` does not hold
    yet (``ckptdelta archive``) and returns what the archive then holds. A checkpoint that fails
    verification is not archived: the others are, and then :class:`ToolError` (status 1) names
    it."""
    arguments = ["archive", "--quiet", run_dir, dest]
    for option, value in (("--storage-class", storage_class), ("--max-chain", max_chain), ("--level", level)):
        if value is not None:
            arguments.append(f"{option}={value}")
    run("ckptdelta", arguments)
    return archived_steps(dest)


def restore(dest: PathLike, step: Optional[int], out: PathLike, *, force: bool = False) -> str:
    """Rebuilds step ``step`` (None: the newest) of an archive into directory ``out``, byte for
    byte (``ckptdelta restore``), and returns the restored checkpoint's prefix, which
    ``tf.train.load_checkpoint`` reads. Existing files are replaced only with ``force``."""
    selection = ["--latest"] if step is None else [f"--step={step}"]
    run("ckptdelta", ["restore", "--quiet", *selection, *(["--force"] if force else []), f"--output={os.fspath(out)}", dest])
    steps = archived_steps(dest)
    restored = steps[-1] if step is None else next(item for item in steps if item.step == step)
    return os.path.join(os.fspath(out), restored.checkpoint)
