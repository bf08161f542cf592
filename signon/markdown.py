"""Letter text: Markdown in, sanitized HTML out (markdown-it-py, then nh3)."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# "js-default" is CommonMark with raw HTML off and unsafe link schemes refused.
_md = MarkdownIt("js-default").enable("table")

# No images: a letter's text never loads anything from elsewhere (pages or the PDF).
ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def render_markdown(text: str) -> str:
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
