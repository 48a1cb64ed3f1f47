"""Manifests: read the Kubernetes YAML people actually write, and say what was read.

``load_manifests`` takes files, folders and YAML text, in any mix, and returns the
objects in the order they were found, the way ``kubectl apply -f`` would see them:

- a file may hold several documents separated by ``---``; empty documents are skipped
  (and counted);
- a folder is read file by file in sorted name order (``*.yaml`` and ``*.yml``, not
  recursive);
- ``kind: List`` (what ``kubectl get -o yaml`` prints) and typed lists such as
  ``PodList`` are expanded into their items (an item without ``kind``/``apiVersion``
  gets them from its list, as the API does);
- a ``dict`` (or a list of dicts) passed in is taken as already-parsed objects.

Only some kinds matter for traffic (:data:`RELEVANT_KINDS`). The others (ConfigMap,
Secret, ServiceAccount, ...) are not thrown away: they are kept aside in
``.ignored_objects`` and counted by kind in ``.ignored``, so a reader can always see
what was read and what was set aside.

Broken input raises :class:`ManifestError`, which names the file and the document number
(1-based, as ``kubectl`` counts them) and, for an invalid object, the object (kind,
namespace/name) and the field path, in the API server's words.

Limits that protect the reader's machine, as ``kubectl`` and the API server have them:

- a file or text of at most :data:`MAX_YAML_BYTES` (32 MiB);
- aliases may not make a document explode: once a document expands to more than 400,000
  nodes, the share of nodes that come from aliases may be at most 99 % there, falling to
  10 % at 4,000,000 nodes (go-yaml's ``allowedAliasRatio``, which ``kubectl`` uses:
  "document contains excessive aliasing"); an alias inside the node it refers to (a
  recursive structure) is refused;
- a mapping with the same key twice is refused, as ``kubectl`` refuses it (PyYAML alone
  keeps the last value);
- label keys are qualified names and label values at most 63 characters of
  ``[A-Za-z0-9-_.]``, annotation keys qualified names, ``metadata.namespace`` a DNS
  label, as the API server checks.

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
ingress_egress.k8s.manifests.ManifestError: <text 1>, document 1: Pod web: apiVersion:
    Required value
"""

from __future__ import annotations

import os
import re
import reprlib
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is several times faster; same results
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

__all__ = [
    "GATEWAY_API_KINDS",
    "MAX_YAML_BYTES",
    "RELEVANT_KINDS",
    "WORKLOAD_KINDS",
    "ManifestError",
    "Manifests",
    "load_manifests",
    "object_ref",
    "qualified_name_errors",
]

WORKLOAD_KINDS = (
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
)
"""Kinds that make pods from a template; the cluster model gives each one representative
pod.
"""

GATEWAY_API_KINDS = ("GatewayClass", "Gateway", "HTTPRoute", "ReferenceGrant")
"""The Gateway API kinds the course reads (group ``gateway.networking.k8s.io``), see
:mod:`.gateway`.
"""

RELEVANT_KINDS = frozenset(
    {
        "Namespace",
        "Pod",
        "Service",
        "Ingress",
        "IngressClass",
        "NetworkPolicy",
        *WORKLOAD_KINDS,
        *GATEWAY_API_KINDS,
    }
)
"""The kinds that decide where traffic may go. Everything else is kept aside and
counted.
"""

YAML_SUFFIXES = (".yaml", ".yml")

MAX_YAML_BYTES = 32 * 2**20
"""The largest file or text :func:`load_manifests` reads (32 MiB); a bigger one is
refused.
"""

ALIAS_RATIO_LOW, ALIAS_RATIO_HIGH = 400_000, 4_000_000
"""Document sizes (nodes, aliases expanded) between which go-yaml's allowed alias share
falls.
"""


