"""Many simulated CLI calls at once against one HOME: nothing lost, nothing torn."""

from __future__ import annotations

import json
import threading
import tomllib
from collections.abc import Callable

from .helpers import Sim

SEED = '# seed\n[profiles.seed]\napi_key = "AK-seed-0000"\n'


def init_command(index: int) -> list[str]:
    return [
        "config",
        "init",
        "--site",
        ("global", "eea", "us")[index % 3],
        "--api-key",
        f"AK-{index:04d}",
        "--secret-key",
        f"SK-{index}",
        "--passphrase",
        f"PP-{index}",
        "--profile",
        f"p{index}",
    ]


class TornFileWatcher:
    """Re-read a file in a loop while writers run; every read must parse."""

    def __init__(self, read_and_parse: Callable[[], None]) -> None:
        self.errors: list[str] = []
        self.reads = 0
        self._stop = threading.Event()
        self._read_and_parse = read_and_parse
        self._thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self._read_and_parse()
                self.reads += 1
            except FileNotFoundError:
                pass
            except ValueError as error:
                self.errors.append(repr(error))

    def __enter__(self) -> TornFileWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_parallel_config_inits_lose_no_profile(sim: Sim) -> None:
    sim.write_config(SEED)

    def parse() -> None:
        tomllib.loads(sim.config_path.read_text())

    with TornFileWatcher(parse) as watcher:
        results = sim.parallel([init_command(index) for index in range(20)])
    assert [result.returncode for result in results] == [0] * 20
    assert watcher.errors == []
    assert watcher.reads > 0
    text = sim.config_path.read_text()
    assert text.startswith('default_profile = "p')
    assert SEED in text
    config = tomllib.loads(text)
    assert set(config["profiles"]) == {"seed", *(f"p{index}" for index in range(20))}
    assert config["profiles"]["seed"] == {"api_key": "AK-seed-0000"}
    for index in range(20):
        assert config["profiles"][f"p{index}"]["api_key"] == f"AK-{index:04d}"
    assert config["default_profile"] in config["profiles"]
    assert not list(sim.config_path.parent.glob(".config.toml.*"))


def test_parallel_clock_advances_all_count(sim: Sim) -> None:
    results = sim.parallel([["clock", "advance", "1.5"] for _ in range(20)])
    assert all(result.returncode == 0 for result in results)
    assert sim.state()["clock_offset"] == 30.0


def test_parallel_approves_of_one_code_succeed_once(sim: Sim) -> None:
    code = sim.start_manual_login("eea")
    results = sim.parallel([["browser", "approve", code] for _ in range(12)])
    assert sorted(result.returncode for result in results) == [0] + [1] * 11
    assert sim.json("auth", "status", "--json")["status"] == "logged_in"


def test_parallel_logins_and_approves_keep_the_state_valid(sim: Sim) -> None:
    def parse() -> None:
        json.loads(sim.state_path.read_text())

    commands = [
        ["auth", "login", "--manual", "--site", "us"] if index % 2 else ["browser", "approve"]
        for index in range(20)
    ]
    with TornFileWatcher(parse) as watcher:
        results = sim.parallel(commands)
    assert watcher.errors == []
    logins = [
        result for result, command in zip(results, commands, strict=True) if "login" in command
    ]
    assert all(result.returncode == 0 for result in logins)
    approved = {
        result.stdout.split()[1]
        for result, command in zip(results, commands, strict=True)
        if "approve" in command and result.returncode == 0
    }
    issued = {json.loads(result.stdout)["userCode"] for result in logins}
    assert approved <= issued
    state = sim.state()
    assert list(state["outcomes"].values()).count("approved") == len(approved)
    # Whatever the interleaving, the last writer decides: a login leaves a
    # pending code, an approve consumes it and leaves a session.
    expected = "pending" if state["pending"] else "logged_in"
    assert sim.json("auth", "status", "--json")["status"] == expected


def test_parallel_blocking_logins_each_learn_their_outcome(sim: Sim) -> None:
    procs = [sim.popen("auth", "login") for _ in range(3)]
    first_lines = []
    for proc in procs:
        assert proc.stdout is not None
        first_lines.append(proc.stdout.readline())
    # Only the newest pending code can be approved; the others time out.
    sim.ok("browser", "approve")
    sim.ok("clock", "advance", "601")
    codes = [proc.wait(timeout=15) for proc in procs]
    assert sorted(codes) == [0, 1, 1]
    assert all(line.startswith(b"Open this link") for line in first_lines)
