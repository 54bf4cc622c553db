"""The README's Python, run as written, so the docs cannot drift from the package.

The convention, for whoever edits README.md:

- Every block fenced ```python runs, in the order of the file, in one shared
  namespace, with `OKX_CLI` set to the offline simulator, `HOME` and the
  working directory a fresh temporary folder. A snippet that cannot run on
  its own (it needs a server or a model, or only shows a shape) is fenced
  ```py or ```text instead, and is not run.
- A top-level bare expression whose line ends in a comment starting with a
  Python literal claims its value: `route_request("买 BTC")  # "trade"`. A
  string, number or boolean must be equal; a dict must hold every key it
  shows, with `...` standing for keys not shown. Any other comment is prose.
- The user's browser approves every device code as soon as one is shown:
  before each statement (the manual flow: the code was posted, the user
  authorizes, then says done) and while a statement runs (a blocking login
  waits for it). It watches `HOME` and the `okx_home` of every `AuthContext`
  the blocks create; each of those must lie under `HOME`.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import threading
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.context import AuthContext
from okx_auth_graph.simulator.paths import SimPaths

README = Path(__file__).resolve().parents[2] / "README.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
WATCH_SECONDS = 0.2
"""How often the browser looks for a code while a statement runs."""


@dataclass(frozen=True)
class Claim:
    """A value a README comment says an expression has."""

    shown: str
    """The literal as the README writes it."""
    value: object
    """The literal's value (a dict without its `...`)."""
    partial: bool
    """A dict with `...`: only the keys shown must match."""

    def holds_for(self, actual: object) -> bool:
        """Whether `actual` is what the README says."""
        if self.partial and isinstance(self.value, dict):
            return isinstance(actual, Mapping) and all(
                key in actual and actual[key] == value for key, value in self.value.items()
            )
        return actual == self.value


def python_blocks(markdown: str) -> list[str]:
    """The ```python blocks of a Markdown text, in order."""
    return PYTHON_BLOCK.findall(markdown)


def claim_in(comment: str) -> Claim | None:
    """The literal a comment starts with, if it starts with one."""
    text = comment.lstrip("#").strip()
    if text.startswith("{"):
        shown = text[: _closing_brace(text) + 1]
        body = re.sub(r",\s*\.\.\.\s*}$", "}", shown)
        try:
            return Claim(shown, ast.literal_eval(body), partial=body != shown)
        except (ValueError, SyntaxError):
            return None
    try:
        first = next(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, StopIteration):
        return None
    literal = first.type in (tokenize.STRING, tokenize.NUMBER) or (
        first.type == tokenize.NAME and first.string in ("True", "False", "None")
    )
    return Claim(first.string, ast.literal_eval(first.string), False) if literal else None


def _closing_brace(text: str) -> int:
    depth, quoted = 0, False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "{}":
            depth += 1 if char == "{" else -1
            if depth == 0:
                return index
    return len(text) - 1


def claims_by_line(block: str) -> dict[int, Claim]:
    """Every comment of the block that starts with a literal, by line number."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(block).readline):
        if token.type == tokenize.COMMENT and (claim := claim_in(token.string)) is not None:
            found[token.start[0]] = claim
    return found


class Browser:
    """The user's browser against the simulator: it approves every code it sees."""

    def __init__(self, simulator: str) -> None:
        self._simulator = simulator
        self._homes: set[str] = set()
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self.approved: list[str] = []

    def watch_contexts(self, namespace: Mapping[str, Any]) -> None:
        """Also watch the HOME of every `AuthContext` the README created.

        Each must lie under HOME: a reader's quickstart must run without root
        and touch nothing outside their own folder. This is checked before
        the next statement, so nothing was written there yet.
        """
        home = os.environ["HOME"]
        homes = {
            value.okx_home for value in namespace.values()
            if isinstance(value, AuthContext) and value.okx_home
        }
        outside = sorted(
            h for h in homes if not Path(h).resolve().is_relative_to(Path(home).resolve())
        )
        assert not outside, f"README.md sets okx_home outside HOME: {outside}"
        with self._lock:
            self._homes |= {home, *homes}

    def approve_shown_codes(self) -> None:
        """Approve a pending login in any watched HOME whose simulator state changed."""
        with self._lock:
            for home in sorted(self._homes):
                state = SimPaths(Path(home)).state
                changed = state.stat().st_mtime_ns if state.exists() else 0
                if changed == self._seen.get(home):
                    continue
                done = self._simulator_run(home, "browser", "approve")
                if done.returncode == 0:
                    self.approved.append(done.stdout.strip())
                self._seen[home] = state.stat().st_mtime_ns if state.exists() else 0

    def status(self, home: str) -> str:
        """The login status (`okx auth status --json`) of one watched HOME."""
        done = self._simulator_run(home, "auth", "status", "--json")
        return str(json.loads(done.stdout)["status"])

    @property
    def homes(self) -> list[str]:
        """Every HOME watched so far."""
        with self._lock:
            return sorted(self._homes)

    def _simulator_run(self, home: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self._simulator, *args], env={**os.environ, "HOME": home},
            capture_output=True, text=True, check=False, timeout=30,
        )


