"""Notebook -> HTML that reads offline: math as MathML, no remote scripts.

nbconvert's HTML export leaves formulas as ``$...$`` text for MathJax, which
it loads from a CDN: offline every formula shows as raw TeX. Here the
markdown renderer turns each formula into MathML (``latex2mathml``), which
browsers draw natively, and the template (``html_templates/offline``) drops
every remote script. A formula latex2mathml cannot convert stays TeX text.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import pass_context
from latex2mathml.converter import convert as _latex_to_mathml
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

TEMPLATES = Path(__file__).resolve().parent / "html_templates"


def mathml(tex: str, display: str) -> str | None:
    """MathML for ``tex`` (display "inline" or "block"), or None if it fails."""
    try:
        return _latex_to_mathml(tex, display=display)
    except Exception:  # noqa: BLE001 - any TeX latex2mathml does not know: keep the text
        return None


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with formulas rendered to MathML."""

    def inline_math(self, body: str) -> str:
        return mathml(body, "inline") or super().inline_math(body)

    def block_math(self, body: str) -> str:
        return mathml(body, "block") or super().block_math(body)

    def latex_environment(self, name: str, body: str) -> str:
        tex = f"\\begin{{{name}}}{body}\\end{{{name}}}"
        return mathml(tex, "block") or super().latex_environment(name, body)


class OfflineHTMLExporter(HTMLExporter):
    """HTMLExporter whose output needs no network (see the module docstring)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("extra_template_basedirs", [str(TEMPLATES)])
        kwargs.setdefault("template_name", "offline")
        super().__init__(**kwargs)

    @pass_context  # as nbconvert's: the filter reads the cell from the template context
    def markdown2html(self, context, source):
        """As nbconvert's filter, with :class:`MathMLRenderer`."""
        cell = context.get("cell", {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        renderer = MathMLRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=path,
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
        )
        return MarkdownWithMath(renderer=renderer).render(source)