class _StrictLoader(_Loader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader, refusing a mapping that has the same key twice (as kubectl
    does).
    """

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(
                    ":merge"
                ):
                    continue
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key_node.value[:80]!r} "
                        f"(first at line {seen[key] + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


def _allowed_alias_ratio(nodes: int) -> float:
    """go-yaml's allowedAliasRatio: 0.99 up to 400,000 nodes, 0.10 from 4,000,000,
    linear between.
    """
    if nodes <= ALIAS_RATIO_LOW:
        return 0.99
    if nodes >= ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (nodes - ALIAS_RATIO_LOW) / (
        ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW
    )


def _check_structure(obj: Any, origin: str) -> None:
    """Refuse recursive structures and excessive aliasing before anything looks at the
    values.
    """
    nodes = aliased = 0
    seen: set[int] = set()
    on_path: set[int] = set()
    stack: list = [(obj, False, False)]
    while stack:
        item, from_alias, leaving = stack.pop()
        if leaving:
            on_path.discard(id(item))
            continue
        nodes += 1
        aliased += from_alias
        if isinstance(item, (dict, list)):
            key = id(item)
            if key in on_path:
                raise ManifestError(
                    "invalid YAML: an alias refers to a node that contains it (a "
                    "recursive structure, which no Kubernetes object has)",
                    origin=origin,
                )
            if key in seen:
                from_alias = True
            seen.add(key)
            on_path.add(key)
            stack.append((item, False, True))
            children = item.values() if isinstance(item, dict) else item
            if isinstance(item, dict):
                nodes += len(item)  # the keys
                aliased += from_alias * len(item)
            stack.extend((child, from_alias, False) for child in children)
        if nodes > ALIAS_RATIO_LOW and aliased > _allowed_alias_ratio(nodes) * nodes:
            raise ManifestError(
                "invalid YAML: document contains excessive "
                f"aliasing (more than {nodes:,} nodes "
                f"once aliases are expanded, {aliased:,} of them from aliases), as "
                "kubectl refuses it",
                origin=origin,
            )


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, "
    "'-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
    "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of "
    "alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric "
    "character (e.g. 'MyValue',  or 'my_value',  "
    "or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
_SUBDOMAIN_MSG = (
    "prefix part a lowercase RFC 1123 subdomain must consist "
    "of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'example.com', regex "
    "used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
TOTAL_ANNOTATION_BYTES = 256 * 1024
"""The API server's limit on all of an object's annotations together (keys and
values).
"""


def qualified_name_errors(key: str) -> list[str]:
    """Why ``key`` is not a qualified name (a label or annotation key), in the API
    server's words.

    The API server's rule (apimachinery ``IsQualifiedName``): an optional prefix, a DNS
    subdomain of at most 253 characters, then ``/``, then a name of at most 63
    characters of ``[A-Za-z0-9-_.]`` starting and ending with a letter or digit.

    >>> (
    ...     qualified_name_errors("app.kubernetes.io/name"),
    ...     qualified_name_errors("a b")[0][:40],
    ... )
    ([], 'name part must consist of alphanumeric c')
    """
    parts = key.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return ["prefix part must be non-empty"]
        if len(prefix) > 253:
            return ["prefix part must be no more than 253 characters"]
        if not _DNS_SUBDOMAIN.match(prefix):
            return [_SUBDOMAIN_MSG]
    else:
        return [
            "a qualified name must consist of alphanumeric "
            "characters, '-', '_' or '.', and must start and "
            "end with an alphanumeric character, with an "
            "optional DNS subdomain prefix and '/'"
        ]
    if not name:
        return ["name part must be non-empty"]
    if len(name) > 63:
        return ["name part must be no more than 63 characters"]
    if not _NAME_PART.match(name):
        return [_NAME_PART_MSG]
    return []


class ManifestError(ValueError):
    """A manifest that cannot be read or is not a valid object.

    The message names where (file, document), what (kind namespace/name) and the field
    path, e.g. ``policies.yaml, document 3: NetworkPolicy shop/deny: spec.podSelector:
    Required value``. The parts are also attributes: ``origin``, ``ref``, ``field`` and
    ``detail``.
    """

    def __init__(
        self,
        detail: str,
        *,
        origin: str | None = None,
        ref: str | None = None,
        field: str | None = None,
    ):
        self.origin, self.ref, self.field, self.detail = origin, ref, field, detail
        parts = [p for p in (origin, ref, field) if p]
        super().__init__(": ".join([*parts, detail]))


def object_ref(obj: Mapping[str, Any]) -> str:
    """``Kind namespace/name`` (or ``Kind name`` with no namespace) for messages.

    >>> object_ref(
    ...     {"kind": "Service", "metadata": {"name": "api", "namespace": "shop"}}
    ... )
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
        """Where ``obj`` was read: ``'file.yaml, document 2'`` (``None`` for an object
        not read here).
        """
        return self._origins.get(id(obj))

    def summary(self) -> str:
        """One line: how many objects of each kind were read, and what was set aside.

        >>> load_manifests(
        ...     "apiVersion: v1\\nkind: Secret\\nmetadata: {name: s}\\n---\\n"
        ... ).summary()
        'read 0 objects (none) from 1 source; set aside 1 (Secret: 1); 1 empty document'
        """
        kinds = Counter(o["kind"] for o in self)
        kept = ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())) or "none"
        aside = ", ".join(f"{k}: {n}" for k, n in self.ignored.items()) or "none"
        plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
        return (
            f"read {plural(len(self), 'object')} ({kept}) from "
            f"{plural(len(self.sources), 'source')}; "
            f"set aside {len(self.ignored_objects)} ({aside}); "
            f"{plural(self.empty_documents, 'empty document')}"
        )

    def _add(self, obj: dict, origin: str) -> None:
        if obj["kind"] in RELEVANT_KINDS:
            self.append(obj)
        else:
            self.ignored_objects.append(obj)
        self._origins[id(obj)] = origin


