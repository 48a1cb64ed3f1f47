"""Sphinx extension: the book says which version of the course it is, and where its
changes are.

The version comes from ``pyproject.toml`` (the one place it is written). It becomes
Sphinx's ``version`` and ``release``, and every page's footer reads "Version X.Y.Z",
linked to the page of changes and errata, with a link to how to cite the course.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def course_version() -> str:
    """The course's version, as ``pyproject.toml`` states it."""
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]


def _footer(app, pagename, templatename, context, doctree) -> None:
    changes = app.builder.get_relative_uri(pagename, "book/changelog")
    citing = changes + "#how-to-cite"
    line = (
        f'<p class="course-version">Version {context["release"]} · '
        f'<a href="{changes}">changes and errata</a> · <a '
        f'href="{citing}">how to cite</a></p>'
    )
    theme_options = context.get("theme_extra_footer") or ""
    context["theme_extra_footer"] = theme_options + line


def _set_version(app, config) -> None:
    config.version = config.release = course_version()


def setup(app):
    app.connect("config-inited", _set_version)
    app.connect("html-page-context", _footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
