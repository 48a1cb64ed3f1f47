"""Kubernetes: traffic into a cluster through an Ingress, and between pods under
NetworkPolicy.

Everything here starts from the YAML people actually write:

- :mod:`ingress_egress.k8s.manifests`: :func:`load_manifests` reads files, folders and
  YAML text (multi-document, ``kind: List``), sets aside and counts the kinds that don't
  decide traffic, and raises :class:`ManifestError` naming the file, document, object
  and field.
- :mod:`ingress_egress.k8s.cluster`: :class:`Cluster` models namespaces, pods (one per
  workload template), Services, Ingresses and NetworkPolicies, and answers ``allows``,
  ``explain`` and ``reachability``.
- :mod:`ingress_egress.k8s.networkpolicy`: the NetworkPolicy v1 semantics and
  validation.
- :mod:`ingress_egress.k8s.picture`: the cluster as a graph and the reachability
  heatmap.
- :mod:`ingress_egress.k8s.ingress`: which backend an Ingress sends a request to
  (``route``).
- :mod:`ingress_egress.k8s.gateway`: the Gateway API: :class:`GatewayRouter` answers a
  request as a conformant implementation would (listeners, HTTPRoutes, precedence,
  weights, redirects, rewrites, ReferenceGrants), and :func:`ingress_to_gateway`
  translates Ingresses, with warnings.
- :mod:`ingress_egress.k8s.cost`: what a cluster's traffic costs and which namespace
  pays (``network_cost_by_namespace``), and a Service's share of requests across zones.

Examples
--------
>>> objects = load_manifests(
...     "apiVersion: v1\\nkind: Namespace\\nmetadata: {name: shop}\\n"
... )
>>> objects[0]["metadata"]["name"]
'shop'
>>> Cluster(objects)
<Cluster: 2 namespaces, 0 pods, 0 services, 0 ingresses, 0 network policies>
"""

from .cluster import Cluster, Explanation, reachability_changes
from .gateway import GatewayRouter, ingress_to_gateway
from .manifests import ManifestError, Manifests, load_manifests

__all__ = [
    "Cluster",
    "Explanation",
    "GatewayRouter",
    "ManifestError",
    "Manifests",
    "ingress_to_gateway",
    "load_manifests",
    "reachability_changes",
]

# The Ingress router lives in its own module, written alongside this package; import it
# when it is there so that ``from ingress_egress.k8s import route`` works, without
# making the rest depend on it.
try:
    from .ingress import Backend, route
except ImportError:  # pragma: no cover - the ingress module is not there yet
    pass
else:
    __all__ += ["Backend", "route"]
