"""`account balance` and `market ticker`: what a login is for."""

from __future__ import annotations

from .helpers import Sim

BALANCE = [{"ccy": "USDT", "availBal": "1000"}]
"""OKX's `data` rows, printed bare as the real CLI's `printJson(data)` does."""


def test_balance_needs_authentication(sim: Sim) -> None:
    assert sim.fail("account", "balance", "--json") == (
        "Error: Not authenticated. Run okx auth login first.\n"
    )


def test_balance_with_a_profile_key(sim: Sim) -> None:
    sim.write_config('[profiles.p]\napi_key = "AK-1234-5678"\n')
    assert sim.json("account", "balance", "--json") == BALANCE


def test_balance_with_the_env_key_even_after_session_expiry(sim: Sim) -> None:
    sim.ok("session", "expire")
    assert sim.json("account", "balance", "--json", env={"OKX_API_KEY": "k"}) == BALANCE


def test_balance_after_oauth_login_and_text_form(sim: Sim) -> None:
    sim.start_manual_login()
    assert sim.fail("account", "balance") == "Error: Not authenticated. Run okx auth login first.\n"
    sim.ok("browser", "approve")
    assert sim.json("account", "balance", "--json") == BALANCE
    assert sim.ok("account", "balance") == "USDT available: 1000\n"
    sim.ok("auth", "logout")
    assert sim.fail("account", "balance") == "Error: Not authenticated. Run okx auth login first.\n"


def test_ticker_needs_no_credentials(sim: Sim) -> None:
    assert sim.json("market", "ticker", "ETH-USDT", "--json") == [
        {"instId": "ETH-USDT", "last": "65000.1"}
    ]
    assert sim.ok("market", "ticker", "BTC-USDT") == "BTC-USDT last: 65000.1\n"
