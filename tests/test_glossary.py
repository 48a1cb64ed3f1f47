"""The glossary is complete for the notebooks, and each notebook links a term where it
first uses it.

`book/glossary.md` holds one MyST ``{glossary}`` directive. An entry is one or more term
lines (the term and its aliases, e.g. ``NAT`` and ``network address translation``)
followed by an indented definition that links the notebook where the term is taught. A
notebook links a term with the role ``{term}`egress` `` or
``{term}`five-tuples <five-tuple>` ``.

The matcher is deliberately simple:

- Only markdown cells are read, in order. Headings, fenced code and math, inline code
  spans, links (text and address), bare URLs, table header rows, colon-fence lines
  (``:::{exercise}``, ...) and directive option lines (``:label: ...``) are ignored; an
  exercise's statement itself counts.
- A term matches case-insensitively as a whole word: a space and a hyphen are
  interchangeable inside it, a plural ``s``/``es`` (``y`` -> ``ies``) may follow, and it
  does not match inside a longer word or a hyphenated compound (``pod`` is not found in
  ``podSelector`` nor in ``pod-to-pod``).
- Longest match wins: ``NAT`` inside ``NAT gateway`` is an occurrence of ``NAT gateway``
  only.
- A trailing qualifier in brackets names a sense: ``ingress`` (a direction) and
  ``Ingress (Kubernetes)`` (an API object) share the word "ingress". The first
  occurrence of a shared word must link one of its senses; which sense is the author's
  choice.
- The first occurrence of each term in a notebook must be inside a ``{term}`` role for
  that entry (or, for a shared word, for one of its senses). Later occurrences are free.

The glossary itself is read by :mod:`ingress_egress.glossary`. For JupyterLab each
notebook also carries its own glossary (a cell with the id ``lab-glossary`` that the
book leaves out), made by ``make lab-ready``: the matcher skips the cells that tool
adds, and the last tests check that the glossary cell holds exactly the terms the
notebook links, with the book glossary's definitions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingress_egress.glossary import (
    ROLE,
    Entry,
    notebook_glossary,
    parse_glossary,
    parse_role,
    read_glossary,
)
from ingress_egress.lab import GLOSSARY_CELL_ID, GLOSSARY_LEAD, is_lab_cell

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "book" / "glossary.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))

# Words matched with their case: in lower case they are ordinary English with another
# meaning ("a chatty service", "the recommendations service" are applications, not the
# Kubernetes object).
CASE_SENSITIVE = {"Service"}

# (notebook number, entry) pairs not enforced, each with the reason. Keep this list
# short: prefer a glossary entry with a specific name over an exemption.
EXEMPT = {
    (
        "01",
        "flow",
    ): "'flows' is only the English verb there ('what "
    "flows afterwards'), never the noun",
    (
        "03",
        "Service",
    ): "only in the title of RFC 6335, 'Service Name and "
    "Transport Protocol Port Number Registry'",
    (
        "05",
        "Service",
    ): "only in the title of RFC 6092, '... Providing "
    "Residential IPv6 Internet Service'",
    (
        "06",
        "Service",
    ): "only in a quotation of AWS's EC2 pricing page ('all AWS Services and Regions')",
    (
        "08",
        "first match",
    ): "'first matches' is a verb there (the controller first matches the Host header)",
}

QUALIFIER = re.compile(r"\s*\(([^()]*)\)\s*$")


def word_pattern(word: str) -> re.Pattern:
    """A regex for one glossary word: whole word, space or hyphen inside, optional
    plural.
    """
    parts = [re.escape(part) for part in re.split(r"[\s-]+", word.strip())]
    body = r"[\s-]+".join(parts)
    if re.search(r"[^aeiou]y$", word, flags=re.IGNORECASE):
        body = body[:-1] + r"(?:y|ies)"
    else:
        body += r"(?:s|es)?"
    flags = 0 if word in CASE_SENSITIVE else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + body + r"(?![\w]|-\w)", flags)


def strip_markdown(text: str) -> str:
    """One markdown cell with everything the matcher ignores removed (roles are
    kept).
    """
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)  # front matter
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"^%.*$", " ", text, flags=re.MULTILINE)  # MyST comment
    text = re.sub(r"^(```+|~~~+).*?^\1\s*$", " ", text, flags=re.DOTALL | re.MULTILINE)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.DOTALL)
    lines = text.split("\n")
    kept = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if re.match(r"^\s*#{1,6}\s", line):  # heading
            continue
        if re.match(r"^\s*:::", line) or re.match(
            r"^\s*:[\w-]+:", line
        ):  # colon fence, directive option
            continue
        if re.match(r"^\s*\|?\s*:?-{3,}", line):  # table separator row
            continue
        if line.lstrip().startswith("|") and re.match(
            r"^\s*\|?\s*:?-{3,}", following
        ):  # table header row
            continue
        kept.append(line)
    text = "\n".join(kept)
    return re.sub(r"(?<![\\$])\$[^$\n]+\$", " ", text)  # inline math


def _strip_inline(text: str) -> str:
    text = re.sub(
        r"(`+)(?!`).*?(?<!`)\1(?!`)", " ", text, flags=re.DOTALL
    )  # code spans
    text = re.sub(r"!?\[[^\]]*\]\([^)]*\)", " ", text)  # links and images
    text = re.sub(r"<https?://[^>]*>", " ", text)
    return re.sub(r"https?://\S+", " ", text)  # bare URLs


@dataclass
class Segment:
    """A piece of a notebook's markdown: plain text, or a {term} role with its display
    text and target.
    """

    text: str
    target: str | None = None  # None: plain text

    @property
    def is_role(self) -> bool:
        return self.target is not None


def segments(markdown_cells: list[str]) -> list[Segment]:
    """The notebook's markdown, in order, as plain text and roles, with ignored parts
    removed.
    """
    result: list[Segment] = []
    for cell in markdown_cells:
        text = strip_markdown(cell)
        position = 0
        for role in ROLE.finditer(text):
            result.append(Segment(_strip_inline(text[position : role.start()])))
            display, target = parse_role(role.group(1))
            result.append(Segment(display, target))
            position = role.end()
        result.append(Segment(_strip_inline(text[position:])))
        result.append(Segment("\n\n"))  # cells never join into one word
    return result


class Glossary:
    """The parsed glossary with the lookups the checks need."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.by_key = {key: entry for entry in entries for key in entry.keys}
        # The words searched for: the terms without a trailing qualifier ("Ingress
        # (Kubernetes)" -> "Ingress").
        self.words = {
            entry.name: [QUALIFIER.sub("", term) for term in entry.terms]
            for entry in entries
        }
        self.patterns = {
            name: [word_pattern(w) for w in words] for name, words in self.words.items()
        }
        senses = {}
        for name, words in self.words.items():
            for word in words:
                senses.setdefault(word.casefold(), set()).add(name)
        self.senses = {
            name: set().union(*(senses[w.casefold()] for w in words))
            for name, words in self.words.items()
        }
        self._matches: dict[str, list[tuple[int, int, str]]] = {}

    def resolve(self, target: str) -> Entry | None:
        return self.by_key.get(target.casefold())

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """Every (start, end, entry name) match in plain text, before the longest-match
        rule.
        """
        if text not in self._matches:
            self._matches[text] = [
                (m.start(), m.end(), name)
                for name, patterns in self.patterns.items()
                for pattern in patterns
                for m in pattern.finditer(text)
            ]
        return self._matches[text]

    def occurrences(self, text: str, name: str) -> list[re.Match]:
        """Matches of one entry in plain text that no longer match of another entry
        contains.
        """
        everything = self.matches(text)
        found = []
        for pattern in self.patterns[name]:
            for m in pattern.finditer(text):
                inside_longer = any(
                    start <= m.start()
                    and m.end() <= end
                    and end - start > m.end() - m.start()
                    and other not in self.senses[name]
                    for start, end, other in everything
                )
                if not inside_longer:
                    found.append(m)
        return sorted(found, key=lambda m: m.start())

    def first_use(self, parts: list[Segment], name: str) -> tuple[str, str] | None:
        """How the entry is first used in a notebook: ("linked", text), ("plain",
        context), or None.
        """
        for part in parts:
            if part.is_role:
                target = self.resolve(part.target)
                if target is not None and target.name == name:
                    return "linked", part.text
                if any(p.search(part.text) for p in self.patterns[name]):
                    if target is not None and target.name in self.senses[name]:
                        return (
                            "linked",
                            part.text,
                        )  # the same word, linked to another of its senses
                    continue  # part of another term, e.g. NAT in "NAT gateway"
            else:
                found = self.occurrences(part.text, name)
                if found:
                    m = found[0]
                    context = part.text[max(0, m.start() - 40) : m.end() + 40].replace(
                        "\n", " "
                    )
                    return "plain", context
        return None


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def markdown_cells(path: Path) -> list[str]:
    """The notebook's own markdown cells, without those `make lab-ready` adds for
    JupyterLab (its glossary).
    """
    return [
        "".join(cell["source"])
        for cell in cells(path)
        if cell["cell_type"] == "markdown" and not is_lab_cell(cell)
    ]


