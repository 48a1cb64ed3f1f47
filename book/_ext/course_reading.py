"""Sphinx extension: the book reads well, on a desktop and on a phone.

- **Numbers in the navigation.** Each notebook's sidebar entry reads "02 Packets and flows": its
  number (the file's, which is also its exercises' chapter: Exercise 2.1) and its title (the
  notebook's own ``#`` heading, through :func:`ingress_egress.course.notebook_map`). Both are read
  from the notebooks when the book is built, so ``_toc.yml`` lists files only and cannot drift.
- **One search box.** The theme shows a search field in the top bar and another in the sidebar;
  the top bar's goes (on a phone, the search button of the article's header stays).
- **Figures open full size.** Every figure of a notebook's output is a link to its PNG, so a
  reader can open it at its own resolution (a phone's column is far narrower than any figure).
- **Dates don't wrap** in the tables of notebook outputs: a cell holding only a date (and time)
  gets ``class="course-nowrap"``; tables scroll inside their own box (``course.css``). In the cheat
  sheet's table (``table.cheatsheet``), which a phone shows as narrow cards, no word breaks at its
  hyphens or slashes either ("us-east-1", "ingress/egress"): such words are kept whole the same way.
- **Unique element ids.** sphinx-exercise gives the body of every exercise and solution the id
  ``exercise-content`` or ``solution-content``, repeated on every page with more than one
  exercise; nothing refers to those ids, so they are dropped.
- **No console errors.** The theme's colour mode starts at ``auto`` (with no mode stored, the
  theme logs "Got invalid theme mode"), and the book has a favicon (browsers ask for one), named
  in every page, the ``index.html`` that forwards to the front page included.
- ``course.js``: each solution's toggle button is named after its exercise ("Click to show the
  solution to Exercise 1.2") instead of the theme's "Toggle hidden content".
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from ingress_egress.course import notebook_map

STATIC = Path(__file__).resolve().parent.parent / "_static"
NOTEBOOK_DOC = re.compile(r"^notebooks/(\d\d)-")
REPEATED_IDS = {"exercise-content", "solution-content"}

# An output image, as MyST-NB writes it: <img alt="..." src="../_images/<sha256>.png" />.
OUTPUT_IMAGE = re.compile(r'<img alt="(?P<alt>[^"]*)" src="(?P<src>[^"]*_images/[0-9a-f]+\.png)" />')
# A table cell of a notebook output that holds only a date, maybe with a time: 2026-03-10 08:00:00.
DATE_CELL = re.compile(
    r"<(?P<tag>t[dh])(?P<attrs>(?: [^>]*)?)>(?P<date>\s*\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:[+-]\d{2}:\d{2}|Z)?\s*)</(?P=tag)>"
)


def numbered_titles(app, config) -> None:
    """Give each notebook's entry in the table of contents its number: "02 Packets and flows"."""
    site_map = getattr(config, "external_site_map", None)
    if site_map is None:
        return
    folder = Path(app.srcdir) / "notebooks"
    titles = {f"notebooks/{Path(row.file).stem}": f"{row.number} {re.sub(r'[`*]', '', row.title)}"
              for row in notebook_map(folder).itertuples(index=False)}
    for docname in site_map:
        if docname in titles:
            site_map[docname].title = titles[docname]


def one_search_box(app, config) -> None:
    """Keep the sidebar's search field only; start the colour mode at 'auto'; the course's favicon."""
    config.html_theme_options = {**config.html_theme_options, "navbar_persistent": []}
    config.html_context = {**config.html_context, "default_mode": "auto"}
    if not config.html_favicon:
        config.html_favicon = str(STATIC / "favicon.svg")


class DropRepeatedIds(SphinxPostTransform):
    """Remove the ids sphinx-exercise repeats on every exercise and solution of a page."""

    default_priority = 900

    def run(self, **kwargs) -> None:
        for section in self.document.findall(nodes.section):
            section["ids"] = [i for i in section["ids"] if i not in REPEATED_IDS]


