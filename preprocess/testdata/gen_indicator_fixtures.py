"""scikit-learn's MissingIndicator on float and text columns with missing
values, for preprocess/indicator_parity_test.go.

    /usr/bin/python3 preprocess/testdata/gen_indicator_fixtures.py

writes preprocess/testdata/indicator_fixtures.json (scikit-learn 1.2.1):
with error_on_new=False (scikit-learn's default raises when a column
complete in training has a missing value in new data; mlpipe gives it no
indicator, as error_on_new=False): the training and new columns (null for
missing), the names of the columns
given an indicator (features="missing-only" and "all") and the indicator
matrices of the new rows, by column.
"""
import json
import math
import os

import numpy as np
from sklearn.impute import MissingIndicator

nan = float("nan")
floats = {
    "a": [1.0, nan, 3.0, 4.0, nan, 6.0],
    "b": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],  # no missing value in training
    "c": [nan, nan, nan, nan, nan, nan],
}
floats_new = {
    "a": [nan, 2.0, 3.0],
    "b": [nan, nan, 1.0],  # missing only in new data
    "c": [1.0, nan, 2.0],
}
texts = {
    "s": ["x", None, "y", "x", None, "z"],
    "t": ["p", "q", "p", "q", "p", "q"],
}
texts_new = {
    "s": ["x", "w", None],
    "t": [None, "q", "p"],
}


def run(train, new, kind):
    names = list(train)
    if kind == "float":
        X = np.column_stack([train[n] for n in names])
        Xn = np.column_stack([new[n] for n in names])
    else:
        X = np.array([[nan if v is None else v for v in train[n]] for n in names], dtype=object).T
        Xn = np.array([[nan if v is None else v for v in new[n]] for n in names], dtype=object).T
    cases = []
    for features in ["missing-only", "all"]:
        m = MissingIndicator(features=features, missing_values=nan, error_on_new=False).fit(X)
        out = m.transform(Xn)
        cases.append({"features": features, "indicated": [names[j] for j in m.features_],
                      "output": [[float(v) for v in out[:, k]] for k in range(out.shape[1])]})
    null = lambda c: [None if (v is None or (isinstance(v, float) and math.isnan(v))) else v for v in c]
    return {"kind": kind, "names": names, "train": [null(train[n]) for n in names],
            "new": [null(new[n]) for n in names], "cases": cases}


out = [run(floats, floats_new, "float"), run(texts, texts_new, "text")]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "indicator_fixtures.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
