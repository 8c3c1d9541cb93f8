#!/usr/bin/env bash
# The churn-data model benchmarks side by side: each Go benchmark, then
# scikit-learn's time for the same work on the same file
# (testdata/bench_churn.py), back to back, COUNT runs each, with the load
# average before and after.
#
# Usage, from the module root:
#
#	MLPIPE_CHURN_DIR=/tmp model/testdata/compare_churn.sh [COUNT] [logistic forest cv]
#
# Needs Debian's python3-sklearn and python3-pandas.
set -euo pipefail
count=${1:-3}
shift || true
ops=${*:-logistic forest cv}
export MLPIPE_CHURN_DIR=${MLPIPE_CHURN_DIR:-${TMPDIR:-/tmp}}
py=/usr/bin/python3
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go test -c -o "$bin/model.test" ./model
go test -c -o "$bin/evaluate.test" ./evaluate
data=$MLPIPE_CHURN_DIR/churn-1000000.f64
if [ ! -s "$data" ]; then # the model benchmark makes it
	(cd model && "$bin/model.test" -test.run '^$' -test.bench '^BenchmarkChurnLogisticFit$' -test.benchtime 1x >/dev/null)
fi

run() { # package benchmark sklearn-operation
	echo "== $3: $2"
	uptime
	(cd "$1" && "$bin/$1.test" -test.run '^$' -test.bench "^$2\$" -test.benchtime 1x -test.count "$count" -test.benchmem) | grep '^Benchmark'
	uptime
	"$py" model/testdata/bench_churn.py time "$data" "$3" "$count"
	uptime
}
for op in $ops; do
	case $op in
	logistic) run model BenchmarkChurnLogisticFit logistic ;;
	forest) run model BenchmarkChurnForestFit forest ;;
	cv) run evaluate BenchmarkCrossValidateChurn cv ;;
	*) echo "unknown operation $op" >&2; exit 2 ;;
	esac
done
