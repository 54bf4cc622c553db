"""Every notebook runs top to bottom against `okx-sim`, and is committed without outputs.

The kernel is this environment's Python (the native `python3` kernel), with
`OKX_CLI` pointing at the simulator and HOME a temporary directory, so a
notebook can neither reach a real okx CLI nor touch a real `~/.okx/`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode

from tests.support import CallLog

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
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


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_notebook_runs_top_to_bottom(
    path: Path, sim_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("OKX_CLI", sim_path)
    if path.stem == "04_okx_mcp_tools":
        server: Path = request.getfixturevalue("mcp_server")
        monkeypatch.setenv("OKX_TRADE_MCP", str(server))
    monkeypatch.setenv("HOME", str(home))
    log = CallLog(tmp_path / "okx-calls.jsonl")
    monkeypatch.setenv("OKX_SIM_LOG", str(log.path))
    notebook = read_notebook(path)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

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
