"""Which executable, which HOME and which budgets a run gets: never the caller's to pick.

A run's context comes from whoever calls the graph; on a LangGraph server
that is anyone who can reach the port. So the context may only *narrow*
what the server allows: the executable is the builder's (`okx_cli=`), else
`$OKX_CLI`, else `okx` on PATH; timeouts and the login mode are bounded by
maxima read from the server's environment; and when the server has
authenticated the caller, the HOME is that identity's own
(`$OKX_AUTH_HOMES/<identity>`), whatever `okx_home` says, and the server's
own OKX credential variables (`OKX_API_KEY`, ...) do not reach the CLI: a
user's credentials live in that user's HOME.

`okx_settings` is the one place a context becomes `OkxSettings`: a pure
function of the context and the run's `ServerSide`, so the rules above are
tested without a server. `ServerSide.of` reads the environment and the run.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from langgraph.runtime import ServerInfo

from okx_auth_graph.context import AuthContext
from okx_auth_graph.okx import OkxError, OkxFailure, OkxSettings
from okx_auth_graph.okx.interactive import BLOCKING_LOGIN_TIMEOUT_SECONDS
from okx_auth_graph.okx.runner import DEFAULT_TIMEOUT_SECONDS

HOMES_ENV = "OKX_AUTH_HOMES"
"""The folder that holds one HOME per authenticated identity (required with authentication)."""
MAX_TIMEOUT_ENV = "OKX_AUTH_MAX_TIMEOUT_SECONDS"
"""Overrides `MAX_TIMEOUT_SECONDS`."""
MAX_LOGIN_TIMEOUT_ENV = "OKX_AUTH_MAX_LOGIN_TIMEOUT_SECONDS"
"""Overrides `MAX_LOGIN_TIMEOUT_SECONDS`."""
MAX_LOGIN_MODE_ENV = "OKX_AUTH_MAX_LOGIN_MODE"
"""`manual` forbids the blocking login (`interactive`, the default, allows it)."""
MAX_CLI_PROCESSES_ENV = "OKX_AUTH_MAX_CLI_PROCESSES"
"""Overrides `MAX_CLI_PROCESSES`."""

MAX_TIMEOUT_SECONDS = DEFAULT_TIMEOUT_SECONDS
"""The longest budget a run's `timeout_seconds` may ask for each quick CLI call."""
MAX_LOGIN_TIMEOUT_SECONDS = BLOCKING_LOGIN_TIMEOUT_SECONDS
"""The longest a run's blocking login may hold its CLI process (the code's life plus margin)."""
MAX_CLI_PROCESSES = 4
"""How many CLI processes one authenticated user may run at once in a server process: Step 0
runs three side by side, so one turn never waits on itself; twenty runs of one user wait
their turn instead of filling the machine (`okx.slots`)."""

MAX_IDENTITY_LENGTH = 128
"""Longer identities are refused rather than cut (two users must never share a HOME)."""
_IDENTITY = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._@|+-]{{0,{MAX_IDENTITY_LENGTH - 1}}}")
"""A name that is one path component: no `/`, no leading dot (so no `.` or `..`)."""

LoginMode = Literal["manual", "interactive"]


@dataclass(frozen=True)
class Limits:
    """The server's ceilings on what a run's context may ask for."""

    timeout_seconds: float = MAX_TIMEOUT_SECONDS
    """Ceiling of `AuthContext.timeout_seconds`."""
    login_timeout_seconds: float = MAX_LOGIN_TIMEOUT_SECONDS
    """Ceiling of `AuthContext.login_timeout_seconds`."""
    login_mode: LoginMode = "interactive"
    """`manual` turns every `interactive` request into the device flow in the chat."""
    cli_processes: int = MAX_CLI_PROCESSES
    """How many CLI processes of one authenticated user may run at once."""

    @classmethod
    def from_environment(cls) -> Limits:
        """The ceilings this process was started with (read at call time)."""
        mode = os.environ.get(MAX_LOGIN_MODE_ENV, "interactive")
        return cls(
            timeout_seconds=_positive(MAX_TIMEOUT_ENV, MAX_TIMEOUT_SECONDS),
            login_timeout_seconds=_positive(MAX_LOGIN_TIMEOUT_ENV, MAX_LOGIN_TIMEOUT_SECONDS),
            login_mode="manual" if mode == "manual" else "interactive",
            cli_processes=max(1, int(_positive(MAX_CLI_PROCESSES_ENV, MAX_CLI_PROCESSES))),
        )

    def for_caller(self, identity: str | None) -> Limits:
        """These ceilings for a run's caller: an authenticated one gets the device flow only.

        A caller the server authenticated is not at the server's terminal, so a
        blocking login there would wait on a browser nobody sees. This is the
        graph's own rule, so it holds on every engine: `langgraph dev` also
        drops the caller's `login_mode` in the auth handler, but Aegra lets a
        handler only add context keys, never drop one.
        """
        return replace(self, login_mode="manual") if identity is not None else self


def _positive(name: str, default: float) -> float:
    """A positive number (seconds, a count) from the environment, else the default."""
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if 0 < value < float("inf") else default


def within(asked: object, ceiling: float) -> float | None:
    """A budget a caller asked for, cut to the ceiling; None unless it is a positive number.

    The one rule for a run's seconds, whether they come as a context's field
    (`bounded`) or as raw JSON from a server's caller (`server.auth`): a
    boolean, a string, NaN, an infinity, zero or less is no budget at all.
    """
    if isinstance(asked, bool) or not isinstance(asked, int | float):
        return None
    return min(float(asked), ceiling) if 0 < asked < float("inf") else None


