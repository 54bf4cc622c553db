"""Every snippet in the README and the docs runs as pasted, so neither can drift from the package.

The convention, for whoever edits README.md or a page of the documentation
site (every `docs/**/*.md`; a failure names the file and its line). Every
fenced block names its language, and the language says what this test does
with it:

- ```python runs as pasted, on its own: each block in a fresh process, with a
  new empty HOME, the working directory outside the checkout and only the
  environment of a reader's shell with the venv activated (`PATH` with the
  venv's `bin/` first, `HOME`, `VIRTUAL_ENV`, `LANG`); none of the test
  suite's variables, no `OKX_*`. It must exit 0 and write nothing to stderr:
  no warning, no traceback. Then it runs again, in a second fresh process
  with the same HOME (and the same server and database), and must do the
  same: a reader runs a snippet more than once, so a snippet starts from
  what it makes itself (a simulated user gets `tempfile.mkdtemp()` as HOME),
  not from a HOME that an earlier run left signed in.
- ```py is a fragment: the paragraph right above it has a sentence
  "Placeholders: `name` (what it stands for), ..." naming every name the
  fragment uses without defining it. The fragment runs like a ```python
  block with exactly those names bound (`readme_bindings.py`: a scripted
  chat model for "any chat model", a fresh database for a URL, ...), and
  with any `NAME=value` that paragraph tells the reader to set. A top-level
  `await` runs on an event loop, as in an async function or a notebook.
- Either kind also pastes into the interactive interpreter line by line
  (`repl_errors`): a `for`/`with`/`if`/`def` block is followed by a blank
  line before the next top-level statement, no blank line sits inside an
  indented block, and the block ends with no statement left open.
- A block of either kind that talks to `http://127.0.0.1:2024` needs a
  server: the test starts it the way the nearest ```sh block above it on the
  same page that runs `langgraph dev` says (that block runs in bash from the checkout, so
  its exports and assignments are what the server and the snippet get), on
  a free port. Such a block reads the address from `LANGGRAPH_URL`, with
  `http://127.0.0.1:2024` as the default, as the docs tell the reader to
  when 2024 is taken; the test sets `LANGGRAPH_URL` to the address the
  server announced.
- ```sh holds commands: every `.venv/bin/<tool>` they name is installed,
  every `make` target, `pip` extra and path of the checkout they name exists,
  and every `okx-auth-graph` option they (or a ```text usage line) show is
  one the command's `--help` lists.
- ```text, ```json and ```mermaid are shapes and drawings, never run (the
  drawing is held to the code by `tests/graph/test_snapshots.py`).

A block of any other kind, or a fragment that names no placeholders, fails
the test: nothing is skipped silently.

A top-level bare expression whose line ends in a comment starting with a
Python literal claims its value: `route_request("买 BTC")  # "trade"`. A
string, number or boolean must be equal; a dict must hold every key it shows,
with `...` standing for keys not shown (`readme_runner.claim_in`).
"""

from __future__ import annotations

import ast
import code
import inspect
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any

import pytest

from benchmarks.dev_server import ROOT
from tests.docs import readme_bindings
from tests.docs.readme_runner import Claim, claims_by_line, expression_claims
from tests.reliability.postgres import PostgresServer, running_postgres
from tests.server.servers import serving

README = ROOT / "README.md"
DOCS = ROOT / "docs"
DOCUMENTS = [README, *sorted(DOCS.rglob("*.md"))]
"""Every Markdown text whose blocks this test checks: the README, then each docs page."""
README_MAX_LINES = 250
"""The README says what the package is and how to start; the manual is the docs site."""
VENV_BIN = Path(sys.executable).parent
RUNNER = Path(__file__).with_name("readme_runner.py")
BINDINGS = Path(__file__).with_name("readme_bindings.py")
SERVER_URL = "http://127.0.0.1:2024"
"""Where the SDK snippets find `langgraph dev` unless `LANGGRAPH_URL` says otherwise."""
URL_VARIABLE = "LANGGRAPH_URL"
"""The environment variable the SDK snippets read the server's address from."""
READS_SERVER_URL = f'os.environ.get("{URL_VARIABLE}", "{SERVER_URL}")'
"""How an SDK snippet reads it."""

