"""Parsing every JSON shape the okx CLI prints into typed, redacted views of plain data."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from okx_auth_graph.okx import (
    ENV_KEY_PROFILE,
    SITES,
    ConfigView,
    ProfileView,
    Site,
    api_key_profile,
    chosen_site,
    find_profile,
    has_api_key,
    mask_key,
    parse_site,
    selected_sites,
    web_host,
)
from okx_auth_graph.okx.framing import MalformedOutput
from okx_auth_graph.okx.models import (
    parse_auth_status,
    parse_config_show,
    parse_install,
    parse_install_status,
    parse_login_manual,
)
from tests.views import config, profile, status

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
    assert view["default_profile"] == "main"
    assert [p["name"] for p in view["profiles"]] == ["main", "other"]
    main, other = view["profiles"]
    assert main == profile(
        "main", site="eea", demo=True, api_key_masked="***" + PLANTED_API_KEY[-4:]
    )
    assert other == profile("other", site="us")
    assert has_api_key(main)
    assert not has_api_key(other)
    assert selected_sites(view) == ["eea", "us"]
    assert api_key_profile(view) == "main"
    assert view["env_api_key_masked"] is None
    assert find_profile(view, "other") is other
    assert find_profile(view, "missing") is None


def test_config_show_holds_no_secret() -> None:
    view = parse_config_show(CONFIG_JSON)
    rendered = [repr(view), str(view), json.dumps(view)]
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
    live, weird, blank = view["profiles"]
    assert live == profile(
        "live", site="global", demo=False, base_url="https://eu.example.test",
        api_key_masked="***0042",
    )
    assert weird == profile("weird")
    assert blank == profile("blank")
    assert api_key_profile(view) == "live"


@pytest.mark.parametrize(
    ("text", "profiles"),
    [
        ('{"profiles": {}}', []),
        ("{}", []),
        ('{"default_profile": "", "profiles": {}}', []),
    ],
)
def test_config_show_without_profiles(text: str, profiles: list[ProfileView]) -> None:
    view = parse_config_show(text)
    assert view["profiles"] == profiles
    assert view["default_profile"] is None
    assert api_key_profile(view) is None
    assert selected_sites(view) == []


def test_env_api_key_is_noted_and_preferred() -> None:
    view = parse_config_show(CONFIG_JSON, env_api_key="ENV-KEY-5678")
    assert view["env_api_key_masked"] == "***5678"
    assert api_key_profile(view) == ENV_KEY_PROFILE
    assert ENV_KEY_PROFILE == "OKX_API_KEY (environment)"
    assert "ENV-KEY-5678" not in json.dumps(view)


def test_env_api_key_without_profiles() -> None:
    view = parse_config_show('{"profiles": {}}', env_api_key="ENV-KEY-5678")
    assert api_key_profile(view) == ENV_KEY_PROFILE


@pytest.mark.parametrize("env_key", [None, ""])
def test_absent_env_api_key(env_key: str | None) -> None:
    view = parse_config_show('{"profiles": {}}', env_api_key=env_key)
    assert view["env_api_key_masked"] is None
    assert api_key_profile(view) is None


def _keyed(name: str) -> ProfileView:
    return profile(name, api_key_masked="***" + name[-4:].rjust(4, "0"))


@pytest.mark.parametrize(
    ("default", "profiles", "expected"),
    [
        pytest.param("b", (_keyed("a"), _keyed("b")), "b", id="default-keyed-wins"),
        pytest.param(
            "b", (_keyed("a"), profile("b"), _keyed("c")), "a", id="default-unkeyed"
        ),
        pytest.param(None, (profile("a"), _keyed("c"), _keyed("d")), "c", id="no-default"),
        pytest.param("zzz", (_keyed("a"), _keyed("b")), "a", id="default-missing"),
        pytest.param("a", (profile("a"), profile("b")), None, id="no-key"),
    ],
)
def test_api_key_profile_prefers_default(
    default: str | None, profiles: tuple[ProfileView, ...], expected: str | None
) -> None:
    assert api_key_profile(config(*profiles, default_profile=default)) == expected


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
        return [json.dumps(v), repr(v), str(v), json.dumps(v, ensure_ascii=False)]

    # What the view may hold: names, the site and the masked key, nothing else.
    allowed = config(
        profile(name, site="us", api_key_masked=mask_key(api_key)),
        profile("spare"),
        default_profile=name,
    )
    secrets = (api_key, secret_key, passphrase)
    forms = [form for s in secrets for form in (s, json.dumps(s, ensure_ascii=False)[1:-1])]
    # A secret that happens to spell part of the allowed text proves nothing.
    assume(not any(form in text_out for form in forms for text_out in shown(allowed)))
    for text_out in shown(view):
        for form in forms:
            assert form not in text_out
    assert view == allowed
    assert api_key_profile(view) == name


# ---------------------------------------------------------------- auth status


def test_auth_status_keeps_only_status_site_scopes() -> None:
    parsed = parse_auth_status(STATUS_JSON)
    assert parsed == {
        "status": "logged_in",
        "site": "global",
        "scopes": ["live:read", "live:trade"],
    }
    dumped = json.dumps(parsed)
    for dropped in ("expiresAt", "2026-04-11", "ttl", "3600", "profile", "oauth"):
        assert dropped not in dumped
    assert chosen_site(parsed) == "global"


@pytest.mark.parametrize(
    ("state", "chosen"),
    [("logged_in", "eea"), ("pending", "eea"), ("not_logged_in", None)],
)
def test_chosen_site_only_when_logged_in_or_pending(state: str, chosen: Site | None) -> None:
    parsed = parse_auth_status(json.dumps({"status": state, "site": "eea"}))
    assert parsed["site"] == "eea"
    assert chosen_site(parsed) == chosen


def test_not_logged_in_placeholder_site_is_not_a_choice() -> None:
    parsed = parse_auth_status('{"status": "not_logged_in", "site": "global"}')
    assert chosen_site(parsed) is None
    assert parsed["scopes"] == []


@pytest.mark.parametrize("site", ["mars", "", 3, None, ["us"]])
def test_auth_status_unknown_site_is_none(site: object) -> None:
    parsed = parse_auth_status(json.dumps({"status": "logged_in", "site": site}))
    assert parsed["site"] is None
    assert chosen_site(parsed) is None


def test_auth_status_minimal() -> None:
    assert parse_auth_status('{"status": "pending"}') == status("pending")


# ---------------------------------------------------------------- login --manual


def test_device_code() -> None:
    answer = parse_login_manual(
        '{"verificationUri":"https://www.okx.com/account/oauth/device","userCode":"ABCD-EFGH",'
        '"expiresIn":600,"interval":5}\n'
    )
    assert answer == {
        "verification_uri": "https://www.okx.com/account/oauth/device",
        "user_code": "ABCD-EFGH",
        "expires_in": 600,
    }


def test_device_code_after_chatter_lines() -> None:
    text = (
        "Registering client...\n"
        '{"verificationUri":"https://my.okx.com/d","userCode":"WXYZ-1234","expiresIn":90}\n\n'
    )
    answer = parse_login_manual(text)
    assert "status" not in answer
    assert answer["user_code"] == "WXYZ-1234"
    assert answer["expires_in"] == 90


@pytest.mark.parametrize(
    ("text", "profile"),
    [
        ('{"status":"skipped","reason":"api_key_configured","profile":"main"}', "main"),
        ('{"status":"skipped","reason":"api_key_configured"}', None),
    ],
)
def test_login_skipped(text: str, profile: str | None) -> None:
    assert parse_login_manual(text) == {
        "status": "skipped", "reason": "api_key_configured", "profile": profile,
    }


# ---------------------------------------------------------------- install


def test_install_result_lenient() -> None:
    assert parse_install('{"status":"installed","version":"0.4.1","path":"/h/.okx/bin"}') == (
        {"status": "installed", "version": "0.4.1", "message": None}
    )
    assert parse_install("{}") == {"status": None, "version": None, "message": None}


def test_install_status_lenient() -> None:
    parsed = parse_install_status(
        '{"installed":true,"version":"0.4.1","latest":"0.4.2","upToDate":false,"path":"/x"}'
    )
    assert parsed == {
        "installed": True, "version": "0.4.1", "latest": "0.4.2", "up_to_date": False,
    }
    assert parse_install_status("{}") == {
        "installed": None, "version": None, "latest": None, "up_to_date": None,
    }


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
        ("global", "global"),
        ("eea", "eea"),
        ("us", "us"),
        (" EEA ", "eea"),
        ("Us", "us"),
        ("mars", None),
        ("", None),
        ("www.okx.com", None),
        (None, None),
        (1, None),
    ],
)
def test_site_parse(value: object, site: Site | None) -> None:
    assert parse_site(value) == site


def test_site_web_hosts() -> None:
    assert {site: web_host(site) for site in SITES} == {
        "global": "www.okx.com",
        "eea": "my.okx.com",
        "us": "app.okx.com",
        "tr": "tr.okx.com",
    }


@pytest.mark.parametrize(
    "view",
    [
        pytest.param(lambda: parse_config_show(CONFIG_JSON, env_api_key="ENV-KEY-5678"),
                     id="config"),
        pytest.param(lambda: parse_auth_status(STATUS_JSON), id="status"),
        pytest.param(
            lambda: parse_login_manual(
                '{"verificationUri":"https://www.okx.com/d","userCode":"c","expiresIn":600}'
            ),
            id="device-code",
        ),
        pytest.param(
            lambda: parse_login_manual('{"status":"skipped","reason":"api_key_configured"}'),
            id="skipped",
        ),
        pytest.param(lambda: parse_install('{"status":"installed"}'), id="install"),
        pytest.param(lambda: parse_install_status('{"installed":true}'), id="install-status"),
    ],
)
def test_views_are_plain_json_data(view: Callable[[], object]) -> None:
    """What a checkpoint stores comes back equal from JSON: no class, no tuple, no enum."""
    value = view()
    assert json.loads(json.dumps(value)) == value
