"""`config show | init | use` against the real CLI's config.toml format."""

from __future__ import annotations

import os
import select
import subprocess
import time
import tomllib

from .helpers import Sim

OTHER_PROFILES = """\
# hand-written header comment
default_profile = "main"   # keep me

[profiles.main]
api_key = ""
site = "eea"
base_url = "https://example.test"
# comment that closes the main section

[profiles."odd name"]   # quoted header
api_key = "zzzzzzzz9876"   # inline comment
secret_key = "odd-secret"
passphrase = "odd-pass"
demo = false
"""


def init_args(profile: str, api_key: str = "AK-0001-abcd", *extra: str) -> list[str]:
    return [
        "config",
        "init",
        "--site",
        "us",
        "--api-key",
        api_key,
        "--secret-key",
        f"SK-{profile}",
        "--passphrase",
        f"PP-{profile}",
        "--profile",
        profile,
        *extra,
    ]


def test_show_json_without_a_file(sim: Sim) -> None:
    assert sim.json("config", "show", "--json") == {"profiles": {}}


def test_show_text_without_a_file(sim: Sim) -> None:
    assert sim.ok("config", "show") == (
        f"Config: {sim.config_path}\nNo config found. Run okx config init first.\n"
    )


def test_show_json_prints_the_file_keys_in_clear_text(sim: Sim) -> None:
    sim.write_config(OTHER_PROFILES)
    assert sim.json("config", "show", "--json") == {
        "default_profile": "main",
        "profiles": {
            "main": {"api_key": "", "site": "eea", "base_url": "https://example.test"},
            "odd name": {
                "api_key": "zzzzzzzz9876",
                "secret_key": "odd-secret",
                "passphrase": "odd-pass",
                "demo": False,
            },
        },
    }


def test_show_json_omits_an_absent_default_profile(sim: Sim) -> None:
    sim.write_config('[profiles.a]\nsite = "us"\n')
    assert sim.json("config", "show", "--json") == {"profiles": {"a": {"site": "us"}}}


def test_show_text_masks_the_key_and_hides_secrets(sim: Sim) -> None:
    sim.write_config(OTHER_PROFILES)
    out = sim.ok("config", "show")
    assert out == (
        f"Config: {sim.config_path}\n"
        "default_profile: main\n"
        "[main]\n"
        "  api_key: (not set)\n"
        "  site: eea\n"
        "  demo: (not set)\n"
        "  base_url: https://example.test\n"
        "[odd name]\n"
        "  api_key: ***9876\n"
        "  site: (not set)\n"
        "  demo: false\n"
        "  base_url: (default)\n"
    )
    for secret in ("zzzzzzzz9876", "odd-secret", "odd-pass"):
        assert secret not in out


def test_show_text_masks_a_short_key_entirely(sim: Sim) -> None:
    sim.write_config('[profiles.p]\napi_key = "abc12"\n')
    assert "  api_key: ***\n" in sim.ok("config", "show")


def test_show_reports_a_broken_file(sim: Sim) -> None:
    sim.write_config("this is = = not toml\n")
    err = sim.fail("config", "show", "--json")
    assert err.startswith(f"Error: Failed to parse {sim.config_path}:")


def test_init_with_flags_creates_the_file(sim: Sim) -> None:
    out = sim.ok(*init_args("default", "AK-0001-abcd", "--demo"))
    assert out == f"Config saved to {sim.config_path}\n"
    assert sim.config_path.read_text() == (
        'default_profile = "default"\n'
        "\n"
        "[profiles.default]\n"
        'api_key = "AK-0001-abcd"\n'
        'secret_key = "SK-default"\n'
        'passphrase = "PP-default"\n'
        'site = "us"\n'
        "demo = true\n"
    )
    assert (sim.config_path.stat().st_mode & 0o777) == 0o600


def test_init_defaults_to_profile_default_and_live(sim: Sim) -> None:
    args = init_args("x")[:-2]
    sim.ok(*args)
    config = tomllib.loads(sim.config_path.read_text())
    assert config["profiles"]["default"]["demo"] is False
    assert config["default_profile"] == "default"


def test_init_new_profile_keeps_the_rest_byte_for_byte(sim: Sim) -> None:
    sim.write_config(OTHER_PROFILES)
    sim.ok(*init_args("new", "AK-new-1234", "--live"))
    text = sim.config_path.read_text()
    assert text.startswith(OTHER_PROFILES)
    assert text[len(OTHER_PROFILES) :] == (
        "\n"
        "[profiles.new]\n"
        'api_key = "AK-new-1234"\n'
        'secret_key = "SK-new"\n'
        'passphrase = "PP-new"\n'
        'site = "us"\n'
        "demo = false\n"
    )


