"""Glossary: the course's glossary (``book/glossary.md``) as data, and the ``{term}``
roles that link it.

``book/glossary.md`` holds one MyST ``{glossary}`` directive in Sphinx's form: one or
more term lines (a term and its aliases, such as ``NAT`` and
``network address translation``), then the definition, indented. A notebook links a term
with the role ``{term}`egress` `` or, with other words shown,
``{term}`five-tuples <five-tuple>` ``.

The book resolves those roles across pages. JupyterLab (with jupyterlab-myst) resolves a
``{term}`` only against a glossary in the same notebook, and its glossary takes the
other MyST form, a definition list. :func:`notebook_glossary` writes that form for the
terms one notebook links, so ``python -m ingress_egress.course lab-ready`` can give each
notebook its own (see :mod:`ingress_egress.lab`).

Examples
--------
>>> entries = parse_glossary('''```{glossary}
... NAT
... network address translation
...   Rewriting addresses, see {term}`egress`.
...   Taught in [Direction](../notebooks/01-direction.ipynb).
...
... egress
...   Outwards.
... ```''')
>>> [entry.terms for entry in entries]
[['NAT', 'network address translation'], ['egress']]
>>> role_targets("A {term}`NAT` and two {term}`NAT gateways <NAT gateway>`.")
['NAT', 'NAT gateway']
>>> print(notebook_glossary(entries, ["network address translation", "egress"]))
:::{glossary}
egress
: Outwards.
<BLANKLINE>
network address translation
: Rewriting addresses, see egress. Taught in [Direction](01-direction.ipynb).
:::
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

ROLE = re.compile(r"\{term\}`([^`]*)`")
LINK_TARGET = re.compile(r"(\]\()([^)\s]+)(\))")


@dataclass
class Entry:
    """A glossary entry: its term lines (the first is its name), its definition and its
    line in the file.
    """

    terms: list[str]
    definition: str
    line: int

    @property
    def name(self) -> str:
        return self.terms[0]

    @property
    def keys(self) -> set[str]:
        """The role targets that resolve to this entry (Sphinx falls back to a
        case-insensitive match).
        """
        return {term.casefold() for term in self.terms}


def parse_glossary(text: str) -> list[Entry]:
    """The entries of the first ``{glossary}`` directive in a MyST page, in file order.

    A term without a definition, or a directive that is never closed, is a
    ``ValueError`` naming the line.
    """
    lines = text.splitlines()
    try:
        start = next(
            i
            for i, line in enumerate(lines)
            if re.match(r"^(```+|:::+)\{glossary\}", line)
        )
    except StopIteration:
        raise ValueError("no ```{glossary} directive") from None
    fence = re.match(r"^(```+|:::+)", lines[start]).group(1)
    entries: list[Entry] = []
    pending_terms: list[tuple[int, str]] = []
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        if line.startswith(fence):
            break
        if line.startswith(":") and not entries and not pending_terms:
            continue  # a directive option such as :sorted:
        if not line.strip():
            continue
        if line[0] in " \t":
            if not pending_terms and not entries:
                raise ValueError(
                    f"glossary line {number}: a definition before any term"
                )
            if pending_terms:
                entries.append(
                    Entry([t for _, t in pending_terms], "", pending_terms[0][0])
                )
                pending_terms = []
            entries[-1].definition += line.strip() + "\n"
        else:
            if entries and entries[-1].definition == "" and not pending_terms:
                raise ValueError(
                    f"glossary line {number}: entry "
                    f"{entries[-1].name!r} has no definition"
                )
            pending_terms.append((number, line.strip()))
    else:
        raise ValueError("the {glossary} directive is not closed")
    if pending_terms:
        raise ValueError(
            f"glossary line {pending_terms[0][0]}: term "
            f"{pending_terms[0][1]!r} has no definition"
        )
    return entries


def read_glossary(path: str | Path) -> list[Entry]:
    """The entries of a glossary file such as ``book/glossary.md``."""
    path = Path(path)
    try:
        return parse_glossary(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def parse_role(content: str) -> tuple[str, str]:
    """(display text, target) of the content of a ``{term}`` role: ``text`` or
    ``text <target>``.

    >>> parse_role("five-tuples <five-tuple>")
    ('five-tuples', 'five-tuple')
    >>> parse_role("egress")
    ('egress', 'egress')
    """
    match = re.match(r"^(.*?)\s*<([^<>]+)>\s*$", content, flags=re.DOTALL)
    if match and match.group(1):
        return match.group(1), match.group(2).strip()
    return content, content.strip()


def role_targets(markdown: str) -> list[str]:
    """The targets of the ``{term}`` roles in a markdown text, in order."""
    return [parse_role(match.group(1))[1] for match in ROLE.finditer(markdown)]


def _from_notebooks(definition: str) -> str:
    """A definition written in ``book/`` rewritten for a notebook in ``notebooks/``: one
    line, roles as plain text (their targets may not be in the notebook's glossary),
    relative links from there."""

    def relink(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target):
            return match.group(0)  # a URL, an anchor or an absolute path
        path = posixpath.relpath(
            posixpath.normpath(posixpath.join("book", target)), "notebooks"
        )
        return match.group(1) + path + match.group(3)

    text = ROLE.sub(
        lambda match: parse_role(match.group(1))[0], " ".join(definition.split())
    )
    return LINK_TARGET.sub(relink, text)


def notebook_glossary(entries: list[Entry], targets: Iterable[str]) -> str | None:
    """The glossary of one notebook, for JupyterLab: the linked terms with their
    definitions, or None.

    ``targets`` are the notebook's role targets. Each one the glossary knows becomes a
    term of a MyST definition-list glossary (jupyterlab-myst matches a role to a term
    case-insensitively, as Sphinx does), spelled as in the glossary and sorted as the
    glossary sorts; an alias gets its entry's definition. Unknown targets are left out
    (the glossary tests report them).
    """
    by_key = {
        term.casefold(): (term, entry) for entry in entries for term in entry.terms
    }
    found = dict(by_key[t.casefold()] for t in targets if t.casefold() in by_key)
    if not found:
        return None
    terms = sorted(
        ((term, entry.definition) for term, entry in found.items()),
        key=lambda item: item[0].casefold(),
    )
    body = "\n\n".join(
        f"{term}\n: {_from_notebooks(definition)}" for term, definition in terms
    )
    return f":::{{glossary}}\n{body}\n:::"
