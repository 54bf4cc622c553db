"""The okx layer's views, built with the defaults a parse fills in, for tests that need one.

The views are plain `TypedDict`s with every key present; these builders let
a test name only what it is about.
"""

from __future__ import annotations

from collections.abc import Sequence

from okx_auth_graph.okx import AuthStatus, ConfigView, ProfileView, Site
from okx_auth_graph.okx.models import AuthState


def profile(
    name: str,
    *,
    site: Site | None = None,
    demo: bool = False,
    base_url: str | None = None,
    api_key_masked: str | None = None,
) -> ProfileView:
    """One profile as `config show` yields it."""
    return {"name": name, "site": site, "demo": demo, "base_url": base_url,
            "api_key_masked": api_key_masked}


def config(
    *profiles: ProfileView,
    default_profile: str | None = None,
    env_api_key_masked: str | None = None,
) -> ConfigView:
    """A redacted `config show`, its profiles in this order."""
    return {"default_profile": default_profile, "profiles": list(profiles),
            "env_api_key_masked": env_api_key_masked}


def status(state: AuthState, site: Site | None = None, scopes: Sequence[str] = ()) -> AuthStatus:
    """An `auth status` answer."""
    return {"status": state, "site": site, "scopes": list(scopes)}
