"""`okx-auth-graph mcp` on mcp 2.x, driven by 2.x's own `Client` against the simulator.

Runs in the mcp 2.x venv that `tests/mcp/test_mcp2.py` builds (the main venv
has the 1.x line `langchain-mcp-adapters` needs). Every conversation runs
both ways a 2.x client talks:

- `2026-07-28`: no request from the server during a call; each question
  comes back as the tool's `input_required` result, and `Client` calls the
  tool again with the user's answer and the server's `request_state`;
- `legacy`: the initialize handshake, where the server asks during the
  call, as on 1.x.

The okx executable is `okx-sim` (`OKX_CLI`), whose call log shows which
commands ran; the user answers each elicitation from a script.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters, types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from okx_auth_graph.mcp import okx_mcp_connection
from okx_auth_graph.prompts import format_scopes, render
from tests.apps.conftest import SCRIPT
from tests.expected import FIRST_STEP_0, SCOPES, STATUS, URIS
from tests.mcp.answers import Answer, accept, choose, confirm, decline
from tests.mcp.servers import HttpServer, http_server, server_env
from tests.rest_standin import BALANCE, serving
from tests.server.tokens import Minter
from tests.support import CallLog, Simulator, keyed_config

pytestmark = pytest.mark.integration

MODES = ["2026-07-28", "legacy"]
"""The 2026-07-28 protocol (questions as `input_required` results), and the handshake."""

LOGIN = ["auth", "login", "--manual", "--site", "eea"]
CANNOT_ASK_EN = render("mcp_cannot_ask", "en", sites="<global|eea|us>")
CANNOT_ASK_ZH = render("mcp_cannot_ask", "zh", sites="<global|eea|us>")


@dataclass
class User:
    """The person behind the client: answers from a script, in order; remembers each question."""

    script: list[Answer]
    """The answers still to give."""
    asked: list[types.ElicitRequestParams] = field(default_factory=list)
    """Every elicitation shown, in order."""
    completed: list[str] = field(default_factory=list)
    """The `elicitationId` of every completion notice."""

    async def __call__(
        self, context: Any, params: types.ElicitRequestParams
    ) -> types.ElicitResult | types.ErrorData:
        self.asked.append(params)
        assert self.script, f"asked more than the script answers: {params}"
        return await self.script.pop(0)(params)

    async def notice(self, message: Any) -> None:
        """The client's message handler: keeps the completion notices."""
        if isinstance(message, types.ElicitCompleteNotification):
            self.completed.append(message.params.elicitation_id)


@pytest.fixture
def env(sim: Simulator) -> dict[str, str]:
    """The server's environment: the simulator's HOME, okx-sim as the okx CLI."""
    return server_env(str(sim.home), OKX_CLI=sim.path)


@asynccontextmanager
async def over_stdio(env: Mapping[str, str], user: User | None, mode: str) -> AsyncIterator[Client]:
    """`okx-auth-graph mcp` spawned by a 2.x client; `user` None: a client without elicitation."""
    server = StdioServerParameters(command=SCRIPT, args=["mcp"], env=dict(env))
    async with Client(server, mode=mode, elicitation_callback=user,
                      message_handler=user.notice if user else None) as client:
        yield client


@asynccontextmanager
async def over_http(
    server: HttpServer, user: User | None, mode: str, headers: Mapping[str, str] | None = None
) -> AsyncIterator[Client]:
    """A 2.x client of the HTTP server, sending `headers` (a bearer token)."""
    timeout = httpx2.Timeout(30, read=300)
    async with httpx2.AsyncClient(headers=dict(headers or {}), timeout=timeout) as http:
        transport = streamable_http_client(server.url, http_client=http)
        async with Client(transport, mode=mode, elicitation_callback=user,
                          message_handler=user.notice if user else None) as client:
            yield client


def reply_text(result: types.CallToolResult) -> str:
    """The tool result's text."""
    (content,) = result.content
    assert isinstance(content, types.TextContent)
    return content.text


def code_of(asked: types.ElicitRequestParams) -> str:
    """The device code an elicitation's message shows."""
    line = next(line for line in asked.message.splitlines() if line.startswith("Code: "))
    return line.removeprefix("Code: ").strip()


def login_template(code: str) -> str:
    """The skill's login template for this code on EEA, ten minutes."""
    return render("login", "en", site="eea", verificationUri=URIS["eea"], userCode=code,
                  **{"expiresIn/60": "10"})


