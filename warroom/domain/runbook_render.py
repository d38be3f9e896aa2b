"""Runbook Markdown to safe HTML for the reader, with checkable steps and copyable code.

Safe by construction: raw HTML in the Markdown is not passed through (markdown-it's ``html``
option is off, so ``<script>`` is shown as text), images become their alt text with the
address (nothing is ever fetched), and links are left for the reader to open only when
clicked. Task items (``- [ ] ...``) become ``step:KEY`` links the reader turns into ticks;
code blocks get a ``copy:N`` link.
"""

from __future__ import annotations

import gc
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

from warroom.domain.runbook_text import step_key

_TASK = re.compile(r"^\[([ xX])\]\s+")


@dataclass(frozen=True)
class Tick:
    by: str
    at: datetime


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass
class RenderedRunbook:
    html: str
    headings: list[Heading] = field(default_factory=list)
    code_blocks: list[str] = field(default_factory=list)
    step_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Theme:
    text: str = "#1f2933"
    background: str = "#ffffff"
    muted: str = "#616e7c"
    link: str = "#0b69a3"
    code_background: str = "#f0f4f8"
    done: str = "#199473"

    @classmethod
    def dark(cls) -> Theme:
        return cls("#e4e7eb", "#1f2933", "#9aa5b1", "#7cc4fa", "#323f4b", "#3ebd93")


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(anchors_plugin, min_level=1, max_level=3, permalink=False)
    return md


_MD = _markdown()


def render_runbook(
    body: str,
    ticks: Mapping[str, Tick] | None = None,
    theme: Theme | None = None,
    zone: Any = None,
) -> RenderedRunbook:
    """HTML for QTextBrowser (a subset of HTML 4 and CSS 2), plus a table of contents."""
    # Parsing makes tens of thousands of short-lived tokens; the cyclic garbage collector
    # would stop the world over and over for nothing (a quarter of the time on 200 KB).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _render(body, ticks or {}, theme or Theme(), zone)
    finally:
        if collecting:
            gc.enable()


def _render(body: str, ticks: Mapping[str, Tick], theme: Theme, zone: Any) -> RenderedRunbook:
    theme = theme or Theme()
    tokens = _MD.parse(body)
    result = RenderedRunbook("")
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            anchor = str(token.attrs.get("id", ""))
            result.headings.append(Heading(int(token.tag[1]), inline.content, anchor))
            # QTextBrowser scrolls to <a name>, not to element ids
            inline.children = [
                _html_token(f'<a name="{html.escape(anchor)}"></a>'),
                *(inline.children or []),
            ]
        elif token.type == "inline" and _TASK.match(token.content) and _in_list_item(tokens, index):
            _make_step(token, ticks, theme, result, zone)
        if token.type == "inline" and token.children:
            token.children = [
                _safe_image(child) if child.type == "image" else child for child in token.children
            ]
    rendered = _MD.renderer.render(tokens, _MD.options, {})
    rendered = _CODE_BLOCK.sub(lambda m: _copyable(m, result, theme), rendered)
    result.html = _page(rendered, theme)
    return result


def _in_list_item(tokens: list[Token], index: int) -> bool:
    return index >= 2 and tokens[index - 2].type == "list_item_open"


def _html_token(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = content
    return token


def _make_step(
    token: Token, ticks: Mapping[str, Tick], theme: Theme, result: RenderedRunbook, zone: Any
) -> None:
    text = _TASK.sub("", token.content, count=1)
    key = step_key(text)
    result.step_keys.append(key)
    tick = ticks.get(key)
    children = list(token.children or [])
    if children and children[0].type == "text":
        children[0].content = _TASK.sub("", children[0].content, count=1)
    box = "☑" if tick else "☐"
    colour = theme.done if tick else theme.muted
    prefix = (
        f'<a href="step:{key}" style="text-decoration:none;color:{colour};'
        f'font-size:large">{box}</a>&nbsp;'
    )
    suffix = ""
    if tick:
        when = tick.at.astimezone(zone) if zone else tick.at.astimezone()
        suffix = (
            f' <span style="color:{theme.done}">— ticked by {html.escape(tick.by)} '
            f"at {when:%H:%M}</span>"
        )
    token.children = [_html_token(prefix), *children, _html_token(suffix)]


def _safe_image(token: Token) -> Token:
    alt = "".join(child.content for child in token.children or []) or "image"
    source = str(token.attrs.get("src", ""))
    return _html_token(f"<i>[image: {html.escape(alt)} — {html.escape(source)}]</i>")


_CODE_BLOCK = re.compile(r"<pre><code(?: class=\"[^\"]*\")?>(.*?)</code></pre>", re.DOTALL)


def _copyable(match: re.Match[str], result: RenderedRunbook, theme: Theme) -> str:
    number = len(result.code_blocks)
    result.code_blocks.append(html.unescape(match.group(1)))
    return (
        f'<table width="100%" cellpadding="8" style="background:{theme.code_background}">'
        f'<tr><td><pre style="font-family:monospace">{match.group(1)}</pre></td>'
        f'<td align="right" valign="top" width="60"><a href="copy:{number}">Copy</a></td>'
        f"</tr></table>"
    )


def _page(body: str, theme: Theme) -> str:
    return (
        f"<html><head><style>"
        f"body {{ color: {theme.text}; background: {theme.background}; }}"
        f"a {{ color: {theme.link}; }}"
        f"h1 {{ font-size: x-large; }} h2 {{ font-size: large; margin-top: 18px; }}"
        f"code {{ font-family: monospace; background: {theme.code_background}; }}"
        f"li {{ margin-bottom: 6px; }}"
        f"</style></head><body>{body}</body></html>"
    )
