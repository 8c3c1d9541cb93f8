#!/usr/bin/python3
"""scikit-learn's time for BenchmarkCrossValidate's work (bench_test.go).

Builds the same deterministic table and times 5-fold StratifiedKFold
cross-validation of LogisticRegression (C=1, L2, newton-cholesky), scored by
accuracy and ROC AUC, single process (n_jobs=None) and with n_jobs=2:

    /usr/bin/python3 evaluate/testdata/bench_cv.py [rows ...]
"""
import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate

warnings.simplefilter("ignore")


def data(n):
    i = np.arange(n, dtype=float)
    w = [1.5, -2, 0.7, 0, 0.3, -0.8, 1.1, 0.05]
    X = np.empty((n, 8))
    z = np.full(n, -0.3)
    for j in range(8):
        X[:, j] = np.sin(i * 0.7 + j * 1.3) * (j + 1) + np.cos(i * 0.013 * (j + 1))
        z += w[j] * X[:, j]
    s = np.sin(i * 12.9898) * 43758.5453
    noise = (s - np.floor(s) - 0.5) * 6
    return X, (z + noise > 0).astype(float)


for n in [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]:
    X, y = data(n)
    for jobs in [None, 2]:
        clf = LogisticRegression(solver="newton-cholesky")
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            r = cross_validate(clf, X, y, cv=StratifiedKFold(5), scoring=["accuracy", "roc_auc"], n_jobs=jobs)
            best = min(best, time.perf_counter() - t)
        print(f"rows={n} n_jobs={jobs}: {best * 1000:.1f} ms (best of 3), auc {r['test_roc_auc'].mean():.4f}")
