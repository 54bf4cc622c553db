"""The chat loop: read a line, run the graph to its next question, print what it posted.

Every run streams `values` (to print each message as soon as its step ends)
and `custom` (the CLI's lines and heartbeats during a blocking login). The
thread's checkpoint, not this process, knows where the conversation stands,
so a new process with the same `--thread` asks the open question again, or
finishes a step that was cut off, and goes on from there.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO, TextIO, cast

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command, Interrupt

from okx_auth_graph.chat import browser
from okx_auth_graph.chat.browser import SimulatedBrowser
from okx_auth_graph.chat.console import Console
from okx_auth_graph.chat.inbox import Inbox
from okx_auth_graph.chat.options import ChatOptions
from okx_auth_graph.chat.progress import RunProgress
from okx_auth_graph.context import AuthContext
from okx_auth_graph.demo import simulator_path, transcript_entry
from okx_auth_graph.gate import text_of
from okx_auth_graph.graph import AuthGraph, build_auth_graph
from okx_auth_graph.okx import OkxError, OkxSettings, run_okx_streaming
from okx_auth_graph.okx.interactive import StreamingRunner
from okx_auth_graph.okx.runner import CliResult, LineCallback, TickCallback, resolve_executable

MODE_KEY = "okx_auth_graph_chat"
"""Checkpoint metadata naming the CLI a thread runs against: `simulator` or `okx`."""

HELP = {
    "/help": "show these commands",
    "/quit": "leave (the conversation is saved; Ctrl-D does the same)",
}
"""The commands every chat has."""


class ChatError(Exception):
    """A problem the user can fix before the chat starts, said in plain words."""


def run_chat(options: ChatOptions, *, stdin: BinaryIO, out: TextIO, err: TextIO) -> int:
    """Hold the conversation `options` names until the user leaves; returns the exit code.

    Raises:
        ChatError: no okx CLI (without `--simulate`), an unusable database, or
            a thread started against the other CLI.
    """
    console = Console(out, err, echo_input=not stdin.isatty())
    stop = threading.Event()
    if options.simulate:
        simulator = simulator_path()
        home = _private_home(options)
        context = _context(options, simulator, str(home))
        browser_ = SimulatedBrowser(simulator, home, console)
    else:
        context = _context(options, _installed_okx(), None)
        browser_ = None
    with _checkpointer(options) as saver:
        graph = build_auth_graph(saver, streaming_runner=stoppable(run_okx_streaming, stop))
        session = ChatSession(
            options, graph, context, console=console, inbox=Inbox(stdin), browser=browser_,
            stop=stop,
        )
        return session.run()


def stoppable(runner: StreamingRunner, stop: threading.Event) -> StreamingRunner:
    """`runner`, giving up as soon as `stop` is set (the user pressed Ctrl-C).

    A blocking login runs in one of the graph's worker threads, which Ctrl-C
    does not reach, and the graph waits for it before it lets go. Its runner
    calls back at every line and every quiet second; raising there makes it
    kill the CLI's process group on the way out, so nothing keeps waiting on
    OKX after the chat has stopped.
    """

    def check() -> None:
        if stop.is_set():
            raise KeyboardInterrupt

    def run(
        args: Sequence[str],
        settings: OkxSettings,
        on_line: LineCallback,
        on_tick: TickCallback | None = None,
        tick_seconds: float = 1.0,
        /,
    ) -> CliResult:
        def line(text: str) -> None:
            check()
            on_line(text)

        def tick(elapsed: float) -> None:
            check()
            if on_tick is not None:
                on_tick(elapsed)

        return runner(args, settings, line, tick, tick_seconds)

    return run


class ChatSession:
    """One conversation (thread) at the terminal."""

    def __init__(
        self,
        options: ChatOptions,
        graph: AuthGraph,
        context: AuthContext,
        *,
        console: Console,
        inbox: Inbox,
        browser: SimulatedBrowser | None,
        stop: threading.Event,
    ) -> None:
        """Bind the graph to a thread, a screen and a keyboard.

        Args:
            options: The command line's choices.
            graph: The auth graph, compiled with the chat's checkpointer.
            context: What every run passes (CLI, HOME, language, login mode).
            console: The screen.
            inbox: The keyboard.
            browser: The simulated browser, in `--simulate` mode.
            stop: Set by Ctrl-C, so a blocking CLI call gives up.
        """
        self._options = options
        self._graph = graph
        self._context = context
        self._console = console
        self._inbox = inbox
        self._browser = browser
        self._stop = stop
        self._config: RunnableConfig = {
            "configurable": {"thread_id": options.thread},
            "metadata": {MODE_KEY: _mode(options)},
        }
        self._progress = RunProgress(
            console, while_cli_waits=self._browse_while_waiting if browser else None
        )
        self._question: Interrupt | None = None
        self._shown = 0

    def run(self) -> int:
        """Greet, pick the thread up where it stands, then answer line by line.

        Raises:
            KeyboardInterrupt: Ctrl-C, after saying how to continue.
        """
        with self._ctrl_c_stops():
            try:
                self._check_mode()
                self._inbox.start()
                self._greet()
                self._pick_up()
                return self._loop()
            except KeyboardInterrupt:  # the caller turns it into exit code 130
                self._console.say(f"\n(stopped) {self._resume_hint()}")
                raise

    def _loop(self) -> int:
        while True:
            self._console.prompt()
            line = self._inbox.next_line()
            if line is None:  # Ctrl-D, or the end of piped input
                self._console.say(f"\n{self._resume_hint()}")
                return 0
            self._console.echo(line)
            text = line.strip()
            if not text:
                continue
            if text.startswith("/"):
                if not self._command(text):
                    self._console.say(self._resume_hint())
                    return 0
                continue
            request: Any = (
                Command(resume=text) if self._question is not None
                else {"messages": [HumanMessage(content=text)]}
            )
            self._run(request)

    def _command(self, text: str) -> bool:
        """Carry out a slash command; False means leave."""
        word = text.lower()
        if word in ("/quit", "/exit"):
            return False
        if word == "/help":
            self._console.say(self._help())
        elif self._browser is not None and self._browser.handles(word):
            self._browser.act(word)
        elif word in browser.COMMANDS:
            self._console.say(
                f"{word} plays the simulated browser and works only with --simulate; "
                "with the real okx CLI, authorize on the OKX website."
            )
        else:
            self._console.say(f"unknown command {text}; /help lists them")
        return True

    def _help(self) -> str:
        commands = dict(HELP)
        if self._browser is not None:
            commands |= browser.COMMANDS
        lines = [f"  {name:<9} {what}" for name, what in commands.items()]
        return "\n".join(["Anything else you type is your message to the assistant.", *lines])

    def _run(self, request: Any) -> None:
        """Stream one run to its next interrupt (or its end), printing as it goes."""
        self._stop.clear()
        with self._progress.running():
            for part in self._graph.stream(
                request,
                self._config,
                context=self._context,
                stream_mode=["values", "custom"],
                durability="sync",  # a step is saved before the next begins: Ctrl-C loses none
            ):
                mode, chunk = cast(tuple[str, dict[str, Any]], part)  # (mode, data) per mode
                if mode == "values":
                    self._show_new(chunk["messages"])
                else:
                    self._on_cli_event(chunk)
        self._settle()

    def _show_new(self, messages: list[AnyMessage]) -> None:
        for message in messages[self._shown:]:
            if isinstance(message, AIMessage):
                self._console.say(f"\n{transcript_entry('assistant', text_of(message))}")
        self._shown = len(messages)

    def _on_cli_event(self, event: Mapping[str, Any]) -> None:
        """Show the CLI's lines; keep the spinner on the command while it waits."""
        kind = event.get("kind")
        if kind == "okx_cli_line":
            self._console.say(f"  okx | {event['line']}")
        elif kind == "okx_cli_progress":
            self._progress.cli_waiting(
                event["command"], event["elapsed_seconds"], event["timeout_seconds"]
            )
        elif kind == "okx_cli_done":
            self._progress.cli_finished()

    def _browse_while_waiting(self) -> None:
        """During a blocking login, a browser command typed meanwhile acts at once."""
        if self._browser is not None:
            line = self._inbox.take_if(self._browser.handles)
            if line is not None:
                self._browser.act(line)

    def _settle(self) -> None:
        """Read where the thread now stands: an open question, or an outcome."""
        snapshot = self._graph.get_state(self._config)
        self._question = snapshot.interrupts[0] if snapshot.interrupts else None
        if not snapshot.next:
            outcome = snapshot.values.get("okx_auth")
            if outcome:
                self._console.say(f"\n[okx_auth] {json.dumps(outcome, ensure_ascii=False)}")

    def _check_mode(self) -> None:
        started = self._graph.get_state(self._config).metadata or {}
        mode = started.get(MODE_KEY)
        if mode is not None and mode != _mode(self._options):
            flag = "with" if mode == "simulator" else "without"
            raise ChatError(
                f"thread {self._options.thread} was started {flag} --simulate; "
                f"continue it the same way, or start a new thread"
            )

    def _greet(self) -> None:
        where = (
            f"simulated okx (HOME {self._context.okx_home})"
            if self._browser is not None else f"okx CLI {self._context.okx_cli}"
        )
        self._console.say(
            f"okx-auth-graph chat: thread {self._options.thread}, {where}\n"
            "Ask to log in to OKX. /help lists commands; Ctrl-D leaves, and "
            "--thread continues later."
        )

    def _pick_up(self) -> None:
        """Continue the thread: ask its open question again, or finish a cut-off step."""
        snapshot = self._graph.get_state(self._config)
        self._shown = len(snapshot.values.get("messages", []))
        if snapshot.interrupts:
            self._question = snapshot.interrupts[0]
            message = str(self._question.value.get("message", ""))
            self._console.say(
                "\n(continuing this thread; the question still open:)\n"
                f"{transcript_entry('assistant', message)}"
            )
        elif snapshot.next:
            self._console.say("\n(continuing this thread from the step that was cut off)")
            self._run(None)

    def _resume_hint(self) -> str:
        return f"This conversation is saved; continue it with: {self._options.resume_command()}"

    @contextmanager
    def _ctrl_c_stops(self) -> Iterator[None]:
        """While the chat runs, Ctrl-C also tells a blocking CLI call to give up.

        The first press stops the chat (KeyboardInterrupt); later presses,
        while a worker finishes its step, only repeat the stop request, so
        leaving never ends in a traceback.
        """

        def on_ctrl_c(signum: int, frame: FrameType | None) -> None:
            self._stop.set()
            if not stopping.is_set():
                stopping.set()
                raise KeyboardInterrupt

        stopping = threading.Event()
        previous = signal.signal(signal.SIGINT, on_ctrl_c)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _mode(options: ChatOptions) -> str:
    return "simulator" if options.simulate else "okx"


