"""Typed, redacted views of every JSON shape the okx CLI prints.

Parsing happens at the edge, right after the process exits: the raw text of
`config show --json` carries clear-text secrets, so the models here never have
a field that could hold one. What is kept is what the auth procedure needs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from okx_auth_graph.okx.framing import MalformedOutput, decode_object
from okx_auth_graph.okx.redact import mask_key

ENV_KEY_PROFILE = "OKX_API_KEY (environment)"
"""How an API key taken from the `OKX_API_KEY` environment variable is named."""


class Site(StrEnum):
    """The three OKX sites; a site is only ever one of these ids."""

    GLOBAL = "global"
    EEA = "eea"
    US = "us"

    @property
    def web_host(self) -> str:
        """The site's web host, as the skill's table lists it."""
        return _WEB_HOSTS[self]

    @classmethod
    def parse(cls, value: object) -> Site | None:
        """Return the site for a known id, else None (unknown ids are not guessed)."""
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                return None
        return None


_WEB_HOSTS = {Site.GLOBAL: "www.okx.com", Site.EEA: "my.okx.com", Site.US: "app.okx.com"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class ProfileView(_Frozen):
    """One profile of `~/.okx/config.toml`, with the key masked and no secret at all."""

    name: str
    """The profile's table name."""
    site: Site | None = None
    """The profile's site; None when absent or not a known id."""
    demo: bool = False
    """Whether the profile targets simulated trading."""
    base_url: str | None = None
    """A custom REST base URL, when configured."""
    api_key_masked: str | None = None
    """`***` plus the key's last four characters; None when no key is set."""

    @property
    def has_api_key(self) -> bool:
        """Whether the profile carries an API key (which the CLI always prefers)."""
        return self.api_key_masked is not None


class ConfigView(_Frozen):
    """`okx config show --json`, redacted, plus an `OKX_API_KEY` the CLI will see."""

    default_profile: str | None = None
    """The profile the CLI uses when none is named."""
    profiles: tuple[ProfileView, ...] = ()
    """Every profile, in file order."""
    env_api_key_masked: str | None = None
    """Masked `OKX_API_KEY` from the CLI's environment; it wins over any profile."""

    @property
    def selected_sites(self) -> tuple[Site, ...]:
        """Sites that profiles already carry (Step 0.1's first condition)."""
        return tuple(p.site for p in self.profiles if p.site is not None)

    @property
    def api_key_profile(self) -> str | None:
        """Name of the credentials the CLI would use instead of OAuth (Step 0.2).

        The environment key comes first because the CLI prefers it; then the
        default profile, then the first keyed profile in file order.
        """
        if self.env_api_key_masked is not None:
            return ENV_KEY_PROFILE
        keyed = [p for p in self.profiles if p.has_api_key]
        for profile in keyed:
            if profile.name == self.default_profile:
                return profile.name
        return keyed[0].name if keyed else None

    def profile(self, name: str) -> ProfileView | None:
        """Look a profile up by name."""
        return next((p for p in self.profiles if p.name == name), None)


AuthState = Literal["logged_in", "pending", "not_logged_in"]


class AuthStatus(_Frozen):
    """`okx auth status --json`, keeping only status, site and scopes.

    `expiresAt` and `ttl` describe the short-lived access token and `profile` is
    internal routing; the skill forbids showing them, so they are never kept.
    """

    status: AuthState
    """The OAuth session state."""
    site: Site | None = None
    """The reported site; a placeholder while `not_logged_in`."""
    scopes: tuple[str, ...] = ()
    """Granted scopes when logged in."""

    @field_validator("site", mode="before")
    @classmethod
    def _known_site(cls, value: object) -> Site | None:
        return Site.parse(value)

    @property
    def chosen_site(self) -> Site | None:
        """The site a user really chose: only meaningful when logged in or pending."""
        return self.site if self.status in ("logged_in", "pending") else None


class DeviceCode(_Frozen):
    """The device-flow answer of `okx auth login --manual`."""

    verification_uri: str = Field(alias="verificationUri", min_length=1)
    """Where the user authorizes."""
    user_code: str = Field(alias="userCode", min_length=1)
    """The code the user types in the browser."""
    expires_in: int = Field(alias="expiresIn", gt=0)
    """Lifetime of the code in seconds."""


class LoginSkipped(_Frozen):
    """`{"status":"skipped","reason":"api_key_configured","profile":...}`: an API key won."""

    status: Literal["skipped"]
    """Always `skipped`."""
    reason: str
    """Why the CLI refused to start OAuth (`api_key_configured`)."""
    profile: str | None = None
    """The keyed profile the CLI found."""


class InstallResult(_Frozen):
    """`okx auth install --json`: shape undocumented, so every field is optional."""

    status: str | None = None
    """e.g. `installed` or `up_to_date`."""
    version: str | None = None
    """The okx-auth version now installed."""
    message: str | None = None
    """Free text, when the CLI gives one."""


class InstallStatus(_Frozen):
    """`okx auth install-status --json`: lenient, keeps what is known."""

    installed: bool | None = None
    """Whether the okx-auth binary is present."""
    version: str | None = None
    """Installed version."""
    latest: str | None = None
    """Newest version the CLI knows of."""
    up_to_date: bool | None = Field(default=None, alias="upToDate")
    """Whether the installed binary is current."""


def parse_config_show(text: str, env_api_key: str | None = None) -> ConfigView:
    """Parse `config show --json`; secrets are read here and dropped here."""
    raw = decode_object(text, "config show --json")
    profiles_raw = raw.get("profiles", {})
    if not isinstance(profiles_raw, dict):
        raise MalformedOutput("config show --json", len(text.encode()))
    profiles = []
    for name, body in profiles_raw.items():
        if not isinstance(body, dict):
            raise MalformedOutput("config show --json", len(text.encode()))
        api_key = body.get("api_key")
        base_url = body.get("base_url")
        profiles.append(
            ProfileView(
                name=str(name),
                site=Site.parse(body.get("site")),
                demo=body.get("demo") is True,
                base_url=base_url if isinstance(base_url, str) and base_url else None,
                api_key_masked=mask_key(api_key) if isinstance(api_key, str) and api_key else None,
            )
        )
    default = raw.get("default_profile")
    return ConfigView(
        default_profile=default if isinstance(default, str) and default else None,
        profiles=tuple(profiles),
        env_api_key_masked=mask_key(env_api_key) if env_api_key else None,
    )


_M = TypeVar("_M", bound=BaseModel)


def _validated(model: type[_M], text: str, what: str) -> _M:
    try:
        return model.model_validate(decode_object(text, what))
    except ValidationError:
        raise MalformedOutput(what, len(text.encode())) from None


def parse_auth_status(text: str) -> AuthStatus:
    """Parse `auth status --json`."""
    return _validated(AuthStatus, text, "auth status --json")


def parse_login_manual(text: str) -> DeviceCode | LoginSkipped:
    """Parse `auth login --manual`: a device code, or the api-key skip answer."""
    raw = decode_object(text, "auth login --manual")
    model: type[DeviceCode] | type[LoginSkipped] = (
        LoginSkipped if raw.get("status") == "skipped" else DeviceCode
    )
    try:
        return model.model_validate(raw)
    except ValidationError:
        raise MalformedOutput("auth login --manual", len(text.encode())) from None


def parse_install(text: str) -> InstallResult:
    """Parse `auth install --json`."""
    return _validated(InstallResult, text, "auth install --json")


def parse_install_status(text: str) -> InstallStatus:
    """Parse `auth install-status --json`."""
    return _validated(InstallStatus, text, "auth install-status --json")
