"""ingress_egress.lab on small hand-made notebooks: made ready for JupyterLab, compared,
reset.

The notebooks here are written the way authors write the course's: an ``{exercise}`` per
question, gated ``solution-start``/``solution-end`` around the solution's cells,
``{term}`` roles.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from ingress_egress import course, lab
from ingress_egress.glossary import parse_glossary
from ingress_egress.lab import (
    LabReadyError,
    ResetError,
    is_lab_ready,
    make_lab_ready,
    split_front_matter,
)

ROOT = Path(__file__).resolve().parent.parent

GLOSSARY = """# Glossary

```{glossary}
egress
  Outwards, see {term}`ingress`.
  Taught in [Direction](../notebooks/01-direction.ipynb).

ingress
inbound
  Inwards.
```
"""


def md(text: str) -> dict:
    return nbformat.v4.new_markdown_cell(text)


def code(text: str, output: str = "") -> dict:
    cell = nbformat.v4.new_code_cell(text, execution_count=1)
    if output:
        cell["outputs"] = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    return cell


def exercise(label: str, question: str = "Which way?") -> list[dict]:
    """An exercise as the notebooks write it: statement, answer cell, gated solution
    (code, then prose).
    """
    return [
        md(f":::{{exercise}}\n:label: {label}\n{question}\n:::"),
        code("answer = None\n_ = check(label, answer)", "Not answered yet.\n"),
        md(f":::{{solution-start}} {label}\n:class: dropdown\n:::"),
        code("print('egress')", "egress\nCorrect.\n"),
        md("It is egress: the answer, in words."),
        md(":::{solution-end}\n:::"),
    ]


def a_notebook(*exercises: list[dict]) -> dict:
    cells = [md("# Direction\n\nA promise about {term}`egress`."), md("## Exercises")]
    for cells_of_one in exercises:
        cells += cells_of_one
    cells += [md("## Resources\n\n- A source."), md("← [Start](00-start.ipynb)")]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook["metadata"]["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return notebook


@pytest.fixture
def entries():
    return parse_glossary(GLOSSARY)


def test_front_matter_numbers_the_exercises_by_chapter(entries):
    ready = make_lab_ready(
        a_notebook(exercise("ex-02-a")), "02-direction.ipynb", entries
    )
    first = ready["cells"][0]["source"]
    assert first.startswith(
        "---\nnumbering:\n  exercise:\n    enumerator: 2.%s\n---\n# Direction\n"
    )
    ready = make_lab_ready(
        a_notebook(exercise("ex-13-a")), "13-capstone.ipynb", entries
    )
    assert split_front_matter(ready["cells"][0]["source"])[0] == {
        "numbering": {"exercise": {"enumerator": "13.%s"}}
    }


def test_front_matter_already_there_keeps_its_other_keys(entries):
    notebook = a_notebook(exercise("ex-02-a"))
    notebook["cells"][0]["source"] = (
        "---\nnumbering:\n  exercise:\n    enumerator: "
        "7.%s\n  figure: false\nauthor: A\n---\n# T"
    )
    front_matter, body = split_front_matter(
        make_lab_ready(notebook, "02-x.ipynb", entries)["cells"][0]["source"]
    )
    assert front_matter == {
        "numbering": {"exercise": {"enumerator": "2.%s"}, "figure": False},
        "author": "A",
    }
    assert body == "# T"


def lab_cells(notebook: dict) -> list[tuple[str, str, dict]]:
    return [
        (c["id"], c["source"], c["metadata"])
        for c in notebook["cells"]
        if c["id"].startswith("lab-")
    ]


def test_a_heading_before_each_exercise_and_a_collapsed_one_before_each_solution(
    entries,
):
    notebook = a_notebook(exercise("ex-02-a"), exercise("ex-02-b"))
    ready = make_lab_ready(notebook, "02-direction.ipynb", entries)
    sources = [c["source"] for c in ready["cells"]]
    for number, label in (("2.1", "ex-02-a"), ("2.2", "ex-02-b")):
        at = sources.index(f":::{{exercise}}\n:label: {label}\nWhich way?\n:::")
        assert sources[at - 1] == f"### Exercise {number}"
        assert sources[at + 1].startswith(
            "answer = None"
        )  # the answer cell stays in view
        assert sources[at + 2] == f"#### Solution to Exercise {number}"
        assert sources[at + 3].startswith(f":::{{solution-start}} {label}")
        assert ready["cells"][at - 1]["metadata"] == {
            "editable": False,
            "tags": ["remove-cell"],
        }
        assert ready["cells"][at + 2]["metadata"] == {
            "editable": False,
            "jp-MarkdownHeadingCollapsed": True,
            "tags": ["remove-cell"],
        }
    assert [cell_id for cell_id, _, _ in lab_cells(ready)] == [
        "lab-exercise-ex-02-a",
        "lab-solution-ex-02-a",
        "lab-exercise-ex-02-b",
        "lab-solution-ex-02-b",
        "lab-glossary",
    ]
    # The notebook's own cells are untouched but for the front matter of the first and
    # the solutions' code cells, stored folded (input and output).
    own = [c for c in ready["cells"] if not c["id"].startswith("lab-")]
    assert [c["source"] for c in own[1:]] == [
        c["source"] for c in notebook["cells"][1:]
    ]
    solution_code = {5, 11}  # print('egress') in each of the two solutions
    assert [c["source"] for c in own if c["cell_type"] == "code"][1::2] == [
        "print('egress')"
    ] * 2
    for index, (mine, theirs) in enumerate(zip(own, notebook["cells"])):
        expected = dict(theirs["metadata"])
        if index in solution_code:
            expected["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
        assert mine["metadata"] == expected, index
    assert (
        own[5]["outputs"][0]["text"] == "egress\nCorrect.\n"
    )  # solution outputs kept, for nbval


def test_only_the_solutions_code_is_folded_keeping_other_jupyter_metadata(entries):
    notebook = a_notebook(exercise("ex-02-a"))
    answer, solution = notebook["cells"][3], notebook["cells"][5]
    assert solution["source"] == "print('egress')"
    solution["metadata"]["jupyter"] = {"outputs_hidden": False, "x": 1}
    answer["metadata"]["jupyter"] = {"source_hidden": False}
    ready = make_lab_ready(notebook, "02-direction.ipynb", entries)
    folded = {
        c["source"]: c["metadata"].get("jupyter")
        for c in ready["cells"]
        if c["cell_type"] == "code"
    }
    assert folded == {
        "answer = None\n_ = check(label, answer)": {"source_hidden": False},
        "print('egress')": {"source_hidden": True, "outputs_hidden": True, "x": 1},
    }
    # the solution's prose is hidden by its heading, not folded cell by cell
    prose = next(c for c in ready["cells"] if c["source"].startswith("It is egress"))
    assert "jupyter" not in prose["metadata"]


def test_headings_are_renumbered_when_an_exercise_comes_before_them(entries):
    ready = make_lab_ready(a_notebook(exercise("ex-02-b")), "02-x.ipynb", entries)
    at = (
        next(i for i, c in enumerate(ready["cells"]) if c["source"] == "## Exercises")
        + 1
    )
    ready["cells"][at:at] = exercise(
        "ex-02-a"
    )  # a new first exercise, written as authors do
    again = make_lab_ready(ready, "02-x.ipynb", entries)
    assert [source for _, source, _ in lab_cells(again)][:4] == [
        "### Exercise 2.1",
        "#### Solution to Exercise 2.1",
        "### Exercise 2.2",
        "#### Solution to Exercise 2.2",
    ]


def test_each_notebook_gets_its_glossary_before_resources_once(entries):
    notebook = a_notebook(
        exercise("ex-02-a", "Is it {term}`inbound <inbound>` or {term}`Egress`?")
    )
    ready = make_lab_ready(notebook, "02-x.ipynb", entries)
    twice = make_lab_ready(ready, "02-x.ipynb", entries)
    glossaries = [
        i for i, c in enumerate(twice["cells"]) if c.get("id") == lab.GLOSSARY_CELL_ID
    ]
    assert len(glossaries) == 1
    cell = twice["cells"][glossaries[0]]
    assert twice["cells"][glossaries[0] + 1]["source"].startswith("## Resources")
    assert cell["metadata"] == {"editable": False, "tags": ["remove-cell"]}
    assert [c["source"] for c in twice["cells"]].count("### Exercise 2.1") == 1
    assert cell["source"] == (
        f"{lab.GLOSSARY_LEAD}\n\n:::{{glossary}}\n"
        "egress\n: Outwards, see ingress. Taught in "
        "[Direction](01-direction.ipynb).\n\ninbound\n: Inwards.\n:::"
    )


def test_no_term_no_glossary(entries):
    notebook = a_notebook(exercise("ex-02-a"))
    notebook["cells"][0]["source"] = "# Direction\n\nNo terms here."
    assert all(
        c.get("id") != lab.GLOSSARY_CELL_ID
        for c in make_lab_ready(notebook, "02-x.ipynb", entries)["cells"]
    )


def test_the_kernel_gets_the_name_ipykernel_installs(entries):
    ready = make_lab_ready(a_notebook(exercise("ex-02-a")), "02-x.ipynb", entries)
    assert ready["metadata"]["kernelspec"] == {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }


def test_making_ready_is_idempotent_and_leaves_the_input_alone(entries):
    notebook = a_notebook(exercise("ex-02-a"), exercise("ex-02-b", "{term}`ingress`?"))
    before = json.dumps(notebook, sort_keys=True)
    ready = make_lab_ready(notebook, "02-x.ipynb", entries)
    assert json.dumps(notebook, sort_keys=True) == before
    assert not is_lab_ready(notebook, "02-x.ipynb", entries)
    assert is_lab_ready(ready, "02-x.ipynb", entries)
    assert make_lab_ready(ready, "02-x.ipynb", entries) == ready


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda cells: cells.__setitem__(2, md(":::{solution-start} ex-02-zz\n:::")),
            "solution to 'ex-02-zz', which is no exercise",
        ),
        (lambda cells: cells.pop(7), "has no solution-end"),
        (
            lambda cells: cells.insert(5, md(":::{solution-start} ex-02-a\n:::")),
            "starts inside the one opened at cell 4",
        ),
        (
            lambda cells: cells.insert(1, md(":::{solution-end}\n:::")),
            "cell 1: solution-end without a solution-start",
        ),
    ],
)
def test_a_broken_solution_is_an_error_naming_the_notebook_and_cell(
    entries, change, message
):
    notebook = a_notebook(exercise("ex-02-a"))
    change(notebook["cells"])
    with pytest.raises(LabReadyError, match=message) as error:
        make_lab_ready(notebook, "02-x.ipynb", entries)
    assert str(error.value).startswith("02-x.ipynb: ")


def test_a_notebook_named_otherwise_is_an_error(entries):
    with pytest.raises(LabReadyError, match="named NN-name.ipynb"):
        make_lab_ready(a_notebook(exercise("ex-02-a")), "Untitled.ipynb", entries)


def test_the_command_checks_and_makes_ready(tmp_path, capsys):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "glossary.md").write_text(GLOSSARY)
    nbformat.write(
        a_notebook(exercise("ex-02-a")), tmp_path / "notebooks" / "02-x.ipynb"
    )
    args = [
        "--notebooks",
        str(tmp_path / "notebooks"),
        "--glossary",
        str(tmp_path / "glossary.md"),
    ]
    assert course.main(["lab-ready", "--check", *args]) == 1
    assert "02-x.ipynb is not ready for JupyterLab" in capsys.readouterr().out
    assert course.main(["lab-ready", *args]) == 0
    assert course.main(["lab-ready", "--check", *args]) == 0
    assert "already" in (course.main(["lab-ready", *args]), capsys.readouterr().out)[1]


# --- the book's extension takes the front matter out again ----------------------------


def load_book_extension():
    spec = importlib.util.spec_from_file_location(
        "lab_notebooks", ROOT / "book" / "_ext" / "lab_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeApp:
    class env:
        @staticmethod
        def doc2path(docname):
            return f"/book/{docname}.ipynb"


def test_the_book_reads_the_notebook_without_its_front_matter(entries):
    extension = load_book_extension()
    ready = make_lab_ready(a_notebook(exercise("ex-02-a")), "02-x.ipynb", entries)
    source = [nbformat.writes(nbformat.from_dict(ready))]
    extension.drop_lab_front_matter(FakeApp, "notebooks/02-x", source)
    cells = json.loads(source[0])["cells"]
    assert (
        "".join(cells[0]["source"]) == "# Direction\n\nA promise about {term}`egress`."
    )
    assert ["".join(c["source"]) for c in cells[1:]] == [
        c["source"] for c in ready["cells"][1:]
    ]


def test_the_book_warns_when_the_front_matter_numbers_another_chapter(
    entries, monkeypatch
):
    extension = load_book_extension()
    warnings = []
    monkeypatch.setattr(
        extension.logger, "warning", lambda message, **kwargs: warnings.append(message)
    )
    ready = make_lab_ready(a_notebook(exercise("ex-02-a")), "02-x.ipynb", entries)
    extension.drop_lab_front_matter(
        FakeApp, "notebooks/05-x", [nbformat.writes(nbformat.from_dict(ready))]
    )
    assert warnings == [
        "the notebook numbers its exercises in JupyterLab with '2.%s', the book with "
        "'5.%s': run `make lab-ready`"
    ]


# --- starting over --------------------------------------------------------------------


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A course folder under git with two committed notebooks."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed (reset restores notebooks from git)")
    (tmp_path / "notebooks").mkdir()
    for name in ("01-direction.ipynb", "02-packets.ipynb"):
        (tmp_path / "notebooks" / name).write_text(f'{{"committed": "{name}"}}\n')
    git = [
        "git",
        "-C",
        str(tmp_path),
        "-c",
        "user.name=Course",
        "-c",
        "user.email=course@example.org",
    ]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "The course"], check=True)
    return tmp_path


def test_changed_notebooks_lists_edited_and_new_ones(checkout):
    assert lab.changed_notebooks(checkout) == []
    (checkout / "notebooks" / "02-packets.ipynb").write_text('{"mine": 1}\n')
    (checkout / "notebooks" / "Untitled.ipynb").write_text("{}\n")
    (checkout / "notebooks" / ".ipynb_checkpoints").mkdir()
    (
        checkout / "notebooks" / ".ipynb_checkpoints" / "02-packets-checkpoint.ipynb"
    ).write_text("{}\n")
    assert lab.changed_notebooks(checkout) == [
        "notebooks/02-packets.ipynb",
        "notebooks/Untitled.ipynb",
    ]


def test_changed_notebooks_is_none_outside_a_checkout(tmp_path):
    assert lab.changed_notebooks(tmp_path) is None


def test_reset_puts_the_committed_notebook_back_and_keeps_each_version(checkout):
    notebook = checkout / "notebooks" / "02-packets.ipynb"
    notebook.write_text('{"mine": 1}\n')
    message = lab.reset_notebook(checkout, "02")
    assert notebook.read_text() == '{"committed": "02-packets.ipynb"}\n'
    assert (checkout / "backups" / "02-packets.1.ipynb").read_text() == '{"mine": 1}\n'
    assert "backups/02-packets.1.ipynb" in message
    notebook.write_text('{"mine": 2}\n')
    lab.reset_notebook(checkout, "2")
    assert (checkout / "backups" / "02-packets.2.ipynb").read_text() == '{"mine": 2}\n'
    assert (checkout / "backups" / "02-packets.1.ipynb").read_text() == '{"mine": 1}\n'
    assert "already as committed" in lab.reset_notebook(checkout, "02")
    assert lab.changed_notebooks(checkout) == []


def test_reset_says_what_it_cannot_do(checkout, tmp_path_factory):
    with pytest.raises(ResetError, match="no notebook 07; the course has 01, 02"):
        lab.reset_notebook(checkout, "07")
    with pytest.raises(ResetError, match="'2a' is not a notebook number"):
        lab.reset_notebook(checkout, "2a")
    (checkout / "notebooks" / "03-new.ipynb").write_text("{}\n")
    with pytest.raises(
        ResetError, match="notebooks/03-new.ipynb: no committed version"
    ):
        lab.reset_notebook(checkout, "03")
    unpacked = tmp_path_factory.mktemp("zip")
    shutil.copytree(checkout / "notebooks", unpacked / "notebooks")
    with pytest.raises(ResetError, match="not a git checkout"):
        lab.reset_notebook(unpacked, "01")


def test_reset_all_from_the_command_line(checkout, capsys):
    for name in ("01-direction.ipynb", "02-packets.ipynb"):
        (checkout / "notebooks" / name).write_text('{"mine": 1}\n')
    (checkout / "notebooks" / "Untitled.ipynb").write_text("{}\n")
    assert course.main(["reset", "all", "--root", str(checkout)]) == 0
    assert lab.changed_notebooks(checkout) == [
        "notebooks/Untitled.ipynb"
    ]  # not a course notebook
    assert course.main(["reset", "07", "--root", str(checkout)]) == 1
    assert "make reset: no notebook 07" in capsys.readouterr().err
    assert course.main(["changed", "--root", str(checkout)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "  notebooks/Untitled.ipynb",
        "`make reset NOTEBOOK=NN` puts notebook NN back as "
        "committed (your version is kept in backups/).",
    ]
