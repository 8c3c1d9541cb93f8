package main

import (
	"errors"
	"math"
	"slices"
)

// numpySplit returns the training and test rows that scikit-learn's
// train_test_split(test_size=testFraction, stratify=y, random_state=seed)
// chooses — numpy's legacy RandomState (MT19937) and scikit-learn 1.2's
// StratifiedShuffleSplit, reproduced draw for draw — each ascending. It lets
// the benchmark score mlpipe on the very rows scikit-learn holds out
// (-split numpy), so the two sets of held-out metrics differ only by the
// models, not by which rows were drawn. The library's own split is
// evaluate.TrainTestSplit, the default.
func numpySplit(y []float64, testFraction float64, seed uint32) (train, test []int, err error) {
	n := len(y)
	nTest := int(math.Ceil(testFraction * float64(n)))
	nTrain := n - nTest
	if n == 0 || nTest <= 0 || nTrain <= 0 {
		return nil, nil, errors.New("numpy split: empty training or test set")
	}
	classes := slices.Clone(y)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	index := make(map[float64]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	// class_indices: each class's rows in ascending order (a stable argsort
	// of the class codes).
	rows := make([][]int, len(classes))
	for i, v := range y {
		k := index[v]
		rows[k] = append(rows[k], i)
	}
	counts := make([]int, len(classes))
	for k, r := range rows {
		counts[k] = len(r)
		if len(r) < 2 {
			return nil, nil, errors.New("numpy split: a class has fewer than 2 members")
		}
	}
	rng := newMT19937(seed)
	nI := approximateMode(counts, nTrain, rng)
	remaining := make([]int, len(counts))
	for k := range counts {
		remaining[k] = counts[k] - nI[k]
	}
	tI := approximateMode(remaining, nTest, rng)
	for k := range classes {
		perm := rng.permutation(counts[k])
		for j, p := range perm {
			switch {
			case j < nI[k]:
				train = append(train, rows[k][p])
			case j < nI[k]+tI[k]:
				test = append(test, rows[k][p])
			}
		}
	}
	// scikit-learn then permutes train and test; the order does not change
	// the sets, so the rows are sorted instead.
	slices.Sort(train)
	slices.Sort(test)
	return train, test, nil
}

// approximateMode is scikit-learn's _approximate_mode: class counts of n
// draws, the floored shares topped up by largest remainder, ties broken by
// rng.choice(replace=False), as numpy draws it.
func approximateMode(counts []int, nDraws int, rng *mt19937) []int {
	total := 0
	for _, c := range counts {
		total += c
	}
	cont := make([]float64, len(counts))
	floored := make([]int, len(counts))
	sum := 0.0
	for k, c := range counts {
		cont[k] = float64(c) / float64(total) * float64(nDraws)
		f := math.Floor(cont[k])
		floored[k] = int(f)
		sum += f
	}
	need := int(float64(nDraws) - sum)
	if need <= 0 {
		return floored
	}
	rem := make([]float64, len(counts))
	for k := range counts {
		rem[k] = cont[k] - math.Floor(cont[k])
	}
	values := slices.Clone(rem)
	slices.Sort(values)
	values = slices.Compact(values)
	slices.Reverse(values)
	for _, v := range values {
		var inds []int
		for k, r := range rem {
			if r == v {
				inds = append(inds, k)
			}
		}
		add := min(len(inds), need)
		// rng.choice(inds, add, replace=False) is permutation(len)[:add].
		perm := rng.permutation(len(inds))
		for _, p := range perm[:add] {
			floored[inds[p]]++
		}
		need -= add
		if need == 0 {
			break
		}
	}
	return floored
}

// mt19937 is the Mersenne Twister as numpy's legacy RandomState seeds and
// draws it.
type mt19937 struct {
	mt  [624]uint32
	idx int
}

func newMT19937(seed uint32) *mt19937 {
	m := &mt19937{idx: 624}
	m.mt[0] = seed
	for i := 1; i < 624; i++ {
		prev := m.mt[i-1]
		m.mt[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	return m
}

func (m *mt19937) next32() uint32 {
	const n, mm, upper, lower, matrixA = 624, 397, 0x80000000, 0x7fffffff, 0x9908b0df
	if m.idx >= n {
		for k := range n {
			y := (m.mt[k] & upper) | (m.mt[(k+1)%n] & lower)
			v := m.mt[(k+mm)%n] ^ (y >> 1)
			if y&1 != 0 {
				v ^= matrixA
			}
			m.mt[k] = v
		}
		m.idx = 0
	}
	y := m.mt[m.idx]
	m.idx++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// interval draws uniformly from [0, max] by masked rejection, as numpy's
// random_interval does for max below 2³².
func (m *mt19937) interval(max uint32) uint32 {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := m.next32() & mask; v <= max {
			return v
		}
	}
}

// permutation is RandomState.permutation(n): a Fisher-Yates shuffle of
// 0..n-1 from the last element down.
func (m *mt19937) permutation(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i >= 1; i-- {
		j := int(m.interval(uint32(i)))
		p[i], p[j] = p[j], p[i]
	}
	return p
}
