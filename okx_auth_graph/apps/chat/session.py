"""The chat loop: read a line, run the graph to its next question, print what it posted.

Every run streams `values` (to print each message as soon as its step ends)
and `custom` (the CLI's lines and heartbeats during a blocking login). One run
is one reply: however many messages the graph posts in it ("not a choice"
and then the menu again, an announcement and then the CLI's result), they
print as one `assistant:` block. The thread's checkpoint, not this process,
knows where the conversation stands, so a new process with the same
`--thread` does not greet as if the conversation were new: it says where the
conversation stands (asks the open question again, finishes a step that was
cut off, or shows how the last request ended) and goes on from there.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.types import StateSnapshot

from okx_auth_graph.apps.chat import browser
from okx_auth_graph.apps.chat.browser import SimulatedBrowser
from okx_auth_graph.apps.chat.console import Console
from okx_auth_graph.apps.chat.inbox import Inbox
from okx_auth_graph.apps.chat.options import ChatOptions
from okx_auth_graph.apps.chat.progress import RunProgress
from okx_auth_graph.apps.chat.stopping import Leaving
from okx_auth_graph.apps.chat.wording import COMMAND_HELP, frame
from okx_auth_graph.builder import AuthGraph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.prompts import Language
from okx_auth_graph.replies import text_of
from okx_auth_graph.testing import Conversation, Request, transcript_entry

ASSISTANT = "assistant"
"""Who the graph is in the transcript."""
MODE_KEY = "okx_auth_graph_chat"
"""Checkpoint metadata naming the CLI a thread runs against: `simulator` or `okx`."""

HELP = ("/help", "/quit")
"""The commands every chat has."""


class ChatError(Exception):
    """A problem the user can fix, said in plain words instead of a traceback."""


class ChatSession:
    """One conversation (thread) at the terminal."""

    def __init__(
        self,
        options: ChatOptions,
        graph: AuthGraph,
        context: AuthContext,
        *,
        okx_cli: str,
        console: Console,
        inbox: Inbox,
        browser: SimulatedBrowser | None,
        leaving: Leaving,
    ) -> None:
        """Bind the graph to a thread, a screen and a keyboard.

        Args:
            options: The command line's choices.
            graph: The auth graph, compiled with the chat's checkpointer.
            context: What every run passes (HOME, language, login mode).
            okx_cli: The executable the graph was built with, for the greeting.
            console: The screen.
            inbox: The keyboard.
            browser: The simulated browser, in `--simulate` mode.
            leaving: The chat's way out (Ctrl-C, a hang-up, a kill), which the graph's
                runners obey too.
        """
        self._options = options
        self._okx_cli = okx_cli
        self._console = console
        self._inbox = inbox
        self._browser = browser
        self._leaving = leaving
        self._conversation = Conversation(
            graph,
            context,
            thread_id=options.thread,
            durability="sync",  # a step is saved before the next begins: Ctrl-C loses none
            stream_modes=("values", "custom"),
            config={"metadata": {MODE_KEY: options.cli_kind}},
        )
        self._progress = RunProgress(
            console, while_cli_waits=self._browse_while_waiting if browser else None
        )
        self._shown = 0
        self._replying = False

    def run(self) -> int:
        """Greet a new thread, or pick an existing one up where it stands; then answer line by line.

        Raises:
            Stopped: Ctrl-C, a hang-up or a kill, after saying how to continue
                (when the terminal is still there to say it).
        """
        with self._leaving.handled():
            try:
                snapshot = self._conversation.catch_up()
                self._check_mode(snapshot)
                self._inbox.start()
                if snapshot.created_at is None:  # no checkpoint yet: a new conversation
                    self._greet()
                else:
                    self._pick_up(snapshot)
                return self._loop()
            except KeyboardInterrupt:  # the caller turns it into the exit code
                with contextlib.suppress(OSError):  # a closed terminal shows nothing more
                    self._say_how_to_continue(f"\n{frame('stopped', self._language())} ")
                raise

    def _loop(self) -> int:
        while True:
            self._console.prompt()
            line = self._inbox.next_line()
            if line is None:  # Ctrl-D, or the end of piped input
                self._say_how_to_continue("\n")
                return 0
            self._console.echo(line)
            text = line.strip()
            if not text:
                continue
            if text.startswith("/"):
                if not self._command(text):
                    self._say_how_to_continue()
                    return 0
                continue
            self._run(self._conversation.request_for(text))

    def _command(self, text: str) -> bool:
        """Carry out a slash command; False means leave."""
        word = text.lower()
        if word in ("/quit", "/exit"):
            return False
        if word == "/help":
            self._console.say(self._help())
        elif self._browser is not None and self._browser.handles(word):
            self._browser.act(word, self._language())
        elif word in browser.COMMANDS:
            self._console.say(frame("browser_only", self._language(), command=word))
        else:
            self._console.say(frame("unknown_command", self._language(), command=text))
        return True

    def _help(self) -> str:
        language = self._language()
        commands = HELP + (browser.COMMANDS if self._browser is not None else ())
        lines = [f"  {name:<9} {COMMAND_HELP[name][language]}" for name in commands]
        return "\n".join([frame("help", language), *lines])

    def _language(self) -> Language:
        """The language of the chat's own lines: `--lang`, else the last request's, else English."""
        language: Language = (
            self._options.language or self._conversation.values.get("language") or "en"
        )
        return language

    def _run(self, request: Request) -> None:
        """Stream one run to its next interrupt (or its end), printing as it goes."""
        self._replying = False
        with self._progress.running():
            for event in self._conversation.stream(request):
                if event.mode == "values":
                    if not event.namespace:  # the thread's own messages, not a subgraph's
                        self._show_new(event.data["messages"])
                else:
                    self._on_cli_event(event.data)
        if self._conversation.interrupt is None:  # the request ended: say how
            self._show_outcome()

    def _show_new(self, messages: list[AnyMessage]) -> None:
        for message in messages[self._shown:]:
            if isinstance(message, AIMessage):
                self._reply(text_of(message))
        self._shown = len(messages)

    def _reply(self, text: str) -> None:
        """Print a posted message: the run's first opens its `assistant:` block.

        Later messages of the same run continue that block after a blank
        line, so the reader sees one reply, as the graph meant it, and not
        two speakers.
        """
        entry = transcript_entry(ASSISTANT, text)
        self._console.say(entry.removeprefix(f"{ASSISTANT}:") if self._replying else f"\n{entry}")
        self._replying = True

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
                self._browser.act(line, self._language())

    def _show_outcome(self) -> None:
        outcome = self._conversation.outcome
        if outcome:
            self._console.say(f"\n[okx_auth] {json.dumps(outcome, ensure_ascii=False)}")

    def _check_mode(self, snapshot: StateSnapshot) -> None:
        mode = (snapshot.metadata or {}).get(MODE_KEY)
        if mode is not None and mode != self._options.cli_kind:
            flag = "with" if mode == "simulator" else "without"
            raise ChatError(
                f"thread {self._options.thread} was started {flag} --simulate; "
                f"continue it the same way, or start a new thread"
            )

    def _where(self, language: Language) -> str:
        """Which CLI this chat runs, in a few words."""
        if self._browser is not None:
            return frame("simulated_cli", language, home=self._conversation.context.okx_home)
        return frame("real_cli", language, cli=self._okx_cli)

    def _greet(self) -> None:
        language = self._language()
        self._console.say(
            frame("greeting", language, thread=self._options.thread, where=self._where(language))
        )

    def _pick_up(self, snapshot: StateSnapshot) -> None:
        """Continue the thread from where it stands, instead of greeting it anew.

        An open question is asked again (its message, as it was posted: the
        same link and code); a step that was cut off runs again; a finished
        request shows its last reply and outcome, and the next line starts
        a new request.
        """
        self._shown = len(self._conversation.messages)
        language = self._language()
        where = {"thread": self._options.thread, "where": self._where(language)}
        question = self._conversation.interrupt
        if question is not None:
            self._console.say(frame("question_open", language, **where))
            self._reply(str(question.get("message", "")))
        elif snapshot.next:
            self._console.say(frame("step_cut_off", language, **where))
            self._run(None)
        else:
            self._console.say(frame("request_ended", language, **where))
            posted = self._conversation.ai_texts()
            if posted:
                self._reply(posted[-1])
            self._show_outcome()

    def _say_how_to_continue(self, before: str = "") -> None:
        """Say how to continue; the command on a line of its own, never wrapped, to paste."""
        self._console.say(f"{before}{frame('saved', self._language())}")
        self._console.say(self._options.resume_command(), wrap_lines=False)
