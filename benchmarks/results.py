"""The results of one benchmark run and the facts around it, as the report needs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from benchmarks.anchor import AnchorResult
from benchmarks.calls import CallsResult
from benchmarks.embedding import EmbeddingResult
from benchmarks.import_time import ImportResult
from benchmarks.long_thread import LongThreadResult
from benchmarks.machine import Machine
from benchmarks.model_cost import ModelCostResult
from benchmarks.multiuser import AegraResult, MultiUserResult
from benchmarks.overhead import OverheadResult
from benchmarks.plan import Plan
from benchmarks.preflight import PreflightResult
from benchmarks.scale import ScaleResult


@dataclass(frozen=True)
class GrowthResults:
    """Items 8 and 9: what a login costs as its conversation grows (run alone with `--growth`)."""

    embedding: EmbeddingResult
    long_thread: LongThreadResult


@dataclass(frozen=True)
class Results:
    """Every benchmark's result, in the issues' order."""

    overhead: OverheadResult
    anchor: AnchorResult
    preflight: PreflightResult
    calls: CallsResult
    model_cost: ModelCostResult
    scale: ScaleResult
    import_time: ImportResult
    multiuser: MultiUserResult
    growth: GrowthResults
    aegra: AegraResult


@dataclass(frozen=True)
class RunInfo:
    """How, when and where the results were measured."""

    command: str
    plan: Plan
    started_at: datetime
    seconds: float
    """Wall time of the whole run."""
    machine: Machine
    versions: dict[str, str]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
