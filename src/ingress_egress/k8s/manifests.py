"""Manifests: read the Kubernetes YAML people actually write, and say what was read.

``load_manifests`` takes files, folders and YAML text, in any mix, and returns the objects in the
order they were found, the way ``kubectl apply -f`` would see them:

- a file may hold several documents separated by ``---``; empty documents are skipped (and counted);
- a folder is read file by file in sorted name order (``*.yaml`` and ``*.yml``, not recursive);
- ``kind: List`` (what ``kubectl get -o yaml`` prints) and typed lists such as ``PodList`` are expanded
  into their items (an item without ``kind``/``apiVersion`` gets them from its list, as the API does);
- a ``dict`` (or a list of dicts) passed in is taken as already-parsed objects.

Only some kinds matter for traffic (:data:`RELEVANT_KINDS`). The others (ConfigMap, Secret,
ServiceAccount, ...) are not thrown away: they are kept aside in ``.ignored_objects`` and counted by kind
in ``.ignored``, so a reader can always see what was read and what was set aside.

Broken input raises :class:`ManifestError`, which names the file and the document number (1-based,
as ``kubectl`` counts them) and, for an invalid object, the object (kind, namespace/name) and the field
path, in the API server's words.

Examples
--------
>>> text = '''
... apiVersion: v1
... kind: Namespace
... metadata: {name: shop}
... ---
... apiVersion: v1
... kind: ConfigMap
... metadata: {name: settings, namespace: shop}
... data: {colour: blue}
... '''
>>> objects = load_manifests(text)
>>> [(o["kind"], o["metadata"]["name"]) for o in objects]
[('Namespace', 'shop')]
>>> objects.ignored
{'ConfigMap': 1}
>>> objects.origin(objects[0])
'<text 1>, document 1'
>>> load_manifests("kind: Pod\\nmetadata: {name: web}\\n")
Traceback (most recent call last):
...
ingress_egress.k8s.manifests.ManifestError: <text 1>, document 1: Pod web: apiVersion: Required value
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is several times faster; same results
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

__all__ = ["GATEWAY_API_KINDS", "RELEVANT_KINDS", "WORKLOAD_KINDS", "ManifestError", "Manifests", "load_manifests", "object_ref"]

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob")
"""Kinds that make pods from a template; the cluster model gives each one representative pod."""

GATEWAY_API_KINDS = ("GatewayClass", "Gateway", "HTTPRoute", "ReferenceGrant")
"""The Gateway API kinds the course reads (group ``gateway.networking.k8s.io``), see :mod:`.gateway`."""

RELEVANT_KINDS = frozenset(
    {"Namespace", "Pod", "Service", "Ingress", "IngressClass", "NetworkPolicy", *WORKLOAD_KINDS, *GATEWAY_API_KINDS}
)
"""The kinds that decide where traffic may go. Everything else is kept aside and counted."""

YAML_SUFFIXES = (".yaml", ".yml")


class ManifestError(ValueError):
    """A manifest that cannot be read or is not a valid object.

    The message names where (file, document), what (kind namespace/name) and the field path, e.g.
    ``policies.yaml, document 3: NetworkPolicy shop/deny: spec.podSelector: Required value``.
    The parts are also attributes: ``origin``, ``ref``, ``field`` and ``detail``.
    """

    def __init__(self, detail: str, *, origin: str | None = None, ref: str | None = None, field: str | None = None):
        self.origin, self.ref, self.field, self.detail = origin, ref, field, detail
        parts = [p for p in (origin, ref, field) if p]
        super().__init__(": ".join([*parts, detail]))


def object_ref(obj: Mapping[str, Any]) -> str:
    """``Kind namespace/name`` (or ``Kind name`` with no namespace) for messages.

    >>> object_ref({"kind": "Service", "metadata": {"name": "api", "namespace": "shop"}})
    'Service shop/api'
    >>> object_ref({"kind": "Namespace", "metadata": {"name": "shop"}})
    'Namespace shop'
    """
    kind = obj.get("kind") if isinstance(obj, Mapping) else None
    meta = obj.get("metadata") if isinstance(obj, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    name, namespace = meta.get("name"), meta.get("namespace")
    who = f"{namespace}/{name}" if namespace and name else (name or "(no name)")
    return f"{kind or '(no kind)'} {who}"


class Manifests(list):
    """A ``list[dict]`` of the relevant objects, plus what was set aside.

    Attributes
    ----------
    ignored : dict[str, int]
        Objects of other kinds, counted by kind (sorted by kind).
    ignored_objects : list[dict]
        Those objects themselves, in reading order.
    empty_documents : int
        Documents that held nothing (``---`` at the end of a file, comments only).
    sources : list[str]
        The files and texts read, in order.
    """

    def __init__(self) -> None:
        super().__init__()
        self.ignored_objects: list[dict] = []
        self.empty_documents = 0
        self.sources: list[str] = []
        self._origins: dict[int, str] = {}

    @property
    def ignored(self) -> dict[str, int]:
        counts = Counter(str(o.get("kind")) for o in self.ignored_objects)
        return dict(sorted(counts.items()))

    def origin(self, obj: Mapping[str, Any]) -> str | None:
        """Where ``obj`` was read: ``'file.yaml, document 2'`` (``None`` for an object not read here)."""
        return self._origins.get(id(obj))

    def summary(self) -> str:
        """One line: how many objects of each kind were read, and what was set aside.

        >>> load_manifests("apiVersion: v1\\nkind: Secret\\nmetadata: {name: s}\\n---\\n").summary()
        'read 0 objects (none) from 1 source; set aside 1 (Secret: 1); 1 empty document'
        """
        kinds = Counter(o["kind"] for o in self)
        kept = ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())) or "none"
        aside = ", ".join(f"{k}: {n}" for k, n in self.ignored.items()) or "none"
        plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
        return (
            f"read {plural(len(self), 'object')} ({kept}) from {plural(len(self.sources), 'source')}; "
            f"set aside {len(self.ignored_objects)} ({aside}); {plural(self.empty_documents, 'empty document')}"
        )

    def _add(self, obj: dict, origin: str) -> None:
        if obj["kind"] in RELEVANT_KINDS:
            self.append(obj)
        else:
            self.ignored_objects.append(obj)
        self._origins[id(obj)] = origin


def _check_object(obj: Any, origin: str) -> dict:
    """The fields every Kubernetes object has; anything else is the cluster model's job."""
    if not isinstance(obj, Mapping):
        raise ManifestError(f"expected a mapping (a Kubernetes object), got {type(obj).__name__}", origin=origin)
    ref = object_ref(obj)
    for field in ("kind", "apiVersion"):
        if not isinstance(obj.get(field), str) or not obj.get(field):
            kind, meta = obj.get("kind"), obj.get("metadata")
            name = meta.get("name") if isinstance(meta, Mapping) else None
            short = " ".join(str(p) for p in (kind, name) if p) or None
            raise ManifestError("Required value", origin=origin, ref=short, field=field)
    if _is_list(obj):  # a List has no name of its own
        return dict(obj)
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping):
        raise ManifestError("Required value", origin=origin, ref=ref, field="metadata")
    if not isinstance(meta.get("name"), str) or not meta["name"]:
        if not meta.get("generateName"):
            raise ManifestError("Required value: name or generateName is required", origin=origin, ref=ref,
                                field="metadata.name")
    for field in ("labels", "annotations"):
        value = meta.get(field)
        if value is not None and (
            not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value)
        ):
            raise ManifestError("Invalid value: expected a map of strings", origin=origin, ref=ref,
                                field=f"metadata.{field}")
        if value:
            for key, val in value.items():
                if field == "labels" and not isinstance(val, str):
                    raise ManifestError(
                        f"Invalid value: {val!r}: label values must be strings (quote it in YAML)",
                        origin=origin, ref=ref, field=f"metadata.labels.{key}")
    return dict(obj)


