"""Readable differences between two texts, as escaped HTML.

Word by word (whitespace kept), so a changed word in a long paragraph shows as that word. Added
and removed runs are <ins>/<del> with a visually hidden "added:"/"removed:" in front, so the
difference is not told by colour (or strike-through) alone and a screen reader announces it.
"""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

TOKENS = re.compile(r"\s+|[^\s]+")
# Above this many tokens on either side, compare line by line: SequenceMatcher is quadratic.
WORD_LIMIT = 6000


def _tokens(text: str, by_line: bool) -> list[str]:
    if by_line:
        return text.splitlines(keepends=True)
    return TOKENS.findall(text)


def _wrap(tag: str, label: str, tokens: list[str]) -> str:
    text = "".join(tokens)
    if not text:
        return ""
    return (f'<{tag}><span class="visually-hidden">[{escape(label)}: </span>{escape(text)}'
            f'<span class="visually-hidden">]</span></{tag}>')


def diff_html(old: str, new: str) -> SafeString:
    old, new = old or "", new or ""
    old_tokens, new_tokens = _tokens(old, False), _tokens(new, False)
    if max(len(old_tokens), len(new_tokens)) > WORD_LIMIT:
        old_tokens, new_tokens = _tokens(old, True), _tokens(new, True)
    added, removed = _("added"), _("removed")
    parts = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old_tokens[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(_wrap("del", removed, old_tokens[a1:a2]))
        if op in ("insert", "replace"):
            parts.append(_wrap("ins", added, new_tokens[b1:b2]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def list_diff(old: list[str], new: list[str]) -> dict:
    """Which names were added and removed (for tags, working group and place)."""
    return {"added": [name for name in new if name not in old],
            "removed": [name for name in old if name not in new],
            "kept": [name for name in new if name in old]}