def _check_object(obj: Any, origin: str) -> dict:
    """The fields every Kubernetes object has; anything else is the cluster model's
    job.
    """
    if not isinstance(obj, Mapping):
        raise ManifestError(
            f"expected a mapping (a Kubernetes object), got {type(obj).__name__}",
            origin=origin,
        )
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
            raise ManifestError(
                "Required value: name or generateName is required",
                origin=origin,
                ref=ref,
                field="metadata.name",
            )
    namespace = meta.get("namespace")
    if namespace is not None:
        if not isinstance(namespace, str):
            raise ManifestError(
                f"Invalid value: {reprlib.repr(namespace)}: must be a string",
                origin=origin,
                ref=ref,
                field="metadata.namespace",
            )
        if namespace and (len(namespace) > 63 or not _DNS_LABEL.match(namespace)):
            raise ManifestError(
                f'Invalid value: "{namespace[:80]}": a lowercase RFC '
                "1123 label must consist of lower case "
                "alphanumeric characters or '-', and must start and end with an "
                "alphanumeric character, at most 63 characters",
                origin=origin,
                ref=ref,
                field="metadata.namespace",
            )
    for field in ("labels", "annotations"):
        value = meta.get(field)
        if value is not None and (
            not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value)
        ):
            raise ManifestError(
                "Invalid value: expected a map of strings",
                origin=origin,
                ref=ref,
                field=f"metadata.{field}",
            )
        if not value:
            continue
        size = 0
        for key, val in value.items():
            problems = qualified_name_errors(key)
            if problems:
                raise ManifestError(
                    f'Invalid value: "{key[:80]}": {problems[0]}',
                    origin=origin,
                    ref=ref,
                    field=f"metadata.{field}",
                )
            if field == "labels":
                if not isinstance(val, str):
                    raise ManifestError(
                        f"Invalid value: {reprlib.repr(val)}: label values "
                        "must be strings (quote it in YAML)",
                        origin=origin,
                        ref=ref,
                        field=f"metadata.labels.{key}",
                    )
                if len(val) > 63:
                    raise ManifestError(
                        f'Invalid value: "{val[:80]}": must be no '
                        "more than 63 characters",
                        origin=origin,
                        ref=ref,
                        field="metadata.labels",
                    )
                if not _LABEL_VALUE.match(val):
                    raise ManifestError(
                        f'Invalid value: "{val}": {_LABEL_VALUE_MSG}',
                        origin=origin,
                        ref=ref,
                        field="metadata.labels",
                    )
            else:
                if not isinstance(val, str):
                    raise ManifestError(
                        f"Invalid value: {reprlib.repr(val)}: "
                        "annotation values must be strings",
                        origin=origin,
                        ref=ref,
                        field=f"metadata.annotations.{key}",
                    )
                size += len(key) + len(val)
        if size > TOTAL_ANNOTATION_BYTES:
            raise ManifestError(
                f"Too long: must have at most {TOTAL_ANNOTATION_BYTES} bytes",
                origin=origin,
                ref=ref,
                field="metadata.annotations",
            )
    return dict(obj)


