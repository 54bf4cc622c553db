"""Step 0, the pre-flight check: `config show` and `auth status` side by side, and its router.

The skill makes this step unconditional: whatever an upstream tool concluded,
every request runs both commands itself before Steps 0.1 → 0.2 → 0.3. Its
router, `preflight_outcome`, stops on a failure nothing can go on from,
sends an unrouted `recover` request to the `recover` step, and otherwise
goes on to Step 0.1.

The first Step 0 of a thread also runs the check OKX's shared preflight
makes once per session before the other skills send a user here: `okx
--version` against the skill's version (`okx.version.cli_ahead`), beside the
two commands, so it adds no wait of its own. A CLI ahead of the skill gets
the shared preflight's warning, posted before anything else of that turn;
the check never blocks, and a `--version` that fails says nothing at all.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.cli import Cli, CliPlan, side_by_side
from okx_auth_graph.nodes.common import changed, language_of, say
from okx_auth_graph.nodes.recover import recovery_failure
from okx_auth_graph.okx import (
    ConfigView,
    OkxError,
    OkxFailure,
    api_key_profile,
    auth_status,
    cli_ahead,
    cli_version,
)
from okx_auth_graph.okx.login_lock import logins_started
from okx_auth_graph.prompts import render
from okx_auth_graph.skill import Skill
from okx_auth_graph.state import AuthState, AuthUpdate

StatusHalf = tuple[AuthUpdate, list[AIMessage]]
"""What `auth status` found, and the note of a repair it needed."""


def preflight_blocker(
    config: ConfigView | None, config_failure: OkxFailure | None, status_failure: OkxFailure | None
) -> OkxFailure | None:
    """The preflight failure that stops the procedure, if any.

    Without the config nothing can be checked. A failed `auth status` stops
    too, unless an API key is configured: API keys work even on a CLI that
    has no `auth` commands, and Step 0.2 will stop there anyway.
    """
    if config is None:
        return config_failure or OkxFailure(kind="unknown", detail="no config", command=[])
    if status_failure is not None and api_key_profile(config) is None:
        return status_failure
    return None


def preflight_outcome(state: AuthState) -> str:
    """A blocking failure is reported; a `recover` request routes its error; else Step 0.1."""
    if state.get("failure") is not None:
        return "Step 0 failed → report"
    if recovery_failure(state) is not None:
        return "recover → route the error"
    return "Step 0 done → 0.1"


class Preflight:
    """Step 0, on the process boundary the tool nodes share, for one version of the skill."""

    def __init__(self, cli: Cli, skill: Skill) -> None:
        self.cli = cli
        self.skill = skill

    def preflight(self, state: AuthState, runtime: Runtime[AuthContext]) -> CliPlan[AuthUpdate]:
        """Step 0: `okx config show --json` and `okx auth status --json` at once.

        The two calls run side by side (under `invoke`, `config show` on a
        thread of its own, so conversations share nothing and never queue;
        under `ainvoke`, both on the event loop), and the step lasts as long
        as the slower one. A failure of either is a finding, not an error: the
        router after this step (`preflight_outcome`) decides, and the failure
        that stops the procedure is noted as `failure`. The thread's first
        Step 0 runs the drift check beside them, and its warning, if any,
        comes first among what the step posts.
        """
        config, ((status_half, notes), warning) = yield from side_by_side(
            self._config_half(runtime), self._status_and_drift(state, runtime)
        )
        blocker = preflight_blocker(
            config.get("config"), config.get("config_failure"), status_half.get("status_failure")
        )
        found: AuthUpdate = {
            **config, **status_half, "failure": blocker, "cli_version_checked": True,
        }
        posted = [*warning, *notes]
        return {**changed(state, found), **({"messages": posted} if posted else {})}

    def _config_half(self, runtime: Runtime[AuthContext]) -> CliPlan[AuthUpdate]:
        """`okx config show --json`, redacted as it is parsed."""
        try:
            return {"config": (yield from self.cli.config(runtime)), "config_failure": None}
        except OkxError as error:
            return {"config": None, "config_failure": error.failure}

    def _status_and_drift(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[tuple[StatusHalf, list[AIMessage]]]:
        """`auth status`, with `okx --version` beside it in the thread's first Step 0 only."""
        if state.get("cli_version_checked"):
            return (yield from self._status_half(state, runtime)), []
        both: tuple[StatusHalf, list[AIMessage]] = yield from side_by_side(
            self._status_half(state, runtime), self._drift_half(state, runtime)
        )
        return both

    def _status_half(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[StatusHalf]:
        """`okx auth status --json`, repairing a missing okx-auth binary once.

        The HOME's count of logins is read first: one started after it shows
        up as a changed count under the login lock.
        """
        try:
            seen = logins_started((yield from self.cli.settings(runtime)).okx_home)
            status, notes = yield from self.cli.run_auth(auth_status(), state, runtime)
        except OkxError as error:
            return {"auth": None, "status_failure": error.failure}, []
        found: AuthUpdate = {
            "auth": status, "status_failure": None, "binary_repaired": bool(notes),
            "logins_seen": seen,
        }
        return found, notes

    def _drift_half(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[list[AIMessage]]:
        """`okx --version` against the skill's version: the shared preflight's warning, or none.

        Never a failure: a CLI that cannot say its version (missing, an exit
        status, garbage, a timeout) leaves the procedure exactly as it was,
        and the calls beside this one report what is wrong with the CLI.
        """
        try:
            version = yield from self.cli.run(cli_version(), runtime)
        except OkxError:
            return []
        if not cli_ahead(version, self.skill.version):
            return []
        return [say(render("cli_ahead_of_skill", language_of(state)))]
