"""Generate scikit-learn / pandas parity fixtures for package features.

Run with Debian's python3 (scikit-learn 1.2.1, pandas):

    /usr/bin/python3 features/testdata/gen_fixtures.py

It writes features/testdata/fixtures.json. Every float is written with
repr precision; NaN is written as null.
"""
import json
import math
import os

import numpy as np
import pandas as pd
import sklearn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")


def clean(x):
    """Turn numpy values and NaN into JSON-ready Python values."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return None if math.isnan(x) else x
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    return x


def dates():
    rng = np.random.default_rng(1)
    lo = pd.Timestamp("1969-06-01").value
    hi = pd.Timestamp("2031-03-01").value
    ns = rng.integers(lo, hi, size=300)
    ts = pd.Series(pd.to_datetime(ns))
    ts[rng.random(300) < 0.1] = pd.NaT
    # Leap days, year ends, weekend boundaries.
    extra = pd.to_datetime(["2024-02-29 23:59:59", "2023-12-31 00:00:00",
                            "2024-12-31 12:00:00", "2000-01-01", "1970-01-01",
                            "2023-06-03 10:00", "2023-06-04 23:00", "2023-06-05 00:00"])
    ts = pd.concat([ts, pd.Series(extra)], ignore_index=True)
    d = ts.dt
    out = {
        "nanos": [None if pd.isna(t) else int(t.value) for t in ts],
        "year": d.year, "quarter": d.quarter, "month": d.month, "day": d.day,
        "weekday": d.dayofweek, "hour": d.hour, "minute": d.minute,
        "dayofyear": d.dayofyear,
        "weekend": (d.dayofweek >= 5).astype(float).where(ts.notna()),
    }
    ref = pd.Timestamp("2000-01-01 06:00")
    out["ref_nanos"] = int(ref.value)
    out["elapsed_days"] = (ts - ref).dt.total_seconds() / 86400
    out["elapsed_min_days"] = (ts - ts.min()).dt.total_seconds() / 86400
    month = d.month.astype(float)
    out["month_sin"] = np.sin(2 * np.pi * month / 12)
    out["month_cos"] = np.cos(2 * np.pi * month / 12)
    for k in list(out):
        if isinstance(out[k], pd.Series):
            out[k] = [None if pd.isna(v) else float(v) for v in out[k]]
    return out


def main():
    fx = {"sklearn_version": sklearn.__version__, "pandas_version": pd.__version__}
    fx["dates"] = dates()
    with open(OUT, "w") as f:
        json.dump(clean(fx), f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
