"""`okx-auth-graph mcp` driven by the `mcp` package's own client, against the simulator.

The server is the console script, spawned over stdio by the client (the
local user's HOME is the simulator's) or listening on streamable HTTP; the
okx executable is `okx-sim`, chosen by the server's environment (`OKX_CLI`),
and the simulator logs every call, which is how "one `auth status`" and "no
login" are shown. The user behind the client answers each elicitation from
a script (`tests.mcp.clients.User`).
"""

from __future__ import annotations

from typing import Any, cast

import httpx
import pytest
from mcp import ClientSession, types

from okx_auth_graph.prompts import Language, format_scopes, render
from tests.apps.conftest import SCRIPT
from tests.expected import FIRST_STEP_0, SCOPES, SEED_MENU, STATUS, URIS
from tests.mcp.answers import accept, choose, confirm, decline, fail
from tests.mcp.clients import FormOnlySession, User, over_http, over_stdio, reply_text
from tests.mcp.servers import http_server, server_env
from tests.server.tokens import Minter
from tests.support import CallLog, Simulator, keyed_config

pytestmark = pytest.mark.integration

LOGIN = ["auth", "login", "--manual", "--site", "eea"]
CANNOT_ASK_EN = render("mcp_cannot_ask", "en", sites="<global|eea|us>")
CANNOT_ASK_ZH = render("mcp_cannot_ask", "zh", sites="<global|eea|us>")


@pytest.fixture
def env(sim: Simulator) -> dict[str, str]:
    """The server's environment: the simulator's HOME, okx-sim as the okx CLI."""
    return server_env(str(sim.home), OKX_CLI=sim.path)


def site_form(asked: types.ElicitRequestParams) -> dict[str, Any]:
    """The menu form's one field, after checking the form is the menu."""
    assert isinstance(asked, types.ElicitRequestFormParams)
    assert asked.message == render_menu()
    schema = asked.requestedSchema
    assert schema["required"] == ["site"]
    assert list(schema["properties"]) == ["site"]
    return dict(schema["properties"]["site"])


def render_menu() -> str:
    """The menu as the graph posts it (the seed's, with markdown's hard breaks)."""
    from okx_auth_graph.skill import site_menu

    assert site_menu().replace("  \n", "\n") == SEED_MENU
    return site_menu()


def login_template(code: str) -> str:
    """The skill's login template for this code on EEA, ten minutes."""
    return render("login", "en", site="eea", verificationUri=URIS["eea"], userCode=code,
                  **{"expiresIn/60": "10"})


def code_of(asked: types.ElicitRequestParams) -> str:
    """The device code an elicitation's message shows."""
    line = next(line for line in asked.message.splitlines() if line.startswith("Code: "))
    return line.removeprefix("Code: ").strip()


async def login(client: ClientSession, **arguments: Any) -> types.CallToolResult:
    return await client.call_tool("okx_auth_login", arguments)


async def _whole_login(client: ClientSession, user: User, sim: Simulator) -> None:
    result = await login(client)
    menu, link, done = user.asked
    assert [option["const"] for option in site_form(menu)["oneOf"]] == ["global", "eea", "us"]
    assert [option["title"] for option in site_form(menu)["oneOf"]] == [
        "1. Global (www.okx.com)", "2. EEA (my.okx.com)", "3. US (app.okx.com)"]
    assert isinstance(link, types.ElicitRequestURLParams)
    assert link.url == URIS["eea"]
    assert link.message == login_template(code_of(link))
    assert link.elicitationId
    # Accepting the link is consent to open it; the user's "done" is the form after it.
    assert isinstance(done, types.ElicitRequestFormParams)
    assert done.message == link.message
    assert list(done.requestedSchema["properties"]) == ["done"]
    assert user.completed == [link.elicitationId]  # the link's interaction is over
    assert sim.log.argvs()[-2:] == [LOGIN, STATUS]  # the login, then the one check after "done"
    assert sim.log.argvs().count(STATUS) == 2  # Step 0's, and the one after "done"
    assert reply_text(result) == render("success", "en", site="eea", scopes=format_scopes(SCOPES))
    assert result.structuredContent == {"status": "logged_in", "site": "eea", "scopes": SCOPES}


async def test_a_whole_login_over_stdio(env: dict[str, str], sim: Simulator) -> None:
    user = User([choose(site="eea"), accept(), confirm(before=lambda: sim.browser("approve"))])
    async with over_stdio(env, user) as client:
        await _whole_login(client, user, sim)


async def test_a_whole_login_over_http(env: dict[str, str], sim: Simulator) -> None:
    user = User([choose(site="eea"), accept(), confirm(before=lambda: sim.browser("approve"))])
    with http_server(env) as server:
        async with over_http(server, user) as client:
            await _whole_login(client, user, sim)


