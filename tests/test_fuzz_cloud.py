"""Property-based tests of the cost engine's arguments.

Properties: a volume of any Python type gives a finite, non-negative price, a TypeError
(not a number) or a ValueError (a number the tables cannot price), never OverflowError
or ``inf``; ``cost_curve`` agrees with the scalar function and refuses what it refuses.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ingress_egress import cloud
from tests.fuzzing import examples

volumes = st.one_of(
    st.integers(-10, 10**6),
    st.integers(10**300, 10**500),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=True),
    st.fractions(),
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.builds(np.float32, st.floats(0, 1e6, width=32)),
    st.builds(np.int64, st.integers(0, 10**6)),
    st.lists(st.integers(0, 10), max_size=2),
    st.complex_numbers(max_magnitude=10),
)
FUNCTIONS = [
    cloud.internet_egress_cost,
    cloud.internet_ingress_cost,
    cloud.inter_zone_cost,
    cloud.inter_region_cost,
    cloud.cdn_egress_cost,
    cloud.origin_to_cdn_cost,
]


@examples(ci=300)
@given(volumes, st.sampled_from(FUNCTIONS))
@example(10**400, cloud.internet_egress_cost)
@example(1e308, cloud.inter_zone_cost)
@example("100", cloud.internet_egress_cost)
def test_any_volume_gives_a_price_or_a_clear_error(volume, function):
    try:
        price = function(volume)
    except (TypeError, ValueError) as error:
        assert (
            "volume" in str(error) or "covers" in str(error) or "price" in str(error)
        ), error
        return
    assert math.isfinite(price) and price >= 0
    assert not isinstance(volume, (bool, str, complex, list, type(None)))


@examples(ci=200)
@given(st.lists(volumes, max_size=4))
@example(["100"])
@example([10**400])
def test_cost_curve_agrees_with_the_scalar_function(values):
    try:
        curve = cloud.cost_curve(values)
    except (TypeError, ValueError):
        # anything the curve refuses, the scalar function refuses too (or the list is
        # not 1-D)
        with pytest.raises((TypeError, ValueError)):
            for v in values:
                if isinstance(v, list):
                    raise ValueError("a list is not a volume")
                cloud.internet_egress_cost(v)
        return
    assert curve.tolist() == pytest.approx(
        [cloud.internet_egress_cost(v) for v in values]
    )


@pytest.mark.parametrize("volume", [Fraction(25, 2), np.float64(12.5), np.int64(12)])
def test_other_real_number_types_are_priced_like_floats(volume):
    assert cloud.internet_egress_cost(volume) == cloud.internet_egress_cost(12.5) == 0.0
