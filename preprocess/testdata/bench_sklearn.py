"""Time scikit-learn on the data of preprocess/bench_test.go (same formulas).

    /usr/bin/python3 preprocess/testdata/bench_sklearn.py

Prints the best of 5 runs of each operation, in milliseconds.
"""
import time

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, QuantileTransformer, StandardScaler

N = 1_000_000
i = np.arange(N, dtype=np.float64)
X = np.column_stack([100 * np.sin(i * (k + 1)) + (np.arange(N) % 17) for k in range(4)])
X[::10, 0] = np.nan
cats = np.array([f"cat{k}" for k in range(20)], dtype=object)
C = cats[(np.arange(N) * 7919) % 20].reshape(-1, 1)


def best(f, reps=5):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times) * 1e3


sc = StandardScaler().fit(X)
print(f"StandardScaler fit        {best(lambda: StandardScaler().fit(X)):8.1f} ms")
print(f"StandardScaler transform  {best(lambda: sc.transform(X)):8.1f} ms")
oh = OneHotEncoder(sparse_output=False).fit(C)
print(f"OneHotEncoder fit         {best(lambda: OneHotEncoder(sparse_output=False).fit(C)):8.1f} ms")
print(f"OneHotEncoder transform   {best(lambda: oh.transform(C)):8.1f} ms  (dense output)")
ohs = OneHotEncoder().fit(C)
print(f"OneHotEncoder transform   {best(lambda: ohs.transform(C)):8.1f} ms  (sparse output)")
print(f"SimpleImputer(median) fit {best(lambda: SimpleImputer(strategy='median').fit(X)):8.1f} ms")
qt = QuantileTransformer().fit(X)
print(f"QuantileTransformer fit   {best(lambda: QuantileTransformer().fit(X)):8.1f} ms  (subsample 100,000)")
print(f"QuantileTransformer transform {best(lambda: qt.transform(X)):8.1f} ms")