async def test_declining_the_menu_cancels_and_runs_nothing(
    env: dict[str, str], sim: Simulator
) -> None:
    user = User([decline()])
    async with over_stdio(env, user) as client:
        result = await login(client)
    assert reply_text(result) == render("login_cancelled", "en")
    assert result.structuredContent == {"status": "cancelled"}
    assert sorted(sim.log.argvs()) == FIRST_STEP_0


async def test_not_yet_then_done(env: dict[str, str], sim: Simulator) -> None:
    approved = confirm(before=lambda: sim.browser("approve"))
    user = User([choose(site="eea"), accept(), confirm(), approved])
    async with over_stdio(env, user) as client:
        result = await login(client)
    _, link, first, again = user.asked
    assert isinstance(link, types.ElicitRequestURLParams)
    # The link is open already: "not yet" asks for the "done" again, as a form.
    assert isinstance(first, types.ElicitRequestFormParams)
    assert isinstance(again, types.ElicitRequestFormParams)
    assert again.message == render("not_yet", "en")
    assert sim.log.argvs().count(STATUS) == 3  # Step 0's, then one per "done"
    assert result.structuredContent is not None
    assert result.structuredContent["status"] == "logged_in"
    assert len(sim.log.logins()) == 1


async def test_a_client_without_url_mode_confirms_in_a_form(
    env: dict[str, str], sim: Simulator
) -> None:
    user = User([choose(site="eea"), confirm(before=lambda: sim.browser("approve"))])
    async with over_stdio(env, user, session=FormOnlySession) as client:
        result = await login(client)
    _, done = user.asked
    assert isinstance(done, types.ElicitRequestFormParams)
    assert done.message == login_template(code_of(done))
    assert list(done.requestedSchema["properties"]) == ["done"]
    assert done.requestedSchema["properties"]["done"]["type"] == "boolean"
    assert result.structuredContent is not None
    assert result.structuredContent["status"] == "logged_in"


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_a_client_that_fails_to_ask_gets_the_question_in_the_tools_text(
    env: dict[str, str], sim: Simulator, language: Language
) -> None:
    """A broken elicitation is no tool error: the user's language, the link and code kept."""
    broken_link = User([choose(site="eea"), fail()])
    broken_menu = User([fail()])
    async with over_stdio(env, broken_menu) as client:
        at_menu = await login(client, language=language)
    async with over_stdio(env, broken_link) as client:
        at_link = await login(client, language=language)

    assert not at_link.isError
    (link,) = [asked for asked in broken_link.asked if isinstance(
        asked, types.ElicitRequestURLParams)]
    assert reply_text(at_link) == "\n\n".join([
        render("mcp_not_shown", language), link.message, render("stopped_waiting", language)])
    assert at_link.structuredContent == {"status": "pending", "site": "eea"}
    assert len(sim.log.logins()) == 1
    assert not at_menu.isError
    assert reply_text(at_menu) == "\n\n".join([
        render("mcp_not_shown", language), render("login_cancelled", language)])


async def test_a_form_only_client_whose_done_form_fails_keeps_the_link_and_code(
    env: dict[str, str], sim: Simulator
) -> None:
    user = User([choose(site="eea"), fail()])
    async with over_stdio(env, user, session=FormOnlySession) as client:
        result = await login(client)
    _, done = user.asked
    assert isinstance(done, types.ElicitRequestFormParams)
    assert reply_text(result) == "\n\n".join([
        render("mcp_not_shown", "en"), done.message, render("stopped_waiting", "en")])
    assert code_of(done) in reply_text(result)


async def test_a_client_without_elicitation_is_told_to_use_a_terminal(
    env: dict[str, str], sim: Simulator
) -> None:
    async with over_stdio(env, None) as client:
        result = await login(client)
        zh = await login(client, language="zh")
    assert reply_text(result) == CANNOT_ASK_EN
    assert "okx auth login" in reply_text(result)
    assert reply_text(zh) == CANNOT_ASK_ZH
    assert result.structuredContent == {"status": "needs_user_action",
                                        "message": CANNOT_ASK_EN}
    assert sim.log.logins() == []


async def test_an_api_key_profile_stops_without_asking(
    env: dict[str, str], sim: Simulator
) -> None:
    sim.write_config(keyed_config("ak-mcp-0001", "sk-mcp-0002", "pp-mcp-0003"))
    user = User([])
    async with over_stdio(env, user) as client:
        result = await login(client)
    assert user.asked == []
    assert reply_text(result) == render("api_key_configured", "en", name="main")
    assert result.structuredContent is not None
    assert result.structuredContent["status"] == "api_key_configured"
    assert "sk-mcp-0002" not in str(result)
    assert "pp-mcp-0003" not in str(result)
    assert sim.log.logins() == []


