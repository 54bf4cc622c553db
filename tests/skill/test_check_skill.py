"""`okx-auth-graph check-skill`: the seed, a 1.3.9 SKILL.md, and copies with one thing changed.

`okx-cex-auth-1.3.2.txt` beside this file is the skill's own text from the
rendered page this package was written from (the seed), character for
character from its title to its error and routing tables, without the
listing page around it. `okx-cex-auth-1.3.9.md` is that text with 1.3.9's
published changes written in (the TR site in the table, the menu, the replies
and every `--site` list, the config wizard's fourth line), as a SKILL.md with
front matter, markdown tables, the menu as a `1)`-numbered quote block and
full-width punctuation in the Chinese templates.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from okx_auth_graph.skill import SKILLS
from okx_auth_graph.skill_check import Report, check, nearest

SEED = Path(__file__).with_name("okx-cex-auth-1.3.2.txt")
SKILL_1_3_9 = Path(__file__).with_name("okx-cex-auth-1.3.9.md")


@pytest.fixture(scope="module")
def seed() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def published() -> str:
    return SKILL_1_3_9.read_text(encoding="utf-8")


def topics(report: Report) -> set[str]:
    return {difference.topic for difference in report.normative}


def test_the_seed_is_1_3_2_with_nothing_normative(seed: str) -> None:
    report = check(seed, SKILLS["1.3.2"])

    assert report.passed, report.as_text("seed")
    assert nearest(seed) is SKILLS["1.3.2"]
    assert [d.message for d in report.rendering] == [
        "the minutes field is written '<expiresIn>/60'; the package writes '<expiresIn/60>'"
    ]


def test_1_3_9_matches_1_3_9_but_for_rendering(published: str) -> None:
    report = check(published, SKILLS["1.3.9"])

    assert report.passed, report.as_text("1.3.9")
    assert report.front_matter_version == "1.3.9"
    assert nearest(published) is SKILLS["1.3.9"]
    rendering = "\n".join(d.message for d in report.rendering)
    assert "'：' U+FF1A where the package has ':' U+003A" in rendering
    assert "'（' U+FF08 where the package has '(' U+0028" in rendering
    assert "lines numbered '1)' where the package writes '1.'" in rendering
    assert "quote block" in rendering


def test_1_3_9_against_1_3_2_names_the_tr_site(published: str) -> None:
    report = check(published, SKILLS["1.3.2"])

    assert not report.passed
    assert topics(report) == {"sites", "menu", "replies"}
    messages = [d.message for d in report.normative]
    assert "the skill lists tr (TR, tr.okx.com); 1.3.2 does not" in messages
    assert "the skill's menu has '4) TR (tr.okx.com)'; 1.3.2's has no line 4" in messages


def test_the_seed_against_1_3_9_misses_tr(seed: str) -> None:
    report = check(seed, SKILLS["1.3.9"])

    assert "1.3.9 lists tr; the skill does not" in [d.message for d in report.normative]


def test_a_template_word_changed_fails(seed: str) -> None:
    edited = seed.replace("Login successful.", "Login succeeded.")

    report = check(edited, SKILLS["1.3.2"])

    assert [(d.topic, d.message) for d in report.normative] == [(
        "template success (en)", "not in the skill (its first line: 'Login successful.')"
    )]
    changed_line = seed.replace("Scopes: <scopes>", "Permissions: <scopes>")
    (difference,) = check(changed_line, SKILLS["1.3.2"]).normative
    assert difference.message == "'Permissions: <scopes>' where the package has 'Scopes: <scopes>'"
    assert difference.line == seed[: seed.index("Scopes: <scopes>")].count("\n") + 1


def test_a_command_flag_status_or_error_row_the_package_lacks_fails(seed: str) -> None:
    edited = (
        seed.replace("okx auth logout\n", "okx auth logout --all\n")
        .replace("okx auth install-status\n", "okx auth refresh\n")
        .replace("not_logged_inNo active", "lockedAccount locked\nnot_logged_inNo active")
        .replace("Failed to spawn okx-authB", "Quota exceededToo many\nFailed to spawn okx-authB")
    )

    messages = [d.message for d in check(edited, SKILLS["1.3.2"]).normative]

    assert "okx auth logout --all: a flag the package does not know" in messages
    assert "okx auth refresh is a command the package does not know" in messages
    assert "auth status 'locked' the package does not know" in messages
    assert "the package does not recognize 'Quota exceededToo many'" in messages


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`okx-auth-graph check-skill ARGS`, the installed console script."""
    script = shutil.which("okx-auth-graph", path=str(Path(sys.executable).parent))
    assert script, "okx-auth-graph is not installed beside this Python"
    command = [script, "check-skill", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.integration
def test_the_command_exits_by_the_verdict(tmp_path: Path) -> None:
    assert run(str(SEED)).returncode == 0
    assert run(str(SKILL_1_3_9)).returncode == 0

    refused = run(str(SKILL_1_3_9), "--skill", "1.3.2", "--json")
    assert refused.returncode == 1
    report = json.loads(refused.stdout)
    assert report["skill"] == "1.3.2"
    assert report["passed"] is False
    assert any("tr (TR, tr.okx.com)" in d["message"] for d in report["normative"])

    text = run(str(SKILL_1_3_9), "--skill", "1.3.2")
    assert "normative  sites" in text.stdout
    assert text.stdout.rstrip().endswith("FAILED")

    missing = run(str(tmp_path / "nope.md"))
    assert missing.returncode == 2
    assert "nope.md" in missing.stderr
    unknown = run(str(SEED), "--skill", "9.9.9")
    assert unknown.returncode == 2
    assert "known: 1.3.2, 1.3.9" in unknown.stderr
