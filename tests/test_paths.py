"""The learning paths of book/paths.yml against the notebooks themselves.

The minutes are recomputed here from the notebooks' own "**Time to learn**" lines, read with this
file's own patterns, and the budgets come from the course's issue: a 2-hour class fits 120 minutes
and a 4-hour workshop 240, breaks included (each has at least one break); self-study takes between
6 and 11.5 hours, breaks not counted (a learner alone takes them as they like).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import yaml

from ingress_egress.course import learning_paths

ROOT = Path(__file__).resolve().parent.parent
PATHS_FILE = ROOT / "book" / "paths.yml"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))

TIME_LINE = re.compile(r"\*\*Time to learn\*\*: (\d+) minutes teaching, (\d+) minutes exercises\.")
BUDGETS = {"class-2h": (None, 120), "workshop-4h": (None, 240), "self-study": (6 * 60, 11 * 60 + 30)}


def notebook_facts(path: Path) -> dict:
    """Minutes, teaching sections and exercise labels of one notebook, read without the package."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    (teaching, exercises), = TIME_LINE.findall(text)
    without_code = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    headings = [line[3:].strip() for line in without_code.splitlines() if line.startswith("## ")]
    sections = headings[headings.index("Imports") + 1:headings.index("Exercises")]
    labels = re.findall(r"\{exercise(?:-start)?\}[^\n]*\n(?:\s*:\w+:.*\n)*?\s*:label: (\S+)", text)
    return {"teaching": int(teaching), "exercises": int(exercises), "sections": sections, "labels": labels,
            "headings": headings}


FACTS = {path.name[:2]: notebook_facts(path) for path in NOTEBOOKS}
CAPSTONE = next(path.name[:2] for path in NOTEBOOKS if path.name.endswith("-capstone.ipynb"))
DOCUMENT = yaml.safe_load(PATHS_FILE.read_text(encoding="utf-8"))
PATHS = {path["id"]: path for path in DOCUMENT["paths"]}


def chosen(value, everything: list[str]) -> list[str]:
    if value in (None, "all"):
        return list(everything)
    return [] if value == "none" else list(value)


def expected_minutes(step: dict) -> tuple[int, int, int]:
    """(teaching, exercises, break) minutes of one step, by the rule stated in paths.yml."""
    if "break" in step:
        return 0, 0, step["break"]
    facts = FACTS[step["notebook"]]
    sections = [s for s in chosen(step.get("sections"), facts["sections"]) if s not in step.get("skip", [])]
    exercises = chosen(step.get("exercises"), facts["labels"])
    teaching = math.ceil(facts["teaching"] * len(sections) / len(facts["sections"]))
    practice = math.ceil(facts["exercises"] * len(exercises) / len(facts["labels"]))
    return teaching, practice, 0


def test_the_three_paths_exist():
    assert set(PATHS) == set(BUDGETS)
    assert len(FACTS) >= 10 and all(facts["sections"] and facts["labels"] for facts in FACTS.values())


@pytest.mark.parametrize("path_id", sorted(BUDGETS))
def test_total_is_the_sum_of_the_notebooks_own_minutes(path_id):
    expected = [expected_minutes(step) for step in PATHS[path_id]["steps"]]
    computed = learning_paths(ROOT / "notebooks", PATHS_FILE)[path_id]
    assert computed.steps["teaching_minutes"].tolist() == [t for t, _, _ in expected]
    assert computed.steps["exercise_minutes"].tolist() == [e for _, e, _ in expected]
    assert computed.total_minutes == sum(map(sum, expected))
    running = computed.steps["running_minutes"].tolist()
    assert running[-1] == computed.total_minutes and running == sorted(running)


def test_a_whole_notebook_step_takes_exactly_what_the_notebook_states():
    for step in PATHS["self-study"]["steps"]:
        if "notebook" in step and set(step) == {"notebook"}:
            facts = FACTS[step["notebook"]]
            assert expected_minutes(step) == (facts["teaching"], facts["exercises"], 0)