def _context(options: ChatOptions, okx_cli: str, okx_home: str | None) -> AuthContext:
    return AuthContext(
        okx_cli=okx_cli, okx_home=okx_home, language=options.language,
        login_mode=options.login_mode,
    )


def _installed_okx() -> str:
    """The real CLI, or a clear refusal: the chat never falls back to the simulator."""
    try:
        return resolve_executable()
    except OkxError as error:
        raise ChatError(
            f"{error.failure.detail}\n"
            "To try the chat without it, against the offline simulator: "
            "okx-auth-graph chat --simulate"
        ) from None


def _private_home(options: ChatOptions) -> Path:
    home = options.simulator_home
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ChatError(f"cannot create the simulated HOME {home}: {error.strerror}") from None
    return home


@contextmanager
def _checkpointer(options: ChatOptions) -> Iterator[SqliteSaver]:
    """The conversation store, opened and checked before the chat begins."""
    try:
        options.db.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(options.db, check_same_thread=False)
    except (OSError, sqlite3.Error) as error:
        raise ChatError(f"cannot open the chat database {options.db}: {error}") from None
    try:
        saver = SqliteSaver(connection)
        try:
            saver.setup()
        except sqlite3.Error as error:
            raise ChatError(f"cannot use {options.db} as the chat database: {error}") from None
        yield saver
    finally:
        connection.close()

