#!/usr/bin/env python3
"""Deterministic generator of a messy customer-churn CSV, the churn benchmark input.

Usage: gen_churn.py ROWS OUT.csv [SEED]

The file is dirty on purpose, the way real exports are: missing values spelled
several ways, numbers with outliers, dates in three formats, categories with
stray case and spaces, booleans as yes/no/1/0/true/false. The label `churned`
follows a hidden logistic model, so a sound pipeline scores a ROC AUC near 0.8.
Only the Python standard library is used, so any python3 runs it.
"""
import math
import random
import sys

COUNTRIES = ["US", "DE", "FR", "GB", "IN", "BR", "JP", "CA", "AU", "ES", "IT", "NL", "SE",
             "PL", "MX", "KR", "CN", "ZA", "NG", "AR", "TR", "ID", "EG", "NO", "FI"]
PLANS = ["basic", "standard", "premium", "enterprise"]
MISSING = ["", "NA", "?", "????", "null"]
WORDS = ["slow", "great", "price", "support", "bug", "love", "cancel", "upgrade", "crash",
         "refund", "fast", "easy", "confusing", "billing", "feature", "mobile", "login"]


def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    zipf = [1.0 / (i + 1) ** 1.1 for i in range(len(COUNTRIES))]
    with open(out, "w", newline="") as f:
        f.write("customer_id,signup_date,age,income,country,plan,monthly_spend,"
                "support_tickets,last_login_days,is_mobile,notes,churned\n")
        for i in range(rows):
            age = rng.randint(18, 90)
            income = rng.lognormvariate(10.5, 0.6)
            ci = rng.choices(range(len(COUNTRIES)), weights=zipf)[0]
            plan = rng.choices(range(4), weights=[5, 3, 2, 1])[0]
            spend = max(0.0, rng.gauss(20 + 25 * plan, 8))
            tickets = min(30, int(rng.expovariate(0.6)))
            login = int(rng.expovariate(1 / 12.0))
            mobile = rng.random() < 0.55
            year = rng.randint(2015, 2024)
            month = rng.randint(1, 12)
            day = rng.randint(1, 28)
            tenure = (2025 - year) * 12 + (12 - month)

            z = (-1.2 + 0.35 * tickets + 0.045 * login - 0.02 * (age - 45)
                 - 0.35 * plan - 0.012 * tenure + 0.4 * (ci % 3 == 0) - 0.3 * mobile
                 - 0.25 * (math.log(income) - 10.5))
            churned = 1 if rng.random() < 1 / (1 + math.exp(-z)) else 0

            r = rng.random()
            if r < 0.60:
                date = f"{year:04d}-{month:02d}-{day:02d}"
            elif r < 0.80:
                date = f"{month:02d}/{day:02d}/{year:04d}"
            elif r < 0.95:
                date = f"{year:04d}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
            else:
                date = rng.choice(["", "unknown"])

            age_s = str(age)
            r = rng.random()
            if r < 0.05:
                age_s = rng.choice(MISSING)
            elif r < 0.055:
                age_s = rng.choice(["999", "-1", "0"])

            income_s = f"{income:.2f}"
            r = rng.random()
            if r < 0.08:
                income_s = rng.choice(MISSING)
            elif r < 0.09:
                income_s = f"{income * 100:.2f}"

            country = COUNTRIES[ci]
            r = rng.random()
            if r < 0.03:
                country = rng.choice(MISSING)
            elif r < 0.08:
                country = rng.choice([country.lower(), f" {country}", f"{country} ", country.capitalize()])

            login_s = str(login) if rng.random() > 0.02 else rng.choice(MISSING)
            mobile_s = rng.choice(["true", "yes", "1", "Y"] if mobile else ["false", "no", "0", "N"])
            nwords = rng.randint(0, 6)
            notes = " ".join(rng.choice(WORDS) for _ in range(nwords))
            if churned and nwords and rng.random() < 0.3:
                notes += " cancel"
            if "," in notes or '"' in notes:
                notes = '"' + notes.replace('"', '""') + '"'
            f.write(f"C{i:08d},{date},{age_s},{income_s},{country},{PLANS[plan]},{spend:.2f},"
                    f"{tickets},{login_s},{mobile_s},{notes},{churned}\n")


if __name__ == "__main__":
    main()