# A word joined by hyphens or slashes: us-east-1, ingress/egress, 02-04.
JOINED_WORD = re.compile(r"\w[\w.]*(?:[-/]\w[\w.]*)+")
CHEATSHEET_TABLE = re.compile(r'<table class="[^"]*\bcheatsheet\b[^"]*"[^>]*>.*?</table>', re.DOTALL)


def keep_joined_words_whole(table: str) -> str:
    """Wrap each word joined by hyphens or slashes in the text (not the tags) of ``table`` in a nowrap span.

    >>> keep_joined_words_whole('<td><a href="a-b.html">us-east-1</a>: free</td>')
    '<td><a href="a-b.html"><span class="course-nowrap">us-east-1</span></a>: free</td>'
    """
    parts = re.split(r"(<[^>]+>)", table)
    return "".join(part if part.startswith("<") else
                   JOINED_WORD.sub(lambda m: f'<span class="course-nowrap">{m[0]}</span>', part)
                   for part in parts)


def keep_date_whole(match: re.Match) -> str:
    """A table cell holding a date gets the class course-nowrap, beside any class it has.

    >>> keep_date_whole(DATE_CELL.match('<td>2026-03-10</td>'))
    '<td class="course-nowrap">2026-03-10</td>'
    >>> keep_date_whole(DATE_CELL.match('<th class="row_heading level1 row0" >2026-03-10 15:20:00+00:00</th>'))
    '<th class="course-nowrap row_heading level1 row0" >2026-03-10 15:20:00+00:00</th>'
    """
    tag, attrs, date = match["tag"], match["attrs"], match["date"]
    if 'class="' in attrs:
        attrs = attrs.replace('class="', 'class="course-nowrap ', 1)
    else:
        attrs += ' class="course-nowrap"'
    return f"<{tag}{attrs}>{date}</{tag}>"


def link_figures_and_keep_dates_whole(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if not body:
        return
    if "cheatsheet" in body:
        body = CHEATSHEET_TABLE.sub(lambda m: keep_joined_words_whole(m[0]), body)
    if not pagename.startswith("notebooks/"):
        context["body"] = body
        return
    body = OUTPUT_IMAGE.sub(
        lambda m: f'<a class="course-figure-link" href="{m["src"]}">{m[0]}</a>', body)
    body = DATE_CELL.sub(keep_date_whole, body)
    context["body"] = body


REDIRECT = re.compile(r'^<meta http-equiv="Refresh" content="0; url=([^"]+)" />\s*$')


def name_the_favicon_in_the_redirect(app, exception) -> None:
    """sphinx-external-toc's ``index.html`` is a bare redirect; give it a head with the favicon."""
    index = Path(app.outdir) / "index.html"
    if exception is not None or app.builder.format != "html" or not index.exists():
        return
    target = REDIRECT.match(index.read_text(encoding="utf-8"))
    if target is None or not app.config.html_favicon:
        return
    icon = f"_static/{Path(app.config.html_favicon).name}"
    title = html.escape(app.config.html_title or app.config.project)
    index.write_text(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        f'<meta http-equiv="Refresh" content="0; url={target[1]}" />\n'
        f'<link rel="icon" href="{icon}" />\n<title>{title}</title>\n</head>\n'
        f'<body><p><a href="{target[1]}">{title}</a></p></body>\n</html>\n', encoding="utf-8")


def setup(app):
    app.connect("config-inited", numbered_titles, priority=950)  # after sphinx-external-toc (900)
    app.connect("config-inited", one_search_box)
    app.add_post_transform(DropRepeatedIds)
    app.connect("html-page-context", link_figures_and_keep_dates_whole)
    app.add_js_file("course.js", defer="defer")
    app.connect("build-finished", name_the_favicon_in_the_redirect, priority=600)  # after the toc's (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