def role_targets(path: Path) -> list[str]:
    """The targets of every {term} role in a notebook's markdown cells."""
    return [
        parse_role(m.group(1))[1]
        for cell in markdown_cells(path)
        for m in ROLE.finditer(cell)
    ]


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary(read_glossary(GLOSSARY))


# --- the matcher itself, on small texts -----------------------------------------------

GLOSSARY_EXAMPLE = """# Glossary

```{glossary}
NAT
network address translation
  Rewriting addresses. Taught in [Direction](../notebooks/01-direction.ipynb).

NAT gateway
  A cloud service.
  Second line.

ingress
  Inwards.

Ingress (Kubernetes)
  An API object.

boundary
  The inside.

Service
  The Kubernetes object.
```
"""


@pytest.fixture
def example() -> Glossary:
    return Glossary(parse_glossary(GLOSSARY_EXAMPLE))


def test_parse_glossary_reads_terms_aliases_and_definitions(example):
    assert [e.terms for e in example.entries] == [
        ["NAT", "network address translation"],
        ["NAT gateway"],
        ["ingress"],
        ["Ingress (Kubernetes)"],
        ["boundary"],
        ["Service"],
    ]
    assert example.entries[1].definition == "A cloud service.\nSecond line.\n"
    assert example.words["Ingress (Kubernetes)"] == ["Ingress"]
    assert example.resolve("network Address Translation").name == "NAT"
    assert example.resolve("flow") is None


