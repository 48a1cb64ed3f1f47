"""Shared set-up of the property-based (fuzz) tests, ``tests/test_fuzz_*.py``.

Two Hypothesis profiles:

- ``ci`` (the default, in ``make test``): derandomized, a fixed number of examples per
  test, so every run tests the same cases and the whole fuzz part takes seconds.
  Failures the long campaign found are replayed as explicit ``@example`` regressions in
  the tests.
- ``fuzz`` (``make fuzz``): random, many examples, and a corpus: Hypothesis' example
  database in ``tests/fuzz-corpus`` (committed), where every failing example is kept and
  replayed first by later runs. ``FUZZ_EXAMPLES`` sets the number of examples per test
  (default 3,000).

Bounds: each call under test runs with an alarm (:func:`bounded`): more than
``CALL_SECONDS`` fails the example as a hang (a bound no sane input comes near, so it is
not a flaky timing test), and with tracemalloc watching the peak of Python and numpy
allocations.
"""

from __future__ import annotations

import os
import signal
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

CORPUS = Path(__file__).resolve().parent / "fuzz-corpus"
CALL_SECONDS = 30

_common = dict(
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=60, **_common
)
settings.register_profile(
    "fuzz",
    database=DirectoryBasedExampleDatabase(str(CORPUS)),
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "3000")),
    **_common,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def examples(ci: int):
    """``max_examples`` for one test: ``ci`` in the short budget, the profile's in a
    campaign.
    """
    if settings.default.database is None:  # the ci profile
        return settings(max_examples=ci)
    return settings()


@contextmanager
def bounded(max_bytes: int):
    """Fail if the block runs longer than CALL_SECONDS or allocates more than
    ``max_bytes``.
    """

    def alarm(signum, frame):
        raise TimeoutError(f"call ran over {CALL_SECONDS} s: a hang or runaway work")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(CALL_SECONDS)
    started = tracemalloc.is_tracing()
    if not started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        peak = tracemalloc.get_traced_memory()[1]
        if not started:
            tracemalloc.stop()
    assert peak <= max_bytes, (
        f"allocated {peak:,} bytes at the peak, more than {max_bytes:,}"
    )


@st.composite
def mutated(draw, data: bytes, max_edits: int = 6) -> bytes:
    """``data`` with a few random edits: byte flips, overwrites with boundary values,
    cuts, insertions and deletions (what a damaged download or a careless tool does to a
    file)."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, max_edits))):
        kind = draw(st.sampled_from(["flip", "set", "u32", "cut", "insert", "delete"]))
        if not out:
            out += draw(st.binary(min_size=1, max_size=8))
            continue
        at = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            out[at] = draw(
                st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, draw(st.integers(0, 255))])
            )
        elif kind == "u32":  # a length or count field set to a boundary value
            value = draw(
                st.sampled_from(
                    [
                        0,
                        1,
                        3,
                        12,
                        0xFFFF,
                        0x7FFFFFFF,
                        0xFFFFFFF0,
                        0xFFFFFFFF,
                        draw(st.integers(0, 2**32 - 1)),
                    ]
                )
            )
            out[at : at + 4] = value.to_bytes(
                4, draw(st.sampled_from(["little", "big"]))
            )
        elif kind == "cut":
            del out[at:]
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del out[at : at + draw(st.integers(1, 16))]
    return bytes(out)
