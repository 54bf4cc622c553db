"""The world outside the CLI: the user's browser, the passing time, the server.

None of these exist in the real `okx` CLI. They let a person or a test do
what would happen elsewhere: approve or deny a device code in the browser,
let ten minutes pass in an instant, or have the server expire the session.
"""

from __future__ import annotations

import math

from okx_sim.context import CommandContext, CommandError
from okx_sim.state import PendingLogin, SimState, state_transaction

DEFAULT_SCOPES = ("live:read", "live:trade")


def browser_approve(ctx: CommandContext) -> None:
    """Grant the pending login, as a user clicking "Authorize" would."""
    scopes = _requested_scopes(ctx)
    with state_transaction(ctx.paths) as state:
        pending, problem = _claim_pending(state, ctx.positionals, "approve")
        if pending is not None:
            state.record_outcome(pending.device_id, "approved")
            state.status = "logged_in"
            state.site = pending.site
            state.scopes = scopes
            state.session_expired = False
    if pending is None:
        raise CommandError(problem)
    ctx.console.out(f"approved {pending.user_code}")


def browser_deny(ctx: CommandContext) -> None:
    """Reject the pending login; a waiting `auth login` then fails with Access denied."""
    with state_transaction(ctx.paths) as state:
        pending, problem = _claim_pending(state, ctx.positionals, "deny")
        if pending is not None:
            state.record_outcome(pending.device_id, "denied")
            state.status = "not_logged_in"
            state.site = None
            state.scopes = []
    if pending is None:
        raise CommandError(problem)
    ctx.console.out(f"denied {pending.user_code}")


def clock_advance(ctx: CommandContext) -> None:
    """Move the simulated clock forward (or back, with a negative number)."""
    try:
        seconds = float(ctx.positionals[0])
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds):
        raise CommandError(f'clock advance needs a number of seconds, not "{ctx.positionals[0]}"')
    with state_transaction(ctx.paths) as state:
        state.clock_offset += seconds
        offset = state.clock_offset
    ctx.console.out(f"clock advanced by {seconds:g}s (offset {offset:g}s)")


def session_expire(ctx: CommandContext) -> None:
    """End the session server-side, as when the refresh token lapses."""
    with state_transaction(ctx.paths) as state:
        state.status = "not_logged_in"
        state.site = None
        state.scopes = []
        state.pending = None
        state.session_expired = True
    ctx.console.out("session expired")


def _requested_scopes(ctx: CommandContext) -> list[str]:
    """The scopes from `--scopes a,b`, defaulting to read and trade."""
    raw = ctx.options.get("--scopes")
    if raw is None:
        return list(DEFAULT_SCOPES)
    scopes = [scope.strip() for scope in raw.split(",") if scope.strip()]
    if not scopes:
        raise CommandError("--scopes needs at least one scope, e.g. live:read,live:trade")
    return scopes


def _claim_pending(
    state: SimState, positionals: list[str], verb: str
) -> tuple[PendingLogin | None, str]:
    """Take the pending login named by the code (or the only one), or say why not.

    Returns the login with the pending code cleared from the state, or None
    and the message to fail with. An expired code is cleared as well, so the
    state ends as the real server would leave it.
    """
    pending = state.pending
    if pending is None:
        return None, f"No pending login to {verb}."
    code = positionals[0].strip().upper() if positionals else pending.user_code
    if code != pending.user_code:
        return None, f'No pending login with code "{positionals[0]}" to {verb}.'
    if state.now() >= pending.expires_at:
        state.drop_expired_pending()
        return None, f'The login code "{pending.user_code}" has expired.'
    state.pending = None
    return pending, ""
