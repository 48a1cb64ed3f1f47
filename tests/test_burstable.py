"""Tests of ingress_egress.burstable (95th-percentile billing, growth forecast) and of
the capacity dataset generator.

Expected values come from the published convention (sort the month's 5-minute samples,
discard the top 5 %, bill the highest remaining: 8640 samples -> discard 432 -> bill
sample 8208), from hand-built months where the answer can be read off, and from growth
curves with a known rate.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingress_egress.burstable import (
    bits_per_second,
    burstable_bill,
    discarded_samples,
    fit_growth,
    free_burst_hours,
    percentile_95,
)
from ingress_egress.datagen import capacity

DATA = Path(__file__).resolve().parents[1] / "data" / "capacity"

# --------------------------------------------------------------------------------------
# The percentile convention
# --------------------------------------------------------------------------------------


def test_thirty_day_month_bills_sample_8208():
    # 8640 distinct samples 1..8640 in shuffled order: discard the top 432, bill the
    # 8208th smallest
    values = np.random.default_rng(0).permutation(np.arange(1, 8641)).astype(float)
    assert discarded_samples(8640) == 432
    assert percentile_95(values) == 8208


@pytest.mark.parametrize("n", [1, 19, 20, 21, 100, 8064, 8640, 8928, 12345])
def test_discarding_floor_five_percent_is_the_nearest_rank(n):
    # n - floor(0.05 n) == ceil(0.95 n): the two common statements of the rule agree
    values = np.arange(1, n + 1, dtype=float)[::-1]
    assert percentile_95(values) == math.ceil(0.95 * n - 1e-9)
    assert n - discarded_samples(n) == math.ceil(0.95 * n - 1e-9)


def test_numpy_percentile_interpolates_and_differs():
    values = np.arange(1, 101, dtype=float)
    assert percentile_95(values) == 95.0
    assert np.percentile(values, 95) == pytest.approx(
        95.05
    )  # linear interpolation, not a sample


def test_free_burst_hours():
    assert free_burst_hours(days=30) == 36.0  # 432 samples x 5 min
    assert free_burst_hours(days=31) == pytest.approx(
        37 + 10 / 60
    )  # floor(446.4) = 446 samples
    assert free_burst_hours(days=28) == pytest.approx(
        403 * 5 / 60
    )  # floor(403.2) = 403 samples
    assert free_burst_hours(n_samples=8640, percentile=90) == 72.0


def test_bursts_under_five_percent_are_not_billed_at_their_height():
    # A flat 10 Mbit/s month with b five-minute bursts at 100 Mbit/s: up to 432 bursts
    # (36 hours) the bill stays 10 Mbit/s; the 433rd burst sample makes the bill 100
    # Mbit/s.
    for bursts, billed in [(0, 10e6), (432, 10e6), (433, 100e6)]:
        month = np.full(8640, 10e6)
        month[:bursts] = 100e6
        assert percentile_95(month) == billed


def test_bursts_push_the_bill_up_the_baseline():
    # Baseline samples 1..8640 (distinct). Replace the b smallest by a huge burst: the
    # sorted month is b+1, ..., 8640, then b huge values; its 8208th smallest is 8208 +
    # b while b <= 432. So bursts are not billed at their height, but each one moves the
    # bill one rank up the rest.
    for b in (0, 1, 100, 432):
        month = np.arange(1, 8641, dtype=float)
        month[:b] = 1e12
        assert percentile_95(month) == 8208 + b
    month = np.arange(1, 8641, dtype=float)
    month[:433] = 1e12
    assert percentile_95(month) == 1e12


# --------------------------------------------------------------------------------------
# The bill
# --------------------------------------------------------------------------------------


def test_bill_bases_by_hand():
    # 20 samples: one (5 %) is discarded in each series.
    ingress = np.arange(1, 21, dtype=float) * 1e6  # p95 = 19 Mbit/s
    egress = np.r_[
        np.full(18, 10e6), 30e6, 90e6
    ]  # p95 = 30 Mbit/s (the 90 is discarded)
    # per-sample sum: 11..28 (+10 each), 49, 110 Mbit/s -> discard 110, bill 49
    expected = {"max": 30e6, "ingress": 19e6, "egress": 30e6, "sum": 49e6}
    for basis, billed in expected.items():
        bill = burstable_bill(ingress, egress, basis=basis)
        assert bill.billed_bps == billed, basis
    bill = burstable_bill(ingress, egress)
    assert (bill.ingress_p95_bps, bill.egress_p95_bps, bill.sum_p95_bps) == (
        19e6,
        30e6,
        49e6,
    )
    assert bill.ingress_mean_bps == 10.5e6 and bill.egress_peak_bps == 90e6
    assert (bill.n_samples, bill.discarded) == (20, 1)
    # the sum basis is never below the max basis and never above the sum of the two
    # percentiles
    assert (
        bill.egress_p95_bps
        <= bill.sum_p95_bps
        <= bill.ingress_p95_bps + bill.egress_p95_bps
    )


def test_charge_with_commit():
    bill = burstable_bill([40e6] * 20, [10e6] * 20)
    assert bill.charge(price_per_mbit_s=2.5) == 100.0  # 40 Mbit/s x 2.50
    assert (
        bill.charge(price_per_mbit_s=2.5, commit_mbit_s=50) == 125.0
    )  # the commit is the minimum
    table = bill.table()
    assert (
        table["ingress"]["95th percentile"] == 40.0 and table["egress"]["peak"] == 10.0
    )


def test_bits_per_second():
    # 37.5 MB in 300 s = 125 kB/s = 1 Mbit/s; bytes -> bits is x 8
    assert bits_per_second([37_500_000, 375]).tolist() == [1e6, 10.0]
    assert bits_per_second([1000], sample_seconds=60).tolist() == [8000 / 60]


# --------------------------------------------------------------------------------------
# Growth forecast
# --------------------------------------------------------------------------------------


def test_log_linear_fit_recovers_a_known_growth_rate():
    months = np.arange(12)
    p95 = 30e6 * 1.03**months
    fit = fit_growth(p95)
    assert fit.monthly_growth == pytest.approx(0.03)
    assert fit.predict(0) == pytest.approx(30e6)
    # 80 Mbit/s is reached when 30 x 1.03^m = 80: m = ln(80/30) / ln(1.03) = 33.18
    assert fit.month_reaching(80e6) == pytest.approx(math.log(80 / 30) / math.log(1.03))
    # months after the last month (index 11) until 80 % of 100 Mbit/s
    assert fit.months_until_upgrade(100e6, headroom=0.2) == pytest.approx(
        math.log(80 / 30) / math.log(1.03) - 11
    )


def test_linear_fit_by_hand():
    fit = fit_growth([20e6, 22e6, 24e6, 26e6], model="linear")  # +2 Mbit/s a month
    assert fit.slope == pytest.approx(2e6) and fit.intercept == pytest.approx(20e6)
    # 70 % of 50 Mbit/s = 35 Mbit/s: (35 - 20) / 2 = 7.5 -> 4.5 months after month 3
    assert fit.months_until_upgrade(50e6, headroom=0.3) == pytest.approx(4.5)
    assert fit.monthly_growth == pytest.approx(2 / 26)


def test_flat_falling_and_already_crossed():
    assert fit_growth([10.0, 10.0, 10.0]).month_reaching(20.0) == math.inf
    assert (
        fit_growth([10.0, 10.0, 10.0]).months_until_upgrade(20.0, headroom=0.5) == 0.0
    )  # at 10 already
    falling = fit_growth([30.0, 20.0, 10.0], model="linear")  # 30 - 10 m
    assert (
        falling.month_reaching(40.0) == -1.0
    )  # algebra: the line was at 40 a month before month 0
    assert (
        falling.months_until_upgrade(40.0, headroom=0.5) == math.inf
    )  # at 10 < 20 and falling
    assert (
        falling.months_until_upgrade(16.0, headroom=0.5) == 0.0
    )  # at 10 >= 8: over it now
    rising = fit_growth([10.0, 20.0, 30.0], model="linear")
    # 15 was crossed at month 0.5, 1.5 months before the last month (index 2): overdue
    assert rising.months_until_upgrade(30.0, headroom=0.5) == -1.5


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="samples_bps: no samples"):
        percentile_95([])
    with pytest.raises(ValueError, match="samples_bps: sample 1 is -5.0"):
        percentile_95([1.0, -5.0])
    with pytest.raises(ValueError, match="samples_bps: sample 0 is nan"):
        percentile_95([float("nan")])
    with pytest.raises(ValueError, match="percentile"):
        percentile_95([1.0], percentile=0)
    with pytest.raises(ValueError, match="percentile"):
        percentile_95([1.0], percentile=101)
    with pytest.raises(
        ValueError, match="ingress_bps, egress_bps: 2 ingress samples but 1"
    ):
        burstable_bill([1, 2], [1])
    with pytest.raises(ValueError, match="egress_bps: no samples"):
        burstable_bill([1], [])
    with pytest.raises(ValueError, match="basis"):
        burstable_bill([1], [1], basis="average")
    with pytest.raises(ValueError, match="price_per_mbit_s"):
        burstable_bill([1], [1]).charge(price_per_mbit_s=-1)
    with pytest.raises(ValueError, match="sample_seconds"):
        bits_per_second([1], sample_seconds=0)
    with pytest.raises(ValueError, match="days, n_samples"):
        free_burst_hours()
    with pytest.raises(ValueError, match="days"):
        free_burst_hours(days=-1)
    with pytest.raises(ValueError, match="n_samples"):
        discarded_samples(0)
    with pytest.raises(
        ValueError, match="monthly_bps: a trend needs at least 2 months"
    ):
        fit_growth([1e6])
    with pytest.raises(ValueError, match="monthly_bps: month 1 is 0"):
        fit_growth([1e6, 0.0])
    with pytest.raises(ValueError, match="model"):
        fit_growth([1e6, 2e6], model="cubic")
    fit = fit_growth([1e6, 2e6])
    with pytest.raises(ValueError, match="headroom"):
        fit.months_until_upgrade(1e7, headroom=1.0)
    with pytest.raises(ValueError, match="capacity_bps"):
        fit.months_until_upgrade(-1e7)


# --------------------------------------------------------------------------------------
# The capacity dataset
# --------------------------------------------------------------------------------------


def test_generated_month_shape_and_limits():
    month = capacity.office_month(2026, 9)
    assert len(month) == 30 * 288
    steps = month["interval_start"].diff().dropna().dt.total_seconds()
    assert (steps == 300).all()
    assert month["interval_start"].iloc[0] == pd.Timestamp("2026-09-01T00:00:00Z")
    # no 5-minute average above the link's ceiling (96 % of 100 and of 20 Mbit/s)
    assert (month["ingress_bytes"] * 8 / 300 <= 0.96 * 100e6).all()
    assert (month["egress_bytes"] * 8 / 300 <= 0.96 * 20e6).all()
    assert (month[["ingress_bytes", "egress_bytes"]] > 0).all().all()


def test_monthly_file_agrees_with_the_samples(tmp_path):
    written = capacity.generate(tmp_path)
    samples = pd.read_csv(written[0])
    monthly = pd.read_csv(written[1])
    assert (
        monthly["month"].tolist()[0] == "2025-10"
        and monthly["month"].tolist()[-1] == "2026-09"
    )
    assert monthly["samples"].tolist()[:5] == [
        31 * 288,
        30 * 288,
        31 * 288,
        31 * 288,
        28 * 288,
    ]
    last = monthly.iloc[-1]
    for direction in ("ingress", "egress"):
        rates = np.sort(samples[f"{direction}_bytes"].to_numpy() * 8 / 300)
        assert last[f"{direction}_p95_bps"] == round(
            rates[8208 - 1]
        )  # sample 8208 of 8640


def test_saturated_upstream_sets_the_egress_percentile():
    # When the upstream is saturated in more than 432 samples (36 hours), the 95th
    # percentile is one of the saturated samples: the ceiling itself, whatever the
    # demand behind it.
    month = capacity.office_month(2026, 9)
    egress = month["egress_bytes"].to_numpy() * 8 / 300
    ceiling = np.floor(0.96 * 20e6 / 8 * 300) * 8 / 300
    saturated = int((egress >= ceiling).sum())
    assert saturated > 432
    assert percentile_95(egress) == ceiling


def test_generation_is_deterministic(tmp_path):
    first = capacity.generate(tmp_path / "a")
    second = capacity.generate(tmp_path / "b")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    shipped = [DATA / path.name for path in first]
    if all(path.exists() for path in shipped):
        for a, b in zip(first, shipped):
            assert a.read_bytes() == b.read_bytes(), (
                f"{b} differs from a fresh generation"
            )
