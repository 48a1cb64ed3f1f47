"""Sphinx extension: read the notebooks as the book needs them, whatever they carry for
JupyterLab.

``python -m ingress_egress.course lab-ready`` puts page front matter at the top of each
notebook's first cell (``numbering: exercise: enumerator: 2.%s``), which jupyterlab-myst
reads to number the exercises 2.1, 2.2 as the book does. MyST-NB does not read front
matter there: it would render the YAML as text under a rule. This extension takes it out
of the notebook's source before the parser sees it (Sphinx's ``source-read`` event), and
checks that it numbers the exercises by the same chapter as the book
(``course_exercises``, from the file name ``notebooks/NN-name``): a notebook whose front
matter says otherwise fails the strict build.

The notebook's own glossary, which the tool adds for JupyterLab, is a cell tagged
``remove-cell``: MyST-NB leaves it out of the book by itself.
"""

from __future__ import annotations

import json
import re

from sphinx.util import logging

from ingress_egress.lab import split_front_matter

CHAPTER_PAGE = re.compile(r"^notebooks/(\d+)-")
logger = logging.getLogger(__name__)


def drop_lab_front_matter(app, docname: str, source: list[str]) -> None:
    """Remove the front matter from the first markdown cell of a course notebook."""
    chapter = CHAPTER_PAGE.match(docname)
    if chapter is None or not app.env.doc2path(docname).endswith(".ipynb"):
        return
    notebook = json.loads(source[0])
    first = next(
        (cell for cell in notebook["cells"] if cell["cell_type"] == "markdown"), None
    )
    if first is None:
        return
    text = "".join(first["source"])
    front_matter, rest = split_front_matter(text)
    if rest == text:
        return
    enumerator = front_matter.get("numbering", {}).get("exercise", {}).get("enumerator")
    expected = f"{int(chapter.group(1))}.%s"
    if enumerator != expected:
        logger.warning(
            f"the notebook numbers its exercises in JupyterLab with {enumerator!r}, "
            f"the book with {expected!r}: run `make lab-ready`",
            location=docname,
        )
    first["source"] = rest
    source[0] = json.dumps(notebook)


def setup(app):
    app.connect("source-read", drop_lab_front_matter)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
