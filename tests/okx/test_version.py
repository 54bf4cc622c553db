"""The shared preflight's drift rule: when `okx --version` is ahead of the skill's version."""

from __future__ import annotations

import pytest

from okx_auth_graph.okx import OkxError, Version, cli_ahead, cli_version, parse_version
from okx_auth_graph.okx.commands import interpret
from okx_auth_graph.okx.runner import CliResult
from tests.okx.helpers import NO_CONFIG


@pytest.mark.parametrize(
    ("cli", "skill", "ahead"),
    [
        ("1.3.2", "1.3.2", False),  # equal
        ("1.3.1", "1.3.2", False),  # behind
        ("1.2.9", "1.3.2", False),
        ("0.9.9", "1.3.2", False),
        ("1.3.3", "1.3.2", True),  # ahead in each component
        ("1.4.0", "1.3.2", True),
        ("2.0.0", "1.3.2", True),
        ("1.3.10", "1.3.9", True),  # numbers, not text: 10 > 9
        ("1.3.10", "1.3.2", True),
        ("1.3.3-beta.17", "1.3.2", False),  # a pre-release is skipped, however far ahead
        ("9.0.0-rc.1", "1.3.2", False),
        ("1.3.1-sim", "1.3.2", False),  # the simulator's default
        ("  1.3.3\n", "1.3.2", True),  # as printed: a line break after it
        ("1.3.3 (88fac29)\n", "1.3.2", True),  # as the real CLI prints it: its commit after it
        ("1.3.3-beta.2 (88fac29)\n", "1.3.2", False),
        ("okx 1.3.3", "1.3.2", False),  # anything that is not a version: no warning
        ("1.3", "1.3.2", False),
        ("v1.3.3", "1.3.2", False),
        ("garbage", "1.3.2", False),
        ("", "1.3.2", False),
        ("1.3.3", "", False),  # a skill version that cannot be read: no warning either
    ],
)
def test_a_stable_cli_ahead_of_the_skill_is_drift(cli: str, skill: str, ahead: bool) -> None:
    assert cli_ahead(cli, skill) is ahead


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("1.3.9", Version((1, 3, 9), None)),
        ("1.3.1-beta.17\n", Version((1, 3, 1), "beta.17")),
        ("1.3.1-sim", Version((1, 3, 1), "sim")),
        ("12.0.345", Version((12, 0, 345), None)),
        ("1.2.4 (88fac29)\n", Version((1, 2, 4), None)),  # `okx --version` of the real 1.2.4
        ("1.2.4 (88fac29", None),
        ("1.2.4 (88fac29) extra", None),
        ("1.3.1-", None),
        ("1.3.1.4", None),
        ("1.3.1 extra", None),
        ("", None),
    ],
)
def test_parse_version(text: str, version: Version | None) -> None:
    assert parse_version(text) == version


@pytest.mark.parametrize(
    ("stdout", "version"),
    [("1.3.9\n", "1.3.9"), ("1.2.4 (88fac29)\n", "1.2.4 (88fac29)"),
     ("\ufeff1.3.1-beta.17\r\n", "1.3.1-beta.17"),
     ("\x1b[32m2.0.0\x1b[0m\n", "2.0.0")],
)
def test_okx_version_reads_what_the_cli_prints(stdout: str, version: str) -> None:
    command = cli_version()
    assert interpret(command, CliResult(command.args, 0, stdout, "", 0.01), NO_CONFIG) == version


@pytest.mark.parametrize(("code", "stdout"), [(0, "not a version\n"), (0, ""), (1, "1.3.9\n")])
def test_okx_version_that_says_no_version_is_a_failure(code: int, stdout: str) -> None:
    command = cli_version()
    with pytest.raises(OkxError):
        interpret(command, CliResult(command.args, code, stdout, "", 0.01), NO_CONFIG)
