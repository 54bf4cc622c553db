"""Injected misbehaviour, so callers can prove they survive a broken CLI.

`OKX_SIM_FAULT` names the fault; `OKX_SIM_FAULT_ON` (optional) limits it to
invocations whose words start with the given ones (`auth status`); an
invocation of flags alone is named by them (`--version`). Without a
scope a fault hits every real-CLI command but spares the simulator's own
controls (`browser`, `clock`, `session`), so a test can still approve a login
while `auth status` is broken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

FAULT_ENV = "OKX_SIM_FAULT"
FAULT_SCOPE_ENV = "OKX_SIM_FAULT_ON"

_SPARED_WITHOUT_SCOPE = frozenset({"browser", "clock", "session"})
_PLAIN_KINDS = frozenset(
    {
        "hang",
        "garbage",
        "truncated",
        "empty",
        "nonutf8",
        "huge",
        "binary_missing",
        "cdn_fail",
        "old_cli",
    }
)
_HUGE_SIZE = 5 * 1024 * 1024
_HUGE_LINE = b"okx-sim huge output: this is not JSON and it goes on for megabytes\n"


class FaultError(Exception):
    """`OKX_SIM_FAULT` is malformed; a typo must fail loudly, not test nothing."""


@dataclass(frozen=True)
class Fault:
    """One parsed fault: its kind and, for `slow` and `exit1`, its argument."""

    kind: str
    argument: str = ""

    @property
    def delay_seconds(self) -> float:
        """How long a `slow` fault waits before behaving normally."""
        return float(self.argument)


@dataclass(frozen=True)
class CannedOutput:
    """What a fault prints instead of running the command."""

    stdout: bytes
    stderr: bytes
    exit_code: int


def parse_fault(value: str) -> Fault:
    """Parse `OKX_SIM_FAULT`, rejecting anything it does not know."""
    kind, has_argument, argument = value.partition(":")
    if not has_argument and kind in _PLAIN_KINDS:
        return Fault(kind)
    if kind == "exit1" and has_argument:
        return Fault(kind, argument)
    if kind == "slow" and has_argument:
        try:
            seconds = float(argument)
        except ValueError:
            seconds = -1.0
        if seconds >= 0:
            return Fault(kind, argument)
    raise FaultError(f'okx-sim: invalid {FAULT_ENV} value "{value}"')


def active_fault(environ: Mapping[str, str], words: Sequence[str]) -> Fault | None:
    """The fault that applies to an invocation with these words, if any.

    The value is parsed even when out of scope, so a typo is never silent.
    """
    value = environ.get(FAULT_ENV, "")
    if not value:
        return None
    fault = parse_fault(value)
    scope = environ.get(FAULT_SCOPE_ENV, "").split()
    if scope:
        applies = list(words[: len(scope)]) == scope
    else:
        applies = not words or words[0] not in _SPARED_WITHOUT_SCOPE
    return fault if applies else None


def canned_output(fault: Fault) -> CannedOutput | None:
    """The output of a fault that replaces the command entirely, else None.

    These faults do not run the command at all, so state never changes: a
    garbled `auth login` leaves no pending code behind.
    """
    if fault.kind == "garbage":
        return CannedOutput(b"%%% not json at all <<<\n", b"", 0)
    if fault.kind == "empty":
        return CannedOutput(b"", b"", 0)
    if fault.kind == "exit1":
        return CannedOutput(b"", fault.argument.encode("utf-8", "surrogateescape") + b"\n", 1)
    if fault.kind == "nonutf8":
        return CannedOutput(b"\xff\xfe\xfa not utf8 \x80\x81", b"", 0)
    if fault.kind == "huge":
        return CannedOutput(_HUGE_LINE * (_HUGE_SIZE // len(_HUGE_LINE) + 1), b"", 0)
    return None
