"""The okx-cex-auth procedure as a LangGraph state graph.

Each step of the skill is a node, named as the skill names it, and each of
its rules is the router on that node's out-edge, whose path map is written
in the skill's words (the drawing's edge labels). What the skill asks an
agent to remember is an edge that does not exist: nothing leads to a login
but the pre-login gate, every way into the checks enters at Step 0.1, and no
CLI call happens while waiting for "done". `build_auth_graph` reads as the
skill from top to bottom, one comment per edge or group of edges, and it is
the one place an edge is written: a router's path map, or, for a step that
must write and route at once (the questions, the CLI steps, which return a
`Command`), the `destinations` it is added with. The drawing Studio shows is
exactly these edges, with these labels.
"""

from __future__ import annotations

from typing import TypeAlias

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.api_key import api_key_check, api_key_configured, api_key_stop
from okx_auth_graph.nodes.authorization import AUTHORIZATION_DONE, RETRY_LOGIN
from okx_auth_graph.nodes.binary import BinarySteps
from okx_auth_graph.nodes.cli import Cli
from okx_auth_graph.nodes.failure import report_failure
from okx_auth_graph.nodes.intake import intake, requested_entry
from okx_auth_graph.nodes.login import LoginFlow
from okx_auth_graph.nodes.oauth import (
    announce_login,
    oauth_check,
    oauth_status,
    pending_notice,
    success,
)
from okx_auth_graph.nodes.pre_login_gate import GateRule, pre_login_gate
from okx_auth_graph.nodes.preflight import Preflight, preflight_outcome
from okx_auth_graph.nodes.profiles import ProfileSteps
from okx_auth_graph.nodes.questions import (
    QuestionNode,
    QuestionSpec,
    QuestionStyle,
    question_node,
)
from okx_auth_graph.nodes.recover import recover
from okx_auth_graph.nodes.requests import API_KEY_REMEDY, CONFIRM_REMOVE, post_remove_question
from okx_auth_graph.nodes.session import SessionSteps
from okx_auth_graph.nodes.site import SiteSteps, site_check, site_selected
from okx_auth_graph.okx import (
    AsyncCliRunner,
    CliRunner,
    arun_okx,
    arun_okx_streaming,
    run_okx,
    run_okx_streaming,
)
from okx_auth_graph.okx.interactive import AsyncStreamingRunner, StreamingRunner
from okx_auth_graph.skill import Skill, skill_named
from okx_auth_graph.state import AuthInput, AuthOutput, AuthState, RequestInput

AuthGraph: TypeAlias = CompiledStateGraph[AuthState, AuthContext, AuthInput, AuthOutput]
"""The compiled auth graph.

Its state is plain data (see `okx_auth_graph.state`), so the graph and every
copy of it (a LangGraph server copies the graph for each run) load their
checkpoints the same with or without strict deserialization.
"""


