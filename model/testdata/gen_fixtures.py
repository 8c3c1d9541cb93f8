#!/usr/bin/python3
"""Writes the scikit-learn parity fixtures of package model.

Run from the repository root: /usr/bin/python3 model/testdata/gen_fixtures.py
(scikit-learn 1.2.1). Output: model/testdata/fixtures.json.
"""
import json
import os
import warnings

import numpy as np
from sklearn.datasets import load_iris, load_wine
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

warnings.filterwarnings("ignore")
rng = np.random.default_rng(7)
out = {"datasets": {}, "linear": [], "ridge": [], "logistic": [], "enet": [], "dummy": [],
       "nb": [], "knn": [], "tree": [], "cv": []}


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


def arr(d):
    return np.array(out["datasets"][d]["X"]), np.array(out["datasets"][d]["y"])


# Lasso and elastic net, solved to a tight tolerance (reg_wide, with more
# features than rows, takes the residual form of coordinate descent).
for ds in ["reg", "reg_unscaled", "reg_wide"]:
    X, y = arr(ds)
    for alpha, l1 in [(0.01, 1.0), (0.1, 1.0), (1.0, 1.0), (0.1, 0.5), (1.0, 0.2), (0.05, 0.9)]:
        for fi in [True, False]:
            m = ElasticNet(alpha=alpha, l1_ratio=l1, fit_intercept=fi, tol=1e-12, max_iter=100000).fit(X, y)
            out["enet"].append({"data": ds, "alpha": alpha, "l1_ratio": l1, "fit_intercept": fi,
                                "coef": m.coef_.tolist(), "intercept": float(m.intercept_)})
X, y = arr("reg")
m = Lasso(alpha=0.5).fit(X, y)  # the defaults, as a user would call them
out["lasso_default"] = {"data": "reg", "alpha": 0.5, "coef": m.coef_.tolist(), "intercept": float(m.intercept_)}

# Dummy models.
for ds in ["bin", "multi"]:
    X, y = arr(ds)
    for strategy in ["prior", "most_frequent"]:
        m = DummyClassifier(strategy=strategy).fit(X, y)
        out["dummy"].append({"data": ds, "strategy": strategy, "proba": m.predict_proba(X[:3]).tolist(),
                             "pred": m.predict(X[:3]).tolist()})
for ds in ["reg", "reg_wide"]:
    X, y = arr(ds)
    for strategy in ["mean", "median"]:
        m = DummyRegressor(strategy=strategy).fit(X, y)
        out["dummy"].append({"data": ds, "strategy": strategy, "pred": m.predict(X[:3]).tolist()})

# Naive Bayes: Gaussian on continuous data, multinomial on counts.
lam = rng.uniform(0.5, 4, size=(3, 6))
yc = np.repeat([1.0, 2.0, 7.0], 40)
Xc = np.vstack([rng.poisson(lam[k], size=(40, 6)) for k in range(3)]).astype(float)
dataset("counts", Xc, yc)
for ds in ["multi", "bin_unscaled"]:
    X, y = arr(ds)
    for vs in [1e-9, 1e-2]:
        m = GaussianNB(var_smoothing=vs).fit(X, y)
        out["nb"].append({"kind": "gaussian", "data": ds, "var_smoothing": vs, "proba": m.predict_proba(X).tolist(),
                          "pred": m.predict(X).tolist(), "theta": m.theta_.tolist(), "var": m.var_.tolist()})
X, y = arr("counts")
for alpha, fp in [(1.0, True), (0.5, True), (1.0, False)]:
    m = MultinomialNB(alpha=alpha, fit_prior=fp).fit(X, y)
    out["nb"].append({"kind": "multinomial", "data": "counts", "alpha": alpha, "fit_prior": fp,
                      "proba": m.predict_proba(X).tolist(), "pred": m.predict(X).tolist(),
                      "feature_log_prob": m.feature_log_prob_.tolist()})