def test_parse_glossary_refuses_a_term_without_definition():
    with pytest.raises(ValueError, match="'orphan' has no definition"):
        parse_glossary("```{glossary}\nNAT\n  Rewriting.\norphan\n```\n")
    with pytest.raises(ValueError, match="not closed"):
        parse_glossary("```{glossary}\nNAT\n  Rewriting.\n")


def test_word_pattern_whole_words_plurals_and_hyphens():
    assert word_pattern("boundary").search("two boundaries")
    assert word_pattern("five-tuple").search("the five tuples")
    assert word_pattern("pod").search("a pod's address")
    assert not word_pattern("pod").search("podSelector and pod-to-pod")
    assert not word_pattern("ingress").search("ingress-nginx")
    assert word_pattern("egress").search("(egress)")
    assert not word_pattern("Service").search("a chatty service")


def test_ignored_markdown_is_ignored():
    cell = (
        "---\nNAT: front matter\n---\n% NAT in a comment\n# NAT in a heading\n| NAT "
        "| x |\n|---|---|\n| body | NAT here |\n`NAT` [NAT](x.ipynb) "
        "https://example.org/NAT\n:::{exercise}\n:label: "
        "ex-00-nat\n$NAT$\n$$\nNAT\n$$\n```\nNAT\n```\n"
    )
    text = "".join(s.text for s in segments([cell]))
    assert text.count("NAT") == 1 and "NAT here" in text


