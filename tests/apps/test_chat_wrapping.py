"""The transcript's line breaking on its own: what it may cut, and what it never does.

The pseudo-terminal tests show the chat wrapped at a real terminal's width;
these hold the rules over any text: nothing is lost or reordered, a URL or a
code is never cut, a line that fits is never touched, and Chinese breaks
between characters but not before its closing punctuation.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from okx_auth_graph.apps.chat.wrapping import display_width, wrap

URL = "https://my.okx.com/account/oauth/device"
CODE = "ABCD-EFGH"
_pieces = st.sampled_from(
    ["okx", "auth", "login", "--manual", URL, CODE, "请", "在", "浏览器", "中", "打开", ",",
     "。", ":", "(", ")", "，", "「", "」", " ", "  ", "1.", "-"]
)


@given(st.lists(_pieces, max_size=40).map("".join), st.integers(min_value=1, max_value=60))
def test_nothing_is_lost_and_no_url_or_code_is_cut(text: str, width: int) -> None:
    wrapped = wrap(text, width)

    assert "".join(wrapped.split()) == "".join(text.split())
    for whole in (URL, CODE):
        assert wrapped.count(whole) == text.count(whole)


@given(st.lists(_pieces, max_size=40).map("".join), st.integers(min_value=1, max_value=60))
def test_a_line_that_fits_is_kept_as_it_is(text: str, width: int) -> None:
    line = f"{text}  "  # trailing spaces, as the skill's templates have them, do not count
    if display_width(text.rstrip(" ")) <= width:
        assert wrap(line, width) == line


def test_cjk_characters_count_two_columns() -> None:
    assert display_width("验证码:ABCD") == 11
    assert wrap("    请在浏览器中打开链接", 16) == "    请在浏览器中\n    打开链接"


def test_closing_punctuation_stays_with_what_it_closes() -> None:
    wrapped = wrap("完成授权，然后告诉我。好了", 10)

    assert wrapped == "完成授权，\n然后告诉\n我。好了"  # not "然后告诉我" then "。好了"


def test_a_url_after_a_chinese_label_starts_a_line_of_its_own() -> None:
    assert wrap(f"    链接:{URL}  ", 30) == f"    链接:\n    {URL}"


def test_a_list_item_continues_under_its_text() -> None:
    wrapped = wrap("  1. Replace the API key: create a new key", 20)

    assert wrapped == "  1. Replace the API\n     key: create a\n     new key"
