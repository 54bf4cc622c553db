"""The graph's questions as MCP elicitations, and the user's answers as the resumes it reads.

Pure data, no I/O: an interrupt payload (`okx_auth_graph.interrupts`) and what
the client declared it can ask become one elicitation, and the client's
result becomes the `Command(resume=...)` value. Every rule stays in the
graph: the form offers the answers the question's own payload names (the
site ids of `choices`, titled with the menu's numbered lines), the graph's
`decide` reads the answer as it reads a typed reply, and anything that is
not an accepted answer resumes with the inbox `ignore`, which every question
already reads as cancel (at the site menu: `cancelled`, nothing run; while
waiting for "done": `pending`, the code stays valid).

- `site_choice`: a form, message = the menu, one required `site` field
  whose options are the site ids, titled with the menu's lines;
- `authorization_done`: a URL elicitation (the verification link, only when
  it is OKX's, and the login template or reminder as message), whose accept
  is MCP's "consented to open the link", not the user's "done"; then the
  same message in a form with one `done` confirmation, which is. A client
  without URL mode gets that form at once; a client without forms stops
  waiting once the link is open (the code stays valid);
- `retry_login`, `confirm_remove`: a form with one required yes/no `answer`;
- `api_key_remedy`: a form with one required `choice`, the numbered options
  of its message (replies `1` and `2`).

A client that can ask neither way gets `None`: nothing may answer for the user.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from okx_auth_graph.extras import needs_extra
from okx_auth_graph.interrupts import Question
from okx_auth_graph.okx.links import is_okx_link
from okx_auth_graph.prompts import Language, render
from okx_auth_graph.skill import numbered_option

with needs_extra("mcp-server"):
    from mcp.types import ClientCapabilities

ElicitAction = Literal["accept", "decline", "cancel"]
"""What the user did with an elicitation (MCP's `ElicitResult.action`)."""

CANCEL: Mapping[str, str] = {"type": "ignore"}
"""The resume of an elicitation the user declined or dismissed: the agent-inbox `ignore`,
which the graph reads as its cancel word in the request's language."""

DONE = "done"
"""The resume of a ticked "I have authorized" confirmation: a done signal in either language."""

DONE_FIELD = "done"
"""The one field of the "I have authorized" form."""

NO_ANSWER = ""
"""The resume of a form accepted without its confirmation: no answer, so the graph asks again."""

@dataclass(frozen=True)
class ClientAsks:
    """Which elicitation modes the client declared (its `elicitation` capability)."""

    form: bool
    """Form mode: a message and a flat schema the client renders."""
    url: bool
    """URL mode: the client shows a link and asks the user's consent to open it."""

    @classmethod
    def of(cls, capabilities: ClientCapabilities | None) -> ClientAsks:
        """Read the client's capabilities; an empty `elicitation` object means form mode.

        Clients written before URL mode declare `"elicitation": {}`, and the
        specification reads that as form mode only.
        """
        elicitation = capabilities.elicitation if capabilities is not None else None
        if elicitation is None:
            return cls(form=False, url=False)
        url = elicitation.url is not None
        return cls(form=elicitation.form is not None or not url, url=url)


@dataclass(frozen=True)
class FormQuestion:
    """A form elicitation: the question's message and a schema of one required field."""

    message: str
    """The question as the graph posted it."""
    field: str
    """The one field the answer is read from."""
    schema: dict[str, Any]
    """The `requestedSchema`: an object whose only property is `field`."""


@dataclass(frozen=True)
class LinkQuestion:
    """A URL elicitation: the user consents to open `url` (their "done" is asked after it)."""

    message: str
    """The login template (or the reminder) as the graph posted it."""
    url: str
    """The verification link, checked to be OKX's."""


Elicitation = FormQuestion | LinkQuestion
"""One way of asking the user a question."""


def numbered_options(message: str) -> dict[str, str]:
    """The message's numbered lines by their number: `{"1": "1. Global (www.okx.com)", ...}`."""
    options = (numbered_option(line) for line in message.splitlines())
    return {found[0]: f"{found[0]}. {found[1]}" for found in options if found is not None}


def _one_of(values: list[str], titles: Mapping[str, str]) -> dict[str, Any]:
    """A string field limited to `values`, each titled (falls back to the value itself).

    Both spellings of a closed choice: `oneOf` with `const` and `title` is
    the current specification's titled enum, and `enum` is what clients
    written before it read.
    """
    return {
        "type": "string",
        "enum": values,
        "oneOf": [{"const": value, "title": titles.get(value, value)} for value in values],
    }


def _form(message: str, field: str, prop: dict[str, Any]) -> FormQuestion:
    schema = {"type": "object", "properties": {field: prop}, "required": [field]}
    return FormQuestion(message=message, field=field, schema=schema)


def _site_form(payload: Mapping[str, Any], language: Language) -> FormQuestion:
    """The menu: the site ids the payload offers, each titled with its line of the menu.

    The payload lists its `choices` in the menu's order (both come from the
    skill version's one table), so line N of the menu is the N-th choice.
    """
    message = str(payload["message"])
    choices = [str(choice) for choice in payload["choices"]]
    titles: dict[str, str] = {
        choices[int(number) - 1]: line for number, line in numbered_options(message).items()
        if 0 < int(number) <= len(choices)
    }
    return _form(message, "site", _one_of(choices, titles))


def _done_form(payload: Mapping[str, Any], language: Language) -> FormQuestion:
    """The login template with one confirmation: the user's "done" (after the link, if any)."""
    done = {"type": "boolean", "title": render("mcp_done_field", language)}
    return _form(str(payload["message"]), DONE_FIELD, done)


def _yes_no_form(payload: Mapping[str, Any], language: Language) -> FormQuestion:
    titles = {"yes": render("mcp_yes", language), "no": render("mcp_no", language)}
    return _form(str(payload["message"]), "answer", _one_of(["yes", "no"], titles))


def _remedy_form(payload: Mapping[str, Any], language: Language) -> FormQuestion:
    """Step 0.2.a's options, in the payload's order, answered by their number."""
    message = str(payload["message"])
    numbers = [str(index) for index in range(1, len(payload["options"]) + 1)]
    return _form(message, "choice", _one_of(numbers, numbered_options(message)))


FORMS: dict[Question, Callable[[Mapping[str, Any], Language], FormQuestion]] = {
    "site_choice": _site_form,
    "authorization_done": _done_form,
    "retry_login": _yes_no_form,
    "confirm_remove": _yes_no_form,
    "api_key_remedy": _remedy_form,
}
"""The form of each question kind (a test holds that every kind has one)."""


def elicitation_for(
    payload: Mapping[str, Any], asks: ClientAsks, language: Language,
    opened: Collection[str] = (),
) -> Elicitation | None:
    """How to ask the question of `payload`; None when this client cannot ask it.

    The device code goes to URL mode when the client has it and the link is
    OKX's (the graph shows no other link; this checks again before a client
    is asked to open it) and the user has not opened that link yet in this
    request (`opened`); otherwise every question is a form.
    """
    url = payload.get("verification_uri")
    on_link = payload["kind"] == "authorization_done" and asks.url and url not in opened
    if on_link and isinstance(url, str) and is_okx_link(url):
        return LinkQuestion(message=str(payload["message"]), url=url)
    return FORMS[payload["kind"]](payload, language) if asks.form else None


def asks_for_done(question: Elicitation) -> bool:
    """Whether the question waits for the user's "done", whichever mode asks it.

    Its message is then the login template (or a reminder): link and code.
    """
    return isinstance(question, LinkQuestion) or question.field == DONE_FIELD


def resume_for(
    question: FormQuestion, action: ElicitAction, content: Mapping[str, Any] | None
) -> object:
    """The resume value of the user's result: the answer as typed, `DONE`, or `CANCEL`.

    A form's value goes to the graph as it came (a client that sent
    something outside the schema gets the question again, as a typed
    non-answer would); a `done` confirmation left unticked is `NO_ANSWER`.
    A link is no form: accepting it is consent to open it, never the user's
    "done" (`SessionThread.answer` asks for that next).
    """
    if action != "accept":
        return CANCEL
    value = (content or {}).get(question.field)
    if question.field == DONE_FIELD:
        return DONE if value is True else NO_ANSWER
    return value if isinstance(value, str) else NO_ANSWER


def request_params(elicitation: Elicitation) -> dict[str, Any]:
    """The `elicitation/create` params of an elicitation, for a tool result that carries it.

    The question a 2026-07-28 client gets as the tool's `input_required`
    result. That protocol gives a link no `elicitationId`: with no channel
    for a completion notice, there is nothing to match it to.
    """
    if isinstance(elicitation, LinkQuestion):
        return {"mode": "url", "message": elicitation.message, "url": elicitation.url}
    return {"mode": "form", "message": elicitation.message,
            "requestedSchema": elicitation.schema}