def test_init_existing_profile_replaces_only_its_section(sim: Sim) -> None:
    sim.write_config(OTHER_PROFILES)
    sim.ok(*init_args("main", "AK-main-5678"))
    text = sim.config_path.read_text()
    head, _, rest = OTHER_PROFILES.partition("[profiles.main]\n")
    odd_section = rest[rest.index('[profiles."odd name"]') :]
    assert text.startswith(head + "[profiles.main]\n")
    assert text.endswith("# comment that closes the main section\n\n" + odd_section)
    main = tomllib.loads(text)["profiles"]["main"]
    assert main == {
        "api_key": "AK-main-5678",
        "secret_key": "SK-main",
        "passphrase": "PP-main",
        "site": "us",
        "demo": False,
        "base_url": "https://example.test",
    }


def test_init_never_changes_an_existing_default_profile(sim: Sim) -> None:
    sim.write_config(OTHER_PROFILES)
    sim.ok(*init_args("new"))
    assert sim.json("config", "show", "--json")["default_profile"] == "main"


def test_init_sets_default_profile_when_missing(sim: Sim) -> None:
    sim.write_config('[profiles.a]\napi_key = "x"')
    sim.ok(*init_args("b"))
    config = tomllib.loads(sim.config_path.read_text())
    assert config["default_profile"] == "b"
    assert config["profiles"]["a"] == {"api_key": "x"}


def test_init_rejects_an_unknown_site(sim: Sim) -> None:
    args = init_args("p")
    args[args.index("us")] = "mars"
    assert sim.fail(*args) == 'Error: Invalid site "mars". Use one of: global, eea, us, tr\n'
    assert not sim.config_path.exists()


def test_init_names_missing_flags(sim: Sim) -> None:
    err = sim.fail("config", "init", "--site", "eea", "--api-key", "k")
    assert err == (
        "Error: config init needs --site, --api-key, --secret-key and --passphrase "
        "(missing: --secret-key, --passphrase)\n"
    )


def test_init_rejects_demo_and_live_together(sim: Sim) -> None:
    assert sim.fail(*init_args("p", "k", "--demo", "--live")) == (
        "Error: Use either --demo or --live, not both\n"
    )


def test_init_without_flags_or_terminal_fails(sim: Sim) -> None:
    assert sim.fail("config", "init") == (
        "Error: config init needs a terminal or flags "
        "(--site, --api-key, --secret-key, --passphrase)\n"
    )


def test_init_wizard_on_a_terminal(sim: Sim) -> None:
    sim.write_config(OTHER_PROFILES)
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sim.exe, "config", "init"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=sim.env(),
        start_new_session=True,
    )
    os.close(slave)
    transcript = b""

    def answer(prompt: bytes, reply: bytes) -> None:
        nonlocal transcript
        deadline = time.monotonic() + 10
        while prompt not in transcript:
            assert time.monotonic() < deadline, transcript
            if select.select([master], [], [], 0.2)[0]:
                transcript += os.read(master, 4096)
        transcript = transcript.replace(prompt, b"<asked>", 1)
        os.write(master, reply + b"\n")

    try:
        answer(b"Site [1/2/3/4]: ", b"7")
        answer(b"Site [1/2/3/4]: ", b"2")
        answer(b"[y/n]: ", b"y")
        answer(b"API key: ", b"AK-wizard-4321")
        answer(b"Secret key: ", b"wizard-secret")
        answer(b"Passphrase: ", b"wizard-pass")
        answer(b"Profile name [default]: ", b"wiz")
        assert proc.wait(timeout=10) == 0
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            transcript += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert b"2) EEA (my.okx.com)" in transcript
    assert b"wizard-secret" not in transcript
    assert b"wizard-pass" not in transcript
    assert b"Config saved to" in transcript
    config = tomllib.loads(sim.config_path.read_text())
    assert config["profiles"]["wiz"] == {
        "api_key": "AK-wizard-4321",
        "secret_key": "wizard-secret",
        "passphrase": "wizard-pass",
        "site": "eea",
        "demo": True,
    }
    assert config["default_profile"] == "main"


def test_use_sets_the_default_profile(sim: Sim) -> None:
    sim.write_config(OTHER_PROFILES)
    assert sim.ok("config", "use", "odd name") == 'Default profile set to: "odd name"\n'
    text = sim.config_path.read_text()
    assert text == OTHER_PROFILES.replace(
        'default_profile = "main"   # keep me', 'default_profile = "odd name"'
    )


def test_use_adds_the_line_when_absent(sim: Sim) -> None:
    sim.write_config('[profiles.a]\nsite = "us"\n')
    sim.ok("config", "use", "a")
    assert sim.config_path.read_text() == ('default_profile = "a"\n\n[profiles.a]\nsite = "us"\n')


def test_use_an_unknown_profile_fails(sim: Sim) -> None:
    sim.write_config(OTHER_PROFILES)
    before = sim.config_path.read_text()
    assert sim.fail("config", "use", "ghost") == (
        f'Error: Profile "ghost" not found in {sim.config_path}\n'
    )
    assert sim.config_path.read_text() == before


def test_use_without_a_config_fails(sim: Sim) -> None:
    assert sim.fail("config", "use", "x") == f'Error: Profile "x" not found in {sim.config_path}\n'
