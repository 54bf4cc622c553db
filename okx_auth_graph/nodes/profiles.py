"""Step 0.2.a, option 2: remove the keyed profile the user agreed to drop, then OAuth."""

from __future__ import annotations

from functools import partial

from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.cli import Cli, CliPlan
from okx_auth_graph.nodes.common import changed, language_of, say
from okx_auth_graph.okx import OkxError, config_use
from okx_auth_graph.okx.config_file import ProfileEditError, remove_profile
from okx_auth_graph.okx.steps import on_disk
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome


class ProfileSteps:
    """Editing `~/.okx/config.toml`, on one process boundary."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli

    def drop_api_key_profile(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[Command[str]]:
        """After a yes: remove the keyed profile, then the checks again from Step 0.1.

        The block is cut out of `~/.okx/config.toml` with a timestamped backup
        beside it. If it was the default and other profiles remain, the CLI's
        own `okx config use <other>` names a new default. The config is read
        again, so any other key still stops at Step 0.2. The file is already
        changed when those calls run, so a failure of theirs is reported
        together with what was removed (not through `reports_failure`, which
        would drop that).
        """
        name = state.get("profile_to_drop") or ""
        language = language_of(state)
        try:
            settings = yield from self.cli.settings(runtime)
            removal = yield from on_disk(partial(remove_profile, settings, name))
        except OkxError as error:  # no usable HOME for this caller: nothing was touched
            unchanged: AuthUpdate = {"failure": error.failure}
            return Command(goto="report_failure", update=unchanged)
        except ProfileEditError as error:
            text = render("profile_edit_failed", language, detail=str(error), name=name)
            outcome: OkxAuthOutcome = {
                "status": "needs_user_action", "profile": name, "message": text,
            }
            return Command(goto=END, update={"messages": [say(text)], "okx_auth": outcome})
        texts = [render("profile_removed", language, name=name, backup=str(removal.backup))]
        try:
            if removal.was_default and removal.remaining:
                other = removal.remaining[0]
                yield from self.cli.run(config_use(other), runtime)
                texts.append(render("default_switched", language, other=other))
            config = yield from self.cli.config(runtime)
        except OkxError as error:
            failed: AuthUpdate = {"failure": error.failure, "messages": [say(t) for t in texts]}
            return Command(goto="report_failure", update=failed)
        reread: AuthUpdate = {
            "messages": [say(t) for t in texts],
            "config": config,
            **changed(state, {"api_key_profile": None, "profile_to_drop": None}),
        }
        return Command(goto="site_check", update=reread)