def _is_list(obj: Mapping) -> bool:
    kind = obj["kind"]
    return kind == "List" or (kind.endswith("List") and "items" in obj)


def _expand(obj: dict, origin: str, out: Manifests) -> None:
    kind = obj["kind"]
    if _is_list(obj):
        items = obj.get("items") or []
        if not isinstance(items, list):
            raise ManifestError("Invalid value: expected a list", origin=origin, ref=kind, field="items")
        item_kind = None if kind == "List" else kind[: -len("List")]
        for i, item in enumerate(items):
            where = f"{origin}, items[{i}]"
            if isinstance(item, Mapping) and item_kind:
                item = {"apiVersion": obj["apiVersion"], "kind": item_kind, **item}
            _expand(_check_object(item, where), where, out)
        return
    out._add(obj, origin)


def _read_text(text: str, label: str, out: Manifests) -> None:
    out.sources.append(label)
    document = 0
    stream = yaml.load_all(text, Loader=_Loader)
    while True:
        document += 1
        origin = f"{label}, document {document}"
        try:
            obj = next(stream)
        except StopIteration:
            return
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            raise ManifestError(f"invalid YAML: {problem}{where}", origin=origin) from None
        if obj is None:
            out.empty_documents += 1
            continue
        _expand(_check_object(obj, origin), origin, out)


