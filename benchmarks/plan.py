"""How much each benchmark repeats: a full run for the report, a smoke run for the tests.

The smoke plan runs every code path once or twice, so the test suite knows
each benchmark still works; its numbers mean nothing and nobody reads them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """Repetition counts of one benchmark run."""

    smoke: bool
    """Whether this is the quick run of the test suite."""
    warm_up: int
    """Unmeasured rounds before each timed series (cold caches, first spawns, lazy imports)."""
    logins_in_process: int
    """Item 1a: full logins per durability mode against the in-process simulator."""
    logins_subprocess: int
    """Item 1b: full logins per durability mode against `okx-sim` subprocesses."""
    anchor_rounds: int
    """Item 1c: rounds of the real CLI's login calls beside the graph's own logins."""
    preflight_rounds: int
    """Item 2: parallel/serial pairs per CLI."""
    conversations: int
    """Item 5: concurrent conversations per checkpointer and durability mode."""
    scale_workers: int
    """Item 5: threads driving the conversations."""
    import_rounds: int
    """Item 6: fresh interpreters per import statement."""
    crowd_sizes: tuple[int, ...]
    """Item 7: users logging in at once through the multi-user server, one server per size."""
    aegra_crowd_sizes: tuple[int, ...]
    """Item 10: users logging in at once through an Aegra cluster, one cluster per size."""
    aegra_replicas: tuple[int, ...]
    """Item 10: replicas of each cluster; every crowd size runs on each."""
    fairness_crowd: int
    """Item 10: slow runs one user starts at once while another checks their status."""
    fairness_turns: int
    """Item 10: the other user's status checks, alone and then beside that crowd."""
    embedding_sizes: tuple[int, ...]
    """Item 8: prior messages in the parent's conversation; the first is the baseline
    every marginal cost is taken from."""
    embedding_rounds: int
    """Item 8: logins per embedding, checkpointer, size and side (auth graph, stand-in)."""
    thread_logins: int
    """Item 9: logins one after another on one thread."""
    thread_rounds: int
    """Item 9: such threads per checkpointer."""

    @classmethod
    def full(cls) -> Plan:
        """Enough repetitions for stable medians in a few minutes on two cores."""
        return cls(
            smoke=False,
            warm_up=1,
            logins_in_process=100,
            logins_subprocess=20,
            anchor_rounds=20,
            preflight_rounds=20,
            conversations=1000,
            scale_workers=4,
            import_rounds=12,
            crowd_sizes=(10, 50, 200),
            aegra_crowd_sizes=(8, 24, 72),
            aegra_replicas=(1, 2),
            fairness_crowd=20,
            fairness_turns=5,
            embedding_sizes=(10, 1_000, 5_000, 10_000),
            embedding_rounds=4,
            thread_logins=100,
            thread_rounds=4,
        )

    @classmethod
    def quick(cls) -> Plan:
        """Every code path, as fast as possible."""
        return cls(
            smoke=True,
            warm_up=0,
            logins_in_process=2,
            logins_subprocess=1,
            anchor_rounds=1,
            preflight_rounds=1,
            conversations=6,
            scale_workers=2,
            import_rounds=1,
            crowd_sizes=(2,),
            # Two replicas, so every login's turns cross from one to the other.
            aegra_crowd_sizes=(2,),
            aegra_replicas=(2,),
            fairness_crowd=3,
            fairness_turns=1,
            embedding_sizes=(2, 40),
            embedding_rounds=2,
            thread_logins=10,
            thread_rounds=1,
        )

