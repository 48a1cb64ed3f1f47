"""Burstable billing: the 95th percentile of 5-minute rate samples, and when a link
needs an upgrade.

Transit providers and data centres often bill a port not by the bytes that crossed it
but by its *sustained* rate. Every 5 minutes they read the port's byte counters and turn
the difference into an average rate in bits per second (bytes x 8 / 300 s). At the end
of the month the samples are sorted, the top 5 % are discarded, and the highest
remaining sample is the billable rate: the "95th percentile". A 30-day month has 30 x
288 = 8640 samples; 432 are discarded, and sample number 8208 in ascending order is
billed. The discarded 5 % is 36 hours: bursts that fit in it never set the bill by their
own height.

Conventions differ between providers, so read the contract:

* which samples are discarded -- this module discards ``floor(5 % of n)`` samples, which
  bills the ``ceil(0.95 n)``-th smallest sample (the "nearest rank" percentile);
  ``numpy.percentile`` interpolates between samples instead and can give a slightly
  different number;
* which direction -- most bill the larger of the inbound and outbound 95th percentiles
  (``"max"``); some bill the 95th percentile of inbound plus outbound per sample
  (``"sum"``), or each direction separately;
* the percentile itself (some offer the 90th) and the sampling interval.

The same numbers plan capacity: the 95th percentile of a month is a robust "busy level",
and a trend fitted to the monthly values says when it will reach the link's capacity
minus a headroom.

Examples
--------
>>> free_burst_hours(
...     days=30
... )  # 5 % of 8640 five-minute samples = 432 samples = 36 hours
36.0
>>> percentile_95(
...     [
...         10,
...         20,
...         30,
...         40,
...         50,
...         60,
...         70,
...         80,
...         90,
...         100,
...         110,
...         120,
...         130,
...         140,
...         150,
...         160,
...         170,
...         180,
...         190,
...         1000,
...     ]
... )  # 20 samples: drop the top 1
190.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = [
    "BASES",
    "SAMPLE_SECONDS",
    "BurstableBill",
    "GrowthFit",
    "bits_per_second",
    "burstable_bill",
    "discarded_samples",
    "fit_growth",
    "free_burst_hours",
    "percentile_95",
]

SAMPLE_SECONDS = 300
"""The usual sampling interval: a byte-counter reading every 5 minutes."""

BASES = ("max", "sum", "ingress", "egress")
"""What a bill can be based on: the larger 95th percentile, the 95th percentile of the
per-sample sum, or one direction only."""


def _samples(name: str, values) -> np.ndarray:
    """A non-empty 1-D array of finite, non-negative rates, or a ValueError naming the
    parameter.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"{name}: expected a one-dimensional sequence of samples")
    if x.size == 0:
        raise ValueError(f"{name}: no samples; expected at least one rate sample")
    bad = np.flatnonzero(~(np.isfinite(x) & (x >= 0)))
    if bad.size:
        raise ValueError(
            f"{name}: sample {bad[0]} is {float(x[bad[0]])!r}; "
            "expected a finite, non-negative rate in bits/s"
        )
    return x


def _percent(percentile: float) -> Fraction:
    try:
        p = Fraction(str(percentile))
    except (TypeError, ValueError):
        raise ValueError(
            f"percentile: expected a number between 0 and 100, got {percentile!r}"
        ) from None
    if not 0 < p <= 100:
        raise ValueError(
            f"percentile: expected a number above 0 and at most 100, got {percentile!r}"
        )
    return p


def bits_per_second(
    bytes_per_sample, sample_seconds: float = SAMPLE_SECONDS
) -> np.ndarray:
    """Average rate of each sample in bits per second: bytes x 8 / the sample's length
    in seconds.

    >>> bits_per_second([37_500_000, 0]).tolist()  # 37.5 MB in 5 minutes = 1 Mbit/s
    [1000000.0, 0.0]
    """
    if not (
        isinstance(sample_seconds, (int, float))
        and math.isfinite(sample_seconds)
        and sample_seconds > 0
    ):
        raise ValueError(
            "sample_seconds: expected a positive number of "
            f"seconds, got {sample_seconds!r}"
        )
    return _samples("bytes_per_sample", bytes_per_sample) * 8 / sample_seconds


def discarded_samples(n_samples: int, percentile: float = 95) -> int:
    """How many of the highest samples a ``percentile`` bill ignores:
    ``floor((100 - p) % of n)``.

    >>> discarded_samples(8640), discarded_samples(8928), discarded_samples(19)
    (432, 446, 0)
    """
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(
            "n_samples: expected a whole number of "
            f"samples, at least 1; got {n_samples!r}"
        )
    p = _percent(percentile)
    return math.floor(int(n_samples) * (100 - p) / 100)


