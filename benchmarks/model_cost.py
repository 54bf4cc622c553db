"""Item 4: what running the procedure costs in model calls, against following the prose.

The graph runs the whole login with callback handlers attached, as any
LangChain tracer would be; a handler counts every model call (chat model or
completion LLM) and every chain step. Zero model calls next to a non-zero
count of steps shows the handler was listening and nothing called a model.

An agent that follows the skill as prose instead carries the skill's text in
its context on every model call. Its size is measured on the skill file
itself; the token count is an estimate, because the real count depends on
the model's tokenizer.
"""

from __future__ import annotations

import math
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langgraph.checkpoint.memory import InMemorySaver

from benchmarks.clis import InProcessSim, new_home
from benchmarks.conversation import Conversation, auth_graph, manual_login_steps, play

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SKILL = REPO_ROOT / "tests" / "skill" / "okx-cex-auth-1.3.2.txt"
"""The okx-cex-auth skill, version 1.3.2 (the one the package was written from), as kept in
the repository for `check-skill`'s tests."""
LATIN_CHARS_PER_TOKEN = 4
"""Estimate: about four characters of English text per token."""
PROSE_MODEL_CALLS_PER_LOGIN = 6
"""Estimate of the fewest model calls a prose-following agent needs for one
manual login: in each of the three user turns, one call that decides the
okx command(s) and one that writes the reply from their output."""


class ModelCallCounter(BaseCallbackHandler):
    """Counts model calls and chain steps reported through LangChain callbacks."""

    def __init__(self) -> None:
        self.model_calls = 0
        self.chain_steps = 0

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """A completion model was called."""
        self.model_calls += 1

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """A chat model was called."""
        self.model_calls += 1

    def on_chain_start(
        self,
        serialized: dict[str, Any],
        inputs: dict[str, Any],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """A graph, node or other runnable started."""
        self.chain_steps += 1


@dataclass(frozen=True)
class ModelCostResult:
    """Item 4."""

    model_calls: int
    """Model calls the graph made during a whole manual login."""
    chain_steps: int
    """Runnables the same handler saw start (proof it was listening)."""
    skill_path: str
    skill_characters: int
    """Characters of the skill's text."""
    skill_wide_characters: int
    """Of which CJK (wide) characters, each about a token of its own."""
    skill_tokens_estimate: int
    """Estimated tokens of the skill's text."""

    @property
    def prose_tokens_per_login_estimate(self) -> int:
        """Estimated skill tokens a prose-following agent carries through one login."""
        return self.skill_tokens_estimate * PROSE_MODEL_CALLS_PER_LOGIN


def estimate_tokens(text: str) -> tuple[int, int]:
    """(wide characters, estimated tokens): one per wide character, 1/4 per other."""
    wide = sum(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)
    return wide, wide + math.ceil((len(text) - wide) / LATIN_CHARS_PER_TOKEN)


def run(skill: Path = DEFAULT_SKILL) -> ModelCostResult:
    """Count model calls of one login and measure the skill's prose."""
    sim = InProcessSim()
    counter = ModelCallCounter()
    with tempfile.TemporaryDirectory(prefix="okx-bench-model-") as tmp:
        conv = Conversation(
            auth_graph(sim, InMemorySaver()),
            sim,
            new_home(Path(tmp), "user"),
            "model-cost",
            callbacks=(counter,),
        )
        play(conv, manual_login_steps(sim))
    text = skill.read_text(encoding="utf-8")
    wide, tokens = estimate_tokens(text)
    return ModelCostResult(
        model_calls=counter.model_calls,
        chain_steps=counter.chain_steps,
        skill_path=str(skill),
        skill_characters=len(text),
        skill_wide_characters=wide,
        skill_tokens_estimate=tokens,
    )
