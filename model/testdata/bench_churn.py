#!/usr/bin/python3
"""The churn-data model benchmarks, scikit-learn's side.

    /usr/bin/python3 model/testdata/bench_churn.py matrix CHURN.csv OUT.f64
    /usr/bin/python3 model/testdata/bench_churn.py time OUT.f64 logistic|forest|cv [RUNS]

"matrix" builds the numeric matrix of the churn CSV (gen_churn.py) the way
bench/sklearn_baseline.py does — missing spellings, numbers,
out-of-range ages to missing, trimmed upper-case countries, booleans, date
parts, then median impute + standard scale on the numbers and
most-frequent impute + one-hot on the categories, fitted on all rows — and
writes it for both sides to read: rows and columns as two little-endian
int64, X row-major, then y, as little-endian float64. The Go benchmarks
(model.BenchmarkChurn*, evaluate.BenchmarkCrossValidateChurn) read the same
file; they run "matrix" themselves when the file is missing.

"time" times scikit-learn on that matrix, for the same work as the Go
benchmark of the same name:

  logistic  LogisticRegression(C=1) fit, default lbfgs and newton-cholesky
  forest    RandomForestClassifier(n_estimators=10, max_depth=12,
            max_features="sqrt", oob_score=True, n_jobs=2, random_state=0) fit
  cv        cross_validate(LogisticRegression(newton-cholesky), StratifiedKFold(5),
            scoring accuracy and roc_auc, n_jobs=2 (then n_jobs=1)

and prints, per operation, the median and every run's wall and CPU seconds
(user + system of this process, its threads and joblib's worker processes) and the
load average.
"""
import os
import statistics
import sys
import time
import warnings

import numpy as np

NA = ["", "NA", "?", "????", "null", "unknown"]
NUM = ["age", "income", "monthly_spend", "support_tickets", "last_login_days",
       "signup_year", "signup_month", "signup_dow", "is_mobile"]
CAT = ["country", "plan"]

FOREST = dict(n_estimators=10, max_depth=12, max_features="sqrt", oob_score=True, random_state=0)


def matrix(csv, out):
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    df = pd.read_csv(csv, na_values=NA, keep_default_na=True,
                     dtype={"age": str, "income": str, "last_login_days": str, "is_mobile": str})
    for c in ["age", "income", "last_login_days"]:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    df.loc[(df["age"] < 14) | (df["age"] > 110), "age"] = np.nan
    df["country"] = df["country"].str.strip().str.upper()
    df["is_mobile"] = df["is_mobile"].str.lower().map(
        {"true": 1.0, "yes": 1.0, "1": 1.0, "y": 1.0, "false": 0.0, "no": 0.0, "0": 0.0, "n": 0.0})
    s = df["signup_date"].astype(str)
    d = pd.to_datetime(s.str.slice(0, 10), format="%Y-%m-%d", errors="coerce").fillna(
        pd.to_datetime(s, format="%m/%d/%Y", errors="coerce"))
    df["signup_year"], df["signup_month"], df["signup_dow"] = d.dt.year, d.dt.month, d.dt.dayofweek
    pre = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUM),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(sparse_output=False)), CAT),
    ])
    X = np.ascontiguousarray(pre.fit_transform(df[NUM + CAT]), dtype="<f8")
    y = df["churned"].to_numpy(dtype="<f8")
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        np.array(X.shape, dtype="<i8").tofile(f)
        X.tofile(f)
        y.tofile(f)
    os.replace(tmp, out)
    print(f"wrote {out}: {X.shape[0]} rows x {X.shape[1]} columns, churn rate {y.mean():.4f}")


def load(path):
    with open(path, "rb") as f:
        n, p = np.fromfile(f, dtype="<i8", count=2)
        X = np.fromfile(f, dtype="<f8", count=n * p).reshape(n, p)
        y = np.fromfile(f, dtype="<f8", count=n)
    return X, y


def cpu():
    """CPU seconds (user + system) of this process, of its reaped children
    and of its live descendants (joblib's loky workers stay alive between
    calls, so os.times alone does not see them)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system + descendants_cpu()


def descendants_cpu():
    tick = os.sysconf("SC_CLK_TCK")
    parent, ticks = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(d)] = int(fields[1])
        ticks[int(d)] = int(fields[11]) + int(fields[12])  # utime, stime
    me, total = os.getpid(), 0
    for pid in ticks:
        p = parent.get(pid)
        while p and p != me:
            p = parent.get(p)
        if p == me:
            total += ticks[pid]
    return total / tick


def timed(label, f, runs):
    walls, cpus, out = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), cpu()
        out = f()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
    print(f"sklearn {label}: wall median {statistics.median(walls):.3f} s, CPU median "
          f"{statistics.median(cpus):.3f} s; runs wall {' '.join(f'{w:.3f}' for w in walls)}, "
          f"CPU {' '.join(f'{c:.3f}' for c in cpus)}; load {os.getloadavg()[0]:.2f}", flush=True)
    return out


def main():
    if sys.argv[1] == "matrix":
        matrix(sys.argv[2], sys.argv[3])
        return
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate

    warnings.simplefilter("ignore")
    X, y = load(sys.argv[2])
    what = sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    print(f"{X.shape[0]} rows x {X.shape[1]} columns", flush=True)
    if what == "logistic":
        for solver in ["lbfgs", "newton-cholesky"]:
            m = timed(f"LogisticRegression({solver}) fit",
                      lambda: LogisticRegression(solver=solver, max_iter=1000).fit(X, y), runs)
            print(f"    n_iter {m.n_iter_[0]}, intercept {m.intercept_[0]:.6f}, coef[:3] {m.coef_[0][:3]}")
    elif what == "forest":
        m = timed("RandomForestClassifier fit",
                  lambda: RandomForestClassifier(n_jobs=2, **FOREST).fit(X, y), runs)
        print(f"    oob score {m.oob_score_:.4f}")
    elif what == "cv":
        for jobs in [2, 1]:
            r = timed(f"cross_validate(LogisticRegression) 5 folds n_jobs={jobs}",
                      lambda: cross_validate(LogisticRegression(solver="newton-cholesky"), X, y,
                                             cv=StratifiedKFold(5), scoring=["accuracy", "roc_auc"], n_jobs=jobs),
                      runs)
            print(f"    accuracy {r['test_accuracy'].mean():.4f}, roc_auc {r['test_roc_auc'].mean():.4f}")
    else:
        sys.exit(f"unknown operation {what!r}: want logistic, forest or cv")


if __name__ == "__main__":
    main()
