"""No planted secret reaches anything the graph writes, in any scenario, in any store.

`okx config show --json` prints `api_key`, `secret_key` and `passphrase` in
clear text and `OKX_API_KEY` reaches the CLI through the environment; the
graph must drop them inside the tool node. A narrow test can miss the one
branch that copies raw output into state, so this one plants distinct secrets
and plays the whole scenario catalogue (every branch: logins in both
languages, API keys in the config and the environment, pending and expired
codes, every recover row, the status, logout and binary entries, CLI errors
that echo the secrets) against each checkpointer, streaming every mode. Then
it searches everything a secret could reach: the raw checkpoint rows as
stored (SQLite through `sqlite3`, the whole database file, Postgres rows as
the server returns them), the thread's state and history, every message,
interrupt payload and stream event, every log record at DEBUG, and the text
of every exception that passed through the package's code, caught or not
(and of any that left the graph). A leak is any eight characters of a
secret; a key's last four may appear only as `***` + them.

The suite runs with `LANGGRAPH_STRICT_MSGPACK=true`, so every checkpoint is
also loaded back through the strict allowlist; a blocked type would show up
here as a serde event.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.event_hooks import SerdeEvent, register_serde_event_listener
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from psycopg.types.string import TextLoader

from okx_auth_graph.replies import text_of
from tests.reliability.report import Figure
from tests.reliability.scenarios import (
    ALL_STREAM_MODES,
    API_KEY,
    CATALOGUE,
    MASKED_KEYS,
    MATRIX_COMMANDS,
    PASSPHRASE,
    SECRETS,
    Chat,
    Scenario,
    command_name,
    converse,
    play,
    prepare,
    raised_exceptions,
)
from tests.reliability.stores import open_saver
from tests.support import CallLog, Simulator

LEAK_WINDOW = 8
"""Any this many consecutive characters of a secret count as a leak."""

Rows = Callable[[str], list[tuple[object, ...]]]


def flatten(value: object) -> bytes:
    """Every str and bytes inside nested containers, as one searchable blob."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, Mapping):
        return b"\x00".join(flatten(k) + b"\x00" + flatten(v) for k, v in value.items())
    if isinstance(value, Iterable):
        return b"\x00".join(flatten(item) for item in value)
    return repr(value).encode()


def leaks_in(places: Mapping[str, bytes]) -> list[str]:
    """Where a piece of a secret, or a key's tail without its mask, was found."""
    found: list[str] = []
    for where, blob in places.items():
        for secret in SECRETS:
            windows = {secret[i:i + LEAK_WINDOW] for i in range(len(secret) - LEAK_WINDOW + 1)}
            found.extend(f"{where}: {w!r}" for w in sorted(windows) if w.encode() in blob)
        for masked in MASKED_KEYS.values():
            tail = masked.removeprefix("***").encode()
            if blob.count(tail) != blob.count(masked.encode()):
                found.append(f"{where}: {tail!r} outside its mask")
    return found


# ---------------------------------------------------------------- the stores, read raw


@dataclass
class Store:
    """A checkpointer and a way to read what it stored, bypassing its deserializer."""

    name: str
    saver: BaseCheckpointSaver[str]
    rows: Rows
    """Every stored row (or entry) of one thread, as the store holds it."""
    files: Callable[[], bytes] = lambda: b""
    """The store's files byte for byte (free pages and journals included)."""


def memory_store() -> Store:
    """InMemorySaver: its three dicts hold the serialized checkpoints, writes and blobs."""
    saver = InMemorySaver()

    def rows(thread: str) -> list[tuple[object, ...]]:
        found: list[tuple[object, ...]] = []
        for table in (saver.storage, saver.writes, saver.blobs):
            found.extend(
                (key, value) for key, value in table.items()
                if (key if isinstance(key, str) else key[0]) == thread
            )
        return found

    return Store("memory", saver, rows)


@contextmanager
def sqlite_store(path: Path) -> Iterator[Store]:
    """SqliteSaver on a file; rows are read back with plain `sqlite3`."""
    with open_saver(str(path)) as saver, closing(sqlite3.connect(path)) as raw:

        def rows(thread: str) -> list[tuple[object, ...]]:
            return [
                tuple(row)
                for table in ("checkpoints", "writes")
                for row in raw.execute(f"SELECT * FROM {table} WHERE thread_id = ?", (thread,))  # noqa: S608 - fixed names
            ]

        def files() -> bytes:
            return b"".join(
                p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")) if p.is_file()
            )

        yield Store("sqlite", saver, rows, files)


