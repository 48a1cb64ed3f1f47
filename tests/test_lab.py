"""JupyterLab in a real browser, as a learner meets the course with `make lab`.

`jupyter lab` runs on 127.0.0.1 with a token, the course's own settings
(``jupyter-config/lab/ settings``, which `make lab` passes too) and empty user settings
and workspaces, on a copy of the course, so that nothing the tests run or save touches
the real notebooks. Playwright drives Debian's Chromium against it and checks what the
learner sees:

- every notebook opens with no error dialog, no pop-up or notification (such as
  JupyterLab's "Would you like to get notified about official Jupyter news?"), no script
  or console error, and without being marked as changed;
- its exercises carry the numbers the built book gives them ("Exercise 2.1");
- every solution is hidden, and nothing else: its cells (code, outputs, prose) sit under
  a collapsed heading "Solution to Exercise 2.1", and one click on "N cells hidden"
  shows them all;
- hovering a glossary term shows its definition, clicking it brings its entry into view;
- *Clear Outputs of All Cells* then *Run All* run notebooks 01 and 02 with no error
  output, the solutions stay hidden and the learner's answer cells say "Not answered
  yet.";
- no request leaves 127.0.0.1 (the kernels also run with the network cut off, see
  conftest.py).

The test server also exposes JupyterLab's application object to the page
(``expose_app_in_browser``), only to learn from the notebook's model when *Run All* has
finished. The server is stopped by its process (and its kernels by their process group)
after the tests. A screenshot of each notebook, taken at its first exercise, is saved
under the pytest temporary folder (``lab-screenshots/``). Without Chromium these tests
skip with the reason, except in CI, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_FLAGS, _require

from ingress_egress.glossary import parse_role, read_glossary
from ingress_egress.lab import GLOSSARY_CELL_ID

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
LAB_SETTINGS = ROOT / "jupyter-config" / "lab" / "settings"
TIMEOUT_MS = 180_000
NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of the course, as `make lab` starts it; yields (base URL,
    token).
    """
    _require(
        Path(CHROMIUM).exists(),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    copy = tmp_path_factory.mktemp("course")
    for folder in ("notebooks", "data", "book"):
        shutil.copytree(
            ROOT / folder,
            copy / folder,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
        )
    home = tmp_path_factory.mktemp("jupyter-home")
    token, port = secrets.token_hex(16), free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={copy}",
        f"--LabApp.app_settings_dir={LAB_SETTINGS}",
        f"--LabApp.user_settings_dir={home / 'user-settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        command,
        cwd=copy,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (
                "jupyter lab stopped:\n" + (home / "server.log").read_text()[-3000:]
            )
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "jupyter lab did not answer in 60 s"
                time.sleep(0.5)
        yield base, token
    finally:
        server.send_signal(
            signal.SIGTERM
        )  # the server shuts its kernels down, then exits
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        try:
            os.killpg(
                server.pid, signal.SIGKILL
            )  # any kernel of this server's process group left behind
        except ProcessLookupError:
            pass
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("lab-screenshots", numbered=False)


def shut_down_kernels(base: str, token: str) -> None:
    """End every kernel session of the server (each opened notebook starts one)."""
    headers = {"Authorization": f"token {token}"}
    with urllib.request.urlopen(
        urllib.request.Request(f"{base}/api/sessions", headers=headers)
    ) as answer:
        sessions = json.load(answer)
    for session in sessions:
        request = urllib.request.Request(
            f"{base}/api/sessions/{session['id']}", headers=headers, method="DELETE"
        )
        urllib.request.urlopen(request).close()


@pytest.fixture
def page(browser, lab):
    """A fresh page that records every request and websocket it opens, and every error
    it meets.
    """
    base, token = lab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.requests, tab.errors = [], []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("websocket", lambda socket_: tab.requests.append(socket_.url))
    tab.on("pageerror", lambda error: tab.errors.append(f"script error: {error}"))
    tab.on(
        "console",
        lambda message: (
            tab.errors.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    yield tab
    context.close()
    shut_down_kernels(base, token)


def notebook_file(name: str) -> dict:
    return json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"])


def open_notebook(page, lab, name: str) -> dict:
    """Open a notebook in a fresh workspace and wait until every cell is there,
    rendered, and the kernel idle.

    Returns the notebook's file content.
    """
    base, token = lab
    notebook = notebook_file(name)
    exercises = len(
        re.findall(
            r"^:::\{exercise\}",
            "\n".join(source(c) for c in notebook["cells"]),
            re.MULTILINE,
        )
    )
    page.goto(f"{base}/lab/tree/notebooks/{name}?reset&token={token}")
    page.wait_for_function(
        """([panel, cells, exercises]) => {
             const notebook = document.querySelector(panel + ' .jp-Notebook');
             return notebook && notebook.querySelectorAll('.jp-Cell').length === cells
                 && notebook.querySelectorAll('aside.myst-exercise').length
                    >= exercises;
           }""",
        arg=[NOTEBOOK_PANEL, len(notebook["cells"]), exercises],
    )
    page.wait_for_selector(
        f"{NOTEBOOK_PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']"
    )
    return notebook


def cell(page, index: int):
    return page.locator(
        f"{NOTEBOOK_PANEL} .jp-Notebook .jp-Cell[data-windowed-list-index='{index}']"
    )


def solutions(notebook: dict) -> dict[int, list[int]]:
    """Each solution's heading cell (the cell before its solution-start), with the cells
    of the solution, from solution-start to solution-end."""
    found, start = {}, None
    for index, cell_ in enumerate(notebook["cells"]):
        text = source(cell_)
        if text.startswith(":::{solution-start}"):
            start = index
        elif text.startswith(":::{solution-end}"):
            found[start - 1] = list(range(start, index + 1))
    return found


def hidden_cells(page) -> list[int]:
    """The cells JupyterLab hides (under a collapsed heading), by index."""
    return page.evaluate(
        """panel => Array.from(
               document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell.lm-mod-hidden')
             )
             .map(cell => Number(cell.dataset.windowedListIndex))
             .sort((a, b) => a - b)""",
        NOTEBOOK_PANEL,
    )


def check_quiet(page, base: str, name: str, unchanged: bool = False) -> None:
    """No dialog, no notification, no error, nothing from elsewhere; with ``unchanged``,
    the notebook not marked as changed (showing a solution or running a cell does change
    it)."""
    assert page.locator(".jp-Dialog").count() == 0, (
        f"{name}: a dialog: {page.locator('.jp-Dialog').all_inner_texts()}"
    )
    toasts = page.locator(".Toastify__toast").all_inner_texts()
    assert toasts == [], f"{name}: notifications: {toasts}"
    assert page.locator(f"{NOTEBOOK_PANEL}").count() == 1
    assert (
        not unchanged
        or page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() == 0
    ), f"{name}: JupyterLab marks the notebook as changed just by opening it"
    assert page.errors == [], f"{name}: {page.errors}"
    host = base.split("://", 1)[1]
    outside = sorted(
        {
            url
            for url in page.requests
            if not url.startswith(
                (f"http://{host}/", f"ws://{host}/", "data:", "blob:", "about:")
            )
        }
    )
    assert outside == [], f"{name}: requests that leave 127.0.0.1: {outside}"


def book_exercise_numbers(built_book: Path, name: str) -> list[str]:
    html = (built_book / "notebooks" / f"{Path(name).stem}.html").read_text(
        encoding="utf-8"
    )
    return re.findall(
        r'<span class="caption-number">Exercise[\s\u00a0]+(\d+\.\d+)', html
    )


def lab_exercise_numbers(page) -> tuple[list[str], list[str]]:
    """The numbers in the exercises' titles, and in the headings before them, as
    JupyterLab shows them.
    """
    found = page.evaluate(
        """panel => [
               Array.from(document.querySelectorAll(
                   panel + ' aside.myst-exercise .myst-exercise-title')),
               Array.from(document.querySelectorAll(panel + ' .jp-MarkdownCell h3'))]
             .map(elements => elements.map(element => element.textContent.trim()))""",
        NOTEBOOK_PANEL,
    )
    return tuple(
        [
            match.group(1)
            for title in titles
            if (match := re.fullmatch(r"Exercise\s+(\d+\.\d+)\W*", title))
        ]
        for titles in found
    )


def scroll_to(page, index: int) -> None:
    # Twice: cells above may grow as they render (figures, MyST) and push the target
    # down again.
    for _ in range(2):
        cell(page, index).scroll_into_view_if_needed()
        page.wait_for_timeout(300)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_opens_quietly_numbered_as_the_book_with_solutions_hidden(
    page, lab, path, built_book, screenshots
):
    name = path.name
    notebook = open_notebook(page, lab, name)
    numbers = book_exercise_numbers(built_book, name)
    titles, headings = lab_exercise_numbers(page)
    assert numbers and titles == numbers and headings == numbers, (
        f"{name}: JupyterLab numbers the exercises {titles} "
        f"(headings {headings}), the book {numbers}"
    )

    blocks = solutions(notebook)
    assert len(blocks) == len(numbers)
    assert hidden_cells(page) == sorted(
        i for cells in blocks.values() for i in cells
    ), f"{name}: the hidden cells are not exactly the solutions"
    for heading, cells in blocks.items():
        button = cell(page, heading).locator(".jp-showHiddenCellsButton")
        assert " ".join(button.text_content().split()) == f"{len(cells)} cells hidden"

    first = next(
        i
        for i, c in enumerate(notebook["cells"])
        if source(c).startswith(":::{exercise}")
    )
    scroll_to(page, first - 1)
    page.screenshot(path=screenshots / f"{path.stem}.png")
    check_quiet(page, lab[0], name, unchanged=True)


def test_a_hidden_solution_shows_with_one_click_and_its_code_with_one_more(page, lab):
    name = "02-packets-and-flows.ipynb"
    notebook = open_notebook(page, lab, name)
    heading, cells = next(iter(solutions(notebook).items()))
    scroll_to(page, heading)
    cell(page, heading).locator(".jp-showHiddenCellsButton").click()
    page.wait_for_function(
        "([panel, index]) => !document.querySelector(panel + ` "
        ".jp-Cell[data-windowed-list-index='${index}']`).classList.contains('lm-mod-hidden')",
        arg=[NOTEBOOK_PANEL, cells[-1]],
    )
    assert not set(cells) & set(hidden_cells(page))
    code = next(i for i in cells if notebook["cells"][i]["cell_type"] == "code")
    prose = next(
        i for i in cells[1:-1] if notebook["cells"][i]["cell_type"] == "markdown"
    )
    solution_code = notebook["cells"][code]
    stored = "".join("".join(o.get("text", "")) for o in solution_code["outputs"])
    verdict = stored.strip().splitlines()[-1]  # its own "Correct."

    def shown() -> str:
        return " ".join(cell(page, code).inner_text().replace("\xa0", " ").split())

    # The code cell stays folded, input and output, until its bars are clicked.
    scroll_to(page, code)
    assert verdict not in shown()
    for bar in (".jp-InputPlaceholder", ".jp-OutputPlaceholder"):
        cell(page, code).locator(f"{bar} .jp-Placeholder-content").click()
    page.wait_for_function(
        "([panel, index]) => !document.querySelector(panel + ` "
        ".jp-Cell[data-windowed-list-index='${index}'] .jp-OutputPlaceholder`)",
        arg=[NOTEBOOK_PANEL, code],
    )
    lines = [" ".join(line.split()) for line in source(solution_code).splitlines()]
    assert all(line in shown() for line in lines if line)  # its code ...
    assert verdict in shown()  # ... and its verdict
    scroll_to(page, prose)
    first_words = " ".join(source(notebook["cells"][prose]).split()[:6])
    assert first_words in " ".join(cell(page, prose).inner_text().split())
    check_quiet(page, lab[0], name)


def test_a_glossary_term_shows_its_entry(page, lab, screenshots):
    name = "02-packets-and-flows.ipynb"
    notebook = open_notebook(page, lab, name)
    entries = {
        term.casefold(): entry
        for entry in read_glossary(ROOT / "book" / "glossary.md")
        for term in entry.terms
    }
    # The first term linked inside the first exercise's statement, with its definition
    # in book/glossary.md.
    first = next(
        i
        for i, c in enumerate(notebook["cells"])
        if source(c).startswith(":::{exercise}")
    )
    display, target = parse_role(
        re.search(r"\{term\}`([^`]*)`", source(notebook["cells"][first])).group(1)
    )
    definition = " ".join(entries[target.casefold()].definition.split())
    opening = re.sub(r"\{term\}`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", definition)[:60]
    scroll_to(page, first)

    term = (
        cell(page, first).locator(".myst-exercise a.hover-link", has_text=display).first
    )
    term.hover()
    popover = page.locator("[data-radix-popper-content-wrapper]").first
    popover.wait_for(state="visible")
    assert opening in " ".join(popover.inner_text().split()), (
        "hovering the term does not show its definition"
    )
    page.screenshot(path=screenshots / "02-packets-and-flows-term.png")

    anchor = term.get_attribute("href")
    term.click()
    page.wait_for_timeout(500)
    entry = page.locator(f"{NOTEBOOK_PANEL} [id='{anchor[1:]}']")
    assert entry.inner_text().strip().casefold() == target.casefold()
    glossary_index = next(
        i for i, c in enumerate(notebook["cells"]) if c.get("id") == GLOSSARY_CELL_ID
    )
    assert cell(page, glossary_index).locator(f"[id='{anchor[1:]}']").count() == 1
    seen = page.evaluate(
        """([panel, id]) => {
             const entry = document.getElementById(id).getBoundingClientRect();
             const view = document.querySelector(panel + ' .jp-WindowedPanel-outer')
                 .getBoundingClientRect();
             return entry.top >= view.top && entry.bottom <= view.bottom; }""",
        [NOTEBOOK_PANEL, anchor[1:]],
    )
    assert seen, "clicking the term does not bring its glossary entry into view"
    meaning = entry.locator("xpath=following-sibling::dd[1]").inner_text()
    assert opening in " ".join(meaning.split())
    page.screenshot(path=screenshots / "02-packets-and-flows-entry.png")
    check_quiet(page, lab[0], name)


def click_menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(
        ".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")
    ).click()


@pytest.mark.parametrize("name", ["01-direction.ipynb", "02-packets-and-flows.ipynb"])
def test_run_all_finishes_without_errors_and_gives_nothing_away(page, lab, name):
    notebook = open_notebook(page, lab, name)
    # Clearing the outputs also clears the execution counts: the new ones show when Run
    # All has run every cell. (It also expands the outputs of cells collapsed one by
    # one; the solutions stay hidden.)
    click_menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("""() =>
        Array.from(window.jupyterapp.shell.currentWidget.content.model.cells)
            .every(cell => cell.type !== 'code' || cell.executionCount === null)""")
    hidden = sorted(i for cells in solutions(notebook).values() for i in cells)
    assert hidden_cells(page) == hidden, (
        f"{name}: clearing the outputs put a solution in view"
    )
    click_menu(page, "Run", "Run All Cells")
    code = [i for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "code"]
    # Every code cell has run, in order, and none is running (from the notebook's
    # model).
    page.wait_for_function(
        """count => {
             const model = window.jupyterapp.shell.currentWidget.content.model;
             const cells = Array.from(model.cells).filter(cell => cell.type === 'code');
             return cells.length === count && cells.every((cell, i) =>
                 cell.executionCount === i + 1 && cell.executionState === 'idle');
           }""",
        arg=len(code),
        timeout=180_000,
    )
    errors = page.evaluate(
        """() => Array.from(window.jupyterapp.shell.currentWidget.content.model.cells)
             .filter(cell => cell.type === 'code')
             .flatMap(cell => cell.outputs.toJSON())
             .filter(output =>
                 output.output_type === 'error' || output.name === 'stderr')"""
    )
    assert errors == [], f"{name}: error output after Run All: {errors[:3]}"
    shown = page.locator(
        f"{NOTEBOOK_PANEL} "
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    )
    assert shown.count() == 0, (
        f"{name}: error output shown after Run All: {shown.all_inner_texts()[:3]}"
    )

    assert hidden_cells(page) == hidden, f"{name}: Run All put a solution in view"
    answers = [
        i for i in code if source(notebook["cells"][i]).startswith("answer = None")
    ]
    assert answers, f"{name}: no answer cell"
    for index in answers:
        verdict = cell(page, index).locator(".jp-OutputArea-output").text_content()
        assert "Not answered yet." in verdict and "Correct." not in verdict, (
            f"{name}: cell {index} says {verdict!r}"
        )
    check_quiet(page, lab[0], name)


# --- `make lab` and the settings it points JupyterLab at ------------------------------


def test_make_lab_opens_notebook_00_with_the_course_settings():
    # --no-print-directory: under `make test` this make is a sub-make, which would
    # otherwise print "Leaving directory" after the command.
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "lab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    command = result.stdout.strip().splitlines()[-1]
    assert " lab " in command and command.endswith(" notebooks/00-start-here.ipynb")
    assert f'--LabApp.app_settings_dir="{LAB_SETTINGS}"' in command


def test_the_course_settings_name_settings_jupyterlab_has():
    # A misspelt plugin or setting would be ignored without a word: check each against
    # the installed schemas.
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    overrides = json.loads(
        (LAB_SETTINGS / "overrides.json").read_text(encoding="utf-8")
    )
    assert overrides
    for plugin, settings in overrides.items():
        package, _, name = plugin.partition(":")
        schema = json.loads(
            (schemas / package / f"{name}.json").read_text(encoding="utf-8")
        )
        for key, value in settings.items():
            assert key in schema["properties"], f"{plugin} has no setting {key!r}"
            allowed = [
                choice["const"] for choice in schema["properties"][key].get("oneOf", [])
            ]
            assert not allowed or value in allowed, (
                f"{plugin}: {key} is one of {allowed}, not {value!r}"
            )
