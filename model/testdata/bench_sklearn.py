#!/usr/bin/python3
"""Times scikit-learn on the data of the model benchmarks
(BenchmarkLogisticFit1Mx40, BenchmarkForestFit50kx20, BenchmarkTreeFit50kx20),
written by

    MODEL_BENCH_DUMP=/tmp go test -run TestDumpBenchData ./model/
    /usr/bin/python3 model/testdata/bench_sklearn.py /tmp [knn|linear]

(BenchmarkKNeighborsPredict and BenchmarkLinearFit1Mx40 too; "knn" or
"linear" runs only that one.)
"""
import os
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier


def load(path, n, p):
    raw = np.fromfile(path, dtype="<f8")
    return raw[: n * p].reshape(n, p), raw[n * p:]


def cpu():
    # CPU time of this process and its threads (user + system); with
    # n_jobs=2 joblib's worker processes are counted through children.
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(label, f, runs=3):
    times, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), cpu()
        f()
        times.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
    print(f"{label:44s} wall best {min(times):7.3f}s, CPU best {min(cpus):7.3f}s of {runs} "
          f"(load {os.getloadavg()[0]:.1f})")


def best(label, make, X, y, runs=3):
    times, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), cpu()
        m = make().fit(X, y)
        times.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
    print(f"{label:44s} wall best {min(times):7.3f}s, CPU best {min(cpus):7.3f}s of {runs} "
          f"(load {os.getloadavg()[0]:.1f})")
    return m


d = sys.argv[1]
only = sys.argv[2] if len(sys.argv) > 2 else ""
if only == "linear":
    X, y = load(os.path.join(d, "logistic.bin"), 1_000_000, 40)
    best("linear regression (lstsq)", LinearRegression, X, y)
    best("ridge (cholesky)", lambda: Ridge(solver="cholesky"), X, y)
    sys.exit()
X, y = load(os.path.join(d, "forest.bin"), 50_000, 20)
knn = KNeighborsClassifier(5).fit(X[:20000], y[:20000])
timed("k-neighbours predict 2,000 of 20,000 × 20", lambda: knn.predict(X[20000:22000]))
if only == "knn":
    sys.exit()
X, y = load(os.path.join(d, "logistic.bin"), 1_000_000, 40)
for solver, tol in [("lbfgs", 1e-4), ("newton-cholesky", 1e-4), ("newton-cholesky", 1e-8)]:
    m = best(f"logistic {solver} tol={tol:g}", lambda: LogisticRegression(solver=solver, tol=tol, max_iter=1000), X, y)
    print(f"    n_iter {m.n_iter_[0]}, coef[:3] {m.coef_[0][:3]}")
X, y = load(os.path.join(d, "forest.bin"), 50_000, 20)
best("decision tree (all features)", lambda: DecisionTreeClassifier(random_state=0), X, y)
for jobs in [1, 2]:
    best(f"random forest 50 trees n_jobs={jobs}",
         lambda: RandomForestClassifier(n_estimators=50, n_jobs=jobs, random_state=0), X, y, runs=2)
X, y = load(os.path.join(d, "logistic.bin"), 1_000_000, 40)
best("linear regression (lstsq)", LinearRegression, X, y)
best("ridge (cholesky)", lambda: Ridge(solver="cholesky"), X, y)
