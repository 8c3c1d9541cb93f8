#!/usr/bin/env bash
# Side-by-side run of the churn benchmark: the project's examples/churn against
# the pandas + scikit-learn reference, on the same generated file, in one run.
#
# Usage (from the repository root):  bench/compare.sh [ROWS] [SKLEARN_JOBS]
# Needs Debian's python3-sklearn and python3-pandas (apt-get install -y python3-sklearn python3-pandas).
# examples/churn must accept `-data FILE` and print one JSON line whose keys match
# sklearn_baseline.py's (read_s clean_s split_s fit_s predict_s cv_s total_s
# test_accuracy test_f1 test_roc_auc cv_roc_auc_mean peak_rss_mb).
set -euo pipefail
rows=${1:-1000000}
jobs=${2:-2}
here=$(cd "$(dirname "$0")" && pwd)
data=${CHURN_DIR:-/tmp}/churn-$rows.csv
[ -s "$data" ] || python3 "$here/gen_churn.py" "$rows" "$data"

bin=$(mktemp -d)/churn
go build -o "$bin" ./examples/churn

py=/usr/bin/python3
[ -x "$py" ] || py=python3
sk=$("$py" "$here/sklearn_baseline.py" "$data" "$jobs")
go_out=$("$bin" -data "$data" | tail -n 1)

"$py" - "$sk" "$go_out" <<'EOF'
import json, sys
sk, go = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{'figure':<18}{'scikit-learn':>14}{'mlpipe':>14}{'sklearn/mlpipe':>16}")
for k in ["read_s", "clean_s", "split_s", "fit_s", "predict_s", "cv_s", "total_s", "peak_rss_mb"]:
    a, b = sk.get(k), go.get(k)
    r = f"{a / b:.2f}x" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0 else "-"
    print(f"{k:<18}{a!s:>14}{b!s:>14}{r:>16}")
for k in ["test_accuracy", "test_f1", "test_roc_auc", "cv_roc_auc_mean"]:
    a, b = sk.get(k), go.get(k)
    d = f"{b - a:+.4f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) else "-"
    print(f"{k:<18}{a!s:>14}{b!s:>14}{d:>16}")
print(json.dumps({"rows": sk.get("rows"), "sklearn": sk, "mlpipe": go}))
EOF