RUNS, FRAGMENT, COMMANDS = "python", "py", "sh"
SHAPES = frozenset({"text", "json", "mermaid"})
BASH_OWN = frozenset({"PWD", "OLDPWD", "SHLVL", "_"})
"""Variables bash sets by itself; the rest of a recorded environment is the block's."""

_PLACEHOLDERS = re.compile(r"Placeholders:(?P<names>.*?)(?:\.(?=\s+[A-Z])|\.?$)")
_NAME = re.compile(r"`([A-Za-z_]\w*)`")
_ASSIGNMENT = re.compile(r"`([A-Z][A-Z0-9_]*)=([^`\s]+)`")


@dataclass(frozen=True)
class Block:
    """One fenced block of a Markdown text."""

    language: str
    """What the fence names (`python`, `py`, `sh`, ...; empty when it names nothing)."""
    source: str
    """The code, without the fences."""
    first_line: int
    """The Markdown line of the code's first line."""
    intro: str
    """The paragraph right above the fence, on one line."""
    heading: str
    """The heading the block is under."""
    document: str = "README.md"
    """The Markdown file, relative to the checkout (`README.md`, `docs/usage.md`, ...)."""

    @property
    def label(self) -> str:
        """How a failure names the block."""
        return f"```{self.language} at {self.document}:{self.first_line} ({self.heading})"

    @property
    def test_id(self) -> str:
        """The block in a test's name: its file, its kind, its line."""
        return f"{self.document}-{self.language}-L{self.first_line}"

    def placeholders(self) -> list[str]:
        """The names the intro's "Placeholders:" sentence lists, in its order."""
        found = _PLACEHOLDERS.search(self.intro)
        return _NAME.findall(found.group("names")) if found else []

    def environment(self) -> dict[str, str]:
        """The `NAME=value` a fragment's intro tells the reader to set."""
        return dict(_ASSIGNMENT.findall(self.intro)) if self.language == FRAGMENT else {}

    @property
    def needs_server(self) -> bool:
        """Whether it talks to the `langgraph dev` a ```sh block above it starts."""
        return SERVER_URL in self.source


def markdown_blocks(text: str, document: str = "README.md") -> list[Block]:
    """Every fenced block, with the paragraph above it and the heading it is under."""
    blocks: list[Block] = []
    lines = text.splitlines()
    heading, index = "", 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if not line.startswith("```"):
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        above: list[str] = []
        for previous in reversed(lines[:index]):
            if not previous.strip() and not above:
                continue  # the blank line between the paragraph and its fence
            if not previous.strip() or previous.startswith(("#", "```")):
                break
            above.insert(0, previous.strip())
        blocks.append(Block(
            language=line[3:].strip(),
            source="\n".join(lines[index + 1:end]) + "\n",
            first_line=index + 2,
            intro=" ".join(above),
            heading=heading,
            document=document,
        ))
        index = end + 1
    return blocks


BLOCKS = [
    block for document in DOCUMENTS
    for block in markdown_blocks(document.read_text(encoding="utf-8"),
                                 document.relative_to(ROOT).as_posix())
]
PYTHON = [block for block in BLOCKS if block.language in (RUNS, FRAGMENT)]
SHELL = [block for block in BLOCKS if block.language == COMMANDS]
BOUND = {
    name for name, value in vars(readme_bindings).items()
    if inspect.isfunction(value) and value.__module__ == readme_bindings.__name__
    and not name.startswith("_")
}
"""Every placeholder `readme_bindings` can bind."""


def server_block(block: Block) -> Block:
    """The nearest ```sh block above `block`, on its page, that starts `langgraph dev`."""
    above = [b for b in SHELL if b.document == block.document
             and b.first_line < block.first_line and "langgraph dev" in b.source]
    assert above, f"{block.label} talks to {SERVER_URL}, but no ```sh block above starts it"
    return above[-1]


# ---------------------------------------------------------------- the convention


