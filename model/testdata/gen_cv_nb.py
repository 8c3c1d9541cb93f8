"""Cross-validated accuracy of MultinomialNB on scikit-learn's bundled iris
and wine data, 5 stratified folds without shuffling (the folds of
fixtures.json's "cv" entries), for model/cv_nb_test.go.

    /usr/bin/python3 model/testdata/gen_cv_nb.py

writes model/testdata/cv_nb.json (scikit-learn 1.2.1).
"""
import json
import os

import numpy as np
from sklearn.datasets import load_iris, load_wine
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import MultinomialNB

out = []
for name, loader in [("iris", load_iris), ("wine", load_wine)]:
    X, y = loader(return_X_y=True)
    accs = []
    for train, test in StratifiedKFold(5).split(X, y):
        accs.append(float(MultinomialNB().fit(X[train], y[train]).score(X[test], y[test])))
    out.append({"data": name, "model": "multinomial_nb", "accuracy": float(np.mean(accs)),
                "fold_accuracy": accs})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cv_nb.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