# k-nearest neighbours: fitted on the first rows, queried on the rest.
for ds, cls in [("multi", True), ("reg", False)]:
    X, y = arr(ds)
    cut = len(y) * 3 // 4
    for k in [1, 5, 12]:
        for w in ["uniform", "distance"]:
            if cls:
                m = KNeighborsClassifier(n_neighbors=k, weights=w).fit(X[:cut], y[:cut])
                proba = m.predict_proba(X[cut:]).tolist()
            else:
                m = KNeighborsRegressor(n_neighbors=k, weights=w).fit(X[:cut], y[:cut])
                proba = None
            out["knn"].append({"data": ds, "cut": cut, "k": k, "weights": w, "classifier": cls,
                               "pred": m.predict(X[cut:]).tolist(), "proba": proba})

# Decision trees on continuous data. Among equally good splits scikit-learn
# picks by its random feature order, so a tree is compared node for node only
# when every random_state of 0..9 gives the same tree ("stable"); otherwise
# by the range of node counts and test scores over those states.
for ds, cls in [("multi", True), ("bin", True), ("reg", False), ("reg_unscaled", False)]:
    X, y = arr(ds)
    cut = len(y) * 3 // 4
    crits = ["gini", "entropy"] if cls else ["squared_error"]
    for crit in crits:
        for depth, leaf, split in [(None, 1, 2), (2, 1, 2), (3, 1, 2), (None, 5, 2), (6, 2, 10), (4, 10, 2)]:
            kw = dict(criterion=crit, max_depth=depth, min_samples_leaf=leaf, min_samples_split=split)
            ms = [(DecisionTreeClassifier if cls else DecisionTreeRegressor)(random_state=rs, **kw).fit(X[:cut], y[:cut])
                  for rs in range(10)]
            m = ms[0]
            stable = all(np.array_equal(o.tree_.feature, m.tree_.feature) and
                         np.array_equal(o.tree_.threshold, m.tree_.threshold) for o in ms)
            out["tree"].append({"data": ds, "cut": cut, "criterion": crit, "max_depth": depth or 0,
                                "min_samples_leaf": leaf, "min_samples_split": split, "stable": bool(stable),
                                "pred": m.predict(X[cut:]).tolist(),
                                "proba": m.predict_proba(X[cut:]).tolist() if cls else None,
                                "importances": m.feature_importances_.tolist(),
                                "node_counts": [int(o.tree_.node_count) for o in ms],
                                "test_scores": [float(o.score(X[cut:], y[cut:])) for o in ms]})

# Cross-validated accuracy on the bundled iris and wine data, 5 stratified
# folds without shuffling (the folds are exported, so both sides use them).
for name, loader in [("iris", load_iris), ("wine", load_wine)]:
    X, y = loader(return_X_y=True)
    y = y.astype(float)
    dataset(name, X, y)
    folds = [test.tolist() for _, test in StratifiedKFold(5).split(X, y)]
    models = {
        "logistic": LogisticRegression(C=1.0, max_iter=100000, tol=1e-10),
        "gaussian_nb": GaussianNB(),
        "knn5": KNeighborsClassifier(5),
        "tree": DecisionTreeClassifier(random_state=0),
        "forest": RandomForestClassifier(random_state=0),
        "dummy": DummyClassifier(),
    }
    for mname, m in models.items():
        accs = []
        for test in folds:
            train = np.setdiff1d(np.arange(len(y)), test)
            accs.append(float(m.fit(X[train], y[train]).score(X[test], y[test])))
        out["cv"].append({"data": name, "model": mname, "folds": folds, "accuracy": float(np.mean(accs))})

# A random forest regressor's out-of-bag R² and importances, for comparison
# in distribution.
X, y = arr("reg")
m = RandomForestRegressor(n_estimators=200, oob_score=True, random_state=0).fit(X, y)
out["forest_reg"] = {"data": "reg", "oob_score": float(m.oob_score_), "importances": m.feature_importances_.tolist()}
X, y = arr("multi")
m = RandomForestClassifier(n_estimators=200, oob_score=True, random_state=0).fit(X, y)
out["forest_clf"] = {"data": "multi", "oob_score": float(m.oob_score_), "importances": m.feature_importances_.tolist()}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