def test_every_block_is_a_kind_the_convention_knows() -> None:
    known = {RUNS, FRAGMENT, COMMANDS, *SHAPES}
    unknown = [block.label for block in BLOCKS if block.language not in known]
    assert not unknown, f"blocks the test does not know how to check: {unknown}"
    for block in PYTHON:
        named = block.placeholders()
        if block.language == RUNS:
            assert not named, f"{block.label} names placeholders: fence it ```py"
        else:
            assert named, (f"{block.label} is a fragment: name its placeholders above it "
                           "(\"Placeholders: `name` (what it stands for), ...\"), or make it "
                           "run as pasted and fence it ```python")
            assert set(named) <= BOUND, f"{block.label}: no binding for {set(named) - BOUND}"
        if block.needs_server:
            server_block(block)
            assert READS_SERVER_URL in block.source, (
                f"{block.label} talks to {SERVER_URL}: read the address with "
                f"{READS_SERVER_URL}, as the docs tell readers whose port 2024 is taken")


def test_every_binding_stands_for_a_placeholder_the_readme_names() -> None:
    named = {name for block in PYTHON for name in block.placeholders()}
    assert named == BOUND


def test_every_docs_page_is_read_and_the_readme_stays_short() -> None:
    """The pages of the site are checked too; the README is the introduction, not the manual."""
    assert {block.document for block in BLOCKS} >= {
        "README.md", "docs/usage.md", "docs/studio.md", "docs/serving.md", "docs/reliability.md",
    }
    assert len(README.read_text(encoding="utf-8").splitlines()) <= README_MAX_LINES


def test_the_first_snippet_of_use_it_signs_a_user_in_against_the_simulator() -> None:
    """It runs as pasted (a ```python block) and claims the outcome a reader must see."""
    first = next(block for block in BLOCKS
                 if block.document == "README.md" and block.heading == "Use it")
    assert first.language == RUNS
    assert "okx_cli=\"okx-sim\"" in first.source
    assert "okx-sim\", \"browser\", \"approve\"" in first.source
    claims = [claim.value for claim in expression_claims(first.source).values()]
    assert {"status": "logged_in", "site": "eea"} in claims


def test_placeholders_are_the_names_of_the_sentence_above_a_fragment() -> None:
    text = (
        "Some prose. Placeholders: `url` (the database's, e.g.\n"
        "`postgresql://db/x`) and `request` (the input). Offline, set `OKX_CLI=okx-sim`.\n"
        "\n```py\nprint(url, request)\n```\n"
        "Placeholders: `model`\n```python\nx = 1\n```\n"
    )
    fragment, runs = markdown_blocks(text)
    assert (fragment.placeholders(), fragment.environment()) == (
        ["url", "request"], {"OKX_CLI": "okx-sim"},
    )
    assert (runs.placeholders(), runs.environment()) == (["model"], {})
    assert (fragment.first_line, runs.first_line) == (5, 9)


# ---------------------------------------------------------------- running the snippets


@dataclass
class Reader:
    """A reader's machine for one snippet: a fresh HOME, a folder outside the checkout."""

    root: Path
    home: Path = field(init=False)
    work: Path = field(init=False)

    def __post_init__(self) -> None:
        self.home, self.work = self.root / "home", self.root / "work"
        self.home.mkdir()
        self.work.mkdir()

    def environment(self) -> dict[str, str]:
        """A shell with the venv activated, and nothing else."""
        return {
            "HOME": str(self.home),
            "PATH": os.pathsep.join([str(VENV_BIN), os.environ["PATH"]]),
            "VIRTUAL_ENV": str(VENV_BIN.parent),
            "LANG": os.environ.get("LANG") or "C.UTF-8",
        }


@dataclass(frozen=True)
class ServerCommand:
    """What a server block runs: the server's settings, and the shell's exports."""

    config: str
    jobs_per_worker: int | None
    env: dict[str, str]
    """What the block sets for `langgraph dev` (its assignments and exports)."""
    exported: dict[str, str]
    """What the block exports to the shell the reader goes on in."""


