"""The graph's state is plain data, so checkpoints load quietly whatever the strict setting.

A checkpointer stores a class instance (a pydantic model, an enum) under its
module and name, and loading it again either warns that the type is not
registered (`LANGGRAPH_STRICT_MSGPACK` unset, a user's plain run) or refuses it
(strict). Plain data (TypedDicts of strings, numbers, booleans, lists and
None, `Literal` strings for enumerations) is stored as itself. The first test
holds the state's declared types to that; the others run whole conversations
in a fresh process, as a user's program would, with and without the variable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, Union, get_args, get_origin

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from pydantic import BaseModel
from typing_extensions import get_type_hints, is_typeddict

from okx_auth_graph.context import AuthContext
from okx_auth_graph.graph import graph
from okx_auth_graph.interrupts import InterruptPayload
from okx_auth_graph.okx import OkxSettings, config_show, execute
from okx_auth_graph.state import MESSAGES, AuthInput, AuthOutput, AuthState
from tests.support import Simulator

PROGRAM = Path(__file__).with_name("login_program.py")
PLAIN_LEAVES = (str, int, float, bool, type(None))
UNREGISTERED = "unregistered type"
LOGIN = ["open", "choose", "done", "status"]
"""A whole login, then a new request on the same thread (which loads every stored value)."""


def impure_types(hint: object, where: str) -> list[str]:
    """Every place under `hint` whose type is not plain data, as `where: type`."""
    origin = get_origin(hint)
    if hint in PLAIN_LEAVES or origin is Literal:
        return []
    if origin in (Union, types.UnionType):
        return [found for arg in get_args(hint) for found in impure_types(arg, where)]
    if origin in (NotRequired, Annotated):
        return impure_types(get_args(hint)[0], where)
    if origin is list or (origin is dict and get_args(hint)[0] is str):
        return impure_types(get_args(hint)[-1], f"{where}[]")
    if is_typeddict(hint):
        return [
            found
            for key, field in get_type_hints(hint).items()
            for found in impure_types(field, f"{where}.{key}")
        ]
    return [f"{where}: {hint!r}"]


@pytest.mark.parametrize(
    "schema", [AuthState, AuthInput, AuthOutput], ids=lambda schema: schema.__name__
)
def test_every_state_value_is_plain_data(schema: type) -> None:
    hints = get_type_hints(schema, include_extras=True)
    messages = hints.pop("messages")
    assert get_args(messages)[1] is MESSAGES  # LangChain's messages, which LangGraph registers
    assert [found for key, hint in hints.items() for found in impure_types(hint, key)] == []


@pytest.mark.parametrize("payload", get_args(InterruptPayload), ids=lambda p: p.__name__)
def test_every_interrupt_payload_is_plain_data(payload: type) -> None:
    """What a question's interrupt carries (and an `awaiting_reply` outcome keeps in the state)."""
    assert impure_types(payload, "payload") == []


class Model(BaseModel):
    """What the state held before: a pydantic model."""

    site: str


class Kind(StrEnum):
    """And a string enum."""

    EEA = "eea"


def test_the_walk_finds_a_class_in_the_state() -> None:
    """The checks above would see a model, an enum, a dataclass or a tuple anywhere."""
    assert impure_types(list[Model], "x") == [f"x[]: {Model!r}"]
    assert impure_types(dict[str, Kind | None], "x") == [f"x[]: {Kind!r}"]
    assert impure_types(AuthContext | None, "context") == [f"context: {AuthContext!r}"]
    assert impure_types(list[tuple[str, ...]], "x") == ["x[]: tuple[str, ...]"]


