"""Every edge is written once, in `builder.py`, and the package says each rule once.

The drawing (what Studio shows) must have no edge that `builder.py` does not
list: path maps for routers, `destinations` for the steps that route with a
`Command`, plain edges. No step module declares the labels again, no
question is made but by the one factory, and no function name is defined
twice in the package (a second definition is a second copy of a rule).
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import get_args

from langgraph.graph import END, START

from okx_auth_graph import build_auth_graph
from okx_auth_graph.interrupts import Question
from okx_auth_graph.nodes.questions import question_node

PACKAGE = Path(__file__).resolve().parents[2] / "okx_auth_graph"
BUILDER = build_auth_graph().builder


def declared_edges() -> set[tuple[str, str]]:
    """The edges `builder.py` declares: plain edges, path maps and `destinations`."""
    plain = set(BUILDER.edges)
    mapped = {
        (source, target)
        for source, branches in BUILDER.branches.items()
        for branch in branches.values()
        for target in (branch.ends or {}).values()
    }
    routed = {
        (name, target)
        for name, spec in BUILDER.nodes.items()
        for target in (spec.ends or ())
    }
    return plain | mapped | routed


def test_the_drawing_shows_exactly_the_edges_builder_declares() -> None:
    drawn = {(edge.source, edge.target) for edge in build_auth_graph().get_graph().edges}
    assert drawn == declared_edges()


def test_every_step_that_routes_with_a_command_names_its_destinations_in_the_builder() -> None:
    """A `Command` step without `destinations` would be drawn with no out-edge at all."""
    routers = set(BUILDER.branches)
    plain_sources = {source for source, _ in BUILDER.edges}
    for name, spec in BUILDER.nodes.items():
        leaves = bool(spec.ends) or name in routers or name in plain_sources
        assert leaves, f"{name} has no declared way out"


def literal_results(expression: ast.expr) -> set[str]:
    """The strings an expression evaluates to when it is a literal or a choice of literals."""
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return {expression.value}
    if isinstance(expression, ast.IfExp):
        return literal_results(expression.body) | literal_results(expression.orelse)
    return set()


def test_each_router_returns_only_labels_its_path_map_has() -> None:
    """Every string a router returns literally is a key of the path map it is added with."""
    for source, branches in BUILDER.branches.items():
        for branch in branches.values():
            function = getattr(branch.path, "func", None)
            assert function is not None, source
            tree = ast.parse(Path(function.__code__.co_filename).read_text())
            body = next(
                node for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef) and node.name == function.__name__
            )
            returned = {
                label for node in ast.walk(body) if isinstance(node, ast.Return) and node.value
                for label in literal_results(node.value)
            }
            assert returned <= set(branch.ends or {}), (source, returned - set(branch.ends or {}))


def test_no_step_module_declares_an_edge_label_or_a_destination_type() -> None:
    """Labels and destinations live in `builder.py`; a `Literal` in a step would be a copy."""
    for path in sorted((PACKAGE / "nodes").glob("*.py")):
        tree = ast.parse(path.read_text())
        literals = [
            node for node in ast.walk(tree)
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
            and node.value.id == "Literal"
        ]
        kept = [ast.unparse(node) for node in literals]
        assert kept in ([], ["Literal['interrupt', 'return']"]), (path.name, kept)


def step_function(name: str) -> Callable[..., object]:
    """The function a node runs (LangGraph holds it wrapped in a runnable)."""
    function: object = getattr(BUILDER.nodes[name].runnable, "func", None)
    assert callable(function), name
    return function


def test_every_question_is_made_by_the_one_factory() -> None:
    """One node per question kind, each the factory's own step (the same code)."""
    questions = [
        step_function(name) for name in BUILDER.nodes
        if step_function(name).__name__.startswith("ask_")
    ]
    assert sorted(function.__name__ for function in questions) == sorted(
        f"ask_{kind}" for kind in get_args(Question)
    )
    codes = {function.__code__ for function in questions}
    assert len(codes) == 1
    assert codes.pop().co_filename == question_node.__code__.co_filename


def wrapped(function: Callable[..., object]) -> Iterator[Callable[..., object]]:
    """The function and every function it wraps (`functools.wraps`), outermost first."""
    found: object = function
    while callable(found):
        yield found
        found = getattr(found, "__wrapped__", None)


def test_every_step_that_reports_a_cli_failure_declares_that_edge() -> None:
    """`reports_failure` routes to `report_failure`: each step it wraps names that destination."""
    guarded = [
        name for name in BUILDER.nodes
        if any(f.__code__.co_name == "guarded" for f in wrapped(step_function(name)))
    ]
    assert {"login", "verify", "repair_binary", "report_status"} <= set(guarded)
    for name in guarded:
        assert "report_failure" in (BUILDER.nodes[name].ends or ()), name


def test_no_function_name_is_defined_twice_in_the_package() -> None:
    """Top-level functions and classes: one name, one definition, across every module."""
    names: Counter[str] = Counter()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        names.update(
            node.name for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and not node.name.startswith("_") and node.name != "main"
        )
    assert [name for name, count in names.items() if count > 1] == []


def test_the_graph_starts_at_intake_and_every_end_is_declared() -> None:
    assert (START, "intake") in BUILDER.edges
    assert any(target == END for _, target in declared_edges())