def read_server_command(block: Block, reader: Reader) -> ServerCommand:
    """Run the block in bash from the checkout, with `langgraph` replaced by a recorder."""
    recorder, record = reader.root / "langgraph", reader.root / "langgraph.jsonl"
    recorder.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        "with open(os.environ['README_RECORD'], 'a') as out:\n"
        "    out.write(json.dumps({'argv': sys.argv[1:], 'env': dict(os.environ)}) + '\\n')\n"
    )
    recorder.chmod(0o755)
    assert block.source.count(".venv/bin/langgraph ") == 1, block.label
    script = block.source.replace(".venv/bin/langgraph ", '"$README_LANGGRAPH" ')
    base = reader.environment()
    subprocess.run(
        ["bash", "-e", "-c", f'{script}\n"$README_LANGGRAPH" exported\n'], cwd=ROOT,
        env={**base, "README_LANGGRAPH": str(recorder), "README_RECORD": str(record)},
        check=True, capture_output=True, timeout=60,
    )
    server, after = (json.loads(line) for line in record.read_text().splitlines())

    def set_by_block(env: dict[str, str]) -> dict[str, str]:
        return {key: value for key, value in env.items() if base.get(key) != value
                and key not in BASH_OWN and not key.startswith("README_")}

    argv = iter(server["argv"])
    assert next(argv) == "dev", block.label
    flags: set[str] = set()
    config, jobs = "langgraph.json", None
    for arg in argv:
        if arg in ("--no-browser", "--no-reload"):
            flags.add(arg)
        elif arg == "--host":
            assert next(argv) == "127.0.0.1", block.label
        elif arg == "--port":
            next(argv)  # the launcher takes a free port; the snippet uses the announced one
        elif arg == "--config":
            config = next(argv)
        elif arg == "--n-jobs-per-worker":
            jobs = int(next(argv))
        else:
            pytest.fail(f"{block.label}: the test's launcher cannot pass {arg!r}")
    assert flags == {"--no-browser", "--no-reload"}, block.label
    return ServerCommand(config, jobs, set_by_block(server["env"]), set_by_block(after["env"]))


@contextmanager
def readme_server(block: Block, reader: Reader) -> Iterator[tuple[str, dict[str, str]]]:
    """The server `block` starts, as it starts it; its address and the shell's exports."""
    command = read_server_command(block, reader)
    folder = reader.root / "server"
    folder.mkdir()
    with serving(folder, command.env, config=command.config,
                 jobs_per_worker=command.jobs_per_worker) as server:
        yield server.url, command.exported


