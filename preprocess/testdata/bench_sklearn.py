"""Time scikit-learn on the data of preprocess/bench_test.go (same formulas).

    /usr/bin/python3 preprocess/testdata/bench_sklearn.py [RUNS] [NAME ...]

For each operation (or only those whose name contains one of NAME), prints
the median wall and CPU milliseconds (user + system) of RUNS runs (default
5), every run's wall time and the load average, one line each, named as the
Go benchmark it compares with. testdata/compare.sh runs both back to back.
"""
import os
import statistics
import sys
import time

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import (MinMaxScaler, OneHotEncoder, QuantileTransformer, RobustScaler,
                                   StandardScaler)

N = 1_000_000
i = np.arange(N, dtype=np.float64)
X = np.column_stack([100 * np.sin(i * (k + 1)) + (np.arange(N) % 17) for k in range(4)])
X[::10, 0] = np.nan
cats = np.array([f"cat{k}" for k in range(20)], dtype=object)
C = cats[(np.arange(N) * 7919) % 20].reshape(-1, 1)

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ONLY = sys.argv[2:]


def cpu():
    return time.process_time()  # user + system, all threads, sub-tick resolution


def timed(name, f, note=""):
    if ONLY and not any(o in name for o in ONLY):
        return
    walls, cpus = [], []
    for _ in range(RUNS):
        t, c = time.perf_counter(), cpu()
        f()
        walls.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    print(f"sklearn {name:34s} wall median {statistics.median(walls) * 1e3:9.1f} ms  CPU median "
          f"{statistics.median(cpus) * 1e3:9.1f} ms  runs {' '.join(f'{w * 1e3:.1f}' for w in walls)}  "
          f"load {os.getloadavg()[0]:.2f}{'  ' + note if note else ''}", flush=True)


for name, make in [("StandardScale", StandardScaler), ("MinMaxScale", MinMaxScaler),
                   ("RobustScale", RobustScaler)]:
    fitted = make().fit(X)
    timed(name + "Fit", lambda: make().fit(X))
    timed(name + "Transform", lambda: fitted.transform(X))
oh = OneHotEncoder(sparse_output=False).fit(C)
timed("OneHotFit", lambda: OneHotEncoder(sparse_output=False).fit(C))
timed("OneHotTransform", lambda: oh.transform(C), "(dense output)")
ohs = OneHotEncoder().fit(C)
timed("OneHotTransform/sparse", lambda: ohs.transform(C), "(sparse output)")
timed("ImputeMedianFit", lambda: SimpleImputer(strategy="median").fit(X))
qt = QuantileTransformer().fit(X)
timed("QuantileTransformFit", lambda: QuantileTransformer().fit(X), "(subsample 100,000)")
timed("QuantileTransformTransform", lambda: qt.transform(X))
