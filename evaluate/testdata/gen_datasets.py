#!/usr/bin/python3
"""Cross-validation parity fixtures on scikit-learn's bundled data sets.

Run from the repository root:

    /usr/bin/python3 evaluate/testdata/gen_datasets.py

It writes evaluate/testdata/datasets.json: iris (raw) and wine (standardised
once, globally, so the solver converges; the same matrix goes to both
sides), with scikit-learn's per-fold scores of LogisticRegression (C=1, L2,
multinomial, newton-cg to tight tolerance) under StratifiedKFold(5) without
shuffling — the protocol evaluate.CrossValidate reproduces exactly — and
its out-of-fold predictions and probabilities (cross_val_predict).
"""
import json
import os
import warnings

import numpy as np
from sklearn.datasets import load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_validate
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore")

out = {}
for name, loader, scale in [("iris", load_iris, False), ("wine", load_wine, True)]:
    X, y = loader(return_X_y=True)
    if scale:
        X = StandardScaler().fit_transform(X)
    # newton-cg: lbfgs stops early (scipy's ftol) and its log loss is off in
    # the fifth decimal.
    # (At tol=1e-12 newton-cg never stops on iris; 1e-8 converges in ~20
    # iterations to the same coefficients.)
    clf = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-8, max_iter=1000)
    res = cross_validate(clf, X, y, cv=StratifiedKFold(5), return_train_score=True,
                         scoring=["accuracy", "roc_auc_ovr", "neg_log_loss", "f1_macro"])
    out[name] = {
        "X": [[float(v) for v in row] for row in X],
        "y": [float(v) for v in y],
        "scores": {k[len("test_"):]: [float(v) for v in res[k]] for k in res if k.startswith("test_")},
        "train_accuracy": [float(v) for v in res["train_accuracy"]],
        "oof_pred": [float(v) for v in cross_val_predict(clf, X, y, cv=StratifiedKFold(5))],
        "oof_proba": [[float(v) for v in row]
                      for row in cross_val_predict(clf, X, y, cv=StratifiedKFold(5), method="predict_proba")],
    }

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "datasets.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
