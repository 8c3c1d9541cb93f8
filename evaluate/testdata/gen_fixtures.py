#!/usr/bin/python3
"""Generate scikit-learn parity fixtures for package evaluate.

Run from the repository root:

    /usr/bin/python3 evaluate/testdata/gen_fixtures.py

It writes evaluate/testdata/fixtures.json. Reference: scikit-learn 1.2.1.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

warnings.simplefilter("ignore")
rng = np.random.default_rng(20261125)


def floats(a):
    return [float(x) for x in a]


def binary_case(name, y_true, y_pred, score):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    score = np.asarray(score, dtype=float)
    c = {
        "name": name,
        "y_true": floats(y_true),
        "y_pred": floats(y_pred),
        "score": floats(score),
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "f1": metrics.f1_score(y_true, y_pred),
    }
    add_report(c, y_true, y_pred)
    c.update({
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
        "precision": metrics.precision_score(y_true, y_pred),
        "recall": metrics.recall_score(y_true, y_pred),
        "f2": metrics.fbeta_score(y_true, y_pred, beta=2),
        "mcc": metrics.matthews_corrcoef(y_true, y_pred),
        "kappa": none_if_nan(metrics.cohen_kappa_score(y_true, y_pred)),
        "confusion": metrics.confusion_matrix(y_true, y_pred).tolist(),
    })
    for avg in ["macro", "micro", "weighted"]:
        c["precision_" + avg] = metrics.precision_score(y_true, y_pred, average=avg)
        c["recall_" + avg] = metrics.recall_score(y_true, y_pred, average=avg)
        c["f1_" + avg] = metrics.f1_score(y_true, y_pred, average=avg)
    # Scores scaled into [0, 1] serve as probabilities.
    prob = (score - score.min()) / (score.max() - score.min()) if score.max() > score.min() else np.full_like(score, 0.5)
    prob = np.round(prob, 4)
    c["prob"] = floats(prob)
    c["brier"] = metrics.brier_score_loss(y_true, prob)
    c["calibration"] = {}
    for bins in [3, 5, 10]:
        for strategy in ["uniform", "quantile"]:
            pt, pp = calibration_curve(y_true, prob, n_bins=bins, strategy=strategy)
            c["calibration"]["%s_%d" % (strategy, bins)] = [floats(pt), floats(pp)]
    if len(np.unique(y_true)) == 2:
        c["roc_auc"] = metrics.roc_auc_score(y_true, score)
        c["log_loss"] = metrics.log_loss(y_true, prob)
        fpr, tpr, thr = metrics.roc_curve(y_true, score)
        c["roc_curve"] = [floats(fpr), floats(tpr), floats(thr)]
        c["average_precision"] = metrics.average_precision_score(y_true, score)
        p, r, thr = metrics.precision_recall_curve(y_true, score)
        c["pr_curve"] = [floats(p), floats(r), floats(thr)]
    else:
        c["roc_auc"] = None
    return c


def none_if_nan(v):
    return None if np.isnan(v) else float(v)


def multiclass_case(name, y_true, y_pred, proba):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    proba = np.asarray(proba, dtype=float)
    c = {
        "name": name,
        "y_true": floats(y_true),
        "y_pred": floats(y_pred),
        "proba": [floats(r) for r in proba],
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
        "mcc": metrics.matthews_corrcoef(y_true, y_pred),
        "kappa": none_if_nan(metrics.cohen_kappa_score(y_true, y_pred)),
        "kappa_linear": none_if_nan(metrics.cohen_kappa_score(y_true, y_pred, weights="linear")),
        "kappa_quadratic": none_if_nan(metrics.cohen_kappa_score(y_true, y_pred, weights="quadratic")),
        "confusion": metrics.confusion_matrix(y_true, y_pred).tolist(),
        "log_loss": metrics.log_loss(y_true, proba),
        "roc_auc_ovr_macro": metrics.roc_auc_score(y_true, proba, multi_class="ovr", average="macro"),
        "roc_auc_ovr_weighted": metrics.roc_auc_score(y_true, proba, multi_class="ovr", average="weighted"),
    }
    for avg in ["macro", "micro", "weighted"]:
        c["precision_" + avg] = metrics.precision_score(y_true, y_pred, average=avg)
        c["recall_" + avg] = metrics.recall_score(y_true, y_pred, average=avg)
        c["f1_" + avg] = metrics.f1_score(y_true, y_pred, average=avg)
        c["f2_" + avg] = metrics.fbeta_score(y_true, y_pred, beta=2, average=avg)
    p, r, f, sup = metrics.precision_recall_fscore_support(y_true, y_pred)
    c["per_class"] = [floats(p), floats(r), floats(f), [int(x) for x in sup]]
    add_report(c, y_true, y_pred)
    return c


def add_report(c, y_true, y_pred):
    """classification_report with labels named as Go's strconv 'g' names them."""
    names = ["%g" % l for l in np.unique(np.concatenate([y_true, y_pred]))]
    c["report2"] = metrics.classification_report(y_true, y_pred, target_names=names)
    c["report4"] = metrics.classification_report(y_true, y_pred, target_names=names, digits=4)


