"""Generate scikit-learn parity fixtures for the preprocess package.

Run with Debian's python3 (scikit-learn 1.2.1):

    /usr/bin/python3 preprocess/testdata/gen_fixtures.py

It writes preprocess/testdata/fixtures.json. Missing values (NaN, or NaN in
an object array) are written as JSON null.
"""
import json
import math
import os
from fractions import Fraction

import numpy as np
import sklearn
from sklearn.feature_extraction import FeatureHasher
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.preprocessing import (MaxAbsScaler, PowerTransformer, MinMaxScaler, Normalizer, OneHotEncoder,
                                   OrdinalEncoder, QuantileTransformer, RobustScaler, StandardScaler)

rng = np.random.default_rng(20261125)


def clean(v):
    """JSON-ready copy of v: NaN and None become null, numpy scalars Python."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(x) for x in v]
    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def float_col(n, nan_rate=0.0, loc=0.0, scale=1.0, rounding=None):
    x = rng.normal(loc, scale, n)
    if rounding is not None:
        x = np.round(x, rounding)
    if nan_rate:
        x[rng.random(n) < nan_rate] = np.nan
    return x


def cat_col(n, cats, nan_rate=0.0, p=None):
    x = rng.choice(np.array(cats, dtype=object), n, p=p).astype(object)
    if nan_rate:
        x[rng.random(n) < nan_rate] = np.nan
    return x


fixtures = {"sklearn_version": sklearn.__version__}

# --- SimpleImputer ---------------------------------------------------------
imputes = []
n = 301
float_inputs = {
    "normal": float_col(n, 0.2, 10, 3),
    "big": float_col(n, 0.1, 1e6, 1e-3),
    "rounded": float_col(n, 0.3, 0, 2, rounding=0),  # ties for the mode
    "even": np.array([4.0, np.nan, 1.0, 3.0, 2.0, np.nan]),  # even count: median 2.5
    "ties": np.array([3.0, 1.0, 3.0, 1.0, np.nan, 2.0]),  # mode tie: smallest, 1
}
for strategy in ["mean", "median", "most_frequent", "constant"]:
    for name, x in float_inputs.items():
        kw = {"fill_value": -7.5} if strategy == "constant" else {}
        imp = SimpleImputer(strategy=strategy, **kw)
        out = imp.fit_transform(x.reshape(-1, 1))[:, 0]
        imputes.append({
            "name": f"{strategy}/{name}", "strategy": strategy, "kind": "float",
            "fill": kw.get("fill_value", 0.0),
            "input": clean(x), "statistic": clean(imp.statistics_[0]), "output": clean(out),
        })
cat_inputs = {
    "cities": cat_col(n, ["Oslo", "Bergen", "oslo", "Åsgårdstrand", "Tromsø"], 0.2),
    "ties": np.array(["b", "a", "b", np.nan, "a", "c"], dtype=object),  # tie: "a"
    "unicode": np.array(["é", "e", "é", "z", "e", np.nan], dtype=object),  # tie: "e" < "é"
}
for strategy in ["most_frequent", "constant"]:
    for name, x in cat_inputs.items():
        kw = {"fill_value": "unknown"} if strategy == "constant" and name == "ties" else {}
        imp = SimpleImputer(strategy=strategy, **kw)
        out = imp.fit_transform(x.reshape(-1, 1))[:, 0]
        imputes.append({
            "name": f"{strategy}/{name}", "strategy": strategy, "kind": "categorical",
            "fill_category": kw.get("fill_value", ""),
            "input": clean(list(x)), "statistic": clean(imp.statistics_[0]), "output": clean(list(out)),
        })
fixtures["impute"] = imputes

# --- StandardScaler ------------------------------------------------------
scales = []
n = 513
scale_inputs = {
    "normal": float_col(n, 0.0, 5, 2),
    "nan": float_col(n, 0.25, -3, 10),
    "offset": float_col(n, 0.0, 1e8, 1e-2),  # large mean, small spread
    "constant": np.full(n, 3.3),
    "near_constant": 1e10 + np.arange(n) * 1e-6,  # variance within rounding: scale 1
    "wide": np.concatenate([float_col(n - 3, 0.1, 0, 1e-3), [1e12, -1e12, 0.5]]),
}
# Columns whose mean is large against their spread, or that hold values
# that cancel, are ill-conditioned: scikit-learn's own mean carries a
# rounding error there (a sequential float64 sum), so a more accurate
# result differs from it. For them the fixture also holds the exact mean
# and variance (rational arithmetic), which tests compare against.
ill_conditioned = {"offset", "constant", "near_constant", "wide"}


def exact_moments(x):
    v = [Fraction(float(a)) for a in x if not math.isnan(a)]
    mean = sum(v) / len(v)
    var = sum((a - mean) ** 2 for a in v) / len(v)
    return float(mean), float(var)


exact = [exact_moments(x) for x in scale_inputs.values()]
for with_mean, with_std in [(True, True), (False, True), (True, False)]:
    X = np.column_stack(list(scale_inputs.values()))
    sc = StandardScaler(with_mean=with_mean, with_std=with_std)
    out = sc.fit_transform(X)
    inv = sc.inverse_transform(out)
    scales.append({
        "name": f"with_mean={with_mean}/with_std={with_std}",
        "with_mean": with_mean, "with_std": with_std,
        "columns": list(scale_inputs),
        "ill_conditioned": [c in ill_conditioned for c in scale_inputs],
        "exact_mean": [m for m, _ in exact],
        "exact_var": [v for _, v in exact],
        "input": [clean(X[:, j]) for j in range(X.shape[1])],
        "mean": clean(sc.mean_) if sc.mean_ is not None else None,
        "var": clean(sc.var_) if sc.var_ is not None else None,
        "scale": clean(sc.scale_) if sc.scale_ is not None else None,
        "n_samples_seen": clean(np.broadcast_to(sc.n_samples_seen_, (X.shape[1],))),
        "output": [clean(out[:, j]) for j in range(X.shape[1])],
        "inverse": [clean(inv[:, j]) for j in range(X.shape[1])],
    })
fixtures["standard_scale"] = scales

# --- OneHotEncoder ---------------------------------------------------------
onehots = []
train = {
    "city": cat_col(200, ["Oslo", "Bergen", "oslo", "Åsgårdstrand", "Tromsø", "10", "9", "Z"]),
    "plan": cat_col(200, ["basic", "pro"]),
    "single": cat_col(200, ["only"]),
}
test = {
    "city": np.array(["Oslo", "Paris", np.nan, "Z", "10", "Åsgårdstrand", "bergen"], dtype=object),
    "plan": np.array(["pro", "basic", "basic", np.nan, "enterprise", "pro", "basic"], dtype=object),
    "single": np.array(["only", "only", "other", "only", np.nan, "only", "only"], dtype=object),
}
for drop in [None, "first", "if_binary"]:
    enc = OneHotEncoder(handle_unknown="ignore", drop=drop, sparse_output=False)
    Xtr = np.column_stack(list(train.values()))
    Xte = np.column_stack(list(test.values()))
    enc.fit(Xtr)
    out = enc.transform(Xte)
    onehots.append({
        "name": f"drop={drop}", "drop": drop or "none",
        "columns": list(train),
        "train": [clean(list(Xtr[:, j])) for j in range(Xtr.shape[1])],
        "test": [clean(list(Xte[:, j])) for j in range(Xte.shape[1])],
        "categories": [clean(list(c)) for c in enc.categories_],
        "feature_names": list(enc.get_feature_names_out(list(train))),
        "output": [clean(out[:, j]) for j in range(out.shape[1])],
        "inverse": [clean(list(c)) for c in enc.inverse_transform(out).T],
    })
fixtures["one_hot"] = onehots

# --- MinMaxScaler, MaxAbsScaler, RobustScaler -------------------------------
n = 257
other_inputs = {
    "normal": float_col(n, 0.1, 5, 2),
    "skewed": np.exp(float_col(n, 0.2, 0, 1.5)),
    "negative": -np.abs(float_col(n, 0.0, 0, 100)),
    "constant": np.full(n, -2.0),
    "ties": np.round(float_col(n, 0.1, 0, 2)),
}
X = np.column_stack(list(other_inputs.values()))
Xnew = np.column_stack([float_col(40, 0.1, 5, 5) for _ in other_inputs])  # outside the training range too
scalers = []
for name, est, params in [
    ("min_max", MinMaxScaler(), {}),
    ("min_max_range", MinMaxScaler(feature_range=(-3, 2)), {"lo": -3, "hi": 2}),
    ("min_max_clip", MinMaxScaler(clip=True), {"clip": True}),
    ("max_abs", MaxAbsScaler(), {}),
    ("robust", RobustScaler(), {}),
    ("robust_range", RobustScaler(quantile_range=(10, 90)), {"qlo": 10, "qhi": 90}),
    ("robust_unit", RobustScaler(unit_variance=True), {"unit_variance": True}),
    ("robust_no_center", RobustScaler(with_centering=False), {"no_center": True}),
]:
    est.fit(X)
    out = est.transform(Xnew)
    inv = est.inverse_transform(out)
    scalers.append({
        "name": name, "params": params, "columns": list(other_inputs),
        "input": [clean(X[:, j]) for j in range(X.shape[1])],
        "new": [clean(Xnew[:, j]) for j in range(X.shape[1])],
        "output": [clean(out[:, j]) for j in range(X.shape[1])],
        "inverse": [clean(inv[:, j]) for j in range(X.shape[1])],
    })
fixtures["scalers"] = scalers

# --- Normalizer ----------------------------------------------------------------
R = rng.normal(0, 3, (50, 4))
R[3] = 0  # a row of zeros stays zeros
normalizers = []
for norm in ["l2", "l1", "max"]:
    out = Normalizer(norm=norm).fit_transform(R)
    normalizers.append({"norm": norm, "input": [clean(R[:, j]) for j in range(4)], "output": [clean(out[:, j]) for j in range(4)]})
fixtures["normalizer"] = normalizers

# --- QuantileTransformer -------------------------------------------------------
quantiles = []
for name, n_rows, n_q in [("small", 300, 1000), ("few_quantiles", 500, 37), ("ties", 400, 100)]:
    Q = np.column_stack([np.exp(float_col(n_rows, 0.1, 0, 1)), np.round(float_col(n_rows, 0.05, 0, 1.5))])
    if name != "ties":
        Q = Q[:, :1]
    Qnew = np.concatenate([Q[:60], np.array([[-100.0] * Q.shape[1], [100.0] * Q.shape[1]])])
    for dist in ["uniform", "normal"]:
        qt = QuantileTransformer(n_quantiles=n_q, output_distribution=dist, subsample=10**9).fit(Q)
        out = qt.transform(Qnew)
        inv = qt.inverse_transform(out)
        quantiles.append({
            "name": f"{name}/{dist}", "n_quantiles": n_q, "distribution": dist,
            "input": [clean(Q[:, j]) for j in range(Q.shape[1])],
            "new": [clean(Qnew[:, j]) for j in range(Q.shape[1])],
            "quantiles": [clean(qt.quantiles_[:, j]) for j in range(Q.shape[1])],
            "output": [clean(out[:, j]) for j in range(Q.shape[1])],
            "inverse": [clean(inv[:, j]) for j in range(Q.shape[1])],
        })
fixtures["quantile"] = quantiles

# --- OrdinalEncoder ------------------------------------------------------------
tr = np.column_stack([cat_col(100, ["b", "a", "é", "B", "10", "9"], 0.1), cat_col(100, ["x", "y"])])
te = np.array([["a", "x"], ["zz", "y"], [np.nan, "q"], ["é", np.nan], ["B", "x"]], dtype=object)
enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan).fit(tr)
out = enc.transform(te)
fixtures["ordinal"] = {
    "train": [clean(list(tr[:, j])) for j in range(2)],
    "test": [clean(list(te[:, j])) for j in range(2)],
    # scikit-learn lists NaN as a last category; it encodes to NaN.
    "categories": [[c for c in cats if isinstance(c, str)] for cats in enc.categories_],
    "output": [clean(out[:, j]) for j in range(2)],
    "inverse": [clean(list(c)) for c in enc.inverse_transform(out).T],
}

# --- FeatureHasher -----------------------------------------------------------
rows = []
for k in range(60):
    row = {"city": str(rng.choice(["Oslo", "Bergen", "Tromsø", "ﬁle", "", "a=b"])),
           "plan": str(rng.choice(["basic", "pro"])), "x": float(np.round(rng.normal(0, 3), 3))}
    if k % 7 == 3:
        del row["city"]  # missing
    rows.append(row)
hashers = []
for n_features, alternate in [(16, True), (7, False), (1, True)]:
    out = FeatureHasher(n_features=n_features, input_type="dict", alternate_sign=alternate).transform(rows).toarray()
    hashers.append({"n_features": n_features, "alternate_sign": alternate, "rows": rows,
                    "output": [clean(out[:, j]) for j in range(n_features)]})
fixtures["hash"] = hashers

# --- KNNImputer -------------------------------------------------------------------
K = rng.normal(0, 1, (120, 4)) * np.array([1, 10, 0.1, 3])
K[rng.random(120) < 0.3, rng.integers(0, 4)] = np.nan  # some rows lose one value
for r in range(0, 120, 9):
    K[r, rng.integers(0, 4)] = np.nan
Knew = rng.normal(0, 1, (30, 4)) * np.array([1, 10, 0.1, 3])
for r in range(30):
    Knew[r, r % 4] = np.nan
Knew[5, :3] = np.nan  # one present value only
knn = []
for k, weights in [(5, "uniform"), (3, "distance"), (1, "uniform")]:
    imp = KNNImputer(n_neighbors=k, weights=weights).fit(K)
    knn.append({"k": k, "weights": weights, "train": [clean(K[:, j]) for j in range(4)],
                "new": [clean(Knew[:, j]) for j in range(4)],
                "train_out": [clean(c) for c in imp.transform(K).T],
                "new_out": [clean(c) for c in imp.transform(Knew).T]})
# A receiver that shares no present value with any donor gets the mean.
T = np.array([[1.0, np.nan], [np.nan, 2.0], [np.nan, 4.0], [3.0, np.nan]])
Tnew = np.array([[5.0, np.nan], [np.nan, 3.0]])
imp = KNNImputer(n_neighbors=2).fit(T)
knn.append({"k": 2, "weights": "uniform", "train": [clean(T[:, j]) for j in range(2)],
            "new": [clean(Tnew[:, j]) for j in range(2)],
            "train_out": [clean(c) for c in imp.transform(T).T],
            "new_out": [clean(c) for c in imp.transform(Tnew).T]})
fixtures["knn"] = knn

# --- OneHotEncoder with infrequent categories ----------------------------------
p = np.array([0.3, 0.25, 0.2, 0.1, 0.06, 0.04, 0.03, 0.02])
tr = np.column_stack([cat_col(300, list("abcdefgh"), p=p), cat_col(300, list("stuvwxyz"), p=p[::-1])])
te = np.array([["a", "s"], ["h", "z"], ["q", "q"], ["e", "w"], ["g", "t"]], dtype=object)
infrequent = []
for params in [
    {"min_frequency": 20},
    {"min_frequency": 0.05},
    {"max_categories": 4},
    {"max_categories": 3, "min_frequency": 10},
    {"min_frequency": 20, "drop": "first"},
    {"max_categories": 2, "drop": "if_binary"},
    {"min_frequency": 0.05, "handle_unknown": "ignore"},
]:
    kw = {"handle_unknown": "infrequent_if_exist", **params}
    enc = OneHotEncoder(sparse_output=False, **kw).fit(tr)
    out = enc.transform(te)
    infrequent.append({
        "params": {k: v for k, v in kw.items()},
        "train": [clean(list(tr[:, j])) for j in range(2)],
        "test": [clean(list(te[:, j])) for j in range(2)],
        "feature_names": list(enc.get_feature_names_out(["c1", "c2"])),
        "output": [clean(out[:, j]) for j in range(out.shape[1])],
        "inverse": [clean(list(c)) for c in enc.inverse_transform(out).T],
    })
fixtures["one_hot_infrequent"] = infrequent

# --- PowerTransformer ------------------------------------------------------------
P = np.column_stack([np.exp(float_col(200, 0.1, 0, 0.8)), float_col(200, 0.1, 3, 2) ** 2 + 0.1, rng.gamma(2.0, 3.0, 200)])
Pmixed = np.column_stack([float_col(200, 0.1, 0, 3), -np.exp(float_col(200, 0.0, 0, 1)), float_col(200, 0.05, 10, 1)])
Pnew = P[:20] * 1.5
Pmixed_new = Pmixed[:20] - 1
powers = []
for method, X, Xn in [("box-cox", P, Pnew), ("yeo-johnson", Pmixed, Pmixed_new), ("yeo-johnson", P, Pnew)]:
    for standardize in [True, False]:
        pt = PowerTransformer(method=method, standardize=standardize).fit(X)
        out = pt.transform(Xn)
        powers.append({"method": method, "standardize": standardize,
                       "input": [clean(X[:, j]) for j in range(3)], "new": [clean(Xn[:, j]) for j in range(3)],
                       "lambdas": clean(pt.lambdas_), "output": [clean(out[:, j]) for j in range(3)],
                       "inverse": [clean(c) for c in pt.inverse_transform(out).T]})
fixtures["power"] = powers

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")
with open(path, "w") as f:
    json.dump(fixtures, f, indent=None, separators=(",", ":"), allow_nan=False)
    f.write("\n")
print("wrote", path)
