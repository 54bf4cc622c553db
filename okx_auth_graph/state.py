"""The auth graph's state: what a parent sees, and what the steps learned.

A parent graph exchanges only `messages`, `okx_auth_request` (in) and
`okx_auth` (out); the rest is private to the procedure. Besides the
conversation's messages, every value the state holds is plain data (TypedDicts
of strings, numbers, booleans, lists and None; enumerations are `Literal`
strings). A checkpointer stores such values without a class name, so loading
a checkpoint constructs no class of this package: nothing to allow-list, no
serde warning, with or without `LANGGRAPH_STRICT_MSGPACK`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, NotRequired, TypeVar, cast, get_args

from langchain_core.messages import (
    AnyMessage,
    BaseMessage,
    HumanMessage,
    MessageLikeRepresentation,
    RemoveMessage,
    convert_to_messages,
    message_chunk_to_message,
)
from langgraph.channels.delta import DeltaChannel
from langgraph.channels.ephemeral_value import EphemeralValue
from langgraph.graph.message import Messages, add_messages
from langgraph.types import Overwrite
from typing_extensions import TypedDict

from okx_auth_graph.interrupts import InterruptPayload, Question
from okx_auth_graph.keywords import NextSkill
from okx_auth_graph.okx import AuthStatus, ConfigView, DeviceCode, OkxFailure, Site, redact_text
from okx_auth_graph.okx.runner import redact_argv

M = TypeVar("M", bound=BaseMessage)
Language = Literal["zh", "en"]
OutcomeStatus = Literal[
    "logged_in",
    "api_key_configured",
    "pending",
    "not_logged_in",
    "cancelled",
    "needs_user_action",
    "error",
    "awaiting_reply",
]
RequestAction = Literal[
    "login", "status", "logout", "install", "install_status", "remove", "recover"
]


SNAPSHOT_EVERY = 20
"""Writes to the conversation between two whole copies of it in the checkpoints.

Loading a thread replays the writes since the latest copy, and SQLite's
saver finds them by walking back one checkpoint at a time: a login writes
the conversation about six times over some fifteen checkpoints, so
LangGraph's default (a copy every 100 writes) made a long thread's every
turn walk back some 250 checkpoints. A copy every 20 writes keeps that walk
under about 50, for a copy of the conversation every three logins or so.
"""


def add_message_batches(current: Messages, batches: Sequence[Messages]) -> Messages:
    """The writes of a batch merged into the conversation in one `add_messages` pass.

    Replaying a thread's stored writes hands this every write since the last
    snapshot at once; one pass walks the conversation once, where a merge per
    write walked all of it again for each (quadratic in a long thread). A
    write of new messages only (no id, no removal), which is what every step
    posts, is appended without walking it at all.
    """
    written = [m for batch in batches for m in _as_list(batch)]
    if isinstance(current, list) and written:
        posted = [message_chunk_to_message(m) for m in convert_to_messages(written)]
        if all(m.id is None and not isinstance(m, RemoveMessage) for m in posted):
            # Only new messages (what a step posts has no id yet): appended with ids of their
            # own, as `add_messages` would, without indexing the whole conversation by id.
            for message in posted:
                message.id = str(uuid.uuid4())
            return [*current, *posted]
    return add_messages(current, written)


def _as_list(batch: Messages) -> list[MessageLikeRepresentation]:
    """One write's messages: `add_messages` accepts a single message or a list."""
    return list(batch) if isinstance(batch, list) else [batch]


MESSAGES: DeltaChannel[list[AnyMessage]] = DeltaChannel(
    add_message_batches, snapshot_frequency=SNAPSHOT_EVERY
)
"""The conversation's channel: a checkpoint stores only the messages its step added.

A plain `add_messages` channel stores the whole list again in every
checkpoint whose step posted something, so the bytes grow with the square of
a long thread's conversation. This channel keeps each step's new messages as
that step's writes and rebuilds the list from them on load, in one pass
(`add_message_batches`), from the latest whole copy (a snapshot) on.
"""


class OkxAuthRequest(TypedDict, total=False):
    """Which entry of the procedure to run; absent means `login`."""

    action: RequestAction
    """The entry: login, status, logout, install, install_status, remove or recover."""
    error: str | None
    """For `recover`: the text of the failed okx command's error."""
    command: list[str] | None
    """For `recover`: the failed command's arguments, so it can be retried."""


MAX_REQUEST_TEXT = 10_000
"""Characters of a `recover` request's `error`, and of each `command` argument, that are kept:
a failed call's message and its argv are short; a caller that sends megabytes sends no more."""
MAX_REQUEST_ARGS = 64
"""Arguments of a `recover` request's `command` that are kept."""


