#!/usr/bin/python3
"""Writes the scikit-learn parity fixtures of package model.

Run from the repository root: /usr/bin/python3 model/testdata/gen_fixtures.py
(scikit-learn 1.2.1). Output: model/testdata/fixtures.json.
"""
import json
import os
import warnings

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

warnings.filterwarnings("ignore")
rng = np.random.default_rng(7)
out = {"datasets": {}, "linear": [], "ridge": [], "logistic": []}


def dataset(name, X, y):
    out["datasets"][name] = {"X": np.asarray(X, float).tolist(), "y": np.asarray(y, float).tolist()}


# Regression: scaled, unscaled (mixed magnitudes and offsets), collinear.
n, p = 80, 4
Xr = rng.normal(size=(n, p))
yr = Xr @ [1.5, -2.0, 0.0, 0.7] + 3 + 0.3 * rng.normal(size=n)
dataset("reg", Xr, yr)
Xu = Xr * [1000, 0.01, 1, 50] + [5000, -3, 0, 100]
yu = Xr @ [1.5, -2.0, 0.5, 0.7] * 100 + 40 + 5 * rng.normal(size=n)
dataset("reg_unscaled", Xu, yu)
Xc = np.column_stack([Xr[:, 0], Xr[:, 1], 2 * Xr[:, 0] - Xr[:, 1]])
dataset("reg_collinear", Xc, yr)
Xw = rng.normal(size=(5, 8))  # wide: more features than rows
dataset("reg_wide", Xw, rng.normal(size=5))

for ds in ["reg", "reg_unscaled", "reg_collinear", "reg_wide"]:
    d = out["datasets"][ds]
    X, y = np.array(d["X"]), np.array(d["y"])
    for fi in [True, False]:
        m = LinearRegression(fit_intercept=fi).fit(X, y)
        out["linear"].append({"data": ds, "fit_intercept": fi, "coef": m.coef_.tolist(),
                              "intercept": float(m.intercept_), "pred": m.predict(X).tolist()})
    for alpha in [0.1, 1.0, 10.0]:
        for fi in [True, False]:
            m = Ridge(alpha=alpha, fit_intercept=fi, solver="cholesky").fit(X, y)
            out["ridge"].append({"data": ds, "alpha": alpha, "fit_intercept": fi, "coef": m.coef_.tolist(),
                                 "intercept": float(m.intercept_), "pred": m.predict(X).tolist()})

# Classification: binary with arbitrary labels, unscaled, multiclass.
n, p = 200, 5
Xb = rng.normal(size=(n, p))
logit = Xb @ [1.0, -0.5, 0.25, 0.0, 2.0] - 0.3
yb = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), 5.0, -2.0)
dataset("bin", Xb, yb)
Xbu = Xb * [1, 100, 0.01, 1000, 3] + [0, 50, 0, -2000, 1]
dataset("bin_unscaled", Xbu, yb)
# Imbalanced (about 1 in 6 positive), for class weights.
yi = np.where(Xb[:, 0] + 0.8 * rng.normal(size=n) > 1.0, 1.0, 0.0)
dataset("bin_imbalanced", Xb, yi)
X3 = rng.normal(size=(240, 4))
s = X3 @ np.array([[1, 0, -1], [0.5, -1, 0], [0, 1, 0.5], [-0.5, 0, 1]]) + [0.2, 0, -0.2]
y3 = np.array([0.0, 1.0, 2.0])[np.argmax(s + rng.gumbel(size=s.shape), axis=1)] * 10
dataset("multi", X3, y3)


def logistic(ds, C=1.0, penalty="l2", fit_intercept=True, class_weight=None):
    d = out["datasets"][ds]
    X, y = np.array(d["X"]), np.array(d["y"])
    multi = len(np.unique(y)) > 2
    kw = dict(C=C, penalty=penalty, fit_intercept=fit_intercept, class_weight=class_weight, max_iter=10000)
    if multi:
        m = LogisticRegression(solver="newton-cg", tol=1e-12, multi_class="multinomial", **kw).fit(X, y)
    else:
        m = LogisticRegression(solver="newton-cholesky", tol=1e-12, **kw).fit(X, y)
    cw = None
    if isinstance(class_weight, dict):
        cw = [[float(k), float(v)] for k, v in class_weight.items()]
    out["logistic"].append({
        "data": ds, "C": C, "penalty": penalty or "none", "fit_intercept": fit_intercept,
        "class_weight": cw, "balanced": class_weight == "balanced",
        "classes": m.classes_.tolist(), "coef": m.coef_.tolist(),
        "intercept": np.atleast_1d(m.intercept_).tolist(),
        "proba": m.predict_proba(X).tolist(), "pred": m.predict(X).tolist()})


for ds in ["bin", "bin_unscaled"]:
    for C in [0.01, 1.0, 100.0]:
        logistic(ds, C=C)
    logistic(ds, penalty=None)
    logistic(ds, C=0.5, fit_intercept=False)
logistic("bin_imbalanced", class_weight="balanced")
logistic("bin_imbalanced", C=3.0, class_weight={1.0: 4.0})
for C in [0.05, 1.0, 20.0]:
    logistic("multi", C=C)
logistic("multi", C=2.0, class_weight="balanced")
logistic("multi", C=1.0, fit_intercept=False)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
