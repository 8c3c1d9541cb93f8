"""Time scikit-learn's TfidfVectorizer.fit_transform on the documents of
features/bench_test.go (the same splitmix64 generator), for comparison with

    go test -run XXX -bench Tfidf -benchmem ./features

Run with /usr/bin/python3 features/testdata/bench_tfidf.py [RUNS] [notes|wide].
"""
import os
import statistics
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer

M = (1 << 64) - 1
WORDS = ["slow", "great", "price", "support", "bug", "love", "cancel", "upgrade", "crash",
         "refund", "fast", "easy", "confusing", "billing", "feature", "mobile", "login"]


class SplitMix64:
    def __init__(self, seed):
        self.s = seed

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        return z ^ (z >> 31)


def notes(n):
    r = SplitMix64(1)
    docs = []
    for _ in range(n):
        k = r.next() % 7
        words = []
        for _ in range(k):
            x = r.next()
            w = WORDS[x % len(WORDS)]
            if (x >> 32) % 5 == 0:
                w = w[0].upper() + w[1:] + ","
            words.append(w)
        docs.append(" ".join(words))
    return docs


def wide(n):
    r = SplitMix64(2)
    docs = []
    for _ in range(n):
        words = []
        for _ in range(8):
            x = r.next()
            words.append("w%d" % min(x % 100000, (x >> 20) % 100000))
        docs.append(" ".join(words))
    return docs


def bench(name, docs, repeat=3):
    """Median wall and CPU (user + system) times of fit_transform, then of
    transform, over repeat runs, with every run's wall time and the load."""
    wall, cpu, wall_t, cpu_t = [], [], [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        v = TfidfVectorizer()
        X = v.fit_transform(docs)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        v.transform(docs)
        wall_t.append(time.perf_counter() - t)
        cpu_t.append(time.process_time() - c)
    med = statistics.median
    print(f"{name}: {len(docs)} docs, {X.shape[1]} terms, {X.nnz} stored values; median of {repeat}: "
          f"fit_transform {med(wall):.3f} s wall, {med(cpu):.3f} s CPU (runs {' '.join(f'{w:.3f}' for w in wall)}); "
          f"transform {med(wall_t):.3f} s wall, {med(cpu_t):.3f} s CPU (runs {' '.join(f'{w:.3f}' for w in wall_t)}); "
          f"load {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    n = 1_000_000
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    only = sys.argv[2:] or ["notes", "wide"]
    if "notes" in only:
        d = notes(n)
        print("first notes:", d[:3])
        bench("notes", d, runs)
    if "wide" in only:
        w = wide(n)
        print("first wide:", w[0])
        bench("wide", w, runs)