@pytest.fixture
def browser(sim_path: str) -> Iterator[Browser]:
    """The browser, also watching in the background while a statement runs."""
    watcher = Browser(sim_path)
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(WATCH_SECONDS):
            watcher.approve_shown_codes()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    yield watcher
    stop.set()
    thread.join()


def run_block(block: str, number: int, namespace: dict[str, Any], browser: Browser) -> list[str]:
    """Run one block statement by statement; returns the claims it checked."""
    claims = claims_by_line(block)
    checked = []
    for statement in ast.parse(block).body:
        browser.watch_contexts(namespace)
        browser.approve_shown_codes()
        where = f"README.md python block {number}, line {statement.lineno}: " + (
            ast.get_source_segment(block, statement) or ""
        )
        claim = claims.get(statement.end_lineno or 0)
        if not isinstance(statement, ast.Expr) or claim is None:
            _run(ast.Module([statement], type_ignores=[]), where, namespace)
            continue
        value = _run(ast.Expression(statement.value), where, namespace)
        assert claim.holds_for(value), f"{where}\nclaims {claim.shown}, but it is {value!r}"
        checked.append(claim.shown)
    return checked


def _run(tree: ast.Module | ast.Expression, where: str, namespace: dict[str, Any]) -> object:
    """Execute a statement or evaluate an expression; a failure says where in the README."""
    try:
        if isinstance(tree, ast.Expression):
            return eval(compile(tree, where, "eval", dont_inherit=True), namespace)  # noqa: S307 - the README's code
        exec(compile(tree, where, "exec", dont_inherit=True), namespace)  # noqa: S102 - the README's code
    except Exception as error:  # the README is wrong: say where and how
        pytest.fail(f"{where}\nraised {error!r}")
    return None


def test_the_readmes_python_runs_and_does_what_it_says(
    browser: Browser, sim_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_CLI", sim_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    namespace: dict[str, Any] = {"__name__": "readme"}

    checked = [
        claim for number, block in enumerate(blocks, start=1)
        for claim in run_block(block, number, namespace, browser)
    ]

    assert blocks, "README.md has no ```python block"
    assert checked, "no README comment claims a value; the run proved only that nothing raised"
    assert browser.approved, "no block showed a device code; the quickstart signs a user in"
    assert "logged_in" in [browser.status(home) for home in browser.homes]


def test_claims_are_read_from_comments_that_start_with_a_literal() -> None:
    block = (
        'x  # "trade"\n'
        "y  # True: no login needed\n"
        'z  # {"status": "logged_in", "site": "eea", ...}\n'
        "w  # the CLI keeps ~/.okx/ there\n"
        "# ... the user authorizes in the browser and says so:\n"
    )

    claims = claims_by_line(block)

    assert sorted(claims) == [1, 2, 3]
    assert claims[1].holds_for("trade")
    assert not claims[1].holds_for("ABCD-EFGH")
    assert claims[2].holds_for(True)
    assert claims[3].holds_for({"status": "logged_in", "site": "eea", "scopes": ["live:read"]})
    assert not claims[3].holds_for({"status": "pending", "site": "eea"})
    assert not Claim('{"a": 1}', {"a": 1}, partial=False).holds_for({"a": 1, "b": 2})
