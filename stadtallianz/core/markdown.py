"""Markdown for user-written text: CommonMark rendered, then sanitised with an allow-list.

Raw HTML in the source is escaped by the renderer and nh3 removes anything that is not on the
allow-list, so neither a script nor an event handler attribute survives.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(source: str, *, top_level: int = 2) -> SafeString:
    """Renders the author's text; its highest heading becomes `<h{top_level}>`.

    The page's own title is the only h1, and a text shown inside a section headed h2 starts at
    h3: the author's other headings keep their distance to the highest one, so the page never
    skips a heading level between its own headings and the text's.
    """
    tokens = _renderer.parse(source or "")
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    shift = top_level - min(levels) if levels else 0
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    html = _renderer.renderer.render(tokens, _renderer.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
