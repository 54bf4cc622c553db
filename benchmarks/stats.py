"""Medians, spreads and the time covered by overlapping intervals.

Every figure in the report is a median over repeated runs with its
interquartile range as the spread: on a shared machine a mean is dragged by
the one run that met another engineer's build, a median is not.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """The centre and spread of repeated measurements of one quantity."""

    n: int
    """How many measurements."""
    median: float
    """The middle value."""
    p25: float
    """First quartile (the median itself when there are fewer than two values)."""
    p75: float
    """Third quartile."""

    @classmethod
    def of(cls, values: Iterable[float]) -> Summary:
        """Summarise at least one measurement."""
        ordered = sorted(values)
        if not ordered:
            raise ValueError("a summary needs at least one value")
        median = statistics.median(ordered)
        if len(ordered) < 2:
            p25 = p75 = median
        else:
            p25, _, p75 = statistics.quantiles(ordered, n=4, method="inclusive")
        return cls(len(ordered), median, p25, p75)


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Pairwise ratios of runs measured side by side (same round, same load)."""
    if len(numerators) != len(denominators):
        raise ValueError("ratios need paired measurements")
    return [a / b for a, b in zip(numerators, denominators, strict=True)]


def covered_seconds(intervals: Iterable[tuple[float, float]]) -> float:
    """Time during which at least one interval is open.

    Parallel CLI calls overlap; summing their durations would count the
    overlap twice and make the graph look faster than it is.
    """
    total = 0.0
    current: tuple[float, float] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += current[1] - current[0]
    return total
