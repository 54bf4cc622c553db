"""`okx-auth-graph demo`, the README's "see it run" command, run as a reader runs it.

This supersedes `tests/test_demo.py`: the same subprocess, with every
template checked in full (the menu, the login template with the code the
simulator made, the success template) rather than by fragments.
"""

from __future__ import annotations

import subprocess

import pytest

from okx_auth_graph.skill import site_menu
from tests.apps.conftest import (
    SCRIPT,
    indented,
    login_template,
    shown_codes,
    success_template,
)
from tests.expected import NOT_A_CHOICE


@pytest.fixture(scope="module")
def demo() -> subprocess.CompletedProcess[str]:
    """One run of the demo, read by every test here."""
    return subprocess.run(
        [SCRIPT, "demo"], capture_output=True, text=True, timeout=180, check=False
    )


def test_demo_prints_a_whole_transcript_with_the_skills_templates(
    demo: subprocess.CompletedProcess[str],
) -> None:
    assert demo.returncode == 0, demo.stderr
    transcript = demo.stdout
    chinese, english = transcript.split("=== The same in English")
    assert chinese.count(indented(site_menu())) == 2  # the menu, and again after "Europe please"
    assert indented(NOT_A_CHOICE["zh"]) in chinese
    zh_code, zh_reminder_code = shown_codes(chinese)
    assert zh_reminder_code == zh_code  # a reply that is no signal repeats the same code
    assert login_template("eea", zh_code, "zh") in chinese
    assert success_template("eea", "zh") in chinese
    assert english.count(indented(site_menu())) == 1
    (en_code,) = shown_codes(english)
    assert login_template("us", en_code) in english
    assert success_template("us") in english
    assert transcript.count("'status': 'logged_in'") == 2


def test_demo_prints_no_warning_and_no_secret(demo: subprocess.CompletedProcess[str]) -> None:
    assert demo.returncode == 0
    assert demo.stderr == ""  # e.g. no checkpoint-loading warning: the CLI loads strictly
    assert "secret" not in demo.stdout.lower()