def test_exercise_statements_count_but_not_their_label_lines(example):
    cell = (
        ":::{exercise}\n:label: ex-00-nat-boundary\nBehind NAT, which address?\n:::\n"
    )
    kind, context = example.first_use(segments([cell, "Then NAT again."]), "NAT")
    assert kind == "plain" and "Behind NAT" in context
    assert (
        example.first_use(
            segments([":::{exercise}\n:label: ex-00-boundary\nNothing.\n:::\n"]),
            "boundary",
        )
        is None
    )


def test_first_use_rules(example):
    parts = segments(
        [
            "A {term}`NAT gateway` then a NAT gateway, then NAT alone.",
            "Later {term}`network address translation` again.",
        ]
    )
    assert example.first_use(parts, "NAT gateway") == ("linked", "NAT gateway")
    kind, context = example.first_use(parts, "NAT")
    assert (
        kind == "plain" and "NAT alone" in context
    )  # not the NAT inside "NAT gateway"
    linked = segments(["{term}`NAT` and a NAT gateway"])
    assert example.first_use(linked, "NAT") == ("linked", "NAT")
    assert example.first_use(linked, "NAT gateway")[0] == "plain"
    assert example.first_use(segments(["no such words"]), "NAT") is None


def test_a_shared_word_may_link_either_sense(example):
    parts = segments(
        ["An {term}`Ingress <Ingress (Kubernetes)>` routes; ingress is inwards."]
    )
    assert example.first_use(parts, "ingress") == ("linked", "Ingress")
    assert example.first_use(parts, "Ingress (Kubernetes)") == ("linked", "Ingress")
    unlinked = segments(["ingress first, then {term}`ingress`"])
    assert example.first_use(unlinked, "Ingress (Kubernetes)")[0] == "plain"


# --- the course's glossary ------------------------------------------------------------


def test_glossary_is_a_real_list_in_alphabetical_order(glossary):
    names = [entry.name for entry in glossary.entries]
    assert len(names) >= 60
    assert names == sorted(names, key=str.casefold), (
        "glossary entries out of alphabetical order"
    )
    terms = [term.casefold() for entry in glossary.entries for term in entry.terms]
    assert len(terms) == len(set(terms)), "a term appears twice"


def test_every_definition_names_the_notebook_that_teaches_it(glossary):
    for entry in glossary.entries:
        links = re.findall(
            r"\]\(\.\./notebooks/(\d\d-[\w-]+)\.ipynb\)", entry.definition
        )
        assert links, f"{entry.name!r}: no link to the notebook where it is taught"
        assert (ROOT / "notebooks" / f"{links[0]}.ipynb").exists(), (
            f"{entry.name!r}: {links[0]} does not exist"
        )
        sentences = [
            s
            for s in re.split(r"(?<=[.!?])\s+", entry.definition.split("Taught in")[0])
            if s.strip()
        ]
        assert 1 <= len(sentences) <= 3, (
            f"{entry.name!r}: a definition is one or two sentences (plus a note)"
        )


def test_the_teaching_notebook_links_the_term(glossary):
    for entry in glossary.entries:
        notebook = re.search(
            r"\]\(\.\./notebooks/(\d\d-[\w-]+\.ipynb)\)", entry.definition
        ).group(1)
        targets = {
            glossary.resolve(t).name
            for t in role_targets(ROOT / "notebooks" / notebook)
            if glossary.resolve(t) is not None
        }
        assert entry.name in targets, (
            f"{entry.name!r} is taught in {notebook}, which never links it"
        )


def test_every_term_is_linked_from_some_notebook(glossary):
    linked = {
        glossary.resolve(t).name
        for path in NOTEBOOKS
        for t in role_targets(path)
        if glossary.resolve(t)
    }
    unused = [entry.name for entry in glossary.entries if entry.name not in linked]
    assert unused == []


def test_roles_in_the_glossary_itself_resolve(glossary):
    text = GLOSSARY.read_text(encoding="utf-8")
    dangling = [
        t
        for t in (parse_role(m.group(1))[1] for m in ROLE.finditer(text))
        if glossary.resolve(t) is None
    ]
    assert dangling == []