@contextmanager
def postgres_store(url: str) -> Iterator[Store]:
    """PostgresSaver; rows are read with psycopg, JSON columns as the server's text."""
    with open_saver(url) as saver, psycopg.connect(url, autocommit=True) as raw:
        for json_type in ("json", "jsonb"):
            raw.adapters.register_loader(json_type, TextLoader)

        def rows(thread: str) -> list[tuple[object, ...]]:
            return [
                tuple(row)
                for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
                for row in raw.execute(
                    f"SELECT * FROM {table} WHERE thread_id = %s",  # noqa: S608 - fixed names
                    (thread,),
                ).fetchall()
            ]

        yield Store("postgres", saver, rows)


# ---------------------------------------------------------------- one scenario, searched


@dataclass
class Tally:
    """What the sweep over the catalogue did, for the figure and the failure message."""

    scenarios: int = 0
    scanned: int = 0
    problems: list[str] = field(default_factory=list)

    def leaks(self) -> int:
        """How many problems were leaks (the rest are wrong branches or crashes)."""
        return sum(1 for p in self.problems if "leak" in p)


def places_of(
    chat: Chat, store: Store, logs: str, exceptions: list[str]
) -> dict[str, bytes]:
    """Everything of one thread a secret could have reached, by name."""
    history = list(chat.graph.get_state_history(chat.config))
    return {
        "stored rows": flatten(store.rows(chat.thread_id)),
        "state": repr(chat.graph.get_state(chat.config, subgraphs=True)).encode(),
        "state history": repr(history).encode(),
        "messages": "\n".join(text_of(m) for m in chat.messages).encode(),
        "outcome": repr(chat.values.get("okx_auth")).encode(),
        "interrupts": repr(chat.questions).encode(),
        "stream events": repr(chat.events).encode(),
        "logs": logs.encode(),
        "exceptions": "\n".join(exceptions).encode(),
    }


@contextmanager
def serde_events() -> Iterator[list[SerdeEvent]]:
    """Every checkpoint (de)serialization event: blocked or unregistered types."""
    events: list[SerdeEvent] = []
    unregister = register_serde_event_listener(events.append)
    try:
        yield events
    finally:
        unregister()


