"""The README's demo command, run the way a reader runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from okx_auth_graph.prompts import render, site_menu


def test_demo_plays_a_whole_login_and_prints_the_transcript() -> None:
    script = Path(sys.executable).with_name("okx-auth-graph")
    done = subprocess.run(
        [str(script), "demo"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    transcript = done.stdout
    indented_menu = site_menu().replace("\n", "\n    ")
    assert transcript.count(indented_menu) >= 3  # first menu, the re-post, the English run
    assert render("menu_not_a_choice", "zh") in transcript
    assert "(有效期 10 分钟)" in transcript
    assert "(Valid for 10 minutes)" in transcript
    assert "登录成功。\n    站点:eea\n    权限:live:read, live:trade" in transcript
    assert "Login successful.\n    Site: us\n    Scopes: live:read, live:trade" in transcript
    assert transcript.count("'status': 'logged_in'") == 2
    assert "secret" not in transcript.lower()