def _bounded(asked: float, ceiling: float) -> float:
    """`asked` within the ceiling, or the ceiling when it is no budget."""
    budget = within(asked, ceiling)
    return ceiling if budget is None else budget


def bounded(context: AuthContext, limits: Limits) -> AuthContext:
    """The context with its budgets and login mode cut down to the server's ceilings."""
    return replace(
        context,
        timeout_seconds=_bounded(context.timeout_seconds, limits.timeout_seconds),
        login_timeout_seconds=_bounded(
            context.login_timeout_seconds, limits.login_timeout_seconds
        ),
        login_mode="manual" if limits.login_mode == "manual" else context.login_mode,
    )


@dataclass(frozen=True)
class ServerSide:
    """What the process running the graph decides for a run, never the run's caller."""

    okx_cli: str | None = None
    """The builder's executable; None → `$OKX_CLI` at call time, then `okx` on PATH."""
    identity: str | None = None
    """The authenticated caller (`runtime.server_info.user.identity`); None without auth."""
    homes: str | None = None
    """`$OKX_AUTH_HOMES`: where each identity's HOME lives."""
    limits: Limits = Limits()
    """Ceilings on the context's budgets and login mode."""

    @classmethod
    def of(cls, run: RunFacts, okx_cli: str | None = None) -> ServerSide:
        """The server side of this run: the builder's CLI, the caller's identity, the env."""
        identity = identity_of(run.server_info)
        return cls(
            okx_cli=okx_cli,
            identity=identity,
            homes=os.environ.get(HOMES_ENV) or None,
            limits=Limits.from_environment().for_caller(identity),
        )


class RunFacts(Protocol):
    """What a node's `Runtime` and a tool's `ToolRuntime` both carry."""

    @property
    def context(self) -> Any:
        """The caller's context (an `AuthContext`, or nothing on a bare resume)."""
        ...

    @property
    def server_info(self) -> ServerInfo | None:
        """Set by a LangGraph server; its `user` is the authenticated caller."""
        ...


def identity_of(info: ServerInfo | None) -> str | None:
    """The authenticated caller's identity, or None (no server, no auth, empty identity)."""
    user = info.user if info is not None else None
    identity = getattr(user, "identity", None) if user is not None else None
    return identity if isinstance(identity, str) and identity else None


def home_unavailable(detail: str) -> OkxError:
    """The failure of a run that has no HOME of its own to run in; the graph reports it."""
    return OkxError(OkxFailure(kind="home_unavailable", detail=detail, command=[]))


def identity_home(identity: str, homes: str | None) -> Path:
    """`<homes>/<identity>`, or a refusal when either cannot name a private folder."""
    if not homes:
        raise home_unavailable(
            f"this server authenticates its users but has no {HOMES_ENV}, the folder "
            "their private HOMEs live in; the server's own HOME is never used"
        )
    if not _IDENTITY.fullmatch(identity):
        shown = identity if len(identity) <= 40 else identity[:40] + "…"
        raise home_unavailable(
            f"the user id {shown!r} cannot name a HOME: it must be 1 to {MAX_IDENTITY_LENGTH} "
            "letters, digits or . _ @ | + -, not starting with a dot or a dash"
        )
    return Path(homes) / identity


def okx_settings(context: AuthContext, side: ServerSide) -> OkxSettings:
    """The CLI settings of a run: the server's executable, the identity's HOME, bounded budget.

    With an identity the CLI also gets none of the server's OKX credential
    variables (`inherit_credentials=False`), and the identity's HOME runs at
    most `Limits.cli_processes` CLI processes at once. Without one (a library call, a
    notebook, a single-user server) the context's `okx_home` is the HOME and
    the credentials in our environment are the user's, as they always were.
    """
    home = (
        str(identity_home(side.identity, side.homes)) if side.identity else context.okx_home
    )
    timeout = _bounded(context.timeout_seconds, side.limits.timeout_seconds)
    return OkxSettings(okx_cli=side.okx_cli, okx_home=home, timeout=timeout,
                       inherit_credentials=side.identity is None,
                       max_processes=side.limits.cli_processes if side.identity else None)


def ensure_private_home(home: str) -> None:
    """Create an identity's HOME (and the root) with mode 0700, or refuse to use it.

    A HOME that exists as anything but a real folder (a symlink someone
    planted, a file) is refused, and one with looser permissions is tightened.
    """
    path = Path(home)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
        found = path.lstat()
        if not stat.S_ISDIR(found.st_mode):
            raise home_unavailable(f"{path} exists and is not a folder")
        if stat.S_IMODE(found.st_mode) != 0o700:
            path.chmod(0o700)
    except OSError as error:
        raise home_unavailable(f"cannot prepare {path}: {error.strerror}") from None


def run_settings(run: RunFacts, okx_cli: str | None = None) -> OkxSettings:
    """The settings a node or tool runs the CLI with, its private HOME created first."""
    settings, private_home = settings_to_prepare(run, okx_cli)
    if private_home is not None:
        ensure_private_home(private_home)
    return settings


def settings_to_prepare(
    run: RunFacts, okx_cli: str | None = None
) -> tuple[OkxSettings, str | None]:
    """The settings of `run_settings`, and the private HOME to create first (None: no such HOME).

    For a caller that does the disk work its own way (the graph's steps, off
    the event loop under `ainvoke`).
    """
    side = ServerSide.of(run, okx_cli)
    context = run.context if isinstance(run.context, AuthContext) else AuthContext()
    settings = okx_settings(context, side)
    private = side.identity is not None and settings.okx_home is not None
    return settings, settings.okx_home if private else None