def regression_case(name, y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    return {
        "name": name,
        "y_true": floats(y_true),
        "y_pred": floats(y_pred),
        "r2": metrics.r2_score(y_true, y_pred),
        "rmse": metrics.mean_squared_error(y_true, y_pred, squared=False),
        "mse": metrics.mean_squared_error(y_true, y_pred),
        "mae": metrics.mean_absolute_error(y_true, y_pred),
        "mape": metrics.mean_absolute_percentage_error(y_true, y_pred),
        "median_ae": metrics.median_absolute_error(y_true, y_pred),
        "max_error": metrics.max_error(y_true, y_pred),
        "explained_variance": metrics.explained_variance_score(y_true, y_pred),
    }


binary = []
binary.append(binary_case(
    "small with ties",
    [0, 0, 1, 1, 1, 0, 1, 0],
    [0, 1, 1, 1, 0, 0, 1, 1],
    [0.1, 0.4, 0.35, 0.8, 0.4, 0.1, 0.8, 0.35]))
binary.append(binary_case("perfect", [0, 1, 0, 1], [0, 1, 0, 1], [0.2, 0.9, 0.1, 0.7]))
binary.append(binary_case("inverted", [0, 1, 0, 1], [1, 0, 1, 0], [0.9, 0.2, 0.7, 0.1]))
binary.append(binary_case("all scores tied", [0, 1, 1, 0, 1], [1, 1, 1, 1, 1], [0.5] * 5))
binary.append(binary_case("no positive predicted or true", [0, 0, 0], [0, 0, 0], [0.1, 0.2, 0.3]))
binary.append(binary_case("no positive predicted", [0, 1, 0, 1], [0, 0, 0, 0], [0.3, 0.2, 0.1, 0.4]))
for i, n in enumerate([50, 200, 1000, 9000]):
    y = (rng.random(n) < 0.3 + 0.1 * i).astype(float)
    # Scores correlated with y, rounded to create many ties.
    s = np.round(0.3 * y + rng.random(n), 1 if i % 2 == 0 else 2)
    p = (s > 0.6).astype(float)
    binary.append(binary_case("random n=%d" % n, y, p, s))
# Integer-valued scores with massive ties.
y = (rng.random(300) < 0.5).astype(float)
s = rng.integers(0, 5, 300) + y
binary.append(binary_case("integer scores", y, (s > 2).astype(float), s))

regression = []
regression.append(regression_case("small", [3, -0.5, 2, 7], [2.5, 0.0, 2, 8]))
regression.append(regression_case("perfect", [1, 2, 3], [1, 2, 3]))
regression.append(regression_case("constant truth, exact", [2, 2, 2], [2, 2, 2]))
regression.append(regression_case("constant truth, off", [2, 2, 2], [1, 2, 3]))
for n in [10, 137, 1000, 10000]:
    yt = np.round(rng.normal(100, 30, n), 3)
    yp = np.round(yt + rng.normal(0, 10, n), 3)
    regression.append(regression_case("random n=%d" % n, yt, yp))

multiclass = []
for name, n, k, noise in [("three classes", 40, 3, 0.8), ("four classes", 300, 4, 1.5), ("five classes, ties", 1000, 5, 3.0)]:
    y = rng.integers(0, k, n)
    logits = rng.normal(0, noise, (n, k))
    logits[np.arange(n), y] += 1.5
    if "ties" in name:
        logits = np.round(logits, 0)
    # Rounded to keep the file small; rows still sum to 1 within allclose.
    proba = np.round(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True), 6)
    pred = proba.argmax(axis=1)
    multiclass.append(multiclass_case(name, y, pred, proba))
# A label predicted but never true, and one true but never predicted.
multiclass.append(multiclass_case("unseen labels", [0, 0, 1, 1, 2, 2], [0, 3, 1, 1, 0, 0],
                                  [[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.1, 0.8, 0.1],
                                   [0.3, 0.6, 0.1], [0.6, 0.1, 0.3], [0.5, 0.2, 0.3]]))