def percentile_95(samples_bps, percentile: float = 95) -> float:
    """The billable rate: sort the samples, discard the top ``100 - percentile`` %, take
    the highest left.

    With ``n`` samples that is the ``n - floor(0.05 n)``-th smallest, which equals the
    ``ceil(0.95 n)``-th smallest (the nearest-rank percentile).

    >>> percentile_95(
    ...     list(range(1, 101))
    ... )  # 100 samples 1..100: discard 96..100, bill 95
    95.0
    >>> percentile_95(list(range(1, 101)), percentile=90)
    90.0
    """
    x = _samples("samples_bps", samples_bps)
    keep = x.size - discarded_samples(x.size, percentile)
    return float(np.partition(x, keep - 1)[keep - 1])


def free_burst_hours(
    days: float | None = None,
    *,
    n_samples: int | None = None,
    sample_seconds: float = SAMPLE_SECONDS,
    percentile: float = 95,
) -> float:
    """Hours of samples a percentile bill ignores in a month of ``days`` days (or of
    ``n_samples``).

    >>> free_burst_hours(days=31)  # 8928 samples, 446 ignored: 37 h 10 min
    37.166666666666664
    >>> free_burst_hours(n_samples=8640, percentile=90)
    72.0
    """
    if (days is None) == (n_samples is None):
        raise ValueError("days, n_samples: give exactly one of them")
    if n_samples is None:
        if not (isinstance(days, (int, float)) and math.isfinite(days) and days > 0):
            raise ValueError(f"days: expected a positive number of days, got {days!r}")
        per_day = 86_400 / sample_seconds
        n_samples = round(days * per_day)
    return discarded_samples(n_samples, percentile) * sample_seconds / 3600


@dataclass(frozen=True)
class BurstableBill:
    """A month of burstable billing: the 95th percentiles, means and peaks, all in bits
    per second.
    """

    ingress_p95_bps: float
    egress_p95_bps: float
    sum_p95_bps: float
    ingress_mean_bps: float
    egress_mean_bps: float
    ingress_peak_bps: float
    egress_peak_bps: float
    n_samples: int
    discarded: int
    basis: str
    billed_bps: float

    def charge(self, price_per_mbit_s: float, commit_mbit_s: float = 0.0) -> float:
        """The month's charge: ``max(billed, commit)`` in Mbit/s (10^6 bits/s) times the
        price per Mbit/s.

        Contracts often add a lower price for the committed rate and a higher one for
        the excess ("overage"); this is the simplest form, one price for the billed rate
        with a minimum.
        """
        price = float(price_per_mbit_s)
        commit = float(commit_mbit_s)
        if not math.isfinite(price) or price < 0:
            raise ValueError(
                "price_per_mbit_s: expected a non-negative "
                f"price, got {price_per_mbit_s!r}"
            )
        if not math.isfinite(commit) or commit < 0:
            raise ValueError(
                "commit_mbit_s: expected a non-negative rate "
                f"in Mbit/s, got {commit_mbit_s!r}"
            )
        return max(self.billed_bps / 1e6, commit) * price

    def table(self) -> dict[str, dict[str, float]]:
        """Mean, 95th percentile and peak of each direction, in Mbit/s (for a quick
        DataFrame).
        """
        return {
            "ingress": {
                "mean": self.ingress_mean_bps / 1e6,
                "95th percentile": self.ingress_p95_bps / 1e6,
                "peak": self.ingress_peak_bps / 1e6,
            },
            "egress": {
                "mean": self.egress_mean_bps / 1e6,
                "95th percentile": self.egress_p95_bps / 1e6,
                "peak": self.egress_peak_bps / 1e6,
            },
        }


def burstable_bill(
    ingress_bps, egress_bps, *, basis: str = "max", percentile: float = 95
) -> BurstableBill:
    """Bill a month of paired 5-minute samples (ingress and egress, bits/s) on
    ``basis``.

    ``basis="max"`` bills the larger of the two 95th percentiles (the common contract);
    ``"sum"`` bills the 95th percentile of ingress + egress per sample; ``"ingress"`` or
    ``"egress"`` one direction only. Directions are the customer's: ingress comes into
    the customer's network (the provider's port *sends* it), egress leaves it.

    >>> bill = burstable_bill(
    ...     [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    ...     [5] * 19 + [100],
    ... )
    >>> (
    ...     bill.ingress_p95_bps,
    ...     bill.egress_p95_bps,
    ...     bill.billed_bps,
    ... )  # one sample (5 %) is discarded
    (19.0, 5.0, 19.0)
    >>> bill.egress_peak_bps
    100.0
    """
    ingress = _samples("ingress_bps", ingress_bps)
    egress = _samples("egress_bps", egress_bps)
    if ingress.size != egress.size:
        raise ValueError(
            f"ingress_bps, egress_bps: {ingress.size} ingress "
            f"samples but {egress.size} egress samples; "
            "expected one of each per interval"
        )
    if basis not in BASES:
        raise ValueError(f"basis: expected one of {', '.join(BASES)}; got {basis!r}")
    p_in = percentile_95(ingress, percentile)
    p_out = percentile_95(egress, percentile)
    p_sum = percentile_95(ingress + egress, percentile)
    billed = {"max": max(p_in, p_out), "sum": p_sum, "ingress": p_in, "egress": p_out}[
        basis
    ]
    return BurstableBill(
        ingress_p95_bps=p_in,
        egress_p95_bps=p_out,
        sum_p95_bps=p_sum,
        ingress_mean_bps=float(ingress.mean()),
        egress_mean_bps=float(egress.mean()),
        ingress_peak_bps=float(ingress.max()),
        egress_peak_bps=float(egress.max()),
        n_samples=int(ingress.size),
        discarded=discarded_samples(ingress.size, percentile),
        basis=basis,
        billed_bps=billed,
    )