@pytest.mark.parametrize("path_id", sorted(BUDGETS))
def test_fits_its_budget(path_id):
    steps = PATHS[path_id]["steps"]
    total = sum(sum(expected_minutes(step)) for step in steps)
    low, high = BUDGETS[path_id]
    assert total <= high, f"{path_id}: {total} minutes, over its {high}"
    if low is not None:
        assert total >= low, f"{path_id}: {total} minutes, under {low}"
    breaks = [step["break"] for step in steps if "break" in step]
    if path_id == "self-study":
        assert breaks == []
    else:
        assert breaks, f"{path_id}: a class of {high} minutes needs a break"
    assert PATHS[path_id]["budget_minutes"] == high


def test_self_study_is_the_whole_course():
    """Every notebook and section; at least three exercises of each notebook (all of one with fewer), none
    of the capstone's, which need the learner's own files. (With eleven notebooks of lessons, every
    exercise of every one no longer fits the day's nine hours.)"""
    steps = PATHS["self-study"]["steps"]
    assert [step["notebook"] for step in steps] == sorted(FACTS)
    for step in steps:
        assert step.get("sections", "all") == "all" and "skip" not in step
        if step["notebook"] == CAPSTONE:
            assert step.get("exercises") == "none"
            continue
        labels = FACTS[step["notebook"]]["labels"]
        assert len(chosen(step.get("exercises"), labels)) >= min(3, len(labels)), step["notebook"]


@pytest.mark.parametrize("path_id", sorted(BUDGETS))
def test_references_only_existing_notebooks_sections_and_exercises(path_id):
    for number, step in enumerate(PATHS[path_id]["steps"], start=1):
        if "break" in step:
            assert set(step) <= {"break", "note"} and step["break"] > 0
            continue
        assert set(step) <= {"notebook", "sections", "skip", "exercises", "note"}, f"step {number}: {set(step)}"
        facts = FACTS[step["notebook"]]
        for title in chosen(step.get("sections"), facts["sections"]) + list(step.get("skip", [])):
            assert title in facts["headings"], f"step {number}: no '## {title}' in notebook {step['notebook']}"
            assert title in facts["sections"], f"step {number}: '## {title}' is not a teaching section"
        for label in chosen(step.get("exercises"), facts["labels"]):
            assert label in facts["labels"], f"step {number}: no exercise {label} in notebook {step['notebook']}"
            assert label.startswith(f"ex-{step['notebook']}-")


@pytest.mark.parametrize("path_id", sorted(BUDGETS))
def test_notebooks_in_reading_order_each_once(path_id):
    numbers = [step["notebook"] for step in PATHS[path_id]["steps"] if "notebook" in step]
    assert numbers == sorted(set(numbers))
    assert numbers[0] == "00", "every path starts where the course starts"


def test_the_file_holds_no_minutes_but_breaks_and_budgets():
    for path in DOCUMENT["paths"]:
        assert set(path) == {"id", "title", "summary", "budget_minutes", "steps"}
        for step in path["steps"]:
            numbers = {key for key, value in step.items() if isinstance(value, (int, float))}
            assert numbers <= {"break"}, f"{path['id']}: {step} (a notebook number is a string, \"01\")"


@pytest.mark.book
@pytest.mark.parametrize(("path_id", "anchor"), [("self-study", "self-study-about-two-days"),
                                                 ("class-2h", "a-2-hour-class"), ("workshop-4h", "a-4-hour-workshop")])
def test_lesson_plans_show_the_computed_times(built_book, path_id, anchor):
    html = (built_book / "book" / "instructor" / "lesson-plans.html").read_text(encoding="utf-8")
    section = html[html.index(f'id="{anchor}"'):]
    total = sum(sum(expected_minutes(step)) for step in PATHS[path_id]["steps"])
    shown = re.search(r"<strong>(\d+) minutes</strong>", section)
    assert shown and int(shown.group(1)) == total
    table = section[:section.index("</table>")]
    running = re.findall(r"<td><p>(\d+:\d\d)</p></td>\s*</tr>", table)
    assert running[-1] == f"{total // 60}:{total % 60:02d}"
    linked = re.findall(r'href="\.\./\.\./(notebooks/\d\d-[^".#]+)\.html"><span class="std std-doc">', table)
    assert [doc[10:12] for doc in linked] == [s["notebook"] for s in PATHS[path_id]["steps"] if "notebook" in s]
