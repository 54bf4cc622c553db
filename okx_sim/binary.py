"""`okx auth install | install-status | remove`: managing the okx-auth binary.

No file is downloaded; "installed" is a flag in the simulator state, which
is all the auth commands consult before they "spawn" the binary. That lets a
test remove the binary and watch a caller recover with `auth install`.
"""

from __future__ import annotations

from okx_sim.context import CommandContext, CommandError
from okx_sim.state import state_transaction

AUTH_BINARY_VERSION = "0.4.2"


def auth_install(ctx: CommandContext) -> None:
    """Install the binary, or report it is already current."""
    if ctx.faulted("cdn_fail"):
        raise CommandError("Installation failed: All CDN sources failed")
    with state_transaction(ctx.paths) as state:
        already_installed = ctx.auth_binary_present(state)
        state.binary_installed = True
    path = str(ctx.paths.auth_binary)
    if ctx.wants_json:
        status = "up_to_date" if already_installed else "installed"
        ctx.console.json({"status": status, "version": AUTH_BINARY_VERSION, "path": path})
    elif already_installed:
        ctx.console.out(f"okx-auth is up to date ({AUTH_BINARY_VERSION})")
    else:
        ctx.console.out(f"okx-auth {AUTH_BINARY_VERSION} installed")


def auth_install_status(ctx: CommandContext) -> None:
    """Report whether the binary is there and current, without changing anything."""
    with state_transaction(ctx.paths) as state:
        installed = ctx.auth_binary_present(state)
    path = str(ctx.paths.auth_binary)
    if ctx.wants_json:
        ctx.console.json(
            {
                "installed": installed,
                "version": AUTH_BINARY_VERSION if installed else None,
                "latest": AUTH_BINARY_VERSION,
                "upToDate": installed,
                "path": path,
            }
        )
    elif installed:
        ctx.console.out(f"okx-auth {AUTH_BINARY_VERSION} is installed at {path} (up to date)")
    else:
        ctx.console.out(
            f"okx-auth is not installed (latest: {AUTH_BINARY_VERSION}). Run: okx auth install"
        )


def auth_remove(ctx: CommandContext) -> None:
    """Remove the binary, asking first unless `--force` (EOF counts as "no")."""
    if "--force" not in ctx.switches:
        answer = ctx.console.ask("Remove okx-auth binary? [y/N] ")
        if (answer or "").strip().lower() not in ("y", "yes"):
            ctx.console.out("Cancelled.")
            return
    with state_transaction(ctx.paths) as state:
        state.binary_installed = False
    ctx.console.out("okx-auth removed.")