@pytest.fixture(scope="session")
def readme_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL for the fragments whose placeholder is a database URL."""
    with running_postgres() as server:
        yield server


def facts_for(names: list[str], request: pytest.FixtureRequest) -> dict[str, str]:
    """What the bindings of `names` need from the test (`readme_bindings.Facts`)."""
    facts = {}
    if "url" in names:
        postgres: PostgresServer = request.getfixturevalue("readme_postgres")
        facts["postgres_url"] = postgres.create_database()
    if "connection" in names:
        facts["okx_trade_mcp"] = str(request.getfixturevalue("mcp_server"))
    return facts


def run_as_pasted(
    block: Block, env: dict[str, str], reader: Reader, facts: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """The snippet in its own process; the process and the claims its run checked."""
    report = reader.root / "claims.json"
    report.unlink(missing_ok=True)  # an earlier run's report is not this run's
    job = reader.root / "job.json"
    job.write_text(json.dumps({
        "source": block.source, "first_line": block.first_line, "document": block.document,
        "placeholders": block.placeholders(), "bindings": str(BINDINGS), "facts": facts,
        "report": str(report),
    }))
    done = subprocess.run(
        [sys.executable, "-I", str(RUNNER), str(job)], cwd=reader.work, env=env,
        capture_output=True, text=True, check=False, timeout=600,
    )
    checked = json.loads(report.read_text())["claims"] if report.exists() else []
    return done, checked


def run_twice(block: Block, env: dict[str, str], reader: Reader, facts: dict[str, str]) -> None:
    """Run the snippet, then run it again in the same HOME; each run must pass on its own."""
    claimed = [claim.shown for claim in expression_claims(block.source).values()]
    for run in ("first", "second"):
        done, checked = run_as_pasted(block, env, reader, facts)
        assert done.returncode == 0, f"{block.label} failed on its {run} run:\n{done.stderr}"
        assert done.stderr == "", f"{block.label} wrote to stderr on its {run} run:\n{done.stderr}"
        assert checked == claimed, f"{block.label}, {run} run"


@pytest.mark.parametrize("block", PYTHON, ids=lambda block: block.test_id)
def test_each_snippet_runs_as_pasted_twice(
    block: Block, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    reader = Reader(tmp_path)
    env = reader.environment()
    with ExitStack() as stack:
        if block.needs_server:
            url, exported = stack.enter_context(readme_server(server_block(block), reader))
            env |= exported | {URL_VARIABLE: url}
        env |= block.environment()
        run_twice(block, env, reader, facts_for(block.placeholders(), request))


def test_a_snippet_that_only_runs_once_fails(tmp_path: Path) -> None:
    """What the first run leaves in the HOME is there for the second."""
    reader = Reader(tmp_path)
    block = Block(RUNS, 'from pathlib import Path\nPath.home().joinpath("okx-users").mkdir()\n',
                  40, "", "a test")
    with pytest.raises(AssertionError, match="failed on its second run") as failure:
        run_twice(block, reader.environment(), reader, {})
    assert "README.md, line 41" in str(failure.value)
    assert "FileExistsError" in str(failure.value)


def test_a_false_claim_fails_its_snippet(tmp_path: Path) -> None:
    """The runner would notice a page that says something else than the code does."""
    reader = Reader(tmp_path)
    block = Block(RUNS, 'total = 1 + 1\ntotal  # 3\n', 40, "", "a test")
    done, checked = run_as_pasted(block, reader.environment(), reader, {})
    assert done.returncode == 1
    assert "README.md, line 41: total\nclaims 3, but it is 2" in done.stderr
    assert checked == []


def test_a_failure_names_the_docs_page_and_its_line(tmp_path: Path) -> None:
    """A block of a docs page is reported at that page's line, not the README's."""
    reader = Reader(tmp_path)
    (block,) = markdown_blocks("# Page\n\n```python\n1 / 0\n```\n", "docs/page.md")
    assert block.label == "```python at docs/page.md:4 (Page)"
    done, _ = run_as_pasted(block, reader.environment(), reader, {})
    assert done.returncode == 1
    assert "docs/page.md, line 4: 1 / 0" in done.stderr
    assert repl_errors("for x in []:\n    y = x\nz = 1\n", 7, "docs/page.md")[0].startswith(
        "docs/page.md:9: SyntaxError")


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


# ---------------------------------------------------------------- pasting into the REPL


class PastedConsole(code.InteractiveConsole):
    """The interactive interpreter reading pasted lines: its compile logic, running nothing.

    A top-level `await` compiles, as in `python -m asyncio` (a fragment's
    `await` runs inside an async function or a notebook cell).
    """

    def __init__(self, first_line: int, document: str = "README.md") -> None:
        super().__init__(filename=document)
        self.compile.compiler.flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        self.document = document
        """The Markdown file the lines are pasted from."""
        self.line = first_line
        """The Markdown line being pushed."""
        self.errors: list[str] = []

    def runcode(self, compiled: CodeType) -> None:
        """Run nothing: only whether the lines are accepted matters."""

    def showsyntaxerror(self, filename: str | None = None, **kwargs: Any) -> None:
        """Record the error the interpreter would print, at the Markdown line pushed."""
        error = sys.exc_info()[1]
        message = error.msg if isinstance(error, SyntaxError) else str(error)
        self.errors.append(f"{self.document}:{self.line}: {type(error).__name__}: {message}")


def repl_errors(source: str, first_line: int, document: str = "README.md") -> list[str]:
    """What the interactive interpreter refuses when `source` is pasted line by line.

    After the last line comes one empty line, the Enter that runs a block the
    paste left open; a statement still unfinished after it is an error too.
    """
    lines = source.splitlines()
    console = PastedConsole(first_line, document)
    more = False
    for number, line in enumerate([*lines, ""], start=first_line):
        console.line = number
        more = console.push(line)
    if more:
        last = first_line + len(lines) - 1
        console.errors.append(f"{document}:{last}: the block ends inside an unfinished statement")
    return console.errors


@pytest.mark.parametrize("block", PYTHON, ids=lambda block: block.test_id)
def test_each_snippet_pastes_into_the_interactive_interpreter(block: Block) -> None:
    assert repl_errors(block.source, block.first_line, block.document) == [], block.label


@pytest.mark.parametrize(("source", "error"), [
    ("for x in []:\n    y = x\nz = 1\n", "README.md:12: SyntaxError: invalid syntax"),
    ("def f():\n    x = 1\n\n    return x\n", "README.md:13: IndentationError: unexpected"),
    ("total = sum([\n    1,\n", "README.md:11: the block ends inside an unfinished statement"),
])
def test_the_interactive_interpreter_check_names_the_line_it_refuses(
    source: str, error: str
) -> None:
    errors = repl_errors(source, 10)
    assert len(errors) == 1
    assert errors[0].startswith(error), errors


def test_the_interactive_interpreter_check_accepts_what_the_interpreter_does() -> None:
    source = (
        "import asyncio\n\nfor x in []:\n    y = x\n    # a comment inside\n\nz = (\n"
        "    1,\n)\nawait asyncio.sleep(0)\nasync with asyncio.timeout(1):\n"
        "    await asyncio.sleep(0)\n"
    )
    assert repl_errors(source, 1) == []


# ---------------------------------------------------------------- the shell commands


def commands(block: Block) -> list[list[str]]:
    """The block's commands as words (continuation lines joined, comments dropped)."""
    text = block.source.replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in text.splitlines() if line.strip()]