def _looks_like_yaml(text: str) -> bool:
    return "\n" in text or text.lstrip().startswith("{") or ": " in text


def load_manifests(*sources: str | os.PathLike | Mapping | Iterable[Mapping]) -> Manifests:
    """Read Kubernetes objects from files, folders, YAML text or dicts, in the order given.

    A ``str`` with a line break (or one that starts with ``{`` or holds ``": "``) is YAML text;
    any other ``str`` and every :class:`~pathlib.Path` is a file or folder. Returns a
    :class:`Manifests` (a ``list[dict]`` with the set-aside objects and counts attached).

    Examples
    --------
    >>> objs = load_manifests('''
    ... apiVersion: v1
    ... kind: List
    ... items:
    ... - {apiVersion: v1, kind: Namespace, metadata: {name: a}}
    ... - {apiVersion: v1, kind: Namespace, metadata: {name: b}}
    ... ''', {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}})
    >>> [o["metadata"]["name"] for o in objs], objs.ignored
    (['a', 'b'], {'ServiceAccount': 1})
    >>> load_manifests("kind: Namespace\\nmetadata: {name: [a\\n")
    Traceback (most recent call last):
    ...
    ingress_egress.k8s.manifests.ManifestError: <text 1>, document 1: invalid YAML: ...
    """
    out = Manifests()
    texts = 0
    for source in sources:
        if isinstance(source, Mapping):
            texts += 1
            label = f"<object {texts}>"
            out.sources.append(label)
            _expand(_check_object(source, label), label, out)
        elif isinstance(source, str) and _looks_like_yaml(source):
            texts += 1
            _read_text(source, f"<text {texts}>", out)
        elif isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if path.is_dir():
                files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in YAML_SUFFIXES)
                for file in files:
                    _read_file(file, out)
            elif path.is_file():
                _read_file(path, out)
            else:
                raise FileNotFoundError(f"load_manifests: {str(path)!r} is neither a file nor a folder")
        elif isinstance(source, Iterable):
            for i, item in enumerate(source):
                texts += 1
                label = f"<object {texts}>"
                out.sources.append(label)
                _expand(_check_object(item, label), label, out)
        else:
            raise TypeError(f"load_manifests: cannot read a {type(source).__name__}; give a path, YAML text or dicts")
    return out


def _read_file(path: Path, out: Manifests) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ManifestError(f"not UTF-8 text (byte {error.start})", origin=str(path)) from None
    _read_text(text, str(path), out)
