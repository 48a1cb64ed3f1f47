"""Sphinx extension: exercises numbered by chapter, and a classroom edition without solutions.

Numbering. sphinx-exercise numbers exercises like figures, 1 to N across the whole book (the first
exercise of notebook 01 would be "Exercise 4", after the three of notebook 00). Here every
exercise of ``notebooks/NN-name`` is renumbered ``NN.k``, its chapter and its place in the
notebook: the second exercise of notebook 01 is "Exercise 1.2", the first of notebook 00 is
"Exercise 0.1", the capstone's are 13.x. The numbers are rewritten where Sphinx keeps them
(``env.toc_fignumbers``), right after Sphinx assigns them, so the exercise titles, the solutions'
"Solution to Exercise 1.2" and every ``{ref}``/``{numref}`` to an exercise all show the same number,
and headings stay unnumbered. Pages outside ``notebooks/`` keep Sphinx's numbers.

Classroom edition. With ``hide_solutions: true`` sphinx-exercise drops ``solution`` blocks, but
its gated form (``solution-start`` ... ``solution-end``, which the notebooks use so that solution
code runs) crashes the build instead: the start directive returns nothing and the end marker is
left behind with no HTML writer (executablebooks/sphinx-exercise issue 89, open in 1.2.1). Here
the start directive always builds its solution, and once sphinx-exercise has merged the gated
block (start, the cells in between, end) into one solution, the whole of it is removed. The
solution's code, outputs and images never reach the page or the search index. Nor does anything
hand out the notebooks, which carry the solutions: with ``hide_solutions`` the page sources are
not copied into the book and the download and launch (Binder) buttons are left out. The build
then also has the tag ``classroom``, so a page can leave out what speaks of them
(```` ```{only} not classroom ```` ).
"""

from __future__ import annotations

import re

from sphinx.transforms import SphinxTransform
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_node

CHAPTER_PAGE = re.compile(r"^notebooks/(\d+)-")


def number_by_chapter(app, env) -> list[str]:
    """Renumber each notebook's exercises (chapter, position); called after Sphinx numbers figures."""
    for docname, numbers in env.toc_fignumbers.items():
        chapter = CHAPTER_PAGE.match(docname)
        if chapter is None or "exercise" not in numbers:
            continue
        in_page_order = sorted(numbers["exercise"].items(), key=lambda item: item[1])
        numbers["exercise"] = {
            node_id: (int(chapter.group(1)), position)
            for position, (node_id, _) in enumerate(in_page_order, start=1)
        }
    return []


class SolutionStartEvenWhenHidden(SolutionStartDirective):
    """``solution-start`` that builds its solution even with ``hide_solutions``, so that it can be removed whole."""

    def run(self):
        config = self.env.app.config
        hidden = config.hide_solutions
        config.hide_solutions = False
        try:
            return super().run()
        finally:
            config.hide_solutions = hidden


class RemoveSolutions(SphinxTransform):
    """With ``hide_solutions``, remove every solution, gated ones included (after they are merged)."""

    default_priority = 11  # sphinx-exercise merges gated solutions at priority 10

    def apply(self, **kwargs) -> None:
        if not self.config.hide_solutions:
            return
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in list(self.document.findall(solution_node)):
            registry.pop(node.get("label"), None)
            node.parent.remove(node)


def leave_out_the_notebooks(app, config) -> None:
    """With ``hide_solutions``: no copies of the sources, no download button, no launch buttons."""
    if config.hide_solutions:
        app.tags.add("classroom")
        config.html_copy_source = False
        config.html_theme_options = {**config.html_theme_options, "use_download_button": False,
                                     "launch_buttons": {}}


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.connect("config-inited", leave_out_the_notebooks)
    app.connect("env-get-updated", number_by_chapter, priority=900)  # after Sphinx's own numbering (500)
    app.add_directive("solution-start", SolutionStartEvenWhenHidden, override=True)
    app.add_transform(RemoveSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
