"""Cluster: the pods, namespaces, Services and NetworkPolicies that manifests describe,
and who may talk to whom.

``Cluster(objects)`` builds a small model of a cluster from Kubernetes objects (what
:func:`~ingress_egress.k8s.manifests.load_manifests` returns, or any list of dicts):

- **Namespaces** with their labels plus the automatic
  ``kubernetes.io/metadata.name: <name>``. ``default`` always exists. A namespace that
  objects use but no manifest declares is *created implicitly* (as if
  ``kubectl create namespace`` had run first) and listed in
  :attr:`Cluster.implicit_namespaces`, so a typo shows up instead of vanishing.
- **Pods** with labels, addresses (``status.podIP``/``status.podIPs``) and named
  container ports.
- **Workloads** (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
  Job, CronJob): each contributes *one representative pod* made from its pod template
  and named after the workload, so application manifests work without Pod objects.
  NetworkPolicy selects by labels, so one pod per template answers every question a
  thousand replicas would. If real Pod objects already match a workload's selector in
  its namespace, those pods represent it instead (no double counting).
- A pod without an address gets one from ``pod_cidr`` (default ``10.244.0.0/16``), in
  sorted pod order, so ``ipBlock`` rules have something to match and results never
  depend on input order.
- **Services**, **Ingresses** (validated like the API server does) and IngressClasses
  are kept (``.services``, ``.ingresses``) for routing;
  :meth:`Cluster.service_endpoints` resolves a Service port to pods and container ports.
- **NetworkPolicies** are validated and parsed by
  :mod:`ingress_egress.k8s.networkpolicy`, whose module docstring states the semantics
  this model implements.

Then :meth:`Cluster.allows`, :meth:`Cluster.explain` and :meth:`Cluster.reachability`
answer the questions (a pod's connection to itself is always allowed: "a pod cannot
block access to itself"). ``src`` and ``dst`` are ``"namespace/pod"`` or an IP address;
an address that belongs to a pod *is* that pod, any other is outside the cluster (no
policy applies on its side). A Service's virtual IP is not translated: in most clusters
kube-proxy rewrites it to a pod's address before the policy is checked, so ask about the
pod behind the Service (:meth:`Cluster.service_endpoints` names it and its port).

Examples
--------
>>> cluster = Cluster(
...     load_manifests('''
... apiVersion: v1
... kind: Namespace
... metadata: {name: shop}
... ---
... apiVersion: v1
... kind: Pod
... metadata: {name: web, namespace: shop, labels: {app: web}}
... spec: {containers: [{name: c, image: nginx,
...                      ports: [{name: http, containerPort: 80}]}]}
... ---
... apiVersion: v1
... kind: Pod
... metadata: {name: db, namespace: shop, labels: {app: db}}
... spec: {containers: [{name: c, image: postgres}]}
... ---
... apiVersion: networking.k8s.io/v1
... kind: NetworkPolicy
... metadata: {name: db-isolated, namespace: shop}
... spec:
...   podSelector: {matchLabels: {app: db}}
...   policyTypes: [Ingress]
... ''')
... )
>>> cluster.pod_names
['shop/db', 'shop/web']
>>> (
...     cluster.allows("shop/db", "shop/web", 80),
...     cluster.allows("shop/web", "shop/db", 5432),
... )
(True, False)
>>> cluster.reachability(80)  # shop/db -> shop/db stays open: a pod cannot block itself
destination  shop/db  shop/web
source
shop/db         True      True
shop/web       False      True
>>> print(cluster.explain("shop/web", "shop/db", 5432))
shop/web -> shop/db on 5432/TCP: DENIED
egress of shop/web: not isolated (no policy selects it for egress)
  => allowed: shop/web is not isolated for egress
ingress of shop/db: isolated by 1 policy: shop/db-isolated
  - shop/db-isolated: no ingress rules (it only isolates the pod)
  => denied: no ingress rule of the 1 policy selecting shop/db allows it
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .ingress import validate_ingress
from .manifests import (
    WORKLOAD_KINDS,
    ManifestError,
    _check_object,
    load_manifests,  # noqa: F401 - the module docstring's example uses it
    object_ref,
)
from .networkpolicy import (
    NAMESPACE_NAME_LABEL,
    PROTOCOLS,
    IPBlock,
    LabelSelector,
    NetworkPolicy,
    Peer,
    Rule,
    _port_name_errors,
    _validate_selector,
    parse_label_selector,
    parse_network_policy,
)

__all__ = [
    "Cluster",
    "ContainerPort",
    "Explanation",
    "Pod",
    "RuleCheck",
    "SideVerdict",
    "reachability_changes",
]

DIRECTIONS = ("egress", "ingress")


@dataclass(frozen=True)
class ContainerPort:
    """A container port: number, protocol and (optional) name."""

    number: int
    protocol: str = "TCP"
    name: str | None = None


@dataclass(eq=False)
class Pod:
    """A pod as NetworkPolicy sees it: where it lives, its labels, its addresses and its
    ports.
    """

    namespace: str
    name: str
    labels: dict[str, str]
    ips: tuple[str, ...] = ()
    ports: tuple[ContainerPort, ...] = ()
    owner: str | None = None
    """``"Deployment shop/api"`` for a representative pod made from a workload's
    template.
    """
    origin: str | None = None

    @property
    def ref(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    @property
    def named_ports(self) -> dict[tuple[str, str], int]:
        """``(name, protocol) -> number`` for the named container ports."""
        return {(p.name, p.protocol): p.number for p in self.ports if p.name}


@dataclass(frozen=True)
class RuleCheck:
    """How one rule of one policy judged a connection."""

    policy: str
    direction: str
    index: int
    allowed: bool
    reason: str

    @property
    def where(self) -> str:
        """``shop/allow-web ingress[0]`` (just the policy for a policy without
        rules).
        """
        return (
            f"{self.policy} {self.direction}[{self.index}]"
            if self.index >= 0
            else self.policy
        )


@dataclass(frozen=True)
class SideVerdict:
    """One end of a connection: the source's egress or the destination's ingress."""

    direction: str
    endpoint: str
    in_cluster: bool
    policies: tuple[str, ...]
    """Policies that select the endpoint *for this direction* (they isolate it)."""
    other_policies: tuple[str, ...]
    """Policies that select the endpoint but only for the other direction."""
    checks: tuple[RuleCheck, ...]
    allowed: bool
    reason: str

    @property
    def isolated(self) -> bool:
        return bool(self.policies)

    def to_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "endpoint": self.endpoint,
            "in_cluster": self.in_cluster,
            "isolated": self.isolated,
            "policies": list(self.policies),
            "other_policies": list(self.other_policies),
            "checks": [
                {"rule": c.where, "allowed": c.allowed, "reason": c.reason}
                for c in self.checks
            ],
            "allowed": self.allowed,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Explanation:
    """Why a connection is allowed or denied: both ends, every policy and rule that had
    a say.

    ``str(explanation)`` is a readable multi-line text; :meth:`to_dict` the same as
    plain data.
    """

    src: str
    dst: str
    port: int
    protocol: str
    egress: SideVerdict
    ingress: SideVerdict

    @property
    def allowed(self) -> bool:
        return self.egress.allowed and self.ingress.allowed

    def to_dict(self) -> dict[str, Any]:
        return {
            "src": self.src,
            "dst": self.dst,
            "port": self.port,
            "protocol": self.protocol,
            "allowed": self.allowed,
            "egress": self.egress.to_dict(),
            "ingress": self.ingress.to_dict(),
        }

    def __str__(self) -> str:
        lines = [
            f"{self.src} -> {self.dst} on {self.port}/{self.protocol}: "
            f"{'ALLOWED' if self.allowed else 'DENIED'}"
        ]
        for side in (self.egress, self.ingress):
            head = f"{side.direction} of {side.endpoint}: "
            if not side.in_cluster:
                lines.append(head + "outside the cluster, no NetworkPolicy applies")
                continue
            if not side.isolated:
                lines.append(
                    head
                    + "not isolated (no policy selects it for "
                    + side.direction
                    + ")"
                )
            else:
                n = len(side.policies)
                lines.append(
                    head
                    + f"isolated by {n} polic{'y' if n == 1 else 'ies'}: "
                    + ", ".join(side.policies)
                )
                for check in side.checks:
                    if check.index < 0:
                        lines.append(f"  - {check.policy}: {check.reason}")
                    else:
                        verdict = "ALLOWS" if check.allowed else "no"
                        lines.append(f"  - {check.where}: {verdict}: {check.reason}")
            for other in side.other_policies:
                lines.append(
                    f"  (also selected by {other}, which does "
                    f"not cover {side.direction})"
                )
            lines.append(f"  => {side.reason}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        verdict = "allowed" if self.allowed else "denied"
        return (
            f"<Explanation {self.src} -> {self.dst} "
            f"{self.port}/{self.protocol}: {verdict}>"
        )


# --------------------------------------------------------------------------------------
# Reading objects
# --------------------------------------------------------------------------------------


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _labels(value: Any) -> dict[str, str]:
    return (
        {str(k): str(v) for k, v in (value or {}).items()}
        if isinstance(value, Mapping)
        else {}
    )


def _pod_template(obj: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, str]:
    spec = obj.get("spec") if isinstance(obj.get("spec"), Mapping) else {}
    if obj["kind"] == "CronJob":
        job = (spec.get("jobTemplate") or {}).get("spec") or {}
        return job.get("template"), "spec.jobTemplate.spec.template"
    return spec.get("template"), "spec.template"


def _container_ports(spec: Any, path: str, raise_error) -> tuple[ContainerPort, ...]:
    if not isinstance(spec, Mapping):
        raise_error(f"{path}", "Required value")
    ports = []
    seen_names: set[str] = set()
    for group in ("initContainers", "containers"):
        containers = spec.get(group) or []
        if not isinstance(containers, list):
            raise_error(f"{path}.{group}", "Invalid value: must be a list")
        for i, container in enumerate(containers):
            cports = container.get("ports") if isinstance(container, Mapping) else None
            if cports is not None and not isinstance(cports, list):
                raise_error(
                    f"{path}.{group}[{i}].ports",
                    "Invalid value: must be a list of ports (- containerPort: 80)",
                )
            for j, p in enumerate(cports or []):
                ppath = f"{path}.{group}[{i}].ports[{j}]"
                if not isinstance(p, Mapping):
                    raise_error(
                        ppath, "Invalid value: must be a mapping with containerPort"
                    )
                number = p.get("containerPort")
                if (
                    not isinstance(number, int)
                    or isinstance(number, bool)
                    or not 1 <= number <= 65535
                ):
                    shown = f'"{number}"' if isinstance(number, str) else number
                    if number is None:
                        raise_error(f"{ppath}.containerPort", "Required value")
                    raise_error(
                        f"{ppath}.containerPort",
                        f"Invalid value: {shown}: must be "
                        "between 1 and 65535, inclusive",
                    )
                protocol = p.get("protocol") or "TCP"
                if protocol not in PROTOCOLS:
                    raise_error(
                        f"{ppath}.protocol",
                        f'Unsupported value: "{protocol}": supported '
                        'values: "TCP", "UDP", "SCTP"',
                    )
                name = p.get("name")
                if name is not None:
                    if not isinstance(name, str):
                        raise_error(
                            f"{ppath}.name", f"Invalid value: {name}: must be a string"
                        )
                    msgs = _port_name_errors(name)
                    if msgs:
                        raise_error(
                            f"{ppath}.name", f'Invalid value: "{name}": {msgs[0]}'
                        )
                    if name in seen_names:
                        raise_error(f"{ppath}.name", f'Duplicate value: "{name}"')
                    seen_names.add(name)
                ports.append(ContainerPort(number, protocol, name))
    return tuple(ports)


@dataclass
class _Population:
    """Label lookup over a list of label dicts, as numpy arrays, for vectorised
    selectors.
    """

    labels: list[Mapping[str, str]]
    _columns: dict[str, np.ndarray] = field(default_factory=dict)
    _cache: dict[LabelSelector, np.ndarray] = field(default_factory=dict)

    def column(self, key: str) -> np.ndarray:
        if key not in self._columns:
            self._columns[key] = np.array(
                [lab.get(key) for lab in self.labels], dtype=object
            )
        return self._columns[key]

    def select(self, selector: LabelSelector) -> np.ndarray:
        if selector in self._cache:
            return self._cache[selector]
        n = len(self.labels)
        result = np.ones(n, dtype=bool)
        for key, value in selector.match_labels:
            result &= self.column(key) == value
        for req in selector.expressions:
            col = self.column(req.key)
            present = col != None  # noqa: E711 - elementwise on an object array
            if req.operator in ("In", "NotIn"):
                hit = np.zeros(n, dtype=bool)
                for value in req.values:
                    hit |= col == value
                result &= hit if req.operator == "In" else ~hit
            elif req.operator == "Exists":
                result &= present
            else:
                result &= ~present
        self._cache[selector] = result
        return result


# --------------------------------------------------------------------------------------
# The cluster
# --------------------------------------------------------------------------------------


class Cluster:
    """A cluster model built from Kubernetes objects; see the module docstring for what
    is kept.
    """

    def __init__(
        self, objects: Iterable[Mapping[str, Any]], *, pod_cidr: str = "10.244.0.0/16"
    ) -> None:
        objects = list(objects) if not hasattr(objects, "origin") else objects
        origin_of = getattr(objects, "origin", None)
        self._origin = (
            (lambda obj: origin_of(obj)) if callable(origin_of) else (lambda obj: None)
        )
        self.namespaces: dict[str, dict[str, str]] = {}
        self.implicit_namespaces: list[str] = []
        self.services: list[dict] = []
        self.ingresses: list[dict] = []
        self.ingress_classes: list[dict] = []
        self.policies: list[NetworkPolicy] = []
        self.represented_by_pods: dict[str, list[str]] = {}
        """Workloads whose pods came as Pod objects:
        ``"Deployment ns/name" -> [pod refs]``.
        """
        self.skipped: dict[str, int] = dict(getattr(objects, "ignored", {}) or {})
        """Kinds set aside by the reader (if the objects came from
        :func:`load_manifests`).
        """
        seen: dict[tuple[str, str, str], str | None] = {}
        declared_ns: dict[str, dict[str, str]] = {}
        raw_pods: list[Mapping] = []
        workloads: list[Mapping] = []

        for obj in objects:
            _check_object(
                obj, self._origin(obj) or "<object>"
            )  # the fields every object has
            kind = obj.get("kind")
            meta = _meta(obj)
            name = meta.get("name")
            namespace = (
                None
                if kind in ("Namespace", "IngressClass")
                else (meta.get("namespace") or "default")
            )
            key = (str(kind), str(namespace), str(name))
            if key in seen:
                where = f" (first in {seen[key]})" if seen[key] else ""
                raise ManifestError(
                    f"Duplicate value: a second {kind} with this name{where}",
                    origin=self._origin(obj),
                    ref=object_ref(obj),
                    field="metadata.name",
                )
            seen[key] = self._origin(obj)
            if kind == "Namespace":
                declared_ns[name] = _labels(meta.get("labels"))
            elif kind == "Pod":
                raw_pods.append(obj)
            elif kind in WORKLOAD_KINDS:
                workloads.append(obj)
            elif kind == "Service":
                self.services.append(obj)
            elif kind == "Ingress":
                validate_ingress(
                    obj, self._origin(obj)
                )  # refused as the API server would
                self.ingresses.append(obj)
            elif kind == "IngressClass":
                self.ingress_classes.append(obj)
            elif kind == "NetworkPolicy":
                self.policies.append(
                    parse_network_policy(obj, origin=self._origin(obj))
                )

        # Namespaces: declared ones, default, and the implicit ones referenced by
        # objects.
        for name in sorted(set(declared_ns) | {"default"}):
            labels = dict(declared_ns.get(name, {}))
            labels[NAMESPACE_NAME_LABEL] = name  # set (and kept) by the API server
            self.namespaces[name] = labels
        used = [
            (_meta(o).get("namespace") or "default")
            for o in [*raw_pods, *workloads, *self.services, *self.ingresses]
        ]
        used += [p.namespace for p in self.policies]
        for name in sorted(set(used) - set(self.namespaces)):
            self.namespaces[name] = {NAMESPACE_NAME_LABEL: name}
            self.implicit_namespaces.append(name)
        self.namespaces = dict(sorted(self.namespaces.items()))

        pods = [self._read_pod(o) for o in raw_pods]
        pods += self._representatives(workloads, pods)
        pods.sort(key=lambda p: (p.namespace, p.name))
        self._assign_addresses(pods, pod_cidr)
        self.pods: list[Pod] = pods
        self.policies.sort(key=lambda p: (p.namespace, p.name))
        self._index = {p.ref: i for i, p in enumerate(pods)}
        self._by_ip: dict[str, int] = {}
        for i, pod in enumerate(pods):
            for ip in pod.ips:
                self._by_ip[str(ipaddress.ip_address(ip))] = i
        self._fast: dict[str, Any] | None = None

    # -- construction helpers ----------------------------------------------------------

    def _read_pod(self, obj: Mapping[str, Any]) -> Pod:
        meta = _meta(obj)
        origin, ref = self._origin(obj), object_ref(obj)

        def fail(path: str, body: str) -> None:
            raise ManifestError(body, origin=origin, ref=ref, field=path)

        ports = _container_ports(obj.get("spec"), "spec", fail)
        status = obj.get("status") if isinstance(obj.get("status"), Mapping) else {}
        ips: list[str] = []
        if status.get("podIP"):
            ips.append(status["podIP"])
        for i, item in enumerate(status.get("podIPs") or []):
            ip = item.get("ip") if isinstance(item, Mapping) else None
            if ip and ip not in ips:
                ips.append(ip)
        for ip in ips:
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                fail(
                    "status.podIP",
                    f'Invalid value: "{ip}": must be a valid IP '
                    "address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                )
        owner = None
        refs = meta.get("ownerReferences") or []
        if refs and isinstance(refs[0], Mapping):
            owner = (
                f"{refs[0].get('kind')} "
                f"{meta.get('namespace') or 'default'}/{refs[0].get('name')}"
            )
        return Pod(
            meta.get("namespace") or "default",
            meta["name"],
            _labels(meta.get("labels")),
            tuple(str(ipaddress.ip_address(ip)) for ip in ips),
            ports,
            owner,
            origin,
        )

    def _representatives(self, workloads: list[Mapping], real: list[Pod]) -> list[Pod]:
        out: list[Pod] = []
        taken = {p.ref for p in real}
        for obj in workloads:
            meta = _meta(obj)
            origin, ref = self._origin(obj), object_ref(obj)
            namespace = meta.get("namespace") or "default"
            template, tpath = _pod_template(obj)

            def fail(path: str, body: str, _origin=origin, _ref=ref) -> None:
                raise ManifestError(body, origin=_origin, ref=_ref, field=path)

            if not isinstance(template, Mapping):
                fail(tpath, "Required value")
            tmeta = (
                template.get("metadata")
                if isinstance(template.get("metadata"), Mapping)
                else {}
            )
            labels = _labels(tmeta.get("labels"))
            spec = obj.get("spec") or {}
            selector_raw = (
                spec.get("selector") if obj["kind"] not in ("Job", "CronJob") else None
            )
            if (
                isinstance(selector_raw, Mapping)
                and obj["kind"] != "ReplicationController"
            ):
                problems: list = []
                _validate_selector(selector_raw, "spec.selector", problems)
                if problems:
                    fail(
                        problems[0].field,
                        str(problems[0])[len(problems[0].field) + 2 :],
                    )
                selector = parse_label_selector(selector_raw)
            elif isinstance(
                selector_raw, Mapping
            ):  # ReplicationController: a plain map
                selector = LabelSelector(tuple(sorted(_labels(selector_raw).items())))
            else:
                selector = LabelSelector(tuple(sorted(labels.items())))
            if labels and not selector.is_empty and not selector.matches(labels):
                fail(
                    f"{tpath}.metadata.labels",
                    f"Invalid value: {labels}: `selector` does "
                    "not match template `labels`",
                )
            matching = [
                p.ref
                for p in real
                if p.namespace == namespace
                and not selector.is_empty
                and selector.matches(p.labels)
            ]
            if matching:
                self.represented_by_pods[
                    f"{obj['kind']} {namespace}/{meta['name']}"
                ] = matching
                continue
            ports = _container_ports(template.get("spec"), f"{tpath}.spec", fail)
            name = meta["name"]
            if f"{namespace}/{name}" in taken:
                name = f"{name}-{obj['kind'].lower()}"
            taken.add(f"{namespace}/{name}")
            out.append(
                Pod(
                    namespace,
                    name,
                    labels,
                    (),
                    ports,
                    f"{obj['kind']} {namespace}/{meta['name']}",
                    origin,
                )
            )
        return out

    @staticmethod
    def _assign_addresses(pods: list[Pod], pod_cidr: str) -> None:
        network = ipaddress.ip_network(pod_cidr)
        used = {ipaddress.ip_address(ip) for p in pods for ip in p.ips}
        hosts = network.hosts()
        for pod in pods:
            if pod.ips:
                continue
            for candidate in hosts:
                if candidate not in used:
                    pod.ips = (str(candidate),)
                    used.add(candidate)
                    break
            else:  # pragma: no cover - a /16 holds 65,534 pods
                raise ValueError(
                    f"pod_cidr {pod_cidr} has no free address left for {pod.ref}"
                )

    # -- lookups -----------------------------------------------------------------------

    @property
    def pod_names(self) -> list[str]:
        """All pods as ``namespace/name``, sorted (the order of
        :meth:`reachability`).
        """
        return [p.ref for p in self.pods]

    def pod(self, ref: str) -> Pod:
        """The pod ``namespace/name`` (or the pod that owns an address); a clear error
        otherwise.
        """
        if ref in self._index:
            return self.pods[self._index[ref]]
        try:
            address = str(ipaddress.ip_address(ref))
        except ValueError:
            address = None
        if address is not None and address in self._by_ip:
            return self.pods[self._by_ip[address]]
        close = difflib.get_close_matches(ref, self.pod_names, n=3)
        hint = (
            f"; did you mean {', '.join(close)}?"
            if close
            else f"; pods are: {', '.join(self.pod_names[:8])}"
        )
        if "/" not in ref and address is None:
            hint = "; write pods as 'namespace/name' or give an IP address" + hint
        raise KeyError(f"no pod {ref!r} in this cluster{hint}")

    def _endpoint(self, ref: str | Pod) -> tuple[Pod | None, str]:
        """(pod, label) for a pod ref, or (None, address) for an address outside the
        cluster.
        """
        if isinstance(ref, Pod):
            return ref, ref.ref
        try:
            address = str(ipaddress.ip_address(ref))
        except ValueError:
            return self.pod(ref), ref
        if address in self._by_ip:
            pod = self.pods[self._by_ip[address]]
            return pod, pod.ref
        return None, address

    def selected_pods(self, policy: NetworkPolicy | str) -> list[str]:
        """The pods a policy selects (``policy`` as object or ``"namespace/name"``)."""
        policy = self._policy(policy)
        return [
            p.ref
            for p in self.pods
            if p.namespace == policy.namespace and policy.pod_selector.matches(p.labels)
        ]

    def _policy(self, policy: NetworkPolicy | str) -> NetworkPolicy:
        if isinstance(policy, NetworkPolicy):
            return policy
        for p in self.policies:
            if p.ref == policy:
                return p
        raise KeyError(
            f"no NetworkPolicy {policy!r}; have "
            f"{', '.join(p.ref for p in self.policies) or 'none'}"
        )

    def service_endpoints(
        self, namespace: str, name: str, port: int | str | None = None
    ) -> list[tuple[str, int]]:
        """The pods behind a Service port, with the container port each receives on,
        sorted.

        ``port`` is the Service port's number or name (``None``: the first port). The
        target port (``targetPort``, a number or a container port name; default: the
        same number) is resolved per pod, as kube-proxy does; a pod without that named
        port is left out.
        """
        service = next(
            (
                s
                for s in self.services
                if (_meta(s).get("namespace") or "default") == namespace
                and _meta(s).get("name") == name
            ),
            None,
        )
        if service is None:
            raise KeyError(f"no Service {namespace}/{name}")
        spec = service.get("spec") or {}
        ports = spec.get("ports") or []
        chosen = None
        for p in ports:
            if (
                port is None
                or p.get("port") == port
                or (p.get("name") is not None and p.get("name") == port)
            ):
                chosen = p
                break
        if chosen is None:
            raise KeyError(f"Service {namespace}/{name} has no port {port!r}")
        target = chosen.get("targetPort", chosen.get("port"))
        protocol = chosen.get("protocol") or "TCP"
        selector = spec.get("selector") or {}
        if (
            not selector
        ):  # a Service without a selector has hand-made endpoints: none modelled
            return []
        out = []
        for pod in self.pods:
            if pod.namespace == namespace and all(
                pod.labels.get(k) == str(v) for k, v in selector.items()
            ):
                number = (
                    target
                    if isinstance(target, int)
                    else pod.named_ports.get((target, protocol))
                )
                if number is not None:
                    out.append((pod.ref, number))
        return sorted(out)

    # -- single connections ------------------------------------------------------------

    def allows(
        self, src: str | Pod, dst: str | Pod, port: int, protocol: str = "TCP"
    ) -> bool:
        """May ``src`` open a connection to ``dst`` on ``port``/``protocol``? Both ends
        must allow it.

        >>> c = Cluster(
        ...     [
        ...         {
        ...             "apiVersion": "v1",
        ...             "kind": "Pod",
        ...             "metadata": {"name": "a"},
        ...             "spec": {},
        ...         }
        ...     ]
        ... )
        >>> c.allows("default/a", "203.0.113.9", 443)
        True
        """
        return self.explain(src, dst, port, protocol).allowed

    def explain(
        self, src: str | Pod, dst: str | Pod, port: int, protocol: str = "TCP"
    ) -> Explanation:
        """Which policies select each end, which rule allowed the connection, or why
        none did.
        """
        port, protocol = _check_query(port, protocol)
        src_pod, src_label = self._endpoint(src)
        dst_pod, dst_label = self._endpoint(dst)
        if src_pod is None and dst_pod is None:
            raise ValueError(
                f"{src_label} -> {dst_label}: both addresses are outside the cluster; "
                "NetworkPolicy only decides traffic to or from pods"
            )
        egress = self._side(
            "egress", src_pod, src_label, dst_pod, dst_label, port, protocol
        )
        ingress = self._side(
            "ingress", dst_pod, dst_label, src_pod, src_label, port, protocol
        )
        if (
            src_pod is not None and src_pod is dst_pod
        ):  # "a pod cannot block access to itself"
            egress, ingress = (
                side
                if side.allowed
                else replace(
                    side,
                    allowed=True,
                    reason=f"allowed: {src_label} cannot block traffic to itself "
                    "(the rules above would deny it)",
                )
                for side in (egress, ingress)
            )
        return Explanation(src_label, dst_label, port, protocol, egress, ingress)

    def _side(
        self,
        direction: str,
        pod: Pod | None,
        label: str,
        peer_pod: Pod | None,
        peer_label: str,
        port: int,
        protocol: str,
    ) -> SideVerdict:
        if pod is None:
            return SideVerdict(
                direction,
                label,
                False,
                (),
                (),
                (),
                True,
                "outside the cluster: nothing to check",
            )
        selecting = [
            p
            for p in self.policies
            if p.namespace == pod.namespace and p.pod_selector.matches(pod.labels)
        ]
        mine = tuple(p for p in selecting if p.applies_to(direction))
        others = tuple(p.ref for p in selecting if not p.applies_to(direction))
        if not mine:
            return SideVerdict(
                direction,
                label,
                True,
                (),
                others,
                (),
                True,
                f"allowed: {label} is not isolated for {direction}",
            )
        # The port is always resolved against the destination pod.
        destination = pod if direction == "ingress" else peer_pod
        named = destination.named_ports if destination is not None else None
        checks: list[RuleCheck] = []
        for policy in mine:
            rules = policy.rules(direction)
            if not rules:
                checks.append(
                    RuleCheck(
                        policy.ref,
                        direction,
                        -1,
                        False,
                        f"no {direction} rules (it only isolates the pod)",
                    )
                )
                continue
            for i, rule in enumerate(rules):
                ok, reason = _check_rule(
                    rule,
                    policy,
                    peer_pod,
                    peer_label,
                    self.namespaces.get(peer_pod.namespace, {}) if peer_pod else {},
                    port,
                    protocol,
                    named,
                    destination,
                )
                checks.append(RuleCheck(policy.ref, direction, i, ok, reason))
        winners = [c for c in checks if c.allowed]
        if winners:
            reason = "allowed by " + ", ".join(c.where for c in winners)
        else:
            n = len(mine)
            policies = f"{n} polic{'y' if n == 1 else 'ies'}"
            reason = (
                f"denied: no {direction} rule of the "
                f"{policies} selecting {label} allows it"
            )
        return SideVerdict(
            direction,
            label,
            True,
            tuple(p.ref for p in mine),
            others,
            tuple(checks),
            bool(winners),
            reason,
        )

    # -- the matrix --------------------------------------------------------------------

    def _prepare(self) -> dict[str, Any]:
        """Per-cluster precomputation: selected sets per policy and peer sets per rule,
        as boolean vectors.
        """
        if self._fast is not None:
            return self._fast
        n = len(self.pods)
        ns_names = list(self.namespaces)
        ns_pos = {name: i for i, name in enumerate(ns_names)}
        pod_ns = np.array([ns_pos[p.namespace] for p in self.pods], dtype=np.int64)
        pods_pop = _Population([p.labels for p in self.pods])
        ns_pop = _Population([self.namespaces[name] for name in ns_names])
        # addresses: IPv4 as integers for vectorised ipBlock checks; IPv6 checked one by
        # one
        v4_pod, v4_int, v6 = [], [], []
        for i, pod in enumerate(self.pods):
            for ip in pod.ips:
                address = ipaddress.ip_address(ip)
                if address.version == 4:
                    v4_pod.append(i)
                    v4_int.append(int(address))
                else:
                    v6.append((i, address))
        v4_pod_arr, v4_int_arr = (
            np.array(v4_pod, dtype=np.int64),
            np.array(v4_int, dtype=np.int64),
        )
        block_cache: dict[IPBlock, np.ndarray] = {}

        def block_vector(block: IPBlock) -> np.ndarray:
            if block in block_cache:
                return block_cache[block]
            out = np.zeros(n, dtype=bool)
            if block.cidr.version == 4 and len(v4_int_arr):
                inside = (v4_int_arr >= int(block.cidr.network_address)) & (
                    v4_int_arr <= int(block.cidr.broadcast_address)
                )
                for ex in block.excepts:
                    if ex.version == 4:
                        inside &= ~(
                            (v4_int_arr >= int(ex.network_address))
                            & (v4_int_arr <= int(ex.broadcast_address))
                        )
                out[v4_pod_arr[inside]] = True
            for i, address in v6:
                if block.contains(address):
                    out[i] = True
            block_cache[block] = out
            return out

        def peer_vector(peer: Peer, policy_ns: str) -> np.ndarray:
            if peer.ip_block is not None:
                return block_vector(peer.ip_block)
            if peer.namespace_selector is None:
                vec = pod_ns == ns_pos[policy_ns]
            else:
                vec = ns_pop.select(peer.namespace_selector)[pod_ns]
            if peer.pod_selector is not None:
                vec = vec & pods_pop.select(peer.pod_selector)
            return vec

        selected, rules = [], {"ingress": [], "egress": []}
        for k, policy in enumerate(self.policies):
            sel = (pod_ns == ns_pos[policy.namespace]) & pods_pop.select(
                policy.pod_selector
            )
            selected.append(sel)
            for direction in DIRECTIONS:
                for rule in policy.rules(direction):
                    if rule.peers:
                        peers = np.zeros(n, dtype=bool)
                        for peer in rule.peers:
                            peers |= peer_vector(peer, policy.namespace)
                    else:
                        peers = np.ones(n, dtype=bool)
                    rules[direction].append((k, rule, peers))
        isolated = {
            d: np.logical_or.reduce(
                [selected[k] for k, p in enumerate(self.policies) if p.applies_to(d)]
                + [np.zeros(n, dtype=bool)]
            )
            for d in DIRECTIONS
        }
        self._fast = {
            "n": n,
            "selected": selected,
            "rules": rules,
            "isolated": isolated,
            "named": {},
        }
        return self._fast

    def _port_vector(
        self, rule: Rule, port: int, protocol: str, fast: dict[str, Any]
    ) -> np.ndarray | bool:
        """For each destination pod, does the rule's ``ports`` match? (a bool when it is
        the same for all)
        """
        if not rule.ports:
            return True
        out: np.ndarray | bool = False
        for spec in rule.ports:
            if spec.protocol != protocol:
                continue
            if spec.port is None or isinstance(spec.port, int):
                if spec.matches(port, protocol, {}):
                    return True
                continue
            key = (spec.port, protocol, port)
            if key not in fast["named"]:
                fast["named"][key] = np.array(
                    [
                        p.named_ports.get((spec.port, protocol)) == port
                        for p in self.pods
                    ]
                )
            out = out | fast["named"][key]
        return out

    def _matrix(self, port: int, protocol: str) -> np.ndarray:
        fast = self._prepare()
        n = fast["n"]
        result = {}
        for direction in DIRECTIONS:
            entries = fast["rules"][direction]
            left = np.zeros((n, len(entries)), dtype=np.float32)
            right = np.zeros((len(entries), n), dtype=np.float32)
            for r, (k, rule, peers) in enumerate(entries):
                ports = self._port_vector(rule, port, protocol, fast)
                if (
                    direction == "ingress"
                ):  # source in peers; destination selected and port matches
                    left[:, r] = peers
                    right[r, :] = fast["selected"][k] & ports
                else:  # source selected; destination in peers and port matches
                    left[:, r] = fast["selected"][k]
                    right[r, :] = peers & ports
            allowed = (left @ right) > 0 if entries else np.zeros((n, n), dtype=bool)
            iso = fast["isolated"][direction]
            if direction == "ingress":
                allowed[:, ~iso] = True
            else:
                allowed[~iso, :] = True
            result[direction] = allowed
        matrix = result["egress"] & result["ingress"]
        np.fill_diagonal(matrix, True)  # a pod cannot block traffic to itself
        return matrix

    def reachability(
        self, port: int, protocol: str = "TCP", externals: Sequence[str] = ()
    ) -> pd.DataFrame:
        """The pod-by-pod matrix for ``port``/``protocol``: rows are sources, columns
        destinations.

        Labels are ``namespace/pod`` in sorted order. ``externals`` adds addresses
        outside the cluster as extra rows and columns (external to external is ``<NA>``:
        not a question for NetworkPolicy). Computed with boolean matrix products over
        precomputed selection vectors, so a thousand pods under hundreds of policies
        take a fraction of a second.
        """
        port, protocol = _check_query(port, protocol)
        matrix = self._matrix(port, protocol)
        names = self.pod_names
        frame = pd.DataFrame(
            matrix,
            index=pd.Index(names, name="source"),
            columns=pd.Index(names, name="destination"),
        )
        if not externals:
            return frame
        extra = [str(ipaddress.ip_address(e)) for e in externals]
        for e in extra:
            if e in self._by_ip:
                raise ValueError(
                    f"{e} belongs to pod {self.pods[self._by_ip[e]].ref}: not an "
                    "outside address"
                )
        labels = names + extra
        out = pd.DataFrame(
            pd.NA,
            index=pd.Index(labels, name="source"),
            columns=pd.Index(labels, name="destination"),
            dtype="boolean",
        )
        out.loc[names, names] = matrix
        for e in extra:
            out.loc[names, e] = [self.allows(p, e, port, protocol) for p in names]
            out.loc[e, names] = [self.allows(e, p, port, protocol) for p in names]
        return out

    # -- tables ------------------------------------------------------------------------

    def pod_table(self) -> pd.DataFrame:
        """One row per pod: namespace, name, labels, addresses, ports, and where it came
        from.
        """
        return pd.DataFrame(
            [
                {
                    "pod": p.ref,
                    "labels": ", ".join(
                        f"{k}={v}" for k, v in sorted(p.labels.items())
                    ),
                    "ip": ", ".join(p.ips),
                    "ports": ", ".join(
                        f"{x.name + '=' if x.name else ''}{x.number}/{x.protocol}"
                        for x in p.ports
                    ),
                    "from": p.owner or "Pod",
                }
                for p in self.pods
            ],
            columns=["pod", "labels", "ip", "ports", "from"],
        )

    def policy_table(self) -> pd.DataFrame:
        """One row per policy: what it selects, which directions it isolates, how many
        rules.
        """
        rows = []
        for p in self.policies:
            rows.append(
                {
                    "policy": p.ref,
                    "podSelector": p.pod_selector.describe(),
                    "selects": len(self.selected_pods(p)),
                    "policyTypes": ", ".join(
                        t for t in ("Ingress", "Egress") if t in p.policy_types
                    ),
                    "ingress rules": len(p.rules("ingress")),
                    "egress rules": len(p.rules("egress")),
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "policy",
                "podSelector",
                "selects",
                "policyTypes",
                "ingress rules",
                "egress rules",
            ],
        )

    def __repr__(self) -> str:
        return (
            f"<Cluster: {len(self.namespaces)} namespaces, {len(self.pods)} pods, "
            f"{len(self.services)} services, {len(self.ingresses)} "
            f"ingresses, {len(self.policies)} network policies>"
        )


def _check_query(port: int, protocol: str) -> tuple[int, str]:
    if (
        not isinstance(port, (int, np.integer))
        or isinstance(port, bool)
        or not 1 <= int(port) <= 65535
    ):
        raise ValueError(f"port: {port!r} must be a number between 1 and 65535")
    if not isinstance(protocol, str) or protocol.upper() not in PROTOCOLS:
        raise ValueError(
            f"protocol: {protocol!r} must be one of {', '.join(PROTOCOLS)}"
        )
    return int(port), protocol.upper()


def _check_rule(
    rule: Rule,
    policy: NetworkPolicy,
    peer_pod: Pod | None,
    peer_label: str,
    peer_ns_labels: Mapping[str, str],
    port: int,
    protocol: str,
    named: Mapping[tuple[str, str], int] | None,
    destination: Pod | None,
) -> tuple[bool, str]:
    """Judge one rule for one connection; the reason names the peer and port that
    matched, or why not.
    """
    field_name = rule.peer_field
    if rule.peers:
        ips = peer_pod.ips if peer_pod is not None else (peer_label,)
        match = next(
            (
                j
                for j, peer in enumerate(rule.peers)
                if peer.matches(
                    policy.namespace,
                    peer_pod.namespace if peer_pod else None,
                    peer_pod.labels if peer_pod else {},
                    peer_ns_labels,
                    ips,
                )
            ),
            None,
        )
        if match is None:
            who = "source" if rule.direction == "ingress" else "destination"
            listed = " OR ".join(
                f"{field_name}[{j}] {p.describe()}" for j, p in enumerate(rule.peers)
            )
            extra = ""
            if peer_pod is None and all(p.ip_block is None for p in rule.peers):
                extra = " (selectors match pods only, not outside addresses)"
            return False, f"{who} {peer_label} matches none of {listed}{extra}"
        peer_text = f"{field_name}[{match}] {rule.peers[match].describe()}"
    else:
        peer_text = f"{field_name} everyone"
    if rule.ports:
        hit = next(
            (
                k
                for k, spec in enumerate(rule.ports)
                if spec.matches(port, protocol, named)
            ),
            None,
        )
        if hit is None:
            listed = ", ".join(s.describe() for s in rule.ports)
            notes = []
            for spec in rule.ports:
                if isinstance(spec.port, str) and spec.protocol == protocol:
                    if destination is None:
                        notes.append(
                            f"named port {spec.port!r} cannot be "
                            "resolved outside the cluster"
                        )
                    elif (spec.port, protocol) in destination.named_ports:
                        notes.append(
                            f"{spec.port!r} is "
                            f"{destination.named_ports[(spec.port, protocol)]}"
                            f"/{protocol} on {destination.ref}"
                        )
                    else:
                        notes.append(
                            f"{destination.ref} has no port named {spec.port!r}"
                        )
            note = f" ({'; '.join(notes)})" if notes else ""
            return False, f"{port}/{protocol} is not among ports {listed}{note}"
        port_text = f"ports[{hit}] {rule.ports[hit].describe()}"
    else:
        port_text = "all ports"
    return True, f"{peer_text}; {port_text}"


def reachability_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The cells that differ between two reachability matrices (same labels), as a
    sorted table.

    Columns: ``source``, ``destination``, ``before``, ``after`` (booleans); one row per
    changed pair.

    >>> a = pd.DataFrame(
    ...     [[True, True], [True, True]], index=["n/a", "n/b"], columns=["n/a", "n/b"]
    ... )
    >>> b = pd.DataFrame(
    ...     [[True, False], [True, True]], index=["n/a", "n/b"], columns=["n/a", "n/b"]
    ... )
    >>> reachability_changes(a, b)
      source destination  before  after
    0    n/a         n/b    True  False
    """
    if list(before.index) != list(after.index) or list(before.columns) != list(
        after.columns
    ):
        raise ValueError(
            "reachability_changes: the two matrices must have the same rows and columns"
        )
    rows = []
    for s in before.index:
        for d in before.columns:
            old, new = before.loc[s, d], after.loc[s, d]
            if pd.isna(old) and pd.isna(new):
                continue
            if pd.isna(old) or pd.isna(new) or bool(old) != bool(new):
                rows.append(
                    (
                        s,
                        d,
                        bool(old) if not pd.isna(old) else pd.NA,
                        bool(new) if not pd.isna(new) else pd.NA,
                    )
                )
    return pd.DataFrame(rows, columns=["source", "destination", "before", "after"])