SHELL_WORDS = [word for block in SHELL for command in commands(block) for word in command]


def test_every_venv_tool_the_commands_name_is_installed() -> None:
    tools = {name for word in SHELL_WORDS for name in re.findall(r"\.venv/bin/([\w.-]+)", word)}
    assert {"okx-auth-graph", "langgraph", "pytest", "python", "okx-sim"} <= tools
    assert sorted(tool for tool in tools if not (VENV_BIN / tool).exists()) == []


def test_every_make_target_extra_and_path_the_commands_name_exists() -> None:
    makefile = (ROOT / "Makefile").read_text()
    targets = [command[1] for block in SHELL for command in commands(block)
               if command[0] == "make"]
    assert targets
    assert [t for t in targets if not re.search(rf"^{t}:", makefile, re.MULTILINE)] == []
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    named = [e for word in SHELL_WORDS for group in re.findall(r"^\.\[(.+)\]$", word)
             for e in group.split(",")]
    assert named
    assert set(named) <= set(extras)
    paths = [word for word in SHELL_WORDS
             if re.match(r"^(tests|notebooks|benchmarks|okx_auth_graph)/", word)]
    assert paths
    assert [p for p in paths if not (ROOT / p).exists()] == []


def _help(subcommand: str) -> str:
    done = subprocess.run([str(VENV_BIN / "okx-auth-graph"), subcommand, "--help"],
                          capture_output=True, text=True, check=True, timeout=60)
    return " ".join(done.stdout.split())


def test_every_okx_auth_graph_option_the_readme_shows_is_accepted() -> None:
    shown: list[list[str]] = [
        command[command.index(word) + 1:] for command in
        (c for block in SHELL for c in commands(block)) for word in command
        if word.endswith(".venv/bin/okx-auth-graph")
    ]
    assert {words[0] for words in shown} == {"chat", "check-skill", "demo", "mcp"}
    for words in shown:
        listed = set(re.findall(r"--[a-z][a-z-]*", _help(words[0])))
        assert {w for w in words[1:] if w.startswith("--")} <= listed, words
    usage = [block.source for block in BLOCKS
             if block.language == "text" and block.source.startswith("okx-auth-graph ")]
    assert usage
    for text in usage:
        help_text = _help(text.split()[1])
        for flag, value in re.findall(r"\[(--[\w-]+)(?: ([^\]]+))?\]", text):
            argument = "{" + value.replace("|", ",") + "}" if "|" in value else value
            assert f"{flag} {argument}".strip() in help_text, (flag, value)
