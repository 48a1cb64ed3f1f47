"""The static book: a strict build whose pages show the notebooks, offline, with the promised features.

Three builds: the book as `make book` makes it (no repository URL), the classroom edition, and the
book as a publisher builds it with a repository URL (`python -m ingress_egress.course book-config`).
"""

from __future__ import annotations

import html as html_lib
import importlib.util
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from tests.conftest import PUBLISHED_REPOSITORY

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [chapter["file"] for part in toc["parts"] for chapter in part["chapters"]]


def page(html: Path, doc: str) -> str:
    return (html / f"{doc}.html").read_text(encoding="utf-8")


def notebook_docs() -> list[str]:
    return [doc for doc in toc_files() if doc.startswith("notebooks/")]


def test_every_toc_entry_has_a_page(built_book):
    missing = [doc for doc in toc_files() if not (built_book / f"{doc}.html").exists()]
    assert missing == []
    assert (built_book / "index.html").exists() and (built_book / "search.html").exists()


@pytest.mark.parametrize("doc", notebook_docs())
def test_pages_show_the_notebooks_figures(built_book, doc):
    notebook = json.loads((ROOT / f"{doc}.ipynb").read_text())
    figures = sum(
        "image/png" in output.get("data", {})
        for cell in notebook["cells"] if cell["cell_type"] == "code"
        for output in cell["outputs"]
    )
    images = re.findall(r'<img alt="([^"]*)" src="(\.\./_images/[0-9a-f]+\.png)"', page(built_book, doc))
    assert len(images) == figures
    for alt, src in images:
        assert alt and (built_book / doc).parent.joinpath(src).resolve().exists()


@pytest.mark.parametrize("doc", notebook_docs())
def test_solutions_are_collapsed(built_book, doc):
    html = page(built_book, doc)
    exercises = html.count('class="exercise admonition"')
    assert exercises >= 3
    assert html.count('class="solution dropdown admonition"') == exercises


@pytest.mark.parametrize("doc", notebook_docs())
def test_each_notebook_page_offers_its_ipynb_for_download(built_book, doc):
    name = doc.split("/")[-1]
    html = page(built_book, doc)
    assert re.search(rf'href="\.\./_sources/notebooks/{re.escape(name)}\.ipynb"', html)
    assert (built_book / "_sources" / "notebooks" / f"{name}.ipynb").exists()


def built_pages(html: Path) -> list[Path]:
    return sorted(path for path in html.rglob("*.html") if not path.relative_to(html).parts[0].startswith("_"))


