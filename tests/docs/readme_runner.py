"""Run one block of the docs as a reader pastes it: `python -I readme_runner.py JOB.json`.

`test_readme.py` starts this file in a fresh process per block, with the
reader's environment and nothing of the test suite's (`-I`: no PYTHON*
variables, no user site, not even this file's folder on `sys.path`), so it
imports only the standard library; the installed package is what the block
itself imports. JOB names the block's source, the Markdown file it is in
and where it starts there, the placeholders to bind first (a fragment's, from
`readme_bindings.py`, loaded by path) and the facts they may need, and
where to write the claims the run checked.

Statements run one by one in one namespace, as the REPL or a notebook runs
them: file name and line numbers are the Markdown file's, a top-level
`await` runs on one event loop kept for the whole block, and a bare
expression whose line ends in a comment starting with a literal must have
that value (see `claim_in`). Any exception, or a claim that does not hold,
is printed with its file and line and ends the process with status 1.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import io
import json
import re
import runpy
import sys
import tokenize
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TOP_LEVEL_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


@dataclass(frozen=True)
class Claim:
    """A value a comment in the docs says an expression has."""

    shown: str
    """The literal as the docs write it."""
    value: object
    """The literal's value (a dict without its `...`)."""
    partial: bool
    """A dict with `...`: only the keys shown must match."""

    def holds_for(self, actual: object) -> bool:
        """Whether `actual` is what the docs say."""
        if self.partial and isinstance(self.value, dict):
            return isinstance(actual, Mapping) and all(
                key in actual and actual[key] == value for key, value in self.value.items()
            )
        return actual == self.value


def claim_in(comment: str) -> Claim | None:
    """The literal a comment starts with, if it starts with one.

    A string, number, boolean or None must be equal; a dict must hold every
    key it shows, with `...` standing for keys not shown. Any other comment
    is prose.
    """
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
    """Every comment of the block that starts with a literal, by line number in the block."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(block).readline):
        if token.type == tokenize.COMMENT and (claim := claim_in(token.string)) is not None:
            found[token.start[0]] = claim
    return found


def expression_claims(block: str) -> dict[int, Claim]:
    """The claims the run checks: those ending a top-level bare expression, by its first line.

    A comment after any other statement (an assignment, a call inside a
    loop) is prose, whatever it starts with.
    """
    claims = claims_by_line(block)
    return {
        statement.lineno: claims[statement.end_lineno or 0]
        for statement in ast.parse(block).body
        if isinstance(statement, ast.Expr) and (statement.end_lineno or 0) in claims
    }


class BlockFailed(Exception):
    """A statement raised, or a claim did not hold; the message says where in the docs."""


def run_block(
    source: str, first_line: int, namespace: dict[str, Any], document: str = "README.md"
) -> list[str]:
    """Run the block statement by statement; returns the claims it checked, as written."""
    claims = expression_claims(source)
    tree = ast.parse(source)
    checked: list[str] = []
    with asyncio.Runner() as loop:
        for statement in tree.body:
            claim = claims.get(statement.lineno)
            where = (f"{document}, line {first_line + statement.lineno - 1}: "
                     + (ast.get_source_segment(source, statement) or ""))
            ast.increment_lineno(statement, first_line - 1)
            if not isinstance(statement, ast.Expr) or claim is None:
                _run(ast.Module([statement], type_ignores=[]), "exec", where, namespace, loop,
                     document)
                continue
            value = _run(ast.Expression(statement.value), "eval", where, namespace, loop, document)
            if not claim.holds_for(value):
                raise BlockFailed(f"{where}\nclaims {claim.shown}, but it is {value!r}")
            checked.append(claim.shown)
    return checked


def _run(
    tree: ast.Module | ast.Expression,
    mode: str,
    where: str,
    namespace: dict[str, Any],
    loop: asyncio.Runner,
    document: str = "README.md",
) -> object:
    """Execute a statement or evaluate an expression; awaiting it on the block's loop if needed."""
    try:
        code = compile(tree, document, mode, flags=_TOP_LEVEL_AWAIT, dont_inherit=True)
        result = eval(code, namespace)  # noqa: S307 - the docs' own code
        if code.co_flags & inspect.CO_COROUTINE:
            result = loop.run(result)
    except Exception as error:  # the docs are wrong: say where and how
        raise BlockFailed(f"{where}\nraised {error!r}\n{traceback.format_exc()}") from None
    return result


def main(job_file: str) -> int:
    """Bind the job's placeholders, run its block, report the claims; the exit status."""
    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    namespace: dict[str, Any] = {"__name__": "__main__"}
    if job["placeholders"]:
        bindings = runpy.run_path(job["bindings"], run_name="readme_bindings")
        for name in job["placeholders"]:
            namespace[name] = bindings[name](job["facts"])
    try:
        checked = run_block(job["source"], job["first_line"], namespace,
                            job.get("document", "README.md"))
    except BlockFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    Path(job["report"]).write_text(json.dumps({"claims": checked}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
