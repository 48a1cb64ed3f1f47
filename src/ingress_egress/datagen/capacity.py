"""Capacity dataset: an office's internet link, read every 5 minutes for a year.

A company's head office (about 30 people, working 08:00-18:00 UTC, Monday to Friday; a
larger site than the nine-workstation office of the packet captures) has an asymmetric
access link: 100 Mbit/s down (ingress), 20 Mbit/s up (egress). Its router reads the
interface's byte counters every 5 minutes, as an SNMP poller does, and keeps the
difference: bytes in and bytes out per 5-minute interval.

What the model puts in, per 5-minute sample (rates in Mbit/s, before the link's
ceiling):

* ingress: a night and weekend floor; a working-day double hump (morning and afternoon,
  lunch dip between); big downloads (a few per working day, 5-15 minutes each); a
  monthly update day (the second Tuesday, 13:00-15:00); and the acknowledgements of the
  night's upload (2.2 % of its bytes);
* egress: a floor; a share of the working-day activity plus video calls; and a **cloud
  backup** that starts at 01:00 after every working day (incremental, a few GB) and on
  the first Saturday of the month (full, tens of GB), and sends as fast as the upstream
  allows until it is done;
* every sample is multiplied by log-normal noise (sigma 0.25) and capped at 96 % of the
  link rate: a saturated link reads a little under its nominal rate in 5-minute
  averages;
* the working-day traffic grows 3.5 % a month and the backups 4 % a month (month 0 =
  2025-10).

Files written under ``data/capacity/``:

``office-link-2026-09.csv``
    The last month, 30 days x 288 samples = 8640 rows: ``interval_start`` (UTC, ISO
    8601, start of the 5-minute interval), ``ingress_bytes`` and ``egress_bytes`` (whole
    bytes in the interval, counted at the office router: ingress comes into the office,
    egress leaves it).
``office-link-monthly.csv``
    One row per month from 2025-10 to 2026-09: ``month`` (YYYY-MM), ``samples``,
    ``ingress_p95_bps`` and ``egress_p95_bps`` (the month's 95th percentile in bits/s,
    rounded to whole bits/s, by :func:`ingress_egress.burstable.percentile_95` on the
    month's samples), as a monthly report or a provider's invoices would give them.

Examples
--------
>>> month = office_month(2026, 9)
>>> len(month), list(month.columns)
(8640, ['interval_start', 'ingress_bytes', 'egress_bytes'])
>>> bool((month["egress_bytes"] * 8 / 300 <= 0.96 * UPLINK_BPS + 1).all())
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ingress_egress.burstable import SAMPLE_SECONDS, percentile_95

SEED = 20260901
DOWNLINK_BPS = 100e6
"""The access link's downstream (ingress) rate, bits per second."""
UPLINK_BPS = 20e6
"""The access link's upstream (egress) rate, bits per second."""
CEILING = 0.96
"""A saturated link reads this fraction of its nominal rate in a 5-minute average."""
FIRST_MONTH = (2025, 10)
N_MONTHS = 12
SAMPLE_MONTH = (2026, 9)


def _month_start(index: int) -> pd.Timestamp:
    year, month = FIRST_MONTH
    return pd.Timestamp(
        year=year + (month - 1 + index) // 12,
        month=(month - 1 + index) % 12 + 1,
        day=1,
        tz="UTC",
    )


def _month_index(year: int, month: int) -> int:
    return (year - FIRST_MONTH[0]) * 12 + (month - FIRST_MONTH[1])


