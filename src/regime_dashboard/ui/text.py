"""User text (tenant, plan, portfolio names, values from a link) inside Streamlit markdown:
titles, headings, captions, messages and metric labels all render markdown, so a name such
as `![x](http://host/x.png)` would load an image. `plain` makes such text show as typed."""

from __future__ import annotations

import re

__all__ = ["plain"]

# Any ASCII punctuation may be backslash-escaped in CommonMark. Escaped everywhere: what
# markdown (links, images, emphasis, code, HTML, entities, tables, strikethrough),
# Streamlit's directives (:red[...], :material/icon:, emoji shortcodes) or KaTeX ($...$)
# give a meaning to. A leading "-", "+" or "1." would start a list: escaped at the start.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|~$:&])")
_LIST_START = re.compile(r"^(\d*)([-+.)])")


def plain(text: object) -> str:
    """`text` as a markdown string that renders literally, on one line."""
    flat = _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _LIST_START.sub(r"\1\\\2", flat)