@pytest.mark.integration  # the module's graph runs `$OKX_CLI` as a process
def test_a_copy_with_another_checkpointer_resumes_with_its_values(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a LangGraph server runs: a copy of the module's graph, configured per run."""
    monkeypatch.setenv("OKX_CLI", sim.path)  # the served graph's executable, read at call time
    configured = graph.copy(update={"checkpointer": InMemorySaver()}).with_config(
        {"tags": ["server-run"]}
    )
    config: RunnableConfig = {"configurable": {"thread_id": "copied"}}
    context = AuthContext(okx_home=str(sim.home))

    configured.invoke({"messages": [HumanMessage("log me in")]}, config, context=context)
    settings = OkxSettings(okx_cli=sim.path, okx_home=str(sim.home))
    parsed = execute(config_show(settings), settings)
    assert configured.get_state(config).values["config"] == parsed
    result = configured.invoke(Command(resume="2"), config, context=context)
    assert result["__interrupt__"][0].value["kind"] == "authorization_done"


def run_program(
    sim: Simulator, store: str, steps: list[str], *, strict: bool
) -> tuple[dict[str, Any], str]:
    """The user's program in a fresh process; its printed result and its stderr."""
    env = {key: value for key, value in os.environ.items()
           if key != "LANGGRAPH_STRICT_MSGPACK" and not key.startswith("OKX_")}
    if strict:
        env["LANGGRAPH_STRICT_MSGPACK"] = "true"
    done = subprocess.run(
        [sys.executable, str(PROGRAM), store, str(sim.home), sim.path, *steps],
        env=env, cwd=sim.home, capture_output=True, text=True, check=False, timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1]), done.stderr


def assert_logged_in(turns: list[dict[str, Any]]) -> None:
    """The turns of `LOGIN`: the menu, the code, signed in, then the status of the session."""
    assert [t["question"]["kind"] if t["question"] else None for t in turns] == [
        "site_choice", "authorization_done", None, None,
    ]
    assert [t["outcome"]["status"] if t["outcome"] else None for t in turns[2:]] == [
        "logged_in", "logged_in",
    ]
    for question in (t["question"] for t in turns[:2]):
        assert json.loads(json.dumps(question)) == question


@pytest.mark.integration  # the user's program in a fresh process
def test_a_login_in_memory_without_strict_loading_warns_nothing(sim: Simulator) -> None:
    result, stderr = run_program(sim, "memory", LOGIN, strict=False)
    assert_logged_in(result["turns"])
    assert result["serde_events"] == []
    assert stderr == ""


@pytest.mark.integration
def test_a_login_across_processes_on_sqlite_without_strict_loading_warns_nothing(
    sim: Simulator, tmp_path: Path
) -> None:
    """Each turn a new process, as a server restarted between the user's messages."""
    store = str(tmp_path / "threads.sqlite")
    runs = [run_program(sim, store, [step], strict=False) for step in LOGIN]
    assert_logged_in([turn for result, _ in runs for turn in result["turns"]])
    assert [event for result, _ in runs for event in result["serde_events"]] == []
    assert [stderr for _, stderr in runs] == ["", "", "", ""]


@pytest.mark.integration
def test_the_warning_these_runs_look_for_reaches_stderr(sim: Simulator) -> None:
    """The control: a class LangGraph does not know, loaded the same way, is reported."""
    result, stderr = run_program(sim, "memory", ["foreign"], strict=False)
    assert UNREGISTERED in stderr
    assert [event["kind"] for event in result["serde_events"]] == ["msgpack_unregistered_allowed"]


@pytest.mark.integration
def test_strict_loading_gives_a_resumed_thread_all_its_values(
    sim: Simulator, tmp_path: Path
) -> None:
    """With `LANGGRAPH_STRICT_MSGPACK=true` a new process reads back what the last one stored."""
    store = str(tmp_path / "threads.sqlite")
    opened, _ = run_program(sim, store, ["open"], strict=True)
    chosen, _ = run_program(sim, store, ["choose"], strict=True)

    resumed, stderr = run_program(sim, store, [], strict=True)
    code = chosen["turns"][0]["question"]
    state = resumed["state"]
    assert state == chosen["state"]
    settings = OkxSettings(okx_cli=sim.path, okx_home=str(sim.home))
    assert state["config"] == execute(config_show(settings), settings)
    assert (state["auth"]["status"], state["auth"]["scopes"]) == ("not_logged_in", [])
    assert state["site_choice"]["site"] == "eea"
    assert state["pending_login"] == {"site": "eea", "device": {
        key: code[key] for key in ("verification_uri", "user_code", "expires_in")
    }}
    assert (resumed["serde_events"], stderr) == ([], "")
    assert opened["state"]["site_choice"] is None