# Non-shuffled StratifiedKFold and KFold are deterministic: record fold indices.
skfold = []
for name, y, k in [
    ("balanced", [0, 1] * 10, 5),
    ("imbalanced", [0] * 14 + [1] * 6, 3),
    ("three classes, interleaved", list(rng.integers(0, 3, 41)), 4),
    ("labels in appearance order", [2, 2, 0, 1, 0, 1, 2, 1, 0, 2, 0, 1], 3),
    ("non-0/1 labels", [7, 3, 7, 3, 7, 7, 3, 7], 2),
]:
    y = np.asarray(y, dtype=float)
    folds = [[int(i) for i in te] for _, te in StratifiedKFold(n_splits=k).split(np.zeros(len(y)), y)]
    skfold.append({"name": name, "y": floats(y), "k": k, "test": folds})

kfold = []
for n, k in [(10, 5), (11, 3), (7, 7), (100, 6)]:
    folds = [[int(i) for i in te] for _, te in KFold(n_splits=k).split(np.zeros(n))]
    kfold.append({"n": n, "k": k, "test": folds})

# GroupKFold (no shuffling; deterministic) and TimeSeriesSplit.
from sklearn.model_selection import GroupKFold, TimeSeriesSplit
group_kfold = []
for name, groups, k in [
    ("sizes differ", [1, 1, 1, 2, 2, 3, 4, 4, 4, 4, 5, 6, 6], 3),
    ("ties in size", [3, 1, 2, 3, 1, 2, 4, 4, 5, 5], 2),
    ("sixteen groups", list(rng.integers(0, 16, 80)), 4),
    ("many groups", list(rng.integers(0, 40, 300)), 5),
]:
    g = np.asarray(groups)
    folds = [[int(i) for i in te] for _, te in GroupKFold(n_splits=k).split(np.zeros(len(g)), groups=g)]
    group_kfold.append({"name": name, "groups": [int(x) for x in g], "k": k, "test": folds,
                        "exact": len(np.unique(g)) <= 16})

time_series = []
for n, k, test_size, gap, max_train in [(10, 3, 0, 0, 0), (12, 4, 2, 1, 0), (20, 3, 0, 2, 5), (7, 6, 0, 0, 0)]:
    tss = TimeSeriesSplit(n_splits=k, test_size=test_size or None, gap=gap, max_train_size=max_train or None)
    folds = [[[int(i) for i in tr], [int(i) for i in te]] for tr, te in tss.split(np.zeros(n))]
    time_series.append({"n": n, "k": k, "test_size": test_size, "gap": gap, "max_train_size": max_train, "folds": folds})

# Stratified train_test_split: per-class train/test counts when they do not
# depend on scikit-learn's random tie-breaking (same counts for 30 seeds).
split = []
for name, y, frac in [
    ("binary 70/30", [0] * 70 + [1] * 30, 0.25),
    ("three classes", [0] * 50 + [1] * 33 + [2] * 17, 0.2),
    ("odd sizes", [0] * 13 + [1] * 7 + [2] * 5, 0.3),
    ("random", list(rng.integers(0, 4, 157)), 0.33),
]:
    y = np.asarray(y, dtype=float)
    classes = np.unique(y)
    seen = set()
    for seed in range(30):
        tr, te = train_test_split(np.arange(len(y)), test_size=frac, stratify=y, random_state=seed)
        seen.add((tuple(int((y[tr] == c).sum()) for c in classes),
                  tuple(int((y[te] == c).sum()) for c in classes)))
    tr, te = train_test_split(np.arange(len(y)), test_size=frac, random_state=0)
    split.append({
        "name": name, "y": floats(y), "test_fraction": frac,
        "n_train": len(tr), "n_test": len(te),
        "deterministic": len(seen) == 1,
        "train_counts": list(seen)[0][0] if len(seen) == 1 else None,
        "test_counts": list(seen)[0][1] if len(seen) == 1 else None,
    })

# numpy's summation order (pairwise within 8192-element blocks), which the
# metrics reproduce: record np.sum of awkward data at the sizes where the
# order changes.
sums = []
for n in [7, 8, 100, 128, 129, 1000, 9000]:
    v = np.round(rng.normal(0, 1, n) * 10.0 ** rng.integers(-2, 4, n), 3)
    sums.append({"values": floats(v), "sum": float(np.sum(v)), "mean": float(np.mean(v))})

out = {
    "sklearn_version": sklearn.__version__,
    "numpy_version": np.__version__,
    "sums": sums,
    "binary": binary,
    "regression": regression,
    "multiclass": multiclass,
    "stratified_kfold": skfold,
    "kfold": kfold,
    "group_kfold": group_kfold,
    "time_series_split": time_series,
    "train_test_split": split,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
