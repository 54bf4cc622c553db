"""`okx auth status | login | logout`: the OAuth device flow of okx-auth.

The flow is split across processes exactly as in real life: `auth login`
creates a device code, the user (here `okx-sim browser approve`) acts on it
elsewhere, and `auth status` or a blocking `auth login` observes the result
through the shared state file.
"""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime

from okx_sim.config import api_key_source, read_config
from okx_sim.context import CommandContext, CommandError
from okx_sim.sites import SITE_WEB_HOSTS, checked_site
from okx_sim.state import PendingLogin, SimState, state_transaction

EXPIRES_IN_ENV = "OKX_SIM_EXPIRES_IN"
DEFAULT_EXPIRES_IN = 600
ACCESS_TOKEN_TTL = 3600
POLL_INTERVAL_SECONDS = 0.1
OAUTH_PROFILE = "oauth"
PLACEHOLDER_SITE = "global"
"""What okx-auth reports as the site when nobody is logged in (the skill's trap)."""


def auth_status(ctx: CommandContext) -> None:
    """Report the session; an expired device code reads as not logged in."""
    with state_transaction(ctx.paths) as state:
        _require_auth_binary(ctx, state)
        state.drop_expired_pending()
        now = state.now()
        snapshot = (state.status, state.site, list(state.scopes))
    status, site, scopes = snapshot
    if status == "logged_in":
        expires_at = datetime.fromtimestamp(now + ACCESS_TOKEN_TTL, tz=UTC)
        payload: dict[str, object] = {
            "profile": OAUTH_PROFILE,
            "site": site,
            "status": status,
            "expiresAt": expires_at.isoformat(timespec="seconds"),
            "ttl": ACCESS_TOKEN_TTL,
            "scopes": scopes,
        }
        text = f"Logged in (site: {site}, scopes: {', '.join(scopes)})."
    elif status == "pending":
        payload = {"profile": OAUTH_PROFILE, "site": site, "status": status}
        text = f"Login pending (site: {site}). Authorize in the browser to finish."
    else:
        payload = {"profile": OAUTH_PROFILE, "site": PLACEHOLDER_SITE, "status": status}
        text = "Not logged in. Run okx auth login to sign in."
    if ctx.wants_json:
        ctx.console.json(payload)
    else:
        ctx.console.out(text)


def auth_login(ctx: CommandContext) -> None:
    """Start a device-code login; without `--manual`, wait for the browser too."""
    manual = "--manual" in ctx.switches
    site = checked_site(ctx.options.get("--site", "global"))
    key_profile = api_key_source(read_config(ctx.paths), ctx.environ)
    if key_profile is not None:
        if manual:
            ctx.console.json(
                {"status": "skipped", "reason": "api_key_configured", "profile": key_profile}
            )
        else:
            ctx.console.out(
                f"API key already configured (profile: {key_profile}). Skipping OAuth login."
            )
        return
    expires_in = _expires_in(ctx)
    with state_transaction(ctx.paths) as state:
        _require_auth_binary(ctx, state)
        pending = _start_device_flow(state, site, expires_in)
    uri = f"https://{SITE_WEB_HOSTS[site]}/account/oauth/device"
    if manual:
        ctx.console.json(
            {"verificationUri": uri, "userCode": pending.user_code, "expiresIn": expires_in}
        )
        return
    ctx.console.out(f"Open this link in your browser: {uri}")
    ctx.console.out(f"Enter code: {pending.user_code}")
    ctx.console.out("Waiting for authorization...")
    _wait_for_browser(ctx, pending)
    ctx.console.out("Logged in successfully!")


def auth_logout(ctx: CommandContext) -> None:
    """End the session but keep the DCR client, as the real CLI promises."""
    with state_transaction(ctx.paths) as state:
        _require_auth_binary(ctx, state)
        state.status = "not_logged_in"
        state.site = None
        state.scopes = []
        state.pending = None
        state.session_expired = False
    ctx.console.out("Logged out. Client registration is kept; the next login will be faster.")


def _require_auth_binary(ctx: CommandContext, state: SimState) -> None:
    """Fail like the real CLI when it cannot spawn the okx-auth binary."""
    if not ctx.auth_binary_present(state):
        raise CommandError(f"Error: Failed to spawn okx-auth: spawn {ctx.paths.auth_binary} ENOENT")


def _expires_in(ctx: CommandContext) -> int:
    """Device-code lifetime: 600 s like OKX, or `OKX_SIM_EXPIRES_IN` for tests."""
    raw = ctx.environ.get(EXPIRES_IN_ENV, "")
    if not raw:
        return DEFAULT_EXPIRES_IN
    try:
        return int(raw)
    except ValueError:
        raise CommandError(
            f'okx-sim: {EXPIRES_IN_ENV} must be a whole number of seconds, not "{raw}"'
        ) from None


def _new_user_code() -> str:
    """A code like `ABCD-EFGH`, random so parallel logins never collide by accident."""
    letters = "".join(secrets.choice(string.ascii_uppercase) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def _start_device_flow(state: SimState, site: str, expires_in: int) -> PendingLogin:
    """Replace any session or earlier code with a fresh pending login."""
    pending = PendingLogin(
        device_id=secrets.token_hex(8),
        user_code=_new_user_code(),
        site=site,
        expires_at=state.now() + expires_in,
    )
    state.status = "pending"
    state.site = site
    state.scopes = []
    state.pending = pending
    state.client_registered = True
    state.session_expired = False
    return pending


def _wait_for_browser(ctx: CommandContext, pending: PendingLogin) -> None:
    """Poll silently until this code is approved, denied or past its deadline.

    The deadline is checked on the simulated clock, re-read each round, so
    `okx-sim clock advance` ends a waiting login the way real time would.
    """
    while True:
        with state_transaction(ctx.paths) as state:
            outcome = state.outcomes.get(pending.device_id)
            timed_out = outcome is None and state.now() >= pending.expires_at
            if timed_out:
                state.drop_expired_pending()
        if outcome == "approved":
            return
        if outcome == "denied":
            raise CommandError("Login failed: Access denied")
        if timed_out:
            raise CommandError("Login failed: Authorization timed out")
        ctx.sleep(POLL_INTERVAL_SECONDS)