class InvalidRequest(ValueError):
    """An `okx_auth_request` that names no entry of the procedure, refused before any step runs.

    A caller's mistake (a string for the mapping, an unknown action, a number
    for the error text) is told as such, naming the field, instead of running
    some other entry or failing halfway through one.
    """


def checked_request(value: object) -> OkxAuthRequest | None:
    """A caller's `okx_auth_request`, checked against its type, with its free text bounded.

    Raises:
        InvalidRequest: It is not a mapping, names an unknown `action`, or its
            `error` is not text or its `command` not a list of texts.
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidRequest(
            f"okx_auth_request must be a mapping such as {{'action': 'login'}}, "
            f"not {type(value).__name__}"
        )
    request = cast(OkxAuthRequest, dict(value))
    action = request.get("action")
    if action is not None and action not in get_args(RequestAction):
        raise InvalidRequest(
            f"okx_auth_request action {action!r} is none of: {', '.join(get_args(RequestAction))}"
        )
    error = request.get("error")
    if error is not None:
        if not isinstance(error, str):
            raise InvalidRequest(f"okx_auth_request error must be text, not {type(error).__name__}")
        request["error"] = error[:MAX_REQUEST_TEXT]
    command = request.get("command")
    if command is not None:
        if not isinstance(command, list) or not all(isinstance(arg, str) for arg in command):
            raise InvalidRequest("okx_auth_request command must be a list of texts (an argv)")
        request["command"] = [arg[:MAX_REQUEST_TEXT] for arg in command[:MAX_REQUEST_ARGS]]
    return request


def redacted_request(request: OkxAuthRequest) -> OkxAuthRequest:
    """A request with its free text redacted as the CLI's output is (keys masked, no secrets).

    `error` and `command` come from a caller (an agent pasting a failed
    call's output, a client of the server): whatever key or token they carry
    must not reach a checkpoint. Their types were checked (`checked_request`).
    """
    clean = request.copy()
    if (error := request.get("error")) is not None:
        clean["error"] = redact_text(error)
    if (command := request.get("command")) is not None:
        clean["command"] = [redact_text(arg) for arg in redact_argv(command)]
    return clean


class RequestInput(EphemeralValue[Any]):
    """The graph's input channel: it keeps a request's own messages, and its free text redacted.

    LangGraph stores a run's input in the checkpoint it writes before the
    first step (and hands it to the state from there), so this is the one
    place where what a caller passes in can be narrowed before anything
    stores it:

    - `messages`: a request begins at the latest human message of the input,
      and the procedure reads nothing older. A parent graph hands its whole
      conversation to a subgraph node; keeping only the request's part means
      that conversation is neither copied into the auth graph's checkpoints
      nor written back to the parent, so a login costs the same on the first
      message of a conversation and on the ten-thousandth. A chat client
      sends its new message, which is kept whole.
    - `okx_auth_request`: checked (`checked_request`: a wrong one is refused
      before any step runs) and its free text redacted (`redacted_request`).
    """

    @classmethod
    def named(cls, key: str, schema: type[Any]) -> RequestInput:
        """The channel for `key` (the graph's START), holding inputs of `schema`."""
        channel = cls(schema)
        channel.key = key
        return channel

    def update(self, values: Sequence[Any]) -> bool:
        """Store each input narrowed to its request."""
        return super().update([_request_input(value) for value in values])


def request_messages(messages: Sequence[M]) -> list[M]:
    """The messages of the latest request: from the latest human message on; none without one."""
    starts = [index for index, message in enumerate(messages) if isinstance(message, HumanMessage)]
    return list(messages[starts[-1]:]) if starts else []


def _request_input(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    narrowed = dict(value)
    if (messages := value.get("messages")) is not None:
        narrowed["messages"] = request_messages(convert_to_messages(_as_list(messages)))
    if (request := checked_request(value.get("okx_auth_request"))) is not None:
        narrowed["okx_auth_request"] = redacted_request(request)
    return narrowed


class OkxAuthOutcome(TypedDict, total=False):
    """The result a parent reads. Never a secret, never `expiresAt`/`ttl`."""

    status: OutcomeStatus
    """How the procedure ended."""
    site: str | None
    """The site id, when known."""
    scopes: list[str]
    """Granted scopes, when logged in."""
    profile: str | None
    """The API-key profile, on the API-key path."""
    message: str | None
    """What went wrong, for `needs_user_action` and `error`."""
    next_skill: NextSkill | None
    """Where the user's request goes next (after `logged_in` or `api_key_configured`)."""
    question: InterruptPayload | None
    """For `awaiting_reply` (a graph built to return at questions): the question the run
    stopped at, as the interrupt would have carried it."""
    language: Language | None
    """For `awaiting_reply`: the request's language, which a relayed reply is recorded in."""


class PendingLogin(TypedDict):
    """A device code this thread showed, so reminders repeat the same link and code."""

    site: Site
    """The site the login runs on."""
    device: DeviceCode
    """Link, code and lifetime from `okx auth login --manual`."""


class AuthInput(TypedDict):
    """What a caller passes in."""

    messages: Annotated[list[AnyMessage], MESSAGES]
    """The conversation; the request is its latest human message and what follows it
    (the rest is not kept), and that message sets the language."""
    okx_auth_request: NotRequired[OkxAuthRequest | None]
    """Optional entry selection (see OkxAuthRequest)."""


class AuthOutput(TypedDict):
    """What a caller gets back."""

    messages: Annotated[list[AnyMessage], MESSAGES]
    """The request's messages with every text the procedure posted; on its own, with a
    checkpointer, the thread's whole conversation."""
    okx_auth: NotRequired[OkxAuthOutcome | None]
    """The outcome."""


class SiteChoice(TypedDict):
    """A reply to the site menu that named a site: what the pre-login gate checks.

    Stored once, by the step that read the reply, with the ids of the menu it
    answers and of the reply itself: the gate compares ids, so the reply is
    never parsed again and the history never searched for it.
    """

    site: Site
    """The site the reply named."""
    menu_id: str
    """The id of the menu message it answers."""
    reply_id: str
    """The id of the user's message that chose."""


class RequestFindings(TypedDict, total=False):
    """What one request learns on its way; `intake` clears all of it when a request starts.

    Grouped apart from the rest of the state so the reset is derived from
    this class: a finding added here is cleared with the others, and can never
    satisfy a check of a later request in the same thread.
    """

    okx_auth: OkxAuthOutcome | None
    """The outcome, set by the step that ends the run."""
    config: ConfigView | None
    """Redacted `config show --json` from this request's preflight."""
    config_failure: OkxFailure | None
    """Why `config show` failed, if it did."""
    auth: AuthStatus | None
    """`auth status --json` from this request's preflight (or the done-check)."""
    status_failure: OkxFailure | None
    """Why `auth status` failed, if it did."""
    api_key_profile: str | None
    """The credentials the CLI prefers over OAuth, when any (Step 0.2)."""
    site_choice: SiteChoice | None
    """The reply to the latest site menu, when it named a site."""
    recovery_handled: bool | None
    """Whether this request's `recover` error was already routed (a retry must not redo it)."""
    switch_site: bool | None
    """After a region restriction, the user agreed to log in on another site: a live
    session does not end the flow."""
    profile_to_drop: str | None
    """The API-key profile the user may agree to remove (Step 0.2.a, option 2)."""
    binary_repaired: bool | None
    """Whether this request already reinstalled the okx-auth binary (repair runs once)."""
    logins_seen: int | None
    """How many logins the user's HOME had started when this request's Step 0 looked
    (or when this request started its own): a login step that finds another count
    under the HOME's login lock asks `auth status` again (another conversation of
    the same user started one)."""
    failure: OkxFailure | None
    """The failure that ends the run, for the report step."""
    open_question: Question | None
    """The question this request posted and still waits on: a new human message then
    answers it (as a resume would) instead of starting a new request."""


class AuthState(RequestFindings):
    """The whole state the steps share: the thread's own keys, then a request's findings."""

    messages: Annotated[list[AnyMessage], MESSAGES]
    """The thread's conversation on its own; inside a parent, the request's messages only."""
    okx_auth_request: NotRequired[OkxAuthRequest | None]
    """Entry selection from the input."""
    language: NotRequired[Language]
    """Reply language, fixed when the request starts."""
    pending_login: NotRequired[PendingLogin | None]
    """The device code shown in this thread, kept across requests."""
    next_skill: NotRequired[NextSkill | None]
    """The skill the request that started this run continues in, if it names one."""
    cli_version_checked: NotRequired[bool]
    """Whether this thread's first Step 0 compared `okx --version` with the skill's version
    (the shared preflight's drift check, once per session): later ones never call it again."""


class AuthUpdate(RequestFindings, total=False):
    """What a step returns: some of the state's keys; each channel's reducer merges it.

    Steps never merge state by hand: `messages` here are only the step's new
    messages, which the conversation's reducer appends.
    """

    messages: Sequence[AnyMessage] | Overwrite
    """Messages this step posts (or records as the user's reply); `intake` alone overwrites,
    when a request inside a parent graph begins with only its own messages."""
    okx_auth_request: OkxAuthRequest | None
    """Entry selection (only a parent writes it)."""
    language: Language
    """Reply language, fixed by `intake`."""
    pending_login: PendingLogin | None
    """The device code just shown, or None once it is spent."""
    next_skill: NextSkill | None
    """Where the request goes after sign-in, set by `intake`."""
    cli_version_checked: bool
    """Set by the thread's first Step 0, which ran the drift check (whatever it found)."""
