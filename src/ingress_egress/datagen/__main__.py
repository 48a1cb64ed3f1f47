"""Rebuild the shipped datasets: ``python -m ingress_egress.datagen [DATA_DIR]``
(default ``data``).
"""

import sys

from ingress_egress.datagen import generate_all

if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "data"
    for path in generate_all(target):
        print(path)
