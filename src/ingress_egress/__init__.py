"""ingress_egress: the Python package behind the course on ingress and egress.

One module per concept, each read like a chapter:

- :mod:`ingress_egress.direction`: is a packet ingress, egress, internal or external, seen from a boundary?
- :mod:`ingress_egress.plotting`: the course's figure style (colour-blind-safe, white background).
- :mod:`ingress_egress.datagen`: the seeded generators behind every file in ``data/``.

The notebooks in ``notebooks/`` import from here; so can you, on your own data.
"""

__version__ = "0.1.0"