def test_exemptions_name_real_entries(glossary):
    names = {entry.name for entry in glossary.entries}
    assert {name for _, name in EXEMPT} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_role_target_is_in_the_glossary(glossary, path):
    dangling = [t for t in role_targets(path) if glossary.resolve(t) is None]
    assert dangling == [], (
        f"{path.name}: {{term}} targets not in the glossary: {dangling}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_first_use_of_every_term_is_linked(glossary, path):
    parts = segments(markdown_cells(path))
    unlinked = []
    for entry in glossary.entries:
        if (path.name[:2], entry.name) in EXEMPT:
            continue
        use = glossary.first_use(parts, entry.name)
        if use is not None and use[0] == "plain":
            unlinked.append(f"{entry.name!r}: ...{use[1]}...")
    assert unlinked == [], f"{path.name}: first use not a {{term}} role:\n" + "\n".join(
        unlinked
    )


# --- each notebook's own glossary, for JupyterLab -------------------------------------


def test_a_notebook_glossary_lists_the_linked_terms_as_the_glossary_spells_them(
    example,
):
    text = notebook_glossary(
        example.entries,
        ["nat gateway", "Network Address Translation", "NAT gateway", "no such term"],
    )
    # Sorted case-insensitively, the glossary's spelling, the alias with its entry's
    # definition, links rewritten from book/ to notebooks/, the unknown target left out;
    # one definition line each.
    assert text == (
        ":::{glossary}\n"
        "NAT gateway\n: A cloud service. Second line.\n\n"
        "network address translation\n: Rewriting addresses. Taught in "
        "[Direction](01-direction.ipynb).\n"
        ":::"
    )
    assert notebook_glossary(example.entries, ["nothing known"]) is None


def test_a_notebook_glossary_unlinks_roles_inside_definitions():
    entries = parse_glossary(
        "```{glossary}\nallow-list\n  The opposite of a {term}`deny list <deny-list>`, "
        "see [the cheat sheet](cheatsheet.md) and [RFC](https://example.org/x).\n```\n"
    )
    assert notebook_glossary(entries, ["allow-list"]) == (
        ":::{glossary}\nallow-list\n: The opposite of a deny list, see [the cheat "
        "sheet](../book/cheatsheet.md) and [RFC](https://example.org/x).\n:::"
    )


def glossary_terms(cell_source: str) -> list[str]:
    """The terms of a MyST definition-list glossary: the lines right before a ':
    definition' line.
    """
    lines = cell_source.splitlines()
    return [
        lines[i - 1] for i, line in enumerate(lines) if line.startswith(": ") and i > 0
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_carries_its_glossary_for_jupyterlab(glossary, path):
    notebook = cells(path)
    found = [i for i, cell in enumerate(notebook) if cell.get("id") == GLOSSARY_CELL_ID]
    assert len(found) == 1, (
        f"{path.name}: {len(found)} cells with the id "
        f"{GLOSSARY_CELL_ID!r}; run `make lab-ready`"
    )
    index = found[0]
    cell = notebook[index]
    assert cell["cell_type"] == "markdown" and "remove-cell" in cell["metadata"].get(
        "tags", []
    ), (
        f"{path.name}: the JupyterLab glossary must be a markdown "
        "cell tagged remove-cell (the book has its own)"
    )
    assert "".join(notebook[index + 1]["source"]).startswith("## Resources"), (
        f"{path.name}: the JupyterLab glossary belongs right before '## Resources'"
    )
    source = "".join(cell["source"])
    # Exactly the terms the notebook links (jupyterlab-myst matches a role to a term
    # ignoring case) ...
    targets = {t.casefold() for t in role_targets(path)}
    assert {t.casefold() for t in glossary_terms(source)} == targets, (
        f"{path.name}: the JupyterLab glossary is not the "
        "notebook's linked terms; run `make lab-ready`"
    )
    # ... each with the book glossary's definition, as `make lab-ready` writes it.
    expected = (
        f"{GLOSSARY_LEAD}\n\n{notebook_glossary(glossary.entries, role_targets(path))}"
    )
    assert source == expected, (
        f"{path.name}: the JupyterLab glossary is out of date; run `make lab-ready`"
    )
