#!/usr/bin/env python3
"""Parity check of examples/churn against scikit-learn on the very same split.

Usage: sklearn_split.py CHURN.csv OUT.json

Runs sklearn_baseline.py's read, clean, split and fit (but lbfgs replaced by
newton-cholesky, which converges fully, so coefficients are comparable), and
writes the held-out row indices with the held-out metrics. Then

    go run ./examples/churn -data CHURN.csv -test-index OUT.json

uses those rows as its test set, and its test metrics can be compared with
the ones in OUT.json to many digits: only the split is left out of the
comparison, because numpy's generator cannot be reproduced.
"""
import json
import sys

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NA = ["", "NA", "?", "????", "null", "unknown"]
NUM = ["age", "income", "monthly_spend", "support_tickets", "last_login_days",
       "signup_year", "signup_month", "signup_dow", "is_mobile"]
CAT = ["country", "plan"]


def main():
    df = pd.read_csv(sys.argv[1], na_values=NA, keep_default_na=True,
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
    X, y = df[NUM + CAT], df["churned"].to_numpy()
    idx = np.arange(len(df))
    tr, te = train_test_split(idx, test_size=0.2, stratify=y, random_state=0)
    pre = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUM),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), CAT),
    ])
    pipe = Pipeline([("pre", pre), ("model", LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-10))])
    pipe.fit(X.iloc[tr], y[tr])
    proba = pipe.predict_proba(X.iloc[te])[:, 1]
    pred = (proba >= 0.5).astype(int)
    json.dump({"test_index": sorted(int(i) for i in te),
               "test_accuracy": accuracy_score(y[te], pred), "test_f1": f1_score(y[te], pred),
               "test_roc_auc": roc_auc_score(y[te], proba)}, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
