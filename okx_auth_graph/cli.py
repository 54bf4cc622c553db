"""`okx-auth-graph`: the command line of the package (`chat`, `demo`, `mcp`, `check-skill`).

Nothing heavy is imported until a subcommand runs, and before it does,
checkpoints are set to load strictly (`LANGGRAPH_STRICT_MSGPACK`, unless the
environment already says otherwise): the chat reads them back from a file on
disk, and strict loading builds no class such a file names beyond LangGraph's
own safe types. The graph's state is plain data, so its own checkpoints load
the same either way.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from okx_auth_graph.apps.chat.options import DEFAULT_DB, ChatOptions, new_thread_id, thread_id

EXIT_INTERRUPTED = 130
"""The shell's code for "stopped by Ctrl-C"."""
EXIT_UNUSABLE = 2
"""`check-skill` could not read its file or does not know the version asked for."""

_CHECK_DESCRIPTION = """\
Read a SKILL.md of okx-cex-auth (with its front matter, or a rendered page of
it) and list every difference from this package's texts and rules for one
skill version: sites and menu, replies, templates (character by character),
statuses, the error table and the commands it names. Exit 0 when nothing
normative differs (full-width punctuation or a quoted menu is rendering
only), 1 otherwise, 2 when the file cannot be read."""

_CHAT_DESCRIPTION = """\
Talk to the OKX sign-in graph in the terminal. Each conversation (thread) is
checkpointed in a SQLite file, so quitting and starting again with the same
--thread continues where it stopped. While a CLI call or a blocking login
runs, a spinner shows the elapsed time (on a terminal only)."""

_SIMULATE_HELP = """\
run against the offline simulator okx-sim instead of the okx CLI, in a HOME of
the thread's own beside the database (PATH.sim/THREAD/, kept so --thread can
continue a simulated login); adds /approve, /deny and /expire to play the
browser"""


def _thread(text: str) -> str:
    try:
        return thread_id(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okx-auth-graph", description="OKX sign-in as a LangGraph graph."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="play a scripted login against the offline simulator")
    chat = commands.add_parser(
        "chat", help="talk to the graph in the terminal", description=_CHAT_DESCRIPTION
    )
    chat.add_argument("--simulate", action="store_true", help=_SIMULATE_HELP)
    chat.add_argument(
        "--lang", choices=("zh", "en"), help="reply in this language (default: the request's)"
    )
    chat.add_argument(
        "--thread", type=_thread, metavar="ID",
        help="the conversation to continue or start (default: a new one, named at start)",
    )
    chat.add_argument(
        "--db", type=Path, default=DEFAULT_DB, metavar="PATH",
        help=f"the SQLite file of all conversations (default: {DEFAULT_DB})",
    )
    chat.add_argument(
        "--login", choices=("manual", "interactive"), default="manual",
        help="manual: link and code in the chat, then reply done (default); "
        "interactive: the CLI waits for the browser itself, with a spinner",
    )
    _add_mcp(commands)
    check = commands.add_parser(
        "check-skill", help="compare a published okx-cex-auth SKILL.md with this package",
        description=_CHECK_DESCRIPTION,
    )
    check.add_argument("path", type=Path, metavar="PATH", help="the SKILL.md (or a page of it)")
    check.add_argument(
        "--skill", metavar="VERSION",
        help="the package's version to compare with (default: the file's own, else the nearest)",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


_MCP_DESCRIPTION = """\
Serve the sign-in as MCP tools (okx_auth_login, okx_auth_status, ...) whose
questions the user answers in the client (elicitation). Over stdio by default,
for the local user's HOME; --http serves streamable HTTP at /mcp on loopback,
and --multi-user serves several users there, each with a bearer JWT and a HOME
of their own, configured as the multi-user LangGraph server is
(OKX_AUTH_JWT_SECRET or OKX_AUTH_JWT_PUBLIC_KEY, OKX_AUTH_HOMES). The okx
executable is $OKX_CLI, else okx on PATH. Needs the 'mcp' or the 'mcp-server'
extra (and 'server' for --multi-user); runs on mcp 1.x and 2.x."""

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _add_mcp(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mcp = commands.add_parser(
        "mcp", help="serve the sign-in to MCP clients", description=_MCP_DESCRIPTION
    )
    mcp.add_argument("--http", action="store_true", help="streamable HTTP instead of stdio")
    mcp.add_argument("--host", default="127.0.0.1", help="HTTP interface (default: 127.0.0.1)")
    mcp.add_argument("--port", type=int, default=8000, help="HTTP port (default: 8000)")
    mcp.add_argument(
        "--multi-user", action="store_true",
        help="authenticate every HTTP request and give each identity its own HOME",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch a subcommand; returns the process's exit code.

    Leaving early is not an error worth a traceback: Ctrl-C exits with 130,
    and a reader that stops reading (`okx-auth-graph demo | head`) just ends
    the output.
    """
    args = _parser().parse_args(argv)
    os.environ.setdefault("LANGGRAPH_STRICT_MSGPACK", "true")
    try:
        if args.command == "mcp":
            return _mcp(args)
        if args.command == "check-skill":
            return _check_skill(args)
        return _chat(args) if args.command == "chat" else _demo()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 1


def _check_skill(args: argparse.Namespace) -> int:
    import json

    from okx_auth_graph.skill import skill_named
    from okx_auth_graph.skill_check import check, nearest

    try:
        text = args.path.read_text(encoding="utf-8")
        report = check(text, skill_named(args.skill) if args.skill else nearest(text))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"okx-auth-graph check-skill: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if args.json
          else report.as_text(str(args.path)))
    return 0 if report.passed else 1


def _demo() -> int:
    from okx_auth_graph.apps.demo import run_demo

    return run_demo()


def _chat(args: argparse.Namespace) -> int:
    from okx_auth_graph.apps.chat.launch import run_chat
    from okx_auth_graph.apps.chat.session import ChatError
    from okx_auth_graph.apps.chat.stopping import Stopped

    options = ChatOptions(
        db=args.db.expanduser().absolute(),
        thread=args.thread or new_thread_id(),
        simulate=args.simulate,
        language=args.lang,
        login_mode=args.login,
    )
    try:
        return run_chat(options, stdin=sys.stdin.buffer, out=sys.stdout, err=sys.stderr)
    except ChatError as error:
        print(f"okx-auth-graph chat: {error}", file=sys.stderr)
        return 1
    except Stopped as stopped:  # as a shell reports a process a signal ended: 130 for Ctrl-C
        return 128 + stopped.signum


def _mcp(args: argparse.Namespace) -> int:
    """Serve MCP; a server that would expose one user's HOME to others does not start."""
    try:
        problem = _mcp_problem(args)
        from okx_auth_graph.mcp.server import HttpSettings, serve
    except ModuleNotFoundError as missing:  # the message names the extra to install
        print(f"okx-auth-graph mcp: {missing}", file=sys.stderr)
        return 1
    if problem is not None:
        print(f"okx-auth-graph mcp: {problem}", file=sys.stderr)
        return 2
    serve(HttpSettings(args.host, args.port, args.multi_user) if args.http else None)
    return 0


def _mcp_problem(args: argparse.Namespace) -> str | None:
    if args.multi_user and not args.http:
        return "--multi-user needs --http (stdio serves the one user who started it)"
    if args.http and not args.multi_user and args.host not in _LOOPBACK:
        return (f"--host {args.host} would serve this user's HOME to the network: "
                "use a loopback address, or --multi-user")
    if args.multi_user:
        from okx_auth_graph.mcp.bearer import multi_user_problem

        return multi_user_problem()
    return None