def _is_list(obj: Mapping) -> bool:
    kind = obj["kind"]
    return kind == "List" or (kind.endswith("List") and "items" in obj)


def _expand(obj: dict, origin: str, out: Manifests) -> None:
    kind = obj["kind"]
    if _is_list(obj):
        items = obj.get("items") or []
        if not isinstance(items, list):
            raise ManifestError(
                "Invalid value: expected a list", origin=origin, ref=kind, field="items"
            )
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
    if len(text) > MAX_YAML_BYTES:
        raise ManifestError(
            f"{len(text):,} characters of YAML; the largest "
            f"accepted is {MAX_YAML_BYTES:,} "
            "(MAX_YAML_BYTES)",
            origin=label,
        )
    document = 0
    stream = yaml.load_all(text, Loader=_StrictLoader)
    while True:
        document += 1
        origin = f"{label}, document {document}"
        try:
            obj = next(stream)
        except StopIteration:
            return
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = (
                f" (line {mark.line + 1}, column {mark.column + 1})"
                if mark is not None
                else ""
            )
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            raise ManifestError(
                f"invalid YAML: {problem}{where}", origin=origin
            ) from None
        if obj is None:
            out.empty_documents += 1
            continue
        _check_structure(obj, origin)
        _expand(_check_object(obj, origin), origin, out)


def _looks_like_yaml(text: str) -> bool:
    return "\n" in text or text.lstrip().startswith("{") or ": " in text


def load_manifests(
    *sources: str | os.PathLike | Mapping | Iterable[Mapping],
) -> Manifests:
    """Read Kubernetes objects from files, folders, YAML text or dicts, in the order
    given.

    A ``str`` with a line break (or one that starts with ``{`` or holds ``": "``) is
    YAML text; any other ``str`` and every :class:`~pathlib.Path` is a file or folder.
    Returns a :class:`Manifests` (a ``list[dict]`` with the set-aside objects and counts
    attached).

    Examples
    --------
    >>> objs = load_manifests(
    ...     '''
    ... apiVersion: v1
    ... kind: List
    ... items:
    ... - {apiVersion: v1, kind: Namespace, metadata: {name: a}}
    ... - {apiVersion: v1, kind: Namespace, metadata: {name: b}}
    ... ''',
    ...     {
    ...         "apiVersion": "v1",
    ...         "kind": "ServiceAccount",
    ...         "metadata": {"name": "robot"},
    ...     },
    ... )
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
                files = sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file() and p.suffix in YAML_SUFFIXES
                )
                for file in files:
                    _read_file(file, out)
            elif path.is_file():
                _read_file(path, out)
            else:
                raise FileNotFoundError(
                    f"load_manifests: {str(path)!r} is neither a file nor a folder"
                )
        elif isinstance(source, Iterable):
            for i, item in enumerate(source):
                texts += 1
                label = f"<object {texts}>"
                out.sources.append(label)
                _expand(_check_object(item, label), label, out)
        else:
            raise TypeError(
                f"load_manifests: cannot read a {type(source).__name__}; give a path, "
                "YAML text or dicts"
            )
    return out


def _read_file(path: Path, out: Manifests) -> None:
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise ManifestError(
            f"a file of {size:,} bytes; the largest accepted is "
            f"{MAX_YAML_BYTES:,} (MAX_YAML_BYTES)",
            origin=str(path),
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ManifestError(
            f"not UTF-8 text (byte {error.start})", origin=str(path)
        ) from None
    _read_text(text, str(path), out)
