"""The standard LangGraph chat front-end, in a real browser, finishes a sign-in.

Agent Chat UI (npm's `create-agent-chat-app` template, built by
`build-ui.sh`) is served locally and driven by headless Debian Chromium
(`drive.mjs`) against `langgraph dev` with the simulator, on a 1280×900
screen. Its message box starts a new run for every message, so this is the
path a user of that UI takes: "帮我登录 OKX", the menu, "2" typed as a
message, the link and code as readable lines, the simulated browser
approves, "好了", the success text. The same runs through the example app
(`trading_agent`, the auth graph as its subgraph): "查一下我的余额" gets the
same menu, link and code in the app's own thread, and ends with the success
text and the balance.
The checks are on the page's text as the browser lays it out (`innerText`:
one line per rendered line), and on the screen: at each step what the user
must read (the menu's lines; the login's code, minutes and link, a link; the
success text) is drawn inside the screen, uncovered, without scrolling. The
interrupt's panel stands 80% of the window high below the conversation, so
at a question it is the panel that must show the question. Screenshots of
the screen at each step are kept under `artifacts/browser/`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from benchmarks.dev_server import ROOT
from tests.expected import URIS
from tests.server.servers import serving
from tests.support import Simulator

HERE = Path(__file__).parent
UI = HERE / ".build" / "agent-chat-ui" / "dist"
ARTIFACTS = ROOT / "artifacts" / "browser"
NODE = shutil.which("node") or "node"
BALANCE = "您的 OKX 余额:可用 1000 USDT。"
BALANCE_CALL = ["account", "balance", "--json"]
SCREEN = {"width": 1280, "height": 900}
MENU = [
    "您需要选择要连接的 OKX 站点:", "Global (www.okx.com)", "EEA (my.okx.com)", "US (app.okx.com)"
]
CODE = r"验证码:[A-Z0-9]{4}-[A-Z0-9]{4}"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test's output."""


@pytest.fixture(scope="module")
def ui_url() -> Iterator[str]:
    """The built UI, served from 127.0.0.1 (building it first if a lock changed)."""
    subprocess.run([str(HERE / "build-ui.sh")], check=True, timeout=1200)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(UI)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def lines(text: str) -> list[str]:
    """The page's visible lines, stripped, without empty ones."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def in_view(steps: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each step's targets, as the text found for each, once all are shown whole on the screen.

    A target is shown when its box lies inside the screen and the driver
    found nothing drawn over it (`drive.mjs`).
    """
    for step in steps:
        assert step["screen"] == SCREEN
        for place in step["inView"]:
            box = place["box"]
            assert box is not None, (step["name"], place["target"])
            inside = (box["x"] >= 0 and box["y"] >= 0
                      and box["x"] + box["width"] <= SCREEN["width"]
                      and box["y"] + box["height"] <= SCREEN["height"])
            assert inside, (step["name"], place)
            assert place["seen"], (step["name"], place)
    return {step["name"]: [place["text"] for place in step["inView"]] for step in steps}


@pytest.mark.parametrize(
    ("assistant", "request_text", "answer"),
    [
        pytest.param("okx_auth", "帮我登录 OKX", "登录成功。", id="okx_auth"),
        pytest.param("trading_agent", "查一下我的余额", BALANCE, id="trading_agent"),
    ],
)
def test_a_sign_in_typed_into_agent_chat_ui(
    ui_url: str, sim: Simulator, tmp_path: Path, assistant: str, request_text: str,
    answer: str,
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    targets = {
        "1-menu": [{"text": line} for line in MENU],
        "2-link-and-code": [
            {"text": "请在浏览器中打开下面的链接并输入验证码完成授权:"},
            {"link": URIS["eea"]}, {"pattern": CODE}, {"text": "(有效期 10 分钟)"},
        ],
        "3-signed-in": [{"text": "登录成功。"}, {"text": "站点:eea"}, {"text": answer}],
    }
    # A single-user dev server: the CLI's HOME is the server's own.
    env = {"OKX_CLI": sim.path, "HOME": str(sim.home), "OKX_SIM_LOG": str(sim.log.path)}
    with serving(tmp_path, env) as api:
        done = subprocess.run(
            [NODE, str(HERE / "drive.mjs"), ui_url, api.url, assistant, str(ARTIFACTS),
             sim.path, str(sim.home), request_text, answer, json.dumps(targets)],
            cwd=HERE, capture_output=True, text=True, timeout=600, check=False,
        )
    assert done.returncode == 0, done.stderr
    played = json.loads(done.stdout)
    steps: dict[str, str] = {step["name"]: step["text"] for step in played}
    assert list(steps) == ["1-menu", "2-link-and-code", "3-signed-in"]
    shown = in_view(played)

    menu = lines(steps["1-menu"])
    at = menu.index("您需要选择要连接的 OKX 站点:")
    assert menu[at + 1: at + 4] == [
        "Global (www.okx.com)", "EEA (my.okx.com)", "US (app.okx.com)"
    ]  # an ordered list: the numbers 1-3 are the list's own markers
    assert '["global","eea","us"]' not in steps["1-menu"]  # the panel shows no raw values

    text = lines(steps["2-link-and-code"])
    at = text.index("请在浏览器中打开下面的链接并输入验证码完成授权:")
    block = text[at + 1: at + 5]
    assert block[:2] == ["站点:eea", f"链接:{URIS['eea']}"]
    assert re.fullmatch(CODE, block[2])
    assert block[3] == "(有效期 10 分钟)"
    assert text[at + 5] == "通过链接完成授权,然后告诉我。"
    # The code on the screen is this login's, and the link is one (its text the link itself).
    assert shown["2-link-and-code"][1:3] == [URIS["eea"], block[2]]
    for raw in ("Expires In:", "Verification Uri:", "User Code:"):
        assert raw not in steps["2-link-and-code"]

    signed_in = lines(steps["3-signed-in"])
    at = signed_in.index("登录成功。")
    assert signed_in[at + 1: at + 3] == ["站点:eea", "权限:live:read, live:trade"]
    assert signed_in.index(answer) >= at

    calls = [e["argv"] for e in sim.log.entries()]
    logins = [argv for argv in calls if argv[:2] == ["auth", "login"]]
    assert logins == [["auth", "login", "--manual", "--site", "eea"]]
    assert (BALANCE_CALL in calls) == (assistant == "trading_agent")
    for name in steps:
        assert (ARTIFACTS / f"{assistant}-{name}.png").stat().st_size > 0
