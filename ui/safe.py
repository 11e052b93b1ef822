"""User-supplied text shown as text: never a link, image, heading, emphasis or HTML in the page.

Streamlit renders Markdown in titles, captions, alerts, expander and tab labels, radio options, progress texts
and `st.markdown`, so a posyandu named `[klik](https://evil.example)` or an evidence file named
`![p](http://host/x.png).jpg` would become a live link or an image the browser fetches. Every string that came
from a user (names, notes, practice texts, file names, values in an import preview) goes through `plain` before
it meets Markdown, or `plain_html` before it meets HTML (st.html, unsafe_allow_html); tables (st.dataframe) and
select boxes show plain text already.
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all also defuses
# Streamlit's own syntax (":material/icon:", ":red[text]", "$math$") and GitHub's autolinks ("www.x.org").
_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_WORD_JOINER = "\u2060"
_DASHES = re.compile(r"\\-(?=\\-)")
_WWW = re.compile(r"(www)\\\.", re.IGNORECASE)
_ESCAPED = re.compile(r"\\(.)")


def plain(text: object) -> str:
    """`text` escaped for Markdown so that it shows exactly as typed; None shows as an empty string.

    Line breaks become spaces (a name never starts a list or heading on a new line). An invisible word joiner
    goes where escaping alone is not enough: between "--" (no typographic dash), and after "://", "www." and "@"
    (GitHub-style autolinks would otherwise still turn an escaped address into a link).
    """
    if text is None:
        return ""
    s = " ".join(str(text).split())
    s = _PUNCTUATION.sub(r"\\\1", s)
    s = _DASHES.sub("\\\\-" + _WORD_JOINER, s).replace("\\:\\/", "\\:" + _WORD_JOINER + "\\/")
    s = _WWW.sub(lambda m: m.group(1) + _WORD_JOINER + "\\.", s)
    return s.replace("\\@", "\\@" + _WORD_JOINER)


def plain_html(text: object) -> str:
    """`text` escaped for HTML (quotes too, so it is safe inside an attribute)."""
    return "" if text is None else html.escape(str(text), quote=True)


def plain_params(**params: object) -> dict[str, str]:
    """Message parameters escaped for Markdown: `tr(key, **plain_params(posyandu=name))`."""
    return {k: plain(v) for k, v in params.items()}


def as_shown(markdown: str) -> str:
    """The text a reader sees of `plain` output (escapes and word joiners removed): for tests and logs."""
    return _ESCAPED.sub(r"\1", markdown.replace(_WORD_JOINER, ""))