# --------------------------------------------------------------------------------------
# Growth forecast
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrowthFit:
    """A straight line fitted to monthly values (``"linear"``) or to their logarithms
    (``"log-linear"``).

    Months are numbered 0, 1, ... in the order given. For the log-linear model the value
    grows by the factor ``exp(slope)`` per month (``monthly_growth`` is that factor
    minus 1).
    """

    model: str
    intercept: float
    slope: float
    n_months: int

    @property
    def monthly_growth(self) -> float:
        """Relative growth per month: ``exp(slope) - 1`` (log-linear), or slope / latest
        fitted value.
        """
        if self.model == "log-linear":
            return math.expm1(self.slope)
        return self.slope / float(self.predict(self.n_months - 1))

    def predict(self, month) -> np.ndarray | float:
        """Fitted value at month index (or indices) ``month``; may extrapolate beyond
        the data.
        """
        m = np.asarray(month, dtype=float)
        line = self.intercept + self.slope * m
        value = np.exp(line) if self.model == "log-linear" else line
        return float(value) if value.ndim == 0 else value

    def month_reaching(self, threshold: float) -> float:
        """The (fractional) month index at which the fitted line equals ``threshold``.

        Plain algebra: the answer may lie in the past (before the last month, or below
        0), and a falling line reaches a lower threshold on its way down. A flat line
        gives ``inf`` if it is below the threshold and ``-inf`` if it is at or above it.
        """
        level = float(threshold)
        if self.model == "log-linear":
            if level <= 0:
                raise ValueError(
                    "threshold: a log-linear fit needs a positive "
                    f"threshold, got {threshold!r}"
                )
            level = math.log(level)
        if self.slope == 0:
            return -math.inf if self.intercept >= level else math.inf
        return (level - self.intercept) / self.slope

    def months_until_upgrade(self, capacity_bps: float, headroom: float = 0.2) -> float:
        """Months after the last month of data until the fit reaches
        ``(1 - headroom) x capacity``.

        For a rising trend: negative means the threshold was crossed that many months
        ago (the upgrade is overdue). For a flat or falling trend: 0 if the fitted value
        of the last month is at or above the threshold, ``inf`` if it is below (it will
        not get there). Order the upgrade this many months ahead, minus the provider's
        lead time.

        >>> fit = fit_growth([40e6, 44e6, 48.4e6], model="log-linear")  # +10 % a month
        >>> round(fit.months_until_upgrade(100e6, headroom=0.2), 2)  # 48.4 -> 80 Mbit/s
        5.27
        """
        capacity = float(capacity_bps)
        if not math.isfinite(capacity) or capacity <= 0:
            raise ValueError(
                "capacity_bps: expected a positive rate in "
                f"bits/s, got {capacity_bps!r}"
            )
        if not 0 <= headroom < 1:
            raise ValueError(
                "headroom: expected a fraction from 0 up to "
                f"(not including) 1, got {headroom!r}"
            )
        threshold = (1 - headroom) * capacity
        last = self.n_months - 1
        if self.slope > 0:
            return self.month_reaching(threshold) - last
        return 0.0 if self.predict(last) >= threshold else math.inf


def fit_growth(monthly_bps, model: str = "log-linear") -> GrowthFit:
    """Least-squares straight line through monthly values (e.g. each month's 95th
    percentile).

    ``"log-linear"`` fits ``log(value) = a + b month`` (steady percentage growth, the
    usual shape of traffic growth); ``"linear"`` fits ``value = a + b month`` (steady
    growth in bits/s).

    >>> fit = fit_growth([10.0, 12.0, 14.0], model="linear")
    >>> fit.intercept, fit.slope, fit.month_reaching(20.0)
    (10.0, 2.0, 5.0)
    """
    y = _samples("monthly_bps", monthly_bps)
    if y.size < 2:
        raise ValueError(f"monthly_bps: a trend needs at least 2 months, got {y.size}")
    if model not in ("linear", "log-linear"):
        raise ValueError(f"model: expected 'linear' or 'log-linear', got {model!r}")
    if model == "log-linear":
        zero = np.flatnonzero(y <= 0)
        if zero.size:
            raise ValueError(
                f"monthly_bps: month {zero[0]} is 0; a "
                "log-linear fit needs positive values"
            )
        y = np.log(y)
    months = np.arange(y.size, dtype=float)
    centred = months - months.mean()
    slope = float((centred * (y - y.mean())).sum() / (centred**2).sum())
    intercept = float(y.mean() - slope * months.mean())
    return GrowthFit(model, float(intercept), float(slope), int(y.size))