def sweep(
    store: Store,
    sim_path: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> Tally:
    """Play every scenario on its own thread of `store` and search all it left."""
    tally = Tally()
    commands: set[str] = set()
    for scenario in CATALOGUE:
        home = tmp_path / scenario.name / "home"
        (home / ".okx").mkdir(parents=True)
        log = tmp_path / scenario.name / "calls.jsonl"
        sim = Simulator(sim_path, home, CallLog(log))
        caplog.clear()
        with monkeypatch.context() as env, raised_exceptions() as raised, serde_events() as serde:
            env.setenv("OKX_SIM_LOG", str(log))
            try:
                prepare(scenario, sim, env)
                since = len(sim.log.argvs())
                chat = converse(scenario, sim, store.saver, ALL_STREAM_MODES, scenario.name)
                commands.update(command_name(argv) for argv in sim.log.argvs()[since:])
            except Exception as error:  # a crash is a finding, and its text is searched too
                raised.append(f"{type(error).__name__}: {error}")
                tally.problems.append(f"{scenario.name}: the graph raised {error!r}")
                chat = None
        tally.scenarios += 1
        if chat is None:
            places = {"exceptions": "\n".join(raised).encode()}
        else:
            places = places_of(chat, store, caplog.text, raised)
            tally.problems.extend(f"{scenario.name}: {p}" for p in branch_problems(scenario, chat))
        tally.scanned += sum(len(blob) for blob in places.values())
        tally.problems.extend(f"{scenario.name}: leak in {p}" for p in leaks_in(places))
        tally.problems.extend(f"{scenario.name}: serde event {e}" for e in serde)
        mask = scenario.expected_mask
        if chat is not None and mask and mask.encode() not in places["stored rows"]:
            tally.problems.append(
                f"{scenario.name}: {mask} not in the stored rows (the search missed the config)"
            )
    if commands != set(MATRIX_COMMANDS):
        tally.problems.append(
            f"the graph ran {sorted(commands)}; the fault matrix has rows for "
            f"{sorted(MATRIX_COMMANDS)}"
        )
    files = store.files()
    tally.scanned += len(files)
    tally.problems.extend(f"leak in the {store.name} files: {p}" for p in leaks_in({"": files}))
    return tally


def branch_problems(scenario: Scenario, chat: Chat) -> list[str]:
    """Whether the scenario really took its branch (else it proves nothing about it)."""
    problems: list[str] = []
    status = (chat.outcome or {}).get("status")
    if status != scenario.expect:
        problems.append(f"ended {status!r}, expected {scenario.expect!r}")
    kinds = tuple(i["kind"] for i in chat.questions)
    if kinds != scenario.kinds:
        problems.append(f"asked {kinds}, expected {scenario.kinds}")
    if chat.interrupt is not None:
        problems.append(f"still waiting at {chat.interrupt['kind']}")
    return problems


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Every logger at DEBUG: the package logs each CLI call there."""
    caplog.set_level(logging.DEBUG)


def assert_clean(tally: Tally, figure: Figure, store: str) -> None:
    """No problem at all; then report the sweep's figure."""
    assert tally.scenarios == len(CATALOGUE)
    assert not tally.problems, "\n".join(tally.problems)
    figure(
        f"{store}: {tally.scenarios} scenarios, {tally.scanned:,} bytes scanned, "
        f"{tally.leaks()} leaks"
    )


# ---------------------------------------------------------------- the sweeps


def test_no_secret_leaves_the_okx_layer_with_the_memory_saver(
    sim_path: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    figure: Figure,
) -> None:
    tally = sweep(memory_store(), sim_path, tmp_path, monkeypatch, caplog)
    assert_clean(tally, figure, "InMemorySaver")


def test_no_secret_in_the_sqlite_rows_or_file(
    sim_path: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    figure: Figure,
) -> None:
    with sqlite_store(tmp_path / "checkpoints.sqlite") as store:
        tally = sweep(store, sim_path, tmp_path, monkeypatch, caplog)
    assert_clean(tally, figure, "SqliteSaver")


def test_no_secret_in_the_postgres_rows(
    postgres_url: str,
    sim_path: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    figure: Figure,
) -> None:
    with postgres_store(postgres_url) as store:
        tally = sweep(store, sim_path, tmp_path, monkeypatch, caplog)
    assert_clean(tally, figure, "PostgresSaver")


# ---------------------------------------------------------------- the search itself works


def test_the_search_finds_a_planted_leak() -> None:
    """A search that cannot find anything proves nothing: feed it each kind of leak."""
    assert leaks_in({"clean": b"profile main, key ***Q7XZ"}) == []
    assert leaks_in({"whole": API_KEY.encode()}) != []
    assert leaks_in({"middle": PASSPHRASE[5:15].encode()}) != []
    assert leaks_in({"tail": b"the key ends in Q7XZ"}) == ["tail: b'Q7XZ' outside its mask"]


@dataclass
class Undeclared:
    """A type no state schema declares."""

    value: str


def test_checkpoints_load_under_the_strict_allowlist() -> None:
    """The sweeps run with strict loading, and the serde watcher would see a blocked type.

    Strict mode loads an undeclared type back as a plain dict and says so with
    a `msgpack_blocked` event; the sweeps saw no event at all, so every type
    the graph checkpoints is declared.
    """
    assert os.environ["LANGGRAPH_STRICT_MSGPACK"] == "true"
    serde = JsonPlusSerializer()
    with serde_events() as events:
        loaded = serde.loads_typed(serde.dumps_typed(Undeclared("x")))
    assert loaded == {"value": "x"}
    assert [(e["kind"], e.get("name")) for e in events] == [("msgpack_blocked", "Undeclared")]


def test_the_watchers_see_what_they_must(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The exception trace, the log capture and the row reader each see real data.

    The CLI error echoing every secret must surface as an exception inside the
    okx layer (redacted), the CLI call must be logged at DEBUG, and the masked
    key must be in the rows: otherwise a clean sweep would only mean a blind one.
    """
    scenario = next(s for s in CATALOGUE if s.name == "config-show-error-echoes-secrets")
    store = memory_store()
    with raised_exceptions() as raised:
        chat = play(scenario, sim, monkeypatch, store.saver, ALL_STREAM_MODES, "watched")
    okx_errors = [text for text in raised if text.startswith("OkxError: okx config show --json")]
    assert okx_errors
    assert "api_key=***Q7XZ" in okx_errors[0]
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("config show" in message for message in debug)
    assert b"***Q7XZ" in flatten(store.rows("watched"))
    assert chat.events
    assert leaks_in(places_of(chat, store, caplog.text, raised)) == []