def office_month(year: int, month: int) -> pd.DataFrame:
    """Generate one month of the office link's 5-minute byte counts (seeded by year and
    month).
    """
    index = _month_index(year, month)
    rng = np.random.default_rng([SEED, year, month])
    start = pd.Timestamp(year=year, month=month, day=1, tz="UTC")
    end = start + pd.offsets.MonthBegin(1)
    times = pd.date_range(start, end, freq=f"{SAMPLE_SECONDS}s", inclusive="left")
    n = len(times)
    hour = (times.hour + times.minute / 60).to_numpy(dtype=float)
    weekday = times.day_of_week.to_numpy()
    workday = weekday < 5
    work_growth = 1.035**index
    backup_growth = 1.04**index

    # ingress, Mbit/s
    humps = np.exp(-((hour - 10.5) ** 2) / (2 * 1.5**2)) + 0.9 * np.exp(
        -((hour - 14.8) ** 2) / (2 * 1.7**2)
    )
    ingress = np.where(workday, 1.2 + 24 * work_growth * humps, 1.5)
    office_hours = workday & (hour >= 8) & (hour < 18)
    candidates = np.flatnonzero(office_hours)
    n_downloads = rng.poisson(4 * workday.sum() / 288)
    for first in np.sort(rng.choice(candidates, size=n_downloads, replace=False)):
        length = rng.integers(1, 4)
        ingress[first : first + length] += rng.uniform(25, 60) * work_growth
    tuesdays = np.unique(times[(weekday == 1)].normalize())
    update_day = tuesdays[1]
    ingress[(times.normalize() == update_day) & (hour >= 13) & (hour < 15)] += 45

    # egress, Mbit/s, before the backup
    egress = np.where(
        workday, 0.4 + 0.12 * (ingress - 1.2) + 3.5 * work_growth * humps, 0.3
    )

    noise = rng.lognormal(0.0, 0.25, size=(2, n))
    ingress = ingress * noise[0]
    egress = egress * noise[1]
    egress_cap = CEILING * UPLINK_BPS / 1e6
    egress = np.minimum(egress, egress_cap)

    # the backup: starts at 01:00 after each working day (Tue-Sat 01:00) and on the
    # first Saturday
    day_starts = np.flatnonzero((hour == 1.0))
    backup_bytes = np.zeros(n)
    first_saturday_done = False
    for first in day_starts:
        day = weekday[first]
        volume = 0.0
        if 1 <= day <= 5:  # the night after Monday..Friday
            volume += rng.lognormal(np.log(9e9), 0.35) * backup_growth
        if day == 5 and not first_saturday_done:
            volume += rng.lognormal(np.log(45e9), 0.1) * backup_growth
            first_saturday_done = True
        k = first
        while volume > 0 and k < n:
            room = (
                (egress_cap - egress[k]) * 1e6 / 8 * SAMPLE_SECONDS
            )  # bytes the upstream can still carry
            sent = min(volume, room)
            backup_bytes[k] += sent
            volume -= sent
            k += 1
    egress = egress + backup_bytes * 8 / SAMPLE_SECONDS / 1e6
    ingress = ingress + 0.022 * backup_bytes * 8 / SAMPLE_SECONDS / 1e6
    ingress = np.minimum(ingress, CEILING * DOWNLINK_BPS / 1e6)

    def to_bytes(mbit_s: np.ndarray) -> np.ndarray:
        return np.floor(mbit_s * 1e6 / 8 * SAMPLE_SECONDS).astype(np.int64)

    return pd.DataFrame(
        {
            "interval_start": times,
            "ingress_bytes": to_bytes(ingress),
            "egress_bytes": to_bytes(egress),
        }
    )


def monthly_summary() -> pd.DataFrame:
    """The 95th percentile of each direction, month by month, from the generated
    months.
    """
    rows = []
    for index in range(N_MONTHS):
        start = _month_start(index)
        month = office_month(start.year, start.month)
        rows.append(
            {
                "month": f"{start.year:04d}-{start.month:02d}",
                "samples": len(month),
                "ingress_p95_bps": round(
                    percentile_95(month["ingress_bytes"] * 8 / SAMPLE_SECONDS)
                ),
                "egress_p95_bps": round(
                    percentile_95(month["egress_bytes"] * 8 / SAMPLE_SECONDS)
                ),
            }
        )
    return pd.DataFrame(rows)


def generate(data_dir: Path) -> list[Path]:
    """Write ``capacity/office-link-2026-09.csv`` and
    ``capacity/office-link-monthly.csv``.
    """
    folder = Path(data_dir) / "capacity"
    folder.mkdir(parents=True, exist_ok=True)
    samples = office_month(*SAMPLE_MONTH)
    samples_path = (
        folder / f"office-link-{SAMPLE_MONTH[0]:04d}-{SAMPLE_MONTH[1]:02d}.csv"
    )
    samples.assign(
        interval_start=samples["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    ).to_csv(samples_path, index=False, lineterminator="\n")
    monthly_path = folder / "office-link-monthly.csv"
    monthly_summary().to_csv(monthly_path, index=False, lineterminator="\n")
    return [samples_path, monthly_path]