def _a_whole_login(result: types.CallToolResult, user: User, sim: Simulator, mode: str) -> None:
    from okx_auth_graph.skill import site_menu

    menu, link, done = user.asked
    assert isinstance(menu, types.ElicitRequestFormParams)
    assert menu.message == site_menu()
    site = menu.requested_schema["properties"]["site"]
    assert menu.requested_schema["required"] == ["site"]
    assert [option["const"] for option in site["oneOf"]] == ["global", "eea", "us"]
    assert [option["title"] for option in site["oneOf"]] == [
        "1. Global (www.okx.com)", "2. EEA (my.okx.com)", "3. US (app.okx.com)"]
    assert isinstance(link, types.ElicitRequestURLParams)
    assert link.url == URIS["eea"]
    assert link.message == login_template(code_of(link))
    # Accepting the link is consent to open it; the user's "done" is the form after it.
    assert isinstance(done, types.ElicitRequestFormParams)
    assert done.message == link.message
    assert list(done.requested_schema["properties"]) == ["done"]
    if mode == "legacy":
        assert link.elicitation_id
        assert user.completed == [link.elicitation_id]  # the link's interaction is over
    else:  # 2026-07-28: no id and no notice, for want of a channel from the server
        assert link.elicitation_id is None
        assert user.completed == []
    assert sim.log.argvs()[-2:] == [LOGIN, STATUS]  # the login, then the one check after "done"
    assert sim.log.argvs().count(STATUS) == 2  # Step 0's, and the one after "done"
    assert reply_text(result) == render("success", "en", site="eea", scopes=format_scopes(SCOPES))
    assert result.structured_content == {"status": "logged_in", "site": "eea", "scopes": SCOPES}


@pytest.mark.parametrize("mode", MODES)
async def test_a_whole_login_over_stdio(env: dict[str, str], sim: Simulator, mode: str) -> None:
    user = User([choose(site="eea"), accept(), confirm(before=lambda: sim.browser("approve"))])
    async with over_stdio(env, user, mode) as client:
        result = await client.call_tool("okx_auth_login", {})
    _a_whole_login(result, user, sim, mode)


@pytest.mark.parametrize("mode", MODES)
async def test_a_whole_login_over_http(env: dict[str, str], sim: Simulator, mode: str) -> None:
    user = User([choose(site="eea"), accept(), confirm(before=lambda: sim.browser("approve"))])
    with http_server(env) as server:
        async with over_http(server, user, mode) as client:
            result = await client.call_tool("okx_auth_login", {})
    _a_whole_login(result, user, sim, mode)


@pytest.mark.parametrize("mode", MODES)
async def test_declining_the_menu_cancels_and_runs_nothing(
    env: dict[str, str], sim: Simulator, mode: str
) -> None:
    user = User([decline()])
    async with over_stdio(env, user, mode) as client:
        result = await client.call_tool("okx_auth_login", {})
    assert reply_text(result) == render("login_cancelled", "en")
    assert result.structured_content == {"status": "cancelled"}
    assert sorted(sim.log.argvs()) == FIRST_STEP_0


@pytest.mark.parametrize("mode", MODES)
async def test_not_yet_then_done(env: dict[str, str], sim: Simulator, mode: str) -> None:
    approved = confirm(before=lambda: sim.browser("approve"))
    user = User([choose(site="eea"), accept(), confirm(), approved])
    async with over_stdio(env, user, mode) as client:
        result = await client.call_tool("okx_auth_login", {})
    _, link, first, again = user.asked
    assert isinstance(link, types.ElicitRequestURLParams)
    # The link is open already: "not yet" asks for the "done" again, as a form.
    assert isinstance(first, types.ElicitRequestFormParams)
    assert isinstance(again, types.ElicitRequestFormParams)
    assert again.message == render("not_yet", "en")
    assert sim.log.argvs().count(STATUS) == 3  # Step 0's, then one per "done"
    assert result.structured_content is not None
    assert result.structured_content["status"] == "logged_in"
    assert len(sim.log.logins()) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_without_elicitation_is_told_to_use_a_terminal(
    env: dict[str, str], sim: Simulator, mode: str
) -> None:
    async with over_stdio(env, None, mode) as client:
        result = await client.call_tool("okx_auth_login", {})
        zh = await client.call_tool("okx_auth_login", {"language": "zh"})
    assert reply_text(result) == CANNOT_ASK_EN
    assert reply_text(zh) == CANNOT_ASK_ZH
    assert result.structured_content == {"status": "needs_user_action",
                                         "message": CANNOT_ASK_EN}
    assert sim.log.logins() == []


