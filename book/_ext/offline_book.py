"""Sphinx extension: the book works offline, loads without script errors and passes an axe audit.

- MathJax is served from the book itself (no CDN): MathJax 2.7 comes with the pinned
  ``jupyter-server-mathjax`` package, with its STIX-Web fonts; ``mathjax_path`` points at a copy in
  ``_static/mathjax``, copied there after the build. Its blank measuring font asks for nothing.
- sphinx-thebe adds its inline configuration script twice to every page, which makes the browser
  report "Identifier 'THEBE_JS_URL' has already been declared"; identical inline scripts are kept once.
- ``book/_static/course.css`` is added to every page (a darker link colour inside exercise boxes,
  where the theme's blue misses WCAG AA contrast on the tinted background).
- Two theme buttons have an accessible name that leaves out their visible text (axe rule
  ``label-content-name-mismatch``, serious): the search field's ``aria-label="Search"`` hides its
  visible "Search Ctrl+K", and the colour-mode icons' titles are not in "Color mode". The search
  field is named by its visible text instead, and the icons become decorative.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jupyter_server_mathjax

MATHJAX_SOURCE = Path(jupyter_server_mathjax.__file__).parent / "static"
MATHJAX_CONFIG = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processEscapes": True,
        # myst-nb marks whole pages "mathjax_ignore"; the formulas themselves carry class "math".
        "ignoreClass": "tex2jax_ignore|mathjax_ignore",
        "processClass": "tex2jax_process|mathjax_process|math|output_area",
    },
    # Only the STIX-Web fonts ship with this MathJax copy: use them, never look elsewhere.
    "HTML-CSS": {
        "availableFonts": [], "preferredFont": None, "webFont": "STIX-Web", "imageFont": None,
        # MathJax measures text in a font "MathJax_Blank" declared with src url('about:blank'), a
        # request the browser refuses (a console error on every page with a formula); a local()
        # source that never exists gives the same blank fallback without any request.
        "styles": {"@font-face": {"font-family": "MathJax_Blank", "src": "local('MathJax_Blank')"}},
    },
    "showMathMenu": False,
}

SEARCH_FIELD = re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"')
THEME_ICON = re.compile(r'(<i class="theme-switch [^"]*"[^>]*?) title="[^"]*"')


STATIC = Path(__file__).resolve().parent.parent / "_static"


def _add_course_styles(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    app.add_css_file("course.css")


def _point_at_local_copy(app, config) -> None:
    config.mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
    config.mathjax2_config = MATHJAX_CONFIG


def _drop_duplicate_inline_scripts(app, pagename, templatename, context, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        body = getattr(script, "attributes", {}).get("body")
        if body is None or body not in seen:
            unique.append(script)
        if body is not None:
            seen.add(body)
    context["script_files"] = unique


def _finish(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    if not (target / "MathJax.js").exists():
        shutil.copytree(MATHJAX_SOURCE, target, dirs_exist_ok=True)
    for page in Path(app.outdir).rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        fixed = THEME_ICON.sub(r'\1 aria-hidden="true"', SEARCH_FIELD.sub(r"\1", html))
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    app.connect("config-inited", _point_at_local_copy)
    app.connect("config-inited", _add_course_styles)
    app.connect("html-page-context", _drop_duplicate_inline_scripts, priority=900)
    app.connect("build-finished", _finish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
