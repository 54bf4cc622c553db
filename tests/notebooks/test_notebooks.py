"""Every notebook runs top to bottom against `okx-sim`, and is committed without outputs.

The kernel is this environment's Python (the native `python3` kernel), with
HOME a temporary directory, so a notebook can neither reach a real okx CLI
nor touch a real `~/.okx/`. Each notebook runs twice:

- in place: from `notebooks/` of the checkout, in the suite's environment,
  `OKX_CLI` pointing at the simulator;
- copied outside: a copy in a temporary folder outside the checkout, run
  there, its kernel's environment only PATH, HOME and what the notebook says
  it reads (`OKX_TRADE_MCP` for 04; `OKX_CLI` is left to the notebook's own
  default, `okx-sim` beside the kernel's Python), as a user who installed the
  package and downloaded a notebook would run it. Whatever it imports must
  then come from the installed package, not from the checkout. The
  simulator's `OKX_SIM_LOG` is there too: it is how the test sees the calls.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Literal, cast

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode

from tests.support import CallLog

CHECKOUT = Path(__file__).resolve().parents[2]
NOTEBOOKS = CHECKOUT / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
BALANCE = ["account", "balance", "--json"]
TICKER = ["market", "ticker", "BTC-USDT", "--json"]


def login(site: str) -> list[str]:
    return ["auth", "login", "--manual", "--site", site]


# What each notebook must have made the CLI do: (argv, how many times).
EXPECTED_CALLS: dict[str, list[tuple[list[str], int]]] = {
    # One login on the site the user picked; the status entry adds a status call.
    "01_quickstart": [(login("eea"), 1), (BALANCE, 0)],
    # Market data, then a sign-in and the balance; after the session expires,
    # the balance fails, recovery signs in again and the balance is retried.
    "02_subgraph_agent_app": [(TICKER, 1), (login("global"), 2), (BALANCE, 3)],
    "03_agent_middleware": [(TICKER, 1), (login("us"), 2), (BALANCE, 3)],
    # OKX's MCP server does the trading; the CLI only signs in, once, on the site picked.
    "04_okx_mcp_tools": [(TICKER, 0), (login("us"), 1), (BALANCE, 0)],
}


_read = cast(Callable[..., NotebookNode], nbformat.read)


def read_notebook(path: Path) -> NotebookNode:
    """A notebook as nbformat 4 (nbformat itself has no type hints)."""
    return _read(path, as_version=4)


def test_the_notebooks_are_all_here() -> None:
    assert [path.stem for path in PATHS] == list(EXPECTED_CALLS)


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = read_notebook(path)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert [cell.outputs for cell in code] == [[] for _ in code]
    assert [cell.execution_count for cell in code] == [None for _ in code]


@pytest.mark.parametrize("where", ["in_place", "copied_outside"])
@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_notebook_runs_top_to_bottom(
    path: Path, where: Literal["in_place", "copied_outside"], sim_path: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    log = CallLog(tmp_path / "okx-calls.jsonl")
    kernel_env = {"HOME": str(home), "OKX_SIM_LOG": str(log.path)}
    if path.stem == "04_okx_mcp_tools":
        server: Path = request.getfixturevalue("mcp_server")
        kernel_env["OKX_TRADE_MCP"] = str(server)
    if where == "in_place":
        folder = NOTEBOOKS
        for name, value in {**kernel_env, "OKX_CLI": sim_path}.items():
            monkeypatch.setenv(name, value)
        kernel_env = dict(os.environ)
    else:
        folder = tmp_path / "downloaded"
        folder.mkdir()
        shutil.copy(path, folder)
        assert not folder.resolve().is_relative_to(CHECKOUT)
        kernel_env["PATH"] = os.environ["PATH"]
    notebook = read_notebook(folder / path.name)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},  # the kernel's working directory
    )
    client.execute(env=kernel_env)  # raises CellExecutionError on the first failing cell

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    argvs = log.argvs()
    assert [(argv, argvs.count(argv)) for argv, _ in EXPECTED_CALLS[path.stem]] == (
        EXPECTED_CALLS[path.stem]
    )
    # Every CLI call ran in the notebook's own throwaway HOME, never the test's.
    assert str(home) not in {entry["home"] for entry in log.entries()}
    assert not (home / ".okx").exists()