@pytest.mark.parametrize("mode", MODES)
async def test_an_api_key_profile_stops_without_asking(
    env: dict[str, str], sim: Simulator, mode: str
) -> None:
    sim.write_config(keyed_config("ak-mcp-0001", "sk-mcp-0002", "pp-mcp-0003"))
    user = User([])
    async with over_stdio(env, user, mode) as client:
        result = await client.call_tool("okx_auth_login", {})
    assert user.asked == []
    assert reply_text(result) == render("api_key_configured", "en", name="main")
    assert "sk-mcp-0002" not in str(result)
    assert sim.log.logins() == []


@pytest.mark.parametrize("mode", MODES)
async def test_a_site_argument_is_refused(env: dict[str, str], sim: Simulator, mode: str) -> None:
    user = User([])
    async with over_stdio(env, user, mode) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        result = await client.call_tool("okx_auth_login", {"site": "global"})
    schema = tools["okx_auth_login"].input_schema
    assert "site" not in schema["properties"]
    assert schema["additionalProperties"] is False
    assert result.is_error
    assert "site" in reply_text(result)
    assert user.asked == []
    assert sim.log.argvs() == []


async def test_another_users_request_state_reaches_nothing_of_hers(
    sim: Simulator, call_log: CallLog, tmp_path: Any
) -> None:
    """Bob replays the `request_state` Alice's menu came with, and answers it: refused.

    Alice then answers her own menu with the same state, and her login goes on
    in her HOME. (The SDK refuses a state minted for another token; the
    server's own check behind it is `tests/mcp/test_round_trips.py`'s.)
    """
    minter, homes = Minter.fresh(), tmp_path / "homes"
    env = server_env(str(tmp_path / "server-home"), OKX_CLI=sim.path,
                     OKX_AUTH_HOMES=str(homes), OKX_AUTH_JWT_SECRET=minter.secret)
    eea: types.InputResponses = {
        "okx_auth_question": types.ElicitResult(action="accept", content={"site": "eea"})}
    with http_server(env, "--multi-user") as server:
        async with over_http(server, User([]), MODES[0], minter.header("alice")) as alice:
            menu = await alice.session.call_tool("okx_auth_login", {}, allow_input_required=True)
            assert isinstance(menu, types.InputRequiredResult)
            async with over_http(server, User([]), MODES[0], minter.header("bob")) as bob:
                with pytest.raises(MCPError, match="requestState"):
                    await bob.session.call_tool(
                        "okx_auth_login", {}, input_responses=eea,
                        request_state=menu.request_state, allow_input_required=True)
            assert call_log.logins() == []
            link = await alice.session.call_tool(
                "okx_auth_login", {}, input_responses=eea, request_state=menu.request_state,
                allow_input_required=True)
    assert isinstance(link, types.InputRequiredResult)
    assert link.input_requests is not None
    (request,) = link.input_requests.values()
    assert isinstance(request, types.ElicitRequest)
    assert isinstance(request.params, types.ElicitRequestURLParams)
    assert request.params.url == URIS["eea"]
    login_homes = [entry["home"] for entry in call_log.entries()
                   if entry["argv"][:2] == ["auth", "login"]]
    assert login_homes == [str(homes / "alice")]


@pytest.mark.parametrize("mode", MODES)
async def test_beside_okx_trade_mcp_on_the_same_home(
    mcp_server: Any, sim: Simulator, call_log: CallLog, mode: str
) -> None:
    """Ours and OKX's server on one HOME, each with a 2.x client.

    `okx-trade-mcp` 1.2.9 reads API keys only, so the account holds a key:
    our sign-in stops at Step 0.2 without a question, and OKX's private tool
    then answers from the same `~/.okx/config.toml` (OKX being the local
    stand-in the profile's `OKX_API_BASE_URL` points at).
    """
    sim.write_config(keyed_config("ak-app-0001", "sk-app-0002", "pp-app-0003"))
    user = User([])
    with serving(BALANCE) as okx:
        theirs = okx_mcp_connection(command=str(mcp_server), okx_home=str(sim.home),
                                    audit_log=False, env={"OKX_API_BASE_URL": okx.base_url})
        okx_server = StdioServerParameters(command=theirs["command"], args=theirs["args"],
                                           env=theirs.get("env"))
        async with over_stdio(server_env(str(sim.home), OKX_CLI=sim.path), user, mode) as ours, \
                Client(okx_server) as okx_client:
            signed_in = await ours.call_tool("okx_auth_login", {})
            balance = await okx_client.call_tool("account_get_balance", {})
    assert reply_text(signed_in) == render("api_key_configured", "en", name="main")
    assert user.asked == []
    assert not balance.is_error, balance
    assert "1000" in str(balance.content)
    assert okx.paths[-1].startswith("/api/v5/account/balance")
    assert call_log.logins() == []
