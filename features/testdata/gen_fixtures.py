"""Generate scikit-learn / pandas parity fixtures for package features.

Run with Debian's python3 (scikit-learn 1.2.1, pandas):

    /usr/bin/python3 features/testdata/gen_fixtures.py

It writes features/testdata/fixtures.json. Every float is written with
repr precision; NaN is written as null.
"""
import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import sklearn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")


def clean(x):
    """Turn numpy values and NaN into JSON-ready Python values."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return None if math.isnan(x) else x
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    return x


def dates():
    rng = np.random.default_rng(1)
    lo = pd.Timestamp("1969-06-01").value
    hi = pd.Timestamp("2031-03-01").value
    ns = rng.integers(lo, hi, size=300)
    ts = pd.Series(pd.to_datetime(ns))
    ts[rng.random(300) < 0.1] = pd.NaT
    # Leap days, year ends, weekend boundaries.
    extra = pd.to_datetime(["2024-02-29 23:59:59", "2023-12-31 00:00:00",
                            "2024-12-31 12:00:00", "2000-01-01", "1970-01-01",
                            "2023-06-03 10:00", "2023-06-04 23:00", "2023-06-05 00:00"])
    ts = pd.concat([ts, pd.Series(extra)], ignore_index=True)
    d = ts.dt
    out = {
        "nanos": [None if pd.isna(t) else int(t.value) for t in ts],
        "year": d.year, "quarter": d.quarter, "month": d.month, "day": d.day,
        "weekday": d.dayofweek, "hour": d.hour, "minute": d.minute,
        "dayofyear": d.dayofyear,
        "weekend": (d.dayofweek >= 5).astype(float).where(ts.notna()),
    }
    ref = pd.Timestamp("2000-01-01 06:00")
    out["ref_nanos"] = int(ref.value)
    out["elapsed_days"] = (ts - ref).dt.total_seconds() / 86400
    out["elapsed_min_days"] = (ts - ts.min()).dt.total_seconds() / 86400
    month = d.month.astype(float)
    out["month_sin"] = np.sin(2 * np.pi * month / 12)
    out["month_cos"] = np.cos(2 * np.pi * month / 12)
    for k in list(out):
        if isinstance(out[k], pd.Series):
            out[k] = [None if pd.isna(v) else float(v) for v in out[k]]
    return out


NOTE_WORDS = ["confusing", "great", "upgrade", "refund", "bug", "easy", "mobile",
              "feature", "slow", "price", "support", "cancel", "love", "app", "crash"]

SPECIAL_DOCS = [
    "",
    "Café naïve résumé — ÜBER straße",
    "x y z a1 b_2 __ 3.14 42 I a",
    "hello, World! HELLO world",
    "日本語 テキスト 日本語",
    "don't stop-words it's the end",
    "cafe\u0301 ①② x² Ⅻ",
    "great great great refund",
]


def corpus(rng, n):
    docs = []
    for _ in range(n):
        k = rng.integers(0, 8)
        docs.append(" ".join(rng.choice(NOTE_WORDS, size=k)))
    return docs + SPECIAL_DOCS


def text():
    from sklearn.feature_extraction.text import (CountVectorizer, HashingVectorizer,
                                                 TfidfVectorizer)
    rng = np.random.default_rng(7)
    train = corpus(rng, 40)
    test = corpus(rng, 10) + ["unseen words only", "refund"]
    out = {"train": train, "test": test, "cases": []}
    analyzer = CountVectorizer().build_analyzer()
    out["tokens"] = [analyzer(d) for d in train]
    out["tokens_bigram"] = [CountVectorizer(ngram_range=(1, 3), stop_words=["great", "the"]).build_analyzer()(d) for d in train]
    out["tokens_keepcase"] = [CountVectorizer(lowercase=False).build_analyzer()(d) for d in train]

    def case(name, vec, params):
        xtr = vec.fit_transform(train)
        xte = vec.transform(test)
        c = {"name": name, "params": params, "train": xtr.toarray(), "test": xte.toarray()}
        if hasattr(vec, "vocabulary_"):
            c["vocabulary"] = list(vec.get_feature_names_out())
        if hasattr(vec, "idf_") and getattr(vec, "use_idf", False):
            c["idf"] = vec.idf_
        out["cases"].append(c)

    case("count default", CountVectorizer(), {})
    case("count ngram stop df binary",
         CountVectorizer(ngram_range=(1, 2), stop_words=["great", "the"], min_df=2, max_df=0.9, binary=True),
         {"ngram_min": 1, "ngram_max": 2, "stop_words": ["great", "the"], "min_docs": 2, "max_doc_frac": 0.9, "binary": True})
    case("count bigrams only int max_df", CountVectorizer(ngram_range=(2, 2), max_df=5, lowercase=False),
         {"ngram_min": 2, "ngram_max": 2, "max_docs": 5, "keep_case": True})
    # Pick a max_features whose cut does not fall on a tie of total counts
    # (scikit-learn's order among ties is unspecified).
    full = CountVectorizer(min_df=0.05).fit_transform(train)
    tfs = np.sort(np.asarray(full.sum(axis=0)).ravel())[::-1]
    k = next(k for k in range(6, 20) if tfs[k - 1] != tfs[k])
    case("count max features", CountVectorizer(max_features=k, min_df=0.05), {"max_features": int(k), "min_doc_frac": 0.05})
    case("tfidf default", TfidfVectorizer(), {})
    case("tfidf sublinear l1", TfidfVectorizer(sublinear_tf=True, norm="l1"), {"sublinear": True, "norm": "l1"})
    case("tfidf no smooth bigrams", TfidfVectorizer(smooth_idf=False, ngram_range=(1, 2)),
         {"no_smooth": True, "ngram_min": 1, "ngram_max": 2})
    case("tfidf no idf no norm binary", TfidfVectorizer(use_idf=False, norm=None, binary=True),
         {"no_idf": True, "norm": "none", "binary": True})
    case("hashing default 32", HashingVectorizer(n_features=32), {"n_features": 32})
    case("hashing unsigned l1 binary", HashingVectorizer(n_features=16, alternate_sign=False, norm="l1", binary=True),
         {"n_features": 16, "no_alternate_sign": True, "norm": "l1", "binary": True})
    case("hashing no norm bigrams", HashingVectorizer(n_features=64, norm=None, ngram_range=(1, 2)),
         {"n_features": 64, "norm": "none", "ngram_min": 1, "ngram_max": 2})
    from sklearn.utils import murmurhash3_32
    words = sorted(set(w for toks in out["tokens"] for w in toks))
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    out["english_stop_words"] = sorted(ENGLISH_STOP_WORDS)
    out["tokens_english"] = [CountVectorizer(stop_words="english").build_analyzer()(d) for d in train]
    out["murmur"] = {"terms": words, "hash": [murmurhash3_32(w, seed=0) for w in words],
                     "seeded": [murmurhash3_32(w, seed=42) for w in words]}
    return out


def poly():
    from sklearn.preprocessing import PolynomialFeatures
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 3)) * [1.0, 10.0, 0.1]
    out = {"X": X, "cases": []}
    for degree, min_degree, inter, bias in [(2, 1, False, False), (3, 1, False, True),
                                            (3, 2, True, False), (1, 1, False, True), (4, 3, False, False)]:
        pf = PolynomialFeatures(degree=(min_degree, degree), interaction_only=inter, include_bias=bias)
        Y = pf.fit_transform(X)
        out["cases"].append({"degree": degree, "min_degree": min_degree, "interaction_only": inter, "bias": bias,
                             "names": list(pf.get_feature_names_out(["a", "b", "c"])), "Y": Y})
    return out


def bins():
    from sklearn.preprocessing import KBinsDiscretizer
    rng = np.random.default_rng(5)
    n = 200
    cols = {
        "normal": rng.normal(50, 10, n),
        "skewed": rng.exponential(3, n),
        "ties": rng.integers(0, 4, n).astype(float),   # narrow quantile bins merge
        "constant": np.full(n, 2.5),
        "clusters": np.concatenate([rng.normal(0, 0.1, 60), rng.normal(5, 0.5, 100), rng.normal(20, 1, 40)]),
    }
    test = np.concatenate([[-1e3, 1e3], np.linspace(-5, 60, 30)])
    out = {"train": cols, "test": test, "cases": []}
    # The constant column's single bin has centre (-inf + inf) / 2 = NaN.
    warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
    for strategy in ["uniform", "quantile", "kmeans"]:
        for nb in [2, 3, 5, 7]:
            case = {"strategy": strategy, "bins": nb, "columns": {}}
            for name, x in cols.items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    kb = KBinsDiscretizer(n_bins=nb, strategy=strategy, encode="ordinal", subsample=None)
                    kb.fit(x[:, None])
                edges = kb.bin_edges_[0]
                # With fewer distinct values than k-means clusters, several
                # clusters start empty and are moved to points tied in
                # distance, in an order numpy's argpartition leaves
                # unspecified: only properties are compared then.
                tied = strategy == "kmeans" and len(np.unique(x)) < nb
                case["columns"][name] = {
                    "unspecified": bool(tied),
                    "edges": [] if np.isinf(edges).any() else edges,
                    "train": kb.transform(x[:, None])[:, 0],
                    "test": kb.transform(test[:, None])[:, 0],
                    "inverse": kb.inverse_transform(kb.transform(test[:, None]))[:, 0],
                }
            out["cases"].append(case)
    return out


def selection():
    from sklearn.feature_selection import (SelectKBest, VarianceThreshold, chi2, f_classif,
                                           mutual_info_classif)
    rng = np.random.default_rng(11)
    n = 150
    y = rng.integers(0, 3, n)
    X = np.column_stack([
        rng.normal(size=n) + 0.8 * y,          # informative
        rng.normal(size=n),                     # noise
        rng.exponential(2, n) * (1 + y),        # informative, non-negative
        rng.poisson(3, n).astype(float),        # counts
        rng.normal(size=n) * 0.01,              # tiny variance
        rng.normal(size=n) - 0.5 * (y == 2),    # weakly informative
    ])
    Xd = np.column_stack([rng.integers(0, 4, n) + (y == 1), rng.integers(0, 3, n), y % 2]).astype(float)
    out = {"X": X, "y": y, "Xd": Xd, "kbest": []}
    f, p = f_classif(X, y)
    out["f"], out["f_p"] = f, p
    Xpos = np.abs(X)
    c, cp = chi2(Xpos, y)
    out["chi2"], out["chi2_p"] = c, cp
    out["mi"] = mutual_info_classif(X, y, random_state=0)
    out["mi_discrete"] = mutual_info_classif(Xd, y, discrete_features=True)
    for k in [1, 3, 5]:
        out["kbest"].append({"k": k, "f": SelectKBest(f_classif, k=k).fit(X, y).get_support(),
                             "chi2": SelectKBest(chi2, k=k).fit(Xpos, y).get_support()})
    # Variance threshold, with a constant column whose mean is inexact and NaNs.
    V = np.column_stack([np.full(n, 0.1), X[:, 0], X[:, 4], X[:, 1] * 0.5])
    V[3, 1] = np.nan
    V[7, 3] = np.nan
    out["V"] = V
    out["variance"] = []
    for t in [0.0, 0.05, 0.3]:
        vt = VarianceThreshold(t).fit(V)
        out["variance"].append({"threshold": t, "variances": vt.variances_, "support": vt.get_support()})
    # The pandas recipe for dropping one of each highly correlated pair.
    C = pd.DataFrame({
        "a": X[:, 0], "b": X[:, 0] * 2 + rng.normal(size=n) * 0.1, "c": X[:, 1],
        "d": -X[:, 1] + rng.normal(size=n) * 0.05, "e": X[:, 2], "f": X[:, 0] * 3 + 1,
    })
    C.loc[5, "a"] = np.nan
    C.loc[9, "d"] = np.nan
    corr = C.corr().abs()
    out["C"] = {k: list(v) for k, v in C.items()}
    out["corr"] = C.corr().values
    out["dropped"] = {}
    for t in [0.9, 0.99, 0.999]:
        upper = corr.where(np.triu(np.ones(corr.shape), k=1).astype(bool))
        out["dropped"][str(t)] = [col for col in upper.columns if any(upper[col] > t)]
    return out


def main():
    fx = {"sklearn_version": sklearn.__version__, "pandas_version": pd.__version__}
    fx["dates"] = dates()
    fx["text"] = text()
    fx["poly"] = poly()
    fx["bins"] = bins()
    fx["selection"] = selection()
    with open(OUT, "w") as f:
        json.dump(clean(fx), f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
