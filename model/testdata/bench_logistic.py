#!/usr/bin/python3
"""Times scikit-learn's logistic regression on the data of
BenchmarkLogisticFit1Mx40 (1,000,000 × 40), written by

    MODEL_BENCH_DUMP=/tmp/logistic_bench.bin go test -run TestDumpBenchData ./model/
    /usr/bin/python3 model/testdata/bench_logistic.py /tmp/logistic_bench.bin
"""
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

n, p = 1_000_000, 40
raw = np.fromfile(sys.argv[1], dtype="<f8")
X = raw[: n * p].reshape(n, p)
y = raw[n * p:]
for solver, tol in [("lbfgs", 1e-4), ("newton-cholesky", 1e-4), ("newton-cholesky", 1e-8)]:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        m = LogisticRegression(solver=solver, tol=tol, max_iter=1000).fit(X, y)
        times.append(time.perf_counter() - t0)
    print(f"{solver:16s} tol={tol:g}: best {min(times):.3f}s of {len(times)} "
          f"(n_iter {m.n_iter_[0]}), coef[:3] {m.coef_[0][:3]}")
