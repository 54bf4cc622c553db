"""Custom stream events: what a UI shows while a long CLI call runs.

The blocking login (`login_mode="interactive"`) waits minutes for the user to
approve in the browser. Rather than silence, the graph emits these through
LangGraph's stream writer, so `stream(..., stream_mode="custom")` shows the
CLI's lines as they arrive and a heartbeat a UI can turn into a spinner with
elapsed time. Every event is a plain dict with a `kind`; lines are redacted
before they are emitted.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict


class CliLineEvent(TypedDict):
    """One line the CLI printed (the link, the code, the result)."""

    kind: Literal["okx_cli_line"]
    command: str
    """The command, redacted, e.g. `okx auth login --site global`."""
    line: str
    """The line, redacted."""


class CliProgressEvent(TypedDict):
    """A heartbeat while the CLI runs: how long so far, and the budget."""

    kind: Literal["okx_cli_progress"]
    command: str
    elapsed_seconds: float
    timeout_seconds: float


class CliDoneEvent(TypedDict):
    """The CLI call ended (successfully or not); a UI stops its spinner."""

    kind: Literal["okx_cli_done"]
    command: str
    elapsed_seconds: float
    timed_out: bool


AuthStreamEvent = CliLineEvent | CliProgressEvent | CliDoneEvent
"""Every custom event the auth graph emits."""

PROGRESS_INTERVAL_SECONDS = 1.0
"""How often a heartbeat is emitted while the CLI waits."""
