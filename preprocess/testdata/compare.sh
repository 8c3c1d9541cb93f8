#!/usr/bin/env bash
# The preprocessing and TF-IDF benchmarks side by side: each Go benchmark
# (preprocess/bench_test.go, features/bench_test.go), then scikit-learn's
# time for the same operation on the same data (testdata/bench_sklearn.py,
# features/testdata/bench_tfidf.py), back to back, COUNT runs each, with the
# load average.
#
# Usage, from the module root:
#
#	preprocess/testdata/compare.sh [COUNT] [NAME ...]
#
# NAME picks operations by name (StandardScale, MinMaxScale, RobustScale,
# OneHot, Tfidf). Needs Debian's python3-sklearn.
set -euo pipefail
count=${1:-3}
shift || true
only=${*:-StandardScale MinMaxScale RobustScale OneHot Tfidf}
py=/usr/bin/python3
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go test -c -o "$bin/preprocess.test" ./preprocess
go test -c -o "$bin/features.test" ./features

gobench() { # package pattern [benchtime]
	(cd "$1" && "$bin/$1.test" -test.run '^$' -test.bench "$2" -test.benchtime "${3:-1s}" -test.count "$count" -test.benchmem) | grep '^Benchmark'
}
for op in $only; do
	echo "== $op"
	uptime
	case $op in
	Tfidf)
		gobench features '^BenchmarkTfidf(Transform)?Notes1M$' 1x
		uptime
		"$py" features/testdata/bench_tfidf.py "$count" notes
		;;
	*)
		gobench preprocess "^Benchmark${op}(Fit|Transform)\$"
		uptime
		"$py" preprocess/testdata/bench_sklearn.py "$count" "${op}Fit" "${op}Transform"
		;;
	esac
	uptime
done
