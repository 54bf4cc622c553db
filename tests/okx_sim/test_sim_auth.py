"""`auth status | login --manual | logout` and the browser that finishes a login."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime

import pytest

from .helpers import Sim

USER_CODE = re.compile(r"[A-Z]{4}-[A-Z]{4}")
NOT_LOGGED_IN = {"profile": "oauth", "site": "global", "status": "not_logged_in"}
KEYED_CONFIG = """\
default_profile = "plain"

[profiles.plain]
site = "eea"

[profiles.first]
api_key = "AK-first-1111"

[profiles.second]
api_key = "AK-second-2222"
"""


def test_fresh_user_is_not_logged_in(sim: Sim) -> None:
    assert sim.json("auth", "status", "--json") == NOT_LOGGED_IN


def test_status_text(sim: Sim) -> None:
    assert sim.ok("auth", "status") == "Not logged in. Run okx auth login to sign in.\n"
    sim.start_manual_login("eea")
    assert sim.ok("auth", "status") == (
        "Login pending (site: eea). Authorize in the browser to finish.\n"
    )
    sim.ok("browser", "approve")
    assert sim.ok("auth", "status") == "Logged in (site: eea, scopes: live:read, live:trade).\n"


@pytest.mark.parametrize(
    ("site", "host"),
    [("global", "www.okx.com"), ("eea", "my.okx.com"), ("us", "app.okx.com")],
)
def test_manual_login_prints_the_device_code_as_the_real_cli_frames_json(
    sim: Sim, site: str, host: str
) -> None:
    pretty = sim.run("auth", "login", "--manual", "--site", site)
    compact = sim.run("auth", "login", "--manual", "--site", site, env={"OKX_SIM_JSON": "compact"})
    assert (pretty.returncode, compact.returncode) == (0, 0)
    code = r'"userCode": ?"[A-Z]{4}-[A-Z]{4}"'
    uri = rf'"verificationUri": ?"https://{re.escape(host)}/account/oauth/device"'
    assert re.fullmatch(rf'\{{\n  {uri},\n  {code},\n  "expiresIn": 600\n\}}\n', pretty.stdout)
    assert re.fullmatch(rf'\{{{uri},{code},"expiresIn":600\}}\n', compact.stdout)
    assert sim.json("auth", "status", "--json") == {
        "profile": "oauth",
        "site": site,
        "status": "pending",
    }


def test_manual_login_defaults_to_global(sim: Sim) -> None:
    payload = sim.json("auth", "login", "--manual")
    assert payload["verificationUri"] == "https://www.okx.com/account/oauth/device"


def test_codes_are_random(sim: Sim) -> None:
    codes = {sim.start_manual_login() for _ in range(3)}
    assert len(codes) == 3
    assert all(USER_CODE.fullmatch(code) for code in codes)


def test_login_rejects_an_unknown_site(sim: Sim) -> None:
    err = sim.fail("auth", "login", "--manual", "--site", "mars")
    assert err == 'Error: Invalid site "mars". Use one of: global, eea, us, tr\n'
    assert sim.json("auth", "status", "--json") == NOT_LOGGED_IN


def test_expires_in_can_be_overridden(sim: Sim) -> None:
    payload = sim.json("auth", "login", "--manual", env={"OKX_SIM_EXPIRES_IN": "90"})
    assert payload["expiresIn"] == 90
    sim.ok("clock", "advance", "89")
    assert sim.json("auth", "status", "--json")["status"] == "pending"
    sim.ok("clock", "advance", "2")
    assert sim.json("auth", "status", "--json") == NOT_LOGGED_IN


def test_invalid_expires_in_is_an_error(sim: Sim) -> None:
    err = sim.fail("auth", "login", "--manual", env={"OKX_SIM_EXPIRES_IN": "soon"})
    assert "OKX_SIM_EXPIRES_IN" in err


def test_approve_logs_in_with_site_and_scopes(sim: Sim) -> None:
    code = sim.start_manual_login("us")
    assert sim.ok("browser", "approve", code) == f"approved {code}\n"
    status = sim.json("auth", "status", "--json")
    assert list(status) == ["profile", "site", "status", "expiresAt", "ttl", "scopes"]
    assert status["profile"] == "oauth"
    assert status["site"] == "us"
    assert status["status"] == "logged_in"
    assert status["ttl"] == 3600
    assert status["scopes"] == ["live:read", "live:trade"]
    expires_at = datetime.fromisoformat(status["expiresAt"])
    assert expires_at.utcoffset() is not None
    assert abs(expires_at.timestamp() - (time.time() + 3600)) < 30
    assert sim.state()["pending"] is None


def test_expires_at_follows_the_simulated_clock(sim: Sim) -> None:
    sim.start_manual_login()
    sim.ok("browser", "approve")
    sim.ok("clock", "advance", "86400")
    expires_at = datetime.fromisoformat(sim.json("auth", "status", "--json")["expiresAt"])
    assert abs(expires_at.timestamp() - (time.time() + 86400 + 3600)) < 30


def test_approve_with_custom_scopes_and_lowercase_code(sim: Sim) -> None:
    code = sim.start_manual_login()
    sim.ok("browser", "approve", code.lower(), "--scopes", "live:read, demo:trade")
    assert sim.json("auth", "status", "--json")["scopes"] == ["live:read", "demo:trade"]


def test_approve_needs_a_pending_login(sim: Sim) -> None:
    assert sim.fail("browser", "approve") == "Error: No pending login to approve.\n"
    assert sim.fail("browser", "deny") == "Error: No pending login to deny.\n"


def test_approve_with_a_wrong_code_changes_nothing(sim: Sim) -> None:
    sim.start_manual_login("eea")
    assert sim.fail("browser", "approve", "ZZZZ-ZZZZ") == (
        'Error: No pending login with code "ZZZZ-ZZZZ" to approve.\n'
    )
    assert sim.json("auth", "status", "--json")["status"] == "pending"


def test_approve_an_expired_code_fails_and_clears_it(sim: Sim) -> None:
    code = sim.start_manual_login()
    sim.ok("clock", "advance", "601")
    assert sim.fail("browser", "approve", code) == f'Error: The login code "{code}" has expired.\n'
    assert sim.state()["pending"] is None
    assert sim.json("auth", "status", "--json") == NOT_LOGGED_IN


def test_deny_leaves_the_user_logged_out(sim: Sim) -> None:
    code = sim.start_manual_login("eea")
    assert sim.ok("browser", "deny") == f"denied {code}\n"
    assert sim.json("auth", "status", "--json") == NOT_LOGGED_IN
    assert sim.fail("browser", "approve", code) == "Error: No pending login to approve.\n"


def test_expired_pending_reads_as_not_logged_in_with_the_placeholder_site(sim: Sim) -> None:
    sim.start_manual_login("us")
    sim.ok("clock", "advance", "600")
    assert sim.json("auth", "status", "--json") == NOT_LOGGED_IN
    assert sim.state()["pending"] is None


def test_a_new_login_replaces_the_pending_code(sim: Sim) -> None:
    first = sim.start_manual_login("us")
    second = sim.start_manual_login("eea")
    assert sim.fail("browser", "approve", first).startswith("Error: No pending login with code")
    sim.ok("browser", "approve", second)
    assert sim.json("auth", "status", "--json")["site"] == "eea"


def test_logout_keeps_the_client_registration(sim: Sim) -> None:
    sim.start_manual_login()
    sim.ok("browser", "approve")
    assert sim.ok("auth", "logout") == (
        "Logged out. Client registration is kept; the next login will be faster.\n"
    )
    assert sim.json("auth", "status", "--json") == NOT_LOGGED_IN
    state = sim.state()
    assert state["client_registered"] is True
    assert state["scopes"] == []


def test_session_expire(sim: Sim) -> None:
    sim.start_manual_login("eea")
    sim.ok("browser", "approve")
    assert sim.ok("session", "expire") == "session expired\n"
    assert sim.json("auth", "status", "--json") == NOT_LOGGED_IN
    assert sim.fail("account", "balance") == "Error: Session expired — run okx auth login again\n"
    sim.start_manual_login("eea")
    sim.ok("browser", "approve")
    assert sim.json("auth", "status", "--json")["status"] == "logged_in"


def test_clock_advance_reports_and_accumulates(sim: Sim) -> None:
    assert sim.ok("clock", "advance", "30") == "clock advanced by 30s (offset 30s)\n"
    assert sim.ok("clock", "advance", "-10") == "clock advanced by -10s (offset 20s)\n"
    assert sim.fail("clock", "advance", "soon") == (
        'Error: clock advance needs a number of seconds, not "soon"\n'
    )


@pytest.mark.parametrize("manual", [True, False])
def test_login_is_skipped_for_a_profile_api_key(sim: Sim, manual: bool) -> None:
    sim.write_config(KEYED_CONFIG)
    args = ["auth", "login", "--site", "eea", *(["--manual"] if manual else [])]
    out = sim.ok(*args)
    if manual:
        skipped = {"status": "skipped", "reason": "api_key_configured", "profile": "first"}
        assert out == json.dumps(skipped, indent=2) + "\n"
    else:
        assert out == "API key already configured (profile: first). Skipping OAuth login.\n"
    assert not sim.state_path.exists()


def test_skip_prefers_the_keyed_default_profile(sim: Sim) -> None:
    sim.write_config(KEYED_CONFIG.replace('"plain"', '"second"', 1))
    assert sim.json("auth", "login", "--manual")["profile"] == "second"


def test_an_empty_api_key_does_not_count(sim: Sim) -> None:
    sim.write_config('default_profile = "p"\n[profiles.p]\napi_key = ""\nsite = "eea"\n')
    assert "userCode" in sim.json("auth", "login", "--manual")


@pytest.mark.parametrize("manual", [True, False])
def test_login_is_skipped_for_the_env_api_key(sim: Sim, manual: bool) -> None:
    env = {"OKX_API_KEY": "env-key"}
    out = sim.ok("auth", "login", *(["--manual"] if manual else []), env=env)
    if manual:
        skipped = {
            "status": "skipped", "reason": "api_key_configured", "profile": "env:OKX_API_KEY"
        }
        assert out == json.dumps(skipped, indent=2) + "\n"
    else:
        assert out == (
            "API key already configured (profile: env:OKX_API_KEY). Skipping OAuth login.\n"
        )
    assert "env-key" not in out


def test_an_empty_env_api_key_does_not_count(sim: Sim) -> None:
    assert "userCode" in sim.json("auth", "login", "--manual", env={"OKX_API_KEY": ""})


def test_profile_key_wins_over_env_key(sim: Sim) -> None:
    sim.write_config(KEYED_CONFIG)
    payload = sim.json("auth", "login", "--manual", env={"OKX_API_KEY": "env-key"})
    assert payload["profile"] == "first"


@pytest.mark.parametrize(
    "args",
    [
        ["auth", "status", "--json"],
        ["auth", "login", "--manual", "--site", "eea"],
        ["auth", "login"],
        ["auth", "logout"],
    ],
)
def test_auth_commands_fail_without_the_binary(sim: Sim, args: list[str]) -> None:
    sim.ok("auth", "remove", "--force")
    err = sim.fail(*args)
    assert err == (f"Error: Failed to spawn okx-auth: spawn {sim.home}/.okx/bin/okx-auth ENOENT\n")
    assert sim.state()["pending"] is None


def test_api_key_guard_runs_before_the_binary_is_needed(sim: Sim) -> None:
    sim.ok("auth", "remove", "--force")
    payload = sim.json("auth", "login", "--manual", env={"OKX_API_KEY": "k"})
    assert payload["status"] == "skipped"