def build_auth_graph(
    checkpointer: BaseCheckpointSaver[str] | bool | None = None,
    *,
    runner: CliRunner = run_okx,
    streaming_runner: StreamingRunner = run_okx_streaming,
    arunner: AsyncCliRunner = arun_okx,
    astreaming_runner: AsyncStreamingRunner = arun_okx_streaming,
    okx_cli: str | None = None,
    name: str = "okx_auth",
    questions: QuestionStyle = "interrupt",
    skill: str | Skill | None = None,
) -> AuthGraph:
    """Compile the auth graph.

    Without a checkpointer it is ready to be a subgraph
    (`parent.add_node("okx_auth", build_auth_graph())`) and inherits the
    parent's; `True` keeps its own state in the parent's thread from one call
    to the next (LangGraph's persistent subgraph), which a graph that returns
    at questions needs. `runner` is the process boundary for the CLI (and
    `streaming_runner` for the blocking login) under `invoke`; `arunner` and
    `astreaming_runner` are their twins under `ainvoke` and `astream` (and so
    on a LangGraph server), awaited on the event loop with no thread per
    call. Every CLI step has both forms; replace a runner and its twin
    together, or a run on the other API uses the default. The defaults run
    the real executable. `okx_cli` names that executable (a path or a name on PATH);
    None means `$OKX_CLI` as it is when each call starts, else `okx`. It is
    chosen here, by whoever builds the graph, because a run's context comes
    from whoever calls it. `questions` is how a question waits: `interrupt`
    (the default), or `return`, which ends the run there so a parent's state
    and chat hold the question (see `okx_auth_graph.subgraph`). `skill` is the
    version of the okx-cex-auth skill to follow (`okx_auth_graph.skill`: its
    sites, menu and replies); None means `$OKX_AUTH_SKILL`, else `1.3.2`.
    """
    # Every step that runs the CLI is a plan on this one boundary; `cli.node`
    # gives it both forms: blocking under `invoke`, on the event loop under `ainvoke`.
    cli = Cli(
        runner=runner, streaming_runner=streaming_runner,
        arunner=arunner, astreaming_runner=astreaming_runner, okx_cli=okx_cli,
    )
    followed = skill_named(skill)
    flow, session = LoginFlow(cli, followed), SessionSteps(cli)
    sites, gate = SiteSteps(followed), GateRule(followed)
    binary, profiles = BinarySteps(cli), ProfileSteps(cli)
    builder = StateGraph(
        AuthState, context_schema=AuthContext, input_schema=AuthInput, output_schema=AuthOutput
    )

    def question(spec: QuestionSpec) -> QuestionNode:
        return question_node(spec, questions)

    # A new message that answers the question the last run stopped at goes
    # back to the step that asked it, as a resume would. Otherwise a request
    # begins by fixing its language and clearing the last request's findings;
    # the requested entry picks the first step (absent: a login).
    builder.add_node("intake", intake)
    builder.add_edge(START, "intake")
    builder.add_conditional_edges("intake", requested_entry, {
        "site_choice": "ask_site",
        "authorization_done": "await_authorization",
        "retry_login": "ask_retry",
        "confirm_remove": "confirm_remove",
        "api_key_remedy": "ask_api_key_remedy",
        "login": "preflight",
        "recover": "preflight",
        "status": "report_status",
        "logout": "logout",
        "install": "install_binary",
        "install_status": "report_install_status",
        "remove": "post_remove_question",
    })

    # Step 0: `config show` and `auth status` side by side (and, in a
    # thread's first, `okx --version` for the shared preflight's drift
    # warning, which never blocks). A failure that stops everything is
    # reported; a `recover` request routes its error first; otherwise Step 0.1.
    builder.add_node("preflight", cli.node(Preflight(cli, followed).preflight))
    builder.add_conditional_edges("preflight", preflight_outcome, {
        "Step 0 failed → report": "report_failure",
        "recover → route the error": "recover",
        "Step 0 done → 0.1": "site_check",
    })

    # Step 0.1: a known site goes on to 0.2; otherwise the menu, then its
    # question. A choice comes back to 0.1; anything else is the menu again.
    builder.add_node("site_check", site_check)
    builder.add_node("menu", sites.menu)
    builder.add_conditional_edges("site_check", site_selected, {
        "0.1 site known → 0.2": "api_key_check",
        "0.1 no site → menu": "menu",
    })
    builder.add_edge("menu", "ask_site")
    builder.add_node("ask_site", question(sites.choice), destinations={
        "site_check": "a choice → 0.1",
        "menu": "not a choice → menu again",
        END: "cancel",
    })

    # Step 0.2: a profile with an api_key stops the procedure with its name.
    builder.add_node("api_key_check", api_key_check)
    builder.add_node("api_key_stop", api_key_stop)
    builder.add_conditional_edges("api_key_check", api_key_configured, {
        "0.2 API key → stop": "api_key_stop",
        "0.2 no key → 0.3": "oauth_check",
    })
    builder.add_edge("api_key_stop", END)

    # Step 0.3: logged in → the success template; pending → the notice, then
    # the wait (no new login); not logged in (or moving site) → the gate.
    builder.add_node("oauth_check", oauth_check)
    builder.add_node("success", success)
    builder.add_node("pending_notice", pending_notice)
    builder.add_conditional_edges("oauth_check", oauth_status, {
        "logged_in → success": "success",
        "pending → wait": "pending_notice",
        "not_logged_in → gate": "pre_login_gate",
        "no status → failure": "report_failure",
    })
    builder.add_edge("success", END)
    builder.add_edge("pending_notice", "await_authorization")

    # The pre-login gate: the only way into a login. It holds → the device
    # flow in the chat, or the blocking login announced first; else the menu.
    # Each login checks the gate again and raises if it fails (a bug, never a
    # second route to the menu).
    builder.add_node("pre_login_gate", pre_login_gate)
    builder.add_conditional_edges("pre_login_gate", gate.holds, {
        "gate holds → manual login": "login",
        "gate holds → blocking login": "announce_login",
        "gate fails → menu": "menu",
    })
    builder.add_node("announce_login", announce_login)
    builder.add_edge("announce_login", "login_interactive")

    # The login runs under the HOME's login lock. A login another
    # conversation of the same user started meanwhile is waited for (or
    # reported as a success); a login the CLI's guard skipped is the API-key
    # stop. The manual login shows the template and waits for "done" (never
    # polling); the blocking login goes to the one check by itself, and a
    # failed one asks to retry.
    builder.add_node("login", cli.node(flow.login), destinations={
        "await_authorization": "code shown → wait for done",
        "pending_notice": "a login is already pending",
        "success": "logged in meanwhile",
        "api_key_stop": "CLI guard: API key",
        "report_failure": "CLI failure",
    })
    builder.add_node("login_interactive", cli.node(flow.login_interactive), destinations={
        "verify": "browser done → check",
        "pending_notice": "a login is already pending",
        "success": "logged in meanwhile",
        "ask_retry": "login failed → retry?",
        "api_key_stop": "CLI guard: API key",
        "report_failure": "CLI failure",
    })

    # Waiting for "done": a reminder repeats the code, "cancel" ends. The one
    # `auth status` after it decides: success, not yet (wait again), or a
    # failed code (retry? yes → Step 0 again, or Step 0.1 when moving site).
    builder.add_node("await_authorization", question(AUTHORIZATION_DONE), destinations={
        "verify": "done → check once",
        "await_authorization": "anything else → reminder",
        END: "cancel",
    })
    builder.add_node("verify", cli.node(flow.verify), destinations={
        "success": "logged_in",
        "await_authorization": "pending → wait again",
        "ask_retry": "expired or refused → retry?",
        "report_failure": "CLI failure",
    })
    builder.add_node("ask_retry", question(RETRY_LOGIN), destinations={
        "preflight": "yes → Step 0",
        "site_check": "yes, moving site → 0.1",
        "ask_retry": "unclear → ask again",
        END: "no / cancel",
    })

    # The other entries, each ending with its report: status, logout, the
    # binary's install and install-status, and its removal (asked first).
    builder.add_node("report_status", cli.node(session.report_status), destinations={
        END: "reported", "report_failure": "CLI failure",
    })
    builder.add_node("logout", cli.node(session.logout), destinations={
        END: "logged out", "report_failure": "CLI failure",
    })
    builder.add_node("install_binary", cli.node(binary.install_binary), destinations={
        END: "installed", "report_failure": "CLI failure",
    })
    builder.add_node("report_install_status", cli.node(binary.report_install_status), destinations={
        END: "reported", "report_failure": "CLI failure",
    })
    builder.add_node("post_remove_question", post_remove_question)
    builder.add_edge("post_remove_question", "confirm_remove")
    builder.add_node("confirm_remove", question(CONFIRM_REMOVE), destinations={
        "remove_binary": "yes → remove the binary",
        "drop_api_key_profile": "yes → remove the profile",
        "confirm_remove": "unclear → ask again",
        END: "no / cancel",
    })
    builder.add_node("remove_binary", cli.node(binary.remove_binary), destinations={
        END: "removed", "report_failure": "CLI failure",
    })

    # Recovery routes the caller's error once: a new login goes through
    # Step 0.1 (menu and gate included); a missing okx-auth binary is
    # repaired and the failed command retried (a login through Step 0.1, a
    # removal asked first); a rejected key gets Step 0.2.a's two options
    # (switching removes the keyed profile after a yes, then Step 0.1); a
    # region restriction offers another site; the rest are reported.
    builder.add_node("recover", recover, destinations={
        "site_check": "a new login fixes it → 0.1",
        "repair_binary": "okx-auth missing → repair",
        "ask_api_key_remedy": "key rejected → 0.2.a",
        "ask_retry": "region restricted → another site?",
        "report_failure": "report",
        END: "key user told how",
    })
    builder.add_node("repair_binary", cli.node(binary.repair_binary), destinations={
        "site_check": "was a login → 0.1",
        "post_remove_question": "was a removal → ask first",
        END: "retried",
        "report_failure": "CLI failure",
    })
    builder.add_node("ask_api_key_remedy", question(API_KEY_REMEDY), destinations={
        "confirm_remove": "2 → remove the keyed profile?",
        "ask_api_key_remedy": "neither → ask again",
        END: "1 / cancel / key from the environment",
    })
    builder.add_node("drop_api_key_profile", cli.node(profiles.drop_api_key_profile), destinations={
        "site_check": "removed → 0.1",
        END: "could not edit",
        "report_failure": "CLI failure",
    })

    # A CLI failure anywhere ends with its report.
    builder.add_node("report_failure", report_failure)
    builder.add_edge("report_failure", END)

    graph = builder.compile(checkpointer=checkpointer, name=name)
    # The input is stored before the first step: only the request's own messages,
    # its free text redacted.
    graph.channels[START] = RequestInput.named(START, AuthInput)
    return graph