async def test_a_site_argument_is_refused(env: dict[str, str], sim: Simulator) -> None:
    user = User([])
    async with over_stdio(env, user) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        result = await login(client, site="global")
    assert "site" not in tools["okx_auth_login"].inputSchema["properties"]
    assert tools["okx_auth_login"].inputSchema["additionalProperties"] is False
    assert result.isError
    assert "site" in reply_text(result)
    assert user.asked == []
    assert sim.log.argvs() == []


async def test_removal_asks_the_user_first(env: dict[str, str], sim: Simulator) -> None:
    user = User([choose(answer="no")])
    async with over_stdio(env, user) as client:
        result = await client.call_tool("okx_auth_remove", {})
    (question,) = user.asked
    assert isinstance(question, types.ElicitRequestFormParams)
    assert question.message == render("remove_question", "en")
    assert [o["const"] for o in question.requestedSchema["properties"]["answer"]["oneOf"]] == [
        "yes", "no"]
    assert reply_text(result) == render("remove_declined", "en")
    assert not any(argv[:2] == ["auth", "remove"] for argv in sim.log.argvs())


async def test_two_users_over_http_each_in_their_own_home(
    sim: Simulator, call_log: CallLog, tmp_path: Any
) -> None:
    minter, homes = Minter.fresh(), tmp_path / "homes"
    env = server_env(str(tmp_path / "server-home"), OKX_CLI=sim.path,
                     OKX_AUTH_HOMES=str(homes), OKX_AUTH_JWT_SECRET=minter.secret)
    alice = Simulator(sim.path, homes / "alice", call_log)
    user = User([choose(site="eea"), accept(), confirm(before=lambda: alice.browser("approve"))])
    with http_server(env, "--multi-user") as server:
        async with over_http(server, user, minter.header("alice")) as client:
            result = await login(client)
        async with over_http(server, User([]), minter.header("bob")) as client:
            bobs = await client.call_tool("okx_auth_status", {})
        anonymous = httpx.post(server.url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert anonymous.status_code == 401
    assert result.structuredContent is not None
    assert result.structuredContent["status"] == "logged_in"
    assert bobs.structuredContent is not None
    assert bobs.structuredContent["status"] == "not_logged_in"
    assert {entry["home"] for entry in call_log.entries()} >= {str(homes / "alice"),
                                                               str(homes / "bob")}
    assert str(tmp_path / "server-home") not in {e["home"] for e in call_log.entries()}


async def test_beside_okx_trade_mcp_on_the_same_home(
    mcp_server: Any, sim: Simulator, call_log: CallLog
) -> None:
    """The docs' `MultiServerMCPClient` dict: ours and OKX's server, one HOME, one client.

    `okx-trade-mcp` 1.2.9 reads API keys only, so the account here holds a
    key: our sign-in stops at Step 0.2 (no question), and OKX's private tool
    then answers from the same `~/.okx/config.toml` (OKX being the local
    stand-in the profile's `OKX_API_BASE_URL` points at).
    """
    from langchain_mcp_adapters.callbacks import Callbacks
    from langchain_mcp_adapters.client import MultiServerMCPClient
    from langchain_mcp_adapters.sessions import StdioConnection

    from okx_auth_graph.mcp import okx_mcp_connection
    from tests.examples.test_trading_agent_mcp import KEYED
    from tests.rest_standin import BALANCE, serving

    sim.write_config(KEYED)
    user = User([])
    home = str(sim.home)
    with serving(BALANCE) as okx:
        client = MultiServerMCPClient({
            "okx-auth": {"transport": "stdio", "command": SCRIPT, "args": ["mcp"],
                         "env": server_env(home, OKX_CLI=sim.path)},
            "okx": cast(StdioConnection, okx_mcp_connection(
                command=str(mcp_server), okx_home=home, audit_log=False,
                env={"OKX_API_BASE_URL": okx.base_url})),
        }, callbacks=Callbacks(on_elicitation=user.on_elicitation))
        tools = {tool.name: tool for tool in await client.get_tools()}
        signed_in = await tools["okx_auth_login"].ainvoke({})
        balance = await tools["account_get_balance"].ainvoke({})
    assert [block["text"] for block in signed_in] == [
        render("api_key_configured", "en", name="main")]
    assert user.asked == []
    assert "1000" in str(balance)
    assert okx.paths
    assert okx.paths[-1].startswith("/api/v5/account/balance")
    assert not call_log.logins()
