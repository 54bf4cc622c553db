"""The chat's own frame around the conversation, in the conversation's language.

The assistant's messages come from the graph in the request's language; the
lines the chat itself prints around them (how to continue, where a resumed
thread stands, the simulated browser, the slash commands) follow the same
language, so a Chinese conversation is not framed in English. Before the
first request the language is `--lang`'s, else English.
"""

from __future__ import annotations

from okx_auth_graph.prompts import Language

FRAME: dict[str, dict[Language, str]] = {
    "greeting": {
        "zh": (
            "okx-auth-graph 对话:线程 {thread},{where}\n"
            "请让我登录 OKX。/help 列出命令;Ctrl-D 离开,之后用 --thread 继续。"
        ),
        "en": (
            "okx-auth-graph chat: thread {thread}, {where}\n"
            "Ask to log in to OKX. /help lists commands; Ctrl-D leaves, and "
            "--thread continues later."
        ),
    },
    "simulated_cli": {
        "zh": "模拟的 okx(HOME {home})",
        "en": "simulated okx (HOME {home})",
    },
    "real_cli": {"zh": "okx CLI {cli}", "en": "okx CLI {cli}"},
    "saved": {
        "zh": "对话已保存;用以下命令继续:",
        "en": "This conversation is saved; continue it with:",
    },
    "stopped": {"zh": "(已停止)", "en": "(stopped)"},
    "question_open": {
        "zh": "(继续线程 {thread},{where};仍在等待回答的问题:)",
        "en": "(continuing thread {thread}, {where}; the question still open:)",
    },
    "step_cut_off": {
        "zh": "(继续线程 {thread},{where},从被中断的步骤开始)",
        "en": "(continuing thread {thread}, {where}, from the step that was cut off)",
    },
    "request_ended": {
        "zh": "(继续线程 {thread},{where};上一个请求已结束:)",
        "en": "(continuing thread {thread}, {where}; its last request has ended:)",
    },
    "help": {
        "zh": "其余输入都是发给助手的消息。",
        "en": "Anything else you type is your message to the assistant.",
    },
    "unknown_command": {
        "zh": "未知命令 {command};/help 列出可用命令",
        "en": "unknown command {command}; /help lists them",
    },
    "browser_only": {
        "zh": (
            "{command} 扮演模拟浏览器,只在 --simulate 下可用;"
            "使用真实 okx CLI 时,请在 OKX 网站上授权。"
        ),
        "en": (
            "{command} plays the simulated browser and works only with --simulate; "
            "with the real okx CLI, authorize on the OKX website."
        ),
    },
    "browser_refused": {
        "zh": "(浏览器:{command} 没有生效:{said})",
        "en": "(browser: {command} did nothing: {said})",
    },
    "browser_day_passes": {
        "zh": "(浏览器:过了一天没有回应;已显示的验证码都已过期)",
        "en": "(browser: a day passes with no answer; any code shown has expired)",
    },
    "browser_said": {"zh": "(浏览器:{said})", "en": "(browser: {said})"},
}
"""Every line the chat prints of its own, by name and language; `{field}` marks a value."""

COMMAND_HELP: dict[str, dict[Language, str]] = {
    "/help": {"zh": "显示这些命令", "en": "show these commands"},
    "/quit": {
        "zh": "离开(对话已保存;Ctrl-D 也一样)",
        "en": "leave (the conversation is saved; Ctrl-D does the same)",
    },
    "/approve": {
        "zh": "授权显示的验证码,如同点击“授权”",
        "en": 'authorize the code shown, as clicking "Authorize" would',
    },
    "/deny": {"zh": "拒绝显示的验证码", "en": "refuse the code shown"},
    "/expire": {
        "zh": "让一天过去,使显示的验证码过期",
        "en": "let a day pass, so the code shown expires",
    },
}
"""What each slash command does, for `/help`."""


def frame(name: str, language: Language, **fields: object) -> str:
    """A frame line in `language`; a missing field is a bug, so it raises KeyError."""
    return FRAME[name][language].format(**fields)
