"""Parsing every JSON shape the okx CLI prints into typed, redacted models."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from okx_auth_graph.okx import (
    ENV_KEY_PROFILE,
    AuthStatus,
    ConfigView,
    DeviceCode,
    InstallResult,
    InstallStatus,
    LoginSkipped,
    ProfileView,
    Site,
    mask_key,
)
from okx_auth_graph.okx.framing import MalformedOutput
from okx_auth_graph.okx.models import (
    parse_auth_status,
    parse_config_show,
    parse_install,
    parse_install_status,
    parse_login_manual,
)

from .helpers import PLANTED_API_KEY, PLANTED_PASSPHRASE, PLANTED_SECRET_KEY, PLANTED_SECRETS

# What `okx config show --json` prints (CLI 1.2.4): secrets in clear text.
CONFIG_JSON = json.dumps(
    {
        "default_profile": "main",
        "profiles": {
            "main": {
                "api_key": PLANTED_API_KEY,
                "secret_key": PLANTED_SECRET_KEY,
                "passphrase": PLANTED_PASSPHRASE,
                "site": "eea",
                "demo": True,
            },
            "other": {"site": "us"},
        },
    },
    indent=2,
)

STATUS_JSON = json.dumps(
    {
        "profile": "oauth",
        "site": "global",
        "status": "logged_in",
        "expiresAt": "2026-04-11T20:30:00+00:00",
        "ttl": 3600,
        "scopes": ["live:read", "live:trade"],
    }
)

Parser = Callable[[str], Any]

PARSERS: list[tuple[str, Parser]] = [
    ("config show --json", parse_config_show),
    ("auth status --json", parse_auth_status),
    ("auth login --manual", parse_login_manual),
    ("auth install --json", parse_install),
    ("auth install-status --json", parse_install_status),
]
PARSER_IDS = [name for name, _ in PARSERS]

# Not a JSON object at all: every parser rejects these the same way.
NOT_AN_OBJECT = [
    pytest.param("%%% not json at all <<<", id="garbage"),
    pytest.param('{"status": "logged_in", "site": "glo', id="truncated"),
    pytest.param("", id="empty"),
    pytest.param("   \n\t ", id="blank"),
    pytest.param('[{"status": "logged_in"}]', id="array"),
    pytest.param('"logged_in"', id="string"),
    pytest.param("null", id="null"),
    pytest.param("42", id="number"),
    pytest.param("\ufffd\ufffd\ufffd not utf8 \ufffd\ufffd", id="replacement-chars"),
    pytest.param('\ufffd{"status": "logged_in"}', id="replacement-before-json"),
    pytest.param("[" * 100_000, id="deep-nesting"),
]


# ---------------------------------------------------------------- malformed


@pytest.mark.parametrize(("what", "parse"), PARSERS, ids=PARSER_IDS)
@pytest.mark.parametrize("text", NOT_AN_OBJECT)
def test_not_an_object_is_malformed(what: str, parse: Parser, text: str) -> None:
    with pytest.raises(MalformedOutput) as caught:
        parse(text)
    message = str(caught.value)
    assert message == f"unexpected output from `okx {what}` ({len(text.encode())} bytes)"
    assert caught.value.what == what
    assert caught.value.size == len(text.encode())
    if text.strip():
        assert text.strip()[:20] not in message


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        pytest.param(parse_config_show, '{"profiles": ["main"]}', id="config-profiles-list"),
        pytest.param(parse_config_show, '{"profiles": {"main": "SECRETBODY99"}}', id="config-body"),
        pytest.param(parse_auth_status, '{"site": "global"}', id="status-missing"),
        pytest.param(parse_auth_status, '{"status": "weird-state"}', id="status-unknown"),
        pytest.param(parse_auth_status, '{"status": 1}', id="status-number"),
        pytest.param(
            parse_auth_status, '{"status": "logged_in", "scopes": 7}', id="status-scopes-num"
        ),
        pytest.param(
            parse_auth_status, '{"status": "logged_in", "scopes": "live"}', id="status-scopes-str"
        ),
        pytest.param(parse_login_manual, '{"verificationUri": "https://x"}', id="login-partial"),
        pytest.param(
            parse_login_manual,
            '{"verificationUri": "https://x", "userCode": "AB-CD", "expiresIn": 0}',
            id="login-expired",
        ),
        pytest.param(
            parse_login_manual,
            '{"verificationUri": "https://x", "userCode": "AB-CD", "expiresIn": "soon"}',
            id="login-expires-text",
        ),
        pytest.param(
            parse_login_manual,
            '{"verificationUri": "", "userCode": "AB-CD", "expiresIn": 600}',
            id="login-empty-uri",
        ),
        pytest.param(parse_login_manual, '{"status": "skipped"}', id="skipped-no-reason"),
        pytest.param(parse_install, '{"status": 5}', id="install-status-number"),
        pytest.param(parse_install_status, '{"installed": "maybe"}', id="install-status-bool"),
        pytest.param(parse_install_status, '{"version": ["1"]}', id="install-version-list"),
    ],
)
def test_wrong_types_are_malformed_without_echo(parse: Parser, text: str) -> None:
    with pytest.raises(MalformedOutput) as caught:
        parse(text)
    message = str(caught.value)
    assert message.endswith(f"({len(text.encode())} bytes)")
    assert "SECRETBODY99" not in message
    assert text not in message


def test_malformed_config_never_echoes_secrets() -> None:
    truncated = CONFIG_JSON[: CONFIG_JSON.index(PLANTED_PASSPHRASE) + 10]
    with pytest.raises(MalformedOutput) as caught:
        parse_config_show(truncated)
    for secret in PLANTED_SECRETS:
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)


def test_huge_integer_is_malformed_output() -> None:
    # A field we do not even keep (`ttl`) holding an integer past Python's
    # int-parsing limit makes json.loads raise a plain ValueError.
    text = '{"status": "logged_in", "site": "us", "ttl": ' + "9" * 5000 + "}"
    with pytest.raises(MalformedOutput):
        parse_auth_status(text)


# ---------------------------------------------------------------- config show


def test_config_show_parses_the_real_shape() -> None:
    view = parse_config_show(CONFIG_JSON)
    assert view.default_profile == "main"
    assert [p.name for p in view.profiles] == ["main", "other"]
    main, other = view.profiles
    assert main == ProfileView(
        name="main", site=Site.EEA, demo=True, api_key_masked="***" + PLANTED_API_KEY[-4:]
    )
    assert other == ProfileView(name="other", site=Site.US)
    assert main.has_api_key
    assert not other.has_api_key
    assert view.selected_sites == (Site.EEA, Site.US)
    assert view.api_key_profile == "main"
    assert view.env_api_key_masked is None
    assert view.profile("other") is other
    assert view.profile("missing") is None


def test_config_show_holds_no_secret() -> None:
    view = parse_config_show(CONFIG_JSON)
    rendered = [repr(view), str(view), view.model_dump_json(), json.dumps(view.model_dump())]
    for text in rendered:
        for secret in PLANTED_SECRETS:
            assert secret not in text


def test_config_show_lenient_extras() -> None:
    text = json.dumps(
        {
            "default_profile": "live",
            "version": 3,
            "profiles": {
                "live": {
                    "api_key": "KEY-abcdef-0042",
                    "site": " GLOBAL ",
                    "demo": False,
                    "base_url": "https://eu.example.test",
                    "timeout_ms": 5000,
                    "tags": ["x"],
                },
                "weird": {"site": "mars", "demo": "true", "base_url": 12, "api_key": 5},
                "blank": {"api_key": "", "base_url": ""},
            },
            "telemetry": {"enabled": False},
        }
    )
    view = parse_config_show(text)
    live, weird, blank = view.profiles
    assert live == ProfileView(
        name="live",
        site=Site.GLOBAL,
        demo=False,
        base_url="https://eu.example.test",
        api_key_masked="***0042",
    )
    assert weird == ProfileView(name="weird")
    assert blank == ProfileView(name="blank")
    assert view.api_key_profile == "live"


@pytest.mark.parametrize(
    ("text", "profiles"),
    [
        ('{"profiles": {}}', ()),
        ("{}", ()),
        ('{"default_profile": "", "profiles": {}}', ()),
    ],
)
def test_config_show_without_profiles(text: str, profiles: tuple[ProfileView, ...]) -> None:
    view = parse_config_show(text)
    assert view.profiles == profiles
    assert view.default_profile is None
    assert view.api_key_profile is None
    assert view.selected_sites == ()


def test_env_api_key_is_noted_and_preferred() -> None:
    view = parse_config_show(CONFIG_JSON, env_api_key="ENV-KEY-5678")
    assert view.env_api_key_masked == "***5678"
    assert view.api_key_profile == ENV_KEY_PROFILE
    assert ENV_KEY_PROFILE == "OKX_API_KEY (environment)"
    assert "ENV-KEY-5678" not in view.model_dump_json()


def test_env_api_key_without_profiles() -> None:
    view = parse_config_show('{"profiles": {}}', env_api_key="ENV-KEY-5678")
    assert view.api_key_profile == ENV_KEY_PROFILE


@pytest.mark.parametrize("env_key", [None, ""])
def test_absent_env_api_key(env_key: str | None) -> None:
    view = parse_config_show('{"profiles": {}}', env_api_key=env_key)
    assert view.env_api_key_masked is None
    assert view.api_key_profile is None


def _keyed(name: str) -> ProfileView:
    return ProfileView(name=name, api_key_masked="***" + name[-4:].rjust(4, "0"))


@pytest.mark.parametrize(
    ("default", "profiles", "expected"),
    [
        pytest.param("b", (_keyed("a"), _keyed("b")), "b", id="default-keyed-wins"),
        pytest.param(
            "b", (_keyed("a"), ProfileView(name="b"), _keyed("c")), "a", id="default-unkeyed"
        ),
        pytest.param(None, (ProfileView(name="a"), _keyed("c"), _keyed("d")), "c", id="no-default"),
        pytest.param("zzz", (_keyed("a"), _keyed("b")), "a", id="default-missing"),
        pytest.param("a", (ProfileView(name="a"), ProfileView(name="b")), None, id="no-key"),
    ],
)
def test_api_key_profile_prefers_default(
    default: str | None, profiles: tuple[ProfileView, ...], expected: str | None
) -> None:
    assert ConfigView(default_profile=default, profiles=profiles).api_key_profile == expected


# hypothesis: characters that TOML/JSON can carry, no surrogates
_SECRETS = st.text(st.characters(exclude_categories=["Cs"]), min_size=12, max_size=40)


@settings(max_examples=150, deadline=None, database=None)
@given(
    api_key=_SECRETS,
    secret_key=_SECRETS,
    passphrase=_SECRETS,
    name=st.sampled_from(["main", "live", "demo"]),
)
def test_random_secrets_never_reach_the_view(
    api_key: str, secret_key: str, passphrase: str, name: str
) -> None:
    text = json.dumps(
        {
            "default_profile": name,
            "profiles": {
                name: {
                    "api_key": api_key,
                    "secret_key": secret_key,
                    "passphrase": passphrase,
                    "site": "us",
                },
                "spare": {"secret_key": secret_key, "passphrase": passphrase},
            },
        },
        ensure_ascii=False,
    )
    view = parse_config_show(text)

    def shown(v: ConfigView) -> list[str]:
        return [v.model_dump_json(), repr(v), str(v), json.dumps(v.model_dump(mode="json"))]

    # What the view may hold: names, the site and the masked key, nothing else.
    allowed = ConfigView(
        default_profile=name,
        profiles=(
            ProfileView(name=name, site=Site.US, api_key_masked=mask_key(api_key)),
            ProfileView(name="spare"),
        ),
    )
    secrets = (api_key, secret_key, passphrase)
    forms = [form for s in secrets for form in (s, json.dumps(s, ensure_ascii=False)[1:-1])]
    # A secret that happens to spell part of the allowed text proves nothing.
    assume(not any(form in text_out for form in forms for text_out in shown(allowed)))
    for text_out in shown(view):
        for form in forms:
            assert form not in text_out
    assert view == allowed
    assert view.api_key_profile == name


# ---------------------------------------------------------------- auth status


def test_auth_status_keeps_only_status_site_scopes() -> None:
    status = parse_auth_status(STATUS_JSON)
    assert status == AuthStatus(
        status="logged_in", site=Site.GLOBAL, scopes=("live:read", "live:trade")
    )
    assert status.model_dump(mode="json") == {
        "status": "logged_in",
        "site": "global",
        "scopes": ["live:read", "live:trade"],
    }
    dumped = status.model_dump_json()
    for dropped in ("expiresAt", "2026-04-11", "ttl", "3600", "profile", "oauth"):
        assert dropped not in dumped
        assert dropped not in repr(status)
    assert status.chosen_site is Site.GLOBAL


@pytest.mark.parametrize(
    ("state", "chosen"),
    [("logged_in", Site.EEA), ("pending", Site.EEA), ("not_logged_in", None)],
)
def test_chosen_site_only_when_logged_in_or_pending(state: str, chosen: Site | None) -> None:
    status = parse_auth_status(json.dumps({"status": state, "site": "eea"}))
    assert status.site is Site.EEA
    assert status.chosen_site is chosen


def test_not_logged_in_placeholder_site_is_not_a_choice() -> None:
    status = parse_auth_status('{"status": "not_logged_in", "site": "global"}')
    assert status.chosen_site is None
    assert status.scopes == ()


@pytest.mark.parametrize("site", ["mars", "", 3, None, ["us"]])
def test_auth_status_unknown_site_is_none(site: object) -> None:
    status = parse_auth_status(json.dumps({"status": "logged_in", "site": site}))
    assert status.site is None
    assert status.chosen_site is None


def test_auth_status_minimal() -> None:
    assert parse_auth_status('{"status": "pending"}') == AuthStatus(status="pending")


# ---------------------------------------------------------------- login --manual


def test_device_code() -> None:
    answer = parse_login_manual(
        '{"verificationUri":"https://www.okx.com/account/oauth/device","userCode":"ABCD-EFGH",'
        '"expiresIn":600,"interval":5}\n'
    )
    assert answer == DeviceCode(
        verificationUri="https://www.okx.com/account/oauth/device",
        userCode="ABCD-EFGH",
        expiresIn=600,
    )
    assert isinstance(answer, DeviceCode)
    assert answer.verification_uri == "https://www.okx.com/account/oauth/device"
    assert answer.user_code == "ABCD-EFGH"
    assert answer.expires_in == 600


def test_device_code_after_chatter_lines() -> None:
    text = (
        "Registering client...\n"
        '{"verificationUri":"https://my.okx.com/d","userCode":"WXYZ-1234","expiresIn":90}\n\n'
    )
    answer = parse_login_manual(text)
    assert isinstance(answer, DeviceCode)
    assert answer.user_code == "WXYZ-1234"
    assert answer.expires_in == 90


@pytest.mark.parametrize(
    ("text", "profile"),
    [
        ('{"status":"skipped","reason":"api_key_configured","profile":"main"}', "main"),
        ('{"status":"skipped","reason":"api_key_configured"}', None),
    ],
)
def test_login_skipped(text: str, profile: str | None) -> None:
    answer = parse_login_manual(text)
    assert isinstance(answer, LoginSkipped)
    assert answer.status == "skipped"
    assert answer.reason == "api_key_configured"
    assert answer.profile == profile


# ---------------------------------------------------------------- install


def test_install_result_lenient() -> None:
    assert parse_install('{"status":"installed","version":"0.4.1","path":"/h/.okx/bin"}') == (
        InstallResult(status="installed", version="0.4.1")
    )
    assert parse_install("{}") == InstallResult()


def test_install_status_lenient() -> None:
    parsed = parse_install_status(
        '{"installed":true,"version":"0.4.1","latest":"0.4.2","upToDate":false,"path":"/x"}'
    )
    assert parsed == InstallStatus(installed=True, version="0.4.1", latest="0.4.2", upToDate=False)
    assert parsed.up_to_date is False
    assert parse_install_status("{}") == InstallStatus()


# ---------------------------------------------------------------- small pieces


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("ABCDEFGH1234", "***1234"),
        (PLANTED_API_KEY, "***" + PLANTED_API_KEY[-4:]),
        ("abcde", "***bcde"),
        ("abcd", "***"),
        ("ab", "***"),
        ("", "***"),
    ],
)
def test_mask_key(value: str, masked: str) -> None:
    assert mask_key(value) == masked


@pytest.mark.parametrize(
    ("value", "site"),
    [
        ("global", Site.GLOBAL),
        ("eea", Site.EEA),
        ("us", Site.US),
        (" EEA ", Site.EEA),
        ("Us", Site.US),
        ("mars", None),
        ("", None),
        ("www.okx.com", None),
        (None, None),
        (1, None),
    ],
)
def test_site_parse(value: object, site: Site | None) -> None:
    assert Site.parse(value) is site


def test_site_web_hosts() -> None:
    assert {s.value: s.web_host for s in Site} == {
        "global": "www.okx.com",
        "eea": "my.okx.com",
        "us": "app.okx.com",
    }


def test_models_are_frozen() -> None:
    status = parse_auth_status(STATUS_JSON)
    with pytest.raises(ValueError, match="frozen"):
        status.status = "pending"
