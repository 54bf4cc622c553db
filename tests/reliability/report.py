"""Figures the reliability tests prove, printed as one line per test after the run.

A reliability claim ("a login survives a restart", "one user never sees
another's account") is only as good as the number behind it, so each test
ends by recording one line: what it did and what it measured. The lines are
collected on the pytest config (not a module global, so a re-run in the same
interpreter starts empty) and printed in a "reliability figures" section of
the terminal summary.

Any test under `tests/reliability/` reports the same way: take the `figure`
fixture and call it once, after the assertions, so only proven figures
reach the summary:

    def test_something(figure: Figure) -> None:
        ...
        figure(f"50 conversations, {crossed} crossed HOMEs")
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

SECTION_TITLE = "reliability figures"

_FIGURES = pytest.StashKey[list["RecordedFigure"]]()


@dataclass(frozen=True)
class RecordedFigure:
    """One test's line."""

    test: str
    """The test's node id, so the line names what proved it."""
    text: str
    """The figure itself, one line."""


@dataclass(frozen=True)
class Figure:
    """The recorder a test receives: call it once with the test's figure."""

    config: pytest.Config
    test: str

    def __call__(self, text: str) -> None:
        """Record this test's figure; a second figure or a multi-line one is a test bug."""
        assert "\n" not in text, f"a figure is one line, got {text!r}"
        figures = self.config.stash.setdefault(_FIGURES, [])
        assert all(f.test != self.test for f in figures), f"{self.test} reported twice"
        figures.append(RecordedFigure(self.test, text))


def recorder(request: pytest.FixtureRequest) -> Figure:
    """The `figure` fixture's value for the requesting test."""
    return Figure(request.config, request.node.nodeid)


def recorded(config: pytest.Config) -> list[RecordedFigure]:
    """Every figure of the run so far, in the order the tests finished."""
    figures: list[RecordedFigure] = config.stash.get(_FIGURES, [])
    return list(figures)


def write_summary(terminal: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Print the figures section; nothing when no test reported one."""
    figures = recorded(config)
    if not figures:
        return
    terminal.section(SECTION_TITLE)
    for figure in figures:
        name = figure.test.removeprefix("tests/reliability/")
        terminal.write_line(f"{name}: {figure.text}")
