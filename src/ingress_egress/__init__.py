"""ingress_egress: the Python package behind the course on ingress and egress.

One module per concept, each read like a chapter:

- :mod:`ingress_egress.direction`: is a packet ingress, egress, internal or external,
  seen from a boundary?
- :mod:`ingress_egress.captures`: read pcap and pcapng files (and write them) into one
  row per packet.
- :mod:`ingress_egress.packets`: build real frames (Ethernet, IP, TCP, UDP, DNS, TLS,
  HTTP) byte by byte.
- :mod:`ingress_egress.flows`: packets grouped into conversations, with who initiated
  and bytes each way.
- :mod:`ingress_egress.flowlogs`: AWS VPC Flow Logs read into one row per record, what
  was skipped counted.
- :mod:`ingress_egress.firewall`: stateless and stateful rule sets (network ACLs,
  security groups) replayed on packets.
- :mod:`ingress_egress.egress_monitor`: explainable statistics that find data leaving
  where it shouldn't.
- :mod:`ingress_egress.cloud`: what data transfer costs, from cited price tables.
- :mod:`ingress_egress.bills`: AWS Cost and Usage Reports and FOCUS exports, every
  transfer line classified.
- :mod:`ingress_egress.k8s`: Kubernetes manifests, NetworkPolicy evaluation, Ingress
  routing and network cost.
- :mod:`ingress_egress.simulate`: token buckets (policing, shaping) and a bottleneck
  queue.
- :mod:`ingress_egress.burstable`: 95th-percentile billing and growth forecasts.
- :mod:`ingress_egress.course`: the notebooks themselves as data (titles, times,
  learning paths).
- :mod:`ingress_egress.glossary`: the course's glossary as data, and each notebook's own
  for JupyterLab.
- :mod:`ingress_egress.lab`: the notebooks made ready for JupyterLab, and reset to the
  committed ones.
- :mod:`ingress_egress.selfcheck`: immediate feedback on exercise answers, without
  showing them.
- :mod:`ingress_egress.plotting`: the course's figure style (colour-blind-safe, white
  background).
- :mod:`ingress_egress.datagen`: the seeded generators behind every file in ``data/``.
- :mod:`ingress_egress.cli`: the ``ingress-egress`` command.

The notebooks in ``notebooks/`` import from here; so can you, on your own data.
"""

__version__ = "1.0.0"
