"""`auth install | install-status | remove`: the okx-auth binary lifecycle."""

from __future__ import annotations

from .helpers import Sim


def binary_path(sim: Sim) -> str:
    return f"{sim.home}/.okx/bin/okx-auth"


def test_installed_by_default(sim: Sim) -> None:
    assert sim.json("auth", "install-status", "--json") == {
        "installed": True,
        "version": "0.4.2",
        "latest": "0.4.2",
        "upToDate": True,
        "path": binary_path(sim),
    }
    assert sim.ok("auth", "install-status") == (
        f"okx-auth 0.4.2 is installed at {binary_path(sim)} (up to date)\n"
    )


def test_install_when_up_to_date(sim: Sim) -> None:
    assert sim.json("auth", "install", "--json") == {
        "status": "up_to_date",
        "version": "0.4.2",
        "path": binary_path(sim),
    }
    assert sim.ok("auth", "install") == "okx-auth is up to date (0.4.2)\n"


def test_remove_force_then_install(sim: Sim) -> None:
    assert sim.ok("auth", "remove", "--force") == "okx-auth removed.\n"
    assert sim.json("auth", "install-status", "--json") == {
        "installed": False,
        "version": None,
        "latest": "0.4.2",
        "upToDate": False,
        "path": binary_path(sim),
    }
    assert sim.ok("auth", "install-status") == (
        "okx-auth is not installed (latest: 0.4.2). Run: okx auth install\n"
    )
    assert sim.json("auth", "install", "--json") == {
        "status": "installed",
        "version": "0.4.2",
        "path": binary_path(sim),
    }
    assert sim.json("auth", "status", "--json")["status"] == "not_logged_in"


def test_install_text_after_removal(sim: Sim) -> None:
    sim.ok("auth", "remove", "--force")
    assert sim.ok("auth", "install") == "okx-auth 0.4.2 installed\n"


def test_remove_asks_and_accepts_yes(sim: Sim) -> None:
    result = sim.run("auth", "remove", stdin="yes\n")
    assert (result.returncode, result.stdout) == (
        0,
        "Remove okx-auth binary? [y/N] okx-auth removed.\n",
    )
    assert sim.json("auth", "install-status", "--json")["installed"] is False


def test_remove_cancelled_by_no_or_end_of_input(sim: Sim) -> None:
    for answer in ("n\n", "\n", "maybe\n", ""):
        result = sim.run("auth", "remove", stdin=answer)
        assert (result.returncode, result.stdout) == (
            0,
            "Remove okx-auth binary? [y/N] Cancelled.\n",
        ), answer
    assert sim.json("auth", "install-status", "--json")["installed"] is True