def notebook_title(doc: str) -> str:
    """A notebook's own title: the text of the first '# ' heading of its Markdown cells."""
    cells = json.loads((ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return re.search(r"^# (.+?)\s*$", text, flags=re.MULTILINE).group(1).replace("`", "")


def test_the_default_book_links_to_no_repository(built_book):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"] == ""
    assert "your-org" not in (ROOT / "_config.yml").read_text()
    for path in built_pages(built_book):
        text = path.read_text(encoding="utf-8")
        assert "your-org" not in text and "mybinder.org/v2/" not in text, path  # no launch link
        assert "btn-source-repository-button" not in text and 'class="course-report"' not in text, path


def test_a_published_book_links_its_repository_binder_and_issues(published_book):
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    pages = built_pages(published_book)
    assert len(pages) == len(toc_files()) + 3  # with index (the redirect), genindex and search
    for path in pages:
        text = path.read_text(encoding="utf-8")
        doc = path.relative_to(published_book).with_suffix("").as_posix()
        if doc not in toc_files():
            continue
        assert re.search(rf'<a href="{re.escape(PUBLISHED_REPOSITORY)}"[^>]*\s+class="btn btn-sm btn-source-repository-button"',
                         text), doc
        links = re.findall(r'<p class="course-report"><a href="([^"]+)">Report a problem with this page</a></p>', text)
        assert len(links) == 1, doc
        url = urlsplit(html_lib.unescape(links[0]))
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{PUBLISHED_REPOSITORY}/issues/new"
        query = parse_qs(url.query)
        h1 = re.sub(r"<[^>]+>|¶|#", "", re.search(r"<h1>(.*?)</h1>", text, flags=re.DOTALL).group(1)).strip()
        assert query["title"] == [f'Problem on "{html_lib.unescape(h1)}"'], doc
        source = re.search(r"^Page: (\S+)$", query["body"][0], flags=re.MULTILINE).group(1)
        assert (ROOT / source).exists() and Path(source).with_suffix("").as_posix() == doc
        assert f"Course version: {version}" in query["body"][0]
        binder = re.findall(r'href="(https://mybinder\.org/[^"]+)"', text)
        if doc.startswith("notebooks/"):
            assert binder == [f"https://mybinder.org/v2/gh/example-org/ingress-egress/main"
                              f"?urlpath=lab/tree/{doc}.ipynb"], doc
        else:
            assert binder == [], doc


def extension(name: str):
    """One of the book's own Sphinx extensions (book/_ext), imported from its file."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "book" / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["course_publishing", "course_reading"])
def test_the_examples_in_the_extensions_docstrings_hold(name):
    import doctest

    results = doctest.testmod(extension(name), optionflags=doctest.ELLIPSIS)
    assert results.attempted > 0 and results.failed == 0


def _publishing():
    return extension("course_publishing")


def test_the_report_link_opens_a_new_issue_in_the_repositorys_own_tracker():
    publishing = _publishing()
    github = urlsplit(publishing.new_issue_url("https://github.com/me/course", 'A "quoted" page & more',
                                               "notebooks/02-packets-and-flows.ipynb", "1.2.3"))
    assert (github.netloc, github.path) == ("github.com", "/me/course/issues/new")
    assert parse_qs(github.query)["title"] == ['Problem on "A "quoted" page & more"']
    assert parse_qs(github.query)["body"][0].startswith("Page: notebooks/02-packets-and-flows.ipynb\nCourse version: 1.2.3\n")
    gitlab = urlsplit(publishing.new_issue_url("https://gitlab.com/me/course", "Glossary", "book/glossary.md", "1"))
    assert gitlab.path == "/me/course/-/issues/new"
    assert parse_qs(gitlab.query)["issue[title]"] == ['Problem on "Glossary"']
    assert "Page: book/glossary.md" in parse_qs(gitlab.query)["issue[description]"][0]


def test_a_publisher_sets_the_repository_for_one_build_without_editing_the_config(tmp_path):
    from ingress_egress import course

    out = tmp_path / "published.yml"
    assert course.main(["book-config", str(ROOT / "_config.yml"), str(out),
                        "--repository-url", "https://github.com/me/course/"]) == 0
    written = yaml.safe_load(out.read_text())
    assert written["repository"] == {"url": "https://github.com/me/course", "branch": "main"}
    assert written["sphinx"]["config"]["hide_solutions"] is False
    assert all(Path(folder).is_absolute() for folder in written["sphinx"]["local_extensions"].values())
    with pytest.raises(ValueError, match="expected https://<host>/<owner>/<repository>"):
        course.book_config(ROOT / "_config.yml", repository_url="github.com/me/course")
    classroom = course.book_config(ROOT / "_config.yml", classroom=True, repository_url="https://gitlab.com/a/b")
    assert classroom["repository"]["url"] == "https://gitlab.com/a/b" and classroom["sphinx"]["config"]["hide_solutions"]


def test_the_sidebar_numbers_each_notebook_as_its_exercises_are_numbered(built_book):
    html = page(built_book, "book/intro")
    nav = html[html.index('<nav class="bd-links bd-docs-nav"'):]
    nav = nav[:nav.index("</nav>")]
    entries = dict(re.findall(r'<a class="reference internal" href="\.\./(notebooks/[^"]+)\.html">([^<]+)</a>', nav))
    assert list(entries) == notebook_docs()
    for doc, label in entries.items():
        number = doc.split("/")[1][:2]
        assert html_lib.unescape(label) == f"{number} {notebook_title(doc)}"
        exercises = re.findall(r'<span class="caption-number">Exercise[ \u00a0](\d+)\.\d+ </span>', page(built_book, doc))
        assert exercises and set(exercises) == {str(int(number))}, doc


def test_the_front_page_is_short_and_links_the_lesson_plans(built_book, classroom_book):
    learners = page(built_book, "book/intro")
    article = learners[learners.index("<article"):learners.index("</article>")]
    text = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", article)).split())
    assert len(text.split()) < 400
    assert 'href="instructor/lesson-plans.html"' in article and 'class="learning-paths' in article
    assert "learning-path-table" in article and article.count("<table") == 1  # the paths side by side only
    assert "download button" in text
    classroom = page(classroom_book, "book/intro")
    classroom_article = classroom[classroom.index("<article"):classroom.index("</article>")]
    assert "download button" not in classroom_article


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids[value] += 1


@pytest.mark.parametrize("edition", ["learners", "classroom"])
def test_no_element_id_is_repeated_on_a_page(built_book, classroom_book, edition):
    html = built_book if edition == "learners" else classroom_book
    repeated = {}
    for path in built_pages(html):
        parser = _Ids()
        parser.feed(path.read_text(encoding="utf-8"))
        repeated.update({f"{path.relative_to(html)}#{i}": n for i, n in parser.ids.items() if n > 1})
    assert repeated == {}


@pytest.mark.parametrize("doc", notebook_docs())
def test_each_figure_links_to_its_full_size_picture(built_book, doc):
    html = page(built_book, doc)
    images = re.findall(r'<img alt="[^"]*" src="([^"]*_images/[0-9a-f]+\.png)" />', html)
    linked = re.findall(r'<a class="course-figure-link" href="([^"]+)"><img alt="[^"]*" src="([^"]+)" /></a>', html)
    assert len(linked) == len(images)
    assert all(href == src for href, src in linked)


@pytest.mark.parametrize("doc", notebook_docs())
def test_date_cells_of_tables_are_kept_on_one_line(built_book, doc):
    html = page(built_book, doc)
    cells = re.findall(r"<t[dh]([^>]*)>\s*(\d{4}-\d{2}-\d{2}[ T][\d:.+-]+|\d{4}-\d{2}-\d{2})\s*</t[dh]>", html)
    assert [(attrs, date) for attrs, date in cells if "course-nowrap" not in attrs and "style" not in attrs] == []


def test_search_index_counts_words_for_the_ranking(built_book):
    from sphinx.search.en import SearchEnglish

    script = (built_book / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(script[script.index("(") + 1:script.rindex(")")])
    assert len(index["course_lengths"]) == len(index["docnames"]) and min(index["course_lengths"]) > 0
    # Each count is the number of words of the page's rendered text with that stem, counted here
    # from the HTML (Sphinx's own splitter and stemmer, without Sphinx's word collector).
    english = SearchEnglish({})
    for doc in ["notebooks/03-firewalls", "notebooks/06-data-transfer-costs", "book/glossary"]:
        article = page(built_book, doc)
        article = article[article.index("<article"):article.index("</article>")]
        article = re.sub(r'<a class="headerlink".*?</a>', "", article)
        words = [english.stem(word).lower() for word in english.split(html_lib.unescape(re.sub(r"<[^>]+>", " ", article)))]
        number = str(index["docnames"].index(doc))
        for word in ["firewall", "cost", "egress"]:
            stem = english.stem(word)
            expected = words.count(stem)
            stored = index["course_tf"].get(stem, {}).get(number, 1 if expected == 1 else 0)
            assert stored == expected, (doc, word)
