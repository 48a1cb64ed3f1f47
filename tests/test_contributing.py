"""CONTRIBUTING.md names only commands and files that exist.

Read from its code (fenced blocks and inline code spans), not from its prose:

- every ``make TARGET`` is a rule of the ``Makefile``;
- every ``python -m MODULE`` can be imported, and every ``ingress_egress.name.attribute`` is there;
- every path in one of the repository's folders (``src/``, ``tests/``, ``notebooks/``, ``data/``,
  ``book/``, ``tools/``, ``benchmarks/``, ``jupyter-config/``, ``.ci/``) exists, and a pattern with
  ``*`` matches something; a module named without its folder (``cloud.py``, ``datagen/billing.py``,
  ``k8s/cost.py``) is looked up in ``src/ingress_egress/`` and ``tests/``, a bare notebook in
  ``notebooks/``, a bare ``.md``, ``.toml``, ``.cff``, ``.yml``, ``.in``, ``.txt`` or ``.json``
  file at the top. Placeholders (``<name>``, ``NN``, ``X.Y.Z``) and what a build writes
  (``_build/``, ``.venv/``) are not checked.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "CONTRIBUTING.md"
FOLDERS = {"src", "tests", "notebooks", "data", "book", "tools", "benchmarks", "jupyter-config", ".ci"}
PACKAGE_FOLDERS = {"datagen", "k8s"}
TOP_LEVEL_SUFFIXES = {".md", ".toml", ".cff", ".yml", ".in", ".txt", ".json"}
PLACEHOLDER = re.compile(r"[<>]|NN|X\.Y\.Z")
FENCE = re.compile(r"^(`{3,})[^\n]*\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)
SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
MAKE = re.compile(r"\bmake ([a-z][\w-]*)")
PYTHON_M = re.compile(r"\bpython -m ([\w.]+)")
TOKEN = re.compile(r"[\w.*<>/-]+")


def code_of(markdown: str) -> list[str]:
    """The fenced code blocks and inline code spans of a markdown text."""
    blocks = [match.group(2) for match in FENCE.finditer(markdown)]
    prose = FENCE.sub(" ", markdown)
    return blocks + [match.group(2) for match in SPAN.finditer(prose)]


def makefile_targets(makefile: Path) -> set[str]:
    """The names on the left of the Makefile's rules (``a b: deps``), variables' assignments left out."""
    targets = set()
    for line in makefile.read_text(encoding="utf-8").splitlines():
        rule = re.match(r"^([^\s#:=][^:=]*?)\s*:(?![:=])", line)
        if rule and not re.search(r"[?+:]?=", line.split(":", 1)[0]):
            targets.update(rule.group(1).split())
    return targets


def missing_targets(markdown: str, makefile: Path) -> list[str]:
    named = {target for chunk in code_of(markdown) for target in MAKE.findall(chunk)}
    return sorted(named - makefile_targets(makefile))


def missing_modules(markdown: str) -> list[str]:
    named = {module for chunk in code_of(markdown) for module in PYTHON_M.findall(chunk)}
    return sorted(module for module in named if importlib.util.find_spec(module) is None)


def resolves(name: str) -> bool:
    """Whether a dotted name is a module, or an attribute (of an attribute ...) of one."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def missing_names(markdown: str) -> list[str]:
    """Dotted names under ``ingress_egress`` in the guide's code that do not resolve."""
    names = {name.rstrip(".") for chunk in code_of(markdown)
             for name in re.findall(r"\bingress_egress(?:\.\w+)+", chunk)}
    return sorted(name for name in names if not resolves(name))


def candidates(token: str, root: Path) -> list[Path] | None:
    """Where a path named in the guide must be (any of them), or None when it is not a checked path."""
    token = token.rstrip(".")
    if PLACEHOLDER.search(token):
        return None
    first, _, rest = token.partition("/")
    if rest or token.endswith("/"):
        if first in FOLDERS:
            return [root / token]
        if first in PACKAGE_FOLDERS and token.endswith(".py"):
            return [root / "src" / "ingress_egress" / token]
        return None
    suffix = Path(token).suffix
    if suffix == ".py":
        return [root / "src" / "ingress_egress" / token, root / "tests" / token]
    if suffix == ".ipynb":
        return [root / "notebooks" / token]
    if suffix in TOP_LEVEL_SUFFIXES and token not in {".md", ".toml"}:
        return [root / token]
    return None


def exists(path: Path, root: Path) -> bool:
    if "*" in path.name or "*" in str(path.parent):
        return any(root.glob(str(path.relative_to(root))))
    return path.exists()


def missing_paths(markdown: str, root: Path) -> list[str]:
    missing = set()
    for chunk in code_of(markdown):
        for token in TOKEN.findall(chunk):
            places = candidates(token, root)
            if places is not None and not any(exists(place, root) for place in places):
                missing.add(token.rstrip("."))
    return sorted(missing)


def test_every_make_target_in_the_guide_is_in_the_makefile():
    assert missing_targets(GUIDE.read_text(encoding="utf-8"), ROOT / "Makefile") == []


def test_every_python_module_the_guide_runs_exists():
    assert missing_modules(GUIDE.read_text(encoding="utf-8")) == []


def test_every_package_name_the_guide_gives_exists():
    assert missing_names(GUIDE.read_text(encoding="utf-8")) == []


def test_every_path_the_guide_names_exists():
    assert missing_paths(GUIDE.read_text(encoding="utf-8"), ROOT) == []


def test_the_guide_names_what_a_contributor_runs():
    # The checks above read something: the guide's own commands and files are found in it.
    text = GUIDE.read_text(encoding="utf-8")
    named_targets = {target for chunk in code_of(text) for target in MAKE.findall(chunk)}
    assert {"test", "execute", "lab-ready", "data", "book"} <= named_targets
    assert "ingress_egress.course" in {m for chunk in code_of(text) for m in PYTHON_M.findall(chunk)}
    assert "data/README.md" in {t for chunk in code_of(text) for t in TOKEN.findall(chunk)}


def test_the_checks_catch_a_wrong_name(tmp_path):
    (tmp_path / "Makefile").write_text("VAR := x\nbook: $(STAMP)\n\techo\nlab lab-ready: deps\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "README.md").write_text("")
    guide = (
        "Run `make book`, `make lab-ready` and `make publish`; `python -m ingress_egress.nowhere`.\n"
        "Call `ingress_egress.cloud.load_prices` or `ingress_egress.cloud.guess_prices`.\n"
        "```\nmake VAR\nmake lab\n```\n"
        "See `data/README.md`, `data/prices/*.csv`, `tools/x.py`, `src/ingress_egress/datagen/<name>.py`,"
        " `_build/html/index.html` and `notes.md`.\n"
    )
    assert makefile_targets(tmp_path / "Makefile") >= {"book", "lab", "lab-ready"}
    assert "VAR" not in makefile_targets(tmp_path / "Makefile")
    assert missing_targets(guide, tmp_path / "Makefile") == ["publish"]
    assert missing_modules(guide) == ["ingress_egress.nowhere"]
    assert missing_names(guide) == ["ingress_egress.cloud.guess_prices", "ingress_egress.nowhere"]
    assert missing_paths(guide, tmp_path) == ["data/prices/*.csv", "notes.md", "tools/x.py"]
