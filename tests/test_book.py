"""The static book: a strict build whose pages show the notebooks, offline, with the promised features."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

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


def test_binder_launch_button_uses_the_repository(built_book):
    html = page(built_book, "notebooks/01-direction")
    assert re.search(r'href="https://mybinder\.org/v2/gh/[^"]+\?urlpath=lab/tree/notebooks/01-direction\.ipynb"', html)


def test_mathjax_is_served_from_the_book(built_book):
    html = page(built_book, "notebooks/01-direction")
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    mathjax = [src for src in scripts if "MathJax" in src]
    assert mathjax == ["../_static/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"]
    assert (built_book / "_static" / "mathjax" / "MathJax.js").exists()


def test_no_page_loads_anything_from_another_host(built_book):
    # Scripts, images, frames and <link> resources (styles, icons, preloads) are fetched by the
    # browser; plain <a href> links are not. None of the fetched ones may name another host.
    fetched = re.compile(r'<(?:script|img|iframe|source)\b[^>]*\bsrc="([^"]+)"|<link\b[^>]*\bhref="([^"]+)"')
    for path in built_book.rglob("*.html"):
        urls = [a or b for a, b in fetched.findall(path.read_text(encoding="utf-8"))]
        remote = [url for url in urls if re.match(r"(?:[a-z]+:)?//", url)]
        assert remote == [], f"{path.relative_to(built_book)} loads {remote}"


def test_every_page_footer_gives_the_version_and_links_the_changes(built_book):
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for doc in toc_files():
        footer = re.search(r'<p class="course-version">(.*?)</p>', page(built_book, doc))
        assert footer, f"{doc}: no version line in the footer"
        assert f"Version {version} " in footer.group(1)
        for link in re.findall(r'href="([^"#]*)(?:#[^"]*)?"', footer.group(1)):
            target = (built_book / doc).parent / link if link else built_book / f"{doc}.html"
            assert target.resolve() == (built_book / "book" / "changelog.html").resolve(), (doc, link)
    changes = page(built_book, "book/changelog")
    assert 'id="how-to-cite"' in changes and "Errata" in changes and "CITATION.cff" in changes
