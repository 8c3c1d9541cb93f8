package evaluate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// A Fold is one train/test split of the rows 0..n-1: Train and Test are
// disjoint, ascending row indices. Most splitters put every row in one of
// the two; [TimeSeriesSplit] and [ShuffleSplit] may leave rows out.
type Fold struct {
	Train, Test []int
}

// A Splitter partitions the rows of a data set, given its target y (one
// value per row), into folds. Implementations are deterministic: the same
// splitter and y give the same folds.
type Splitter interface {
	Split(y []float64) ([]Fold, error)
}

// newRNG returns the package's seeded generator. PCG's output is fixed by
// its specification, so a seed means the same stream on every platform.
func newRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x6d6c70697065)) // "mlpipe"
}

// classIndex encodes y's labels as 0..k-1 in order of first appearance (as
// scikit-learn's StratifiedKFold does) and returns the codes, the labels in
// that order, and the count of each.
func classIndex(y []float64) (codes []int, labels []float64, counts []int) {
	seen := make(map[float64]int)
	codes = make([]int, len(y))
	for i, v := range y {
		c, ok := seen[v]
		if !ok {
			c = len(labels)
			seen[v] = c
			labels = append(labels, v)
			counts = append(counts, 0)
		}
		codes[i] = c
		counts[c]++
	}
	return codes, labels, counts
}

// foldsFromAssignment turns a fold number per row into ascending folds.
func foldsFromAssignment(assign []int, k int) []Fold {
	folds := make([]Fold, k)
	for i, f := range assign {
		folds[f].Test = append(folds[f].Test, i)
	}
	for f := range folds {
		folds[f].Train = make([]int, 0, len(assign)-len(folds[f].Test))
		for i, g := range assign {
			if g != f {
				folds[f].Train = append(folds[f].Train, i)
			}
		}
	}
	return folds
}

// KFold splits rows into K consecutive folds (the first n mod K folds one
// row larger), as scikit-learn's KFold; with Shuffle the rows are permuted
// first by a generator seeded with Seed. Each fold is the test set once.
// The zero value is not usable: set K. KFold is a value and safe for
// concurrent use.
type KFold struct {
	K       int    // number of folds, at least 2
	Shuffle bool   // permute rows before cutting folds
	Seed    uint64 // seed for Shuffle
}

// Split returns K folds of len(y) rows (only the length of y is used). It
// returns an error wrapping [ErrEmpty] for an empty y and [ErrSplit] if K < 2
// or K > len(y).
func (s KFold) Split(y []float64) ([]Fold, error) {
	n := len(y)
	if err := checkK("kfold", s.K, n); err != nil {
		return nil, err
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if s.Shuffle {
		r := newRNG(s.Seed)
		r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	assign := make([]int, n)
	start := 0
	for f := range s.K {
		size := n / s.K
		if f < n%s.K {
			size++
		}
		for _, i := range idx[start : start+size] {
			assign[i] = f
		}
		start += size
	}
	return foldsFromAssignment(assign, s.K), nil
}

func checkK(name string, k, n int) error {
	if n == 0 {
		return fmt.Errorf("%s: no rows to split: %w", name, ErrEmpty)
	}
	if k < 2 {
		return fmt.Errorf("%s: K is %d; it must be at least 2: %w", name, k, ErrSplit)
	}
	if k > n {
		return fmt.Errorf("%s: K is %d but there are only %d rows: %w", name, k, n, ErrSplit)
	}
	return nil
}

// StratifiedKFold splits rows into K folds that each keep the class
// proportions of y, as scikit-learn's StratifiedKFold. Without Shuffle the
// assignment is scikit-learn's exactly: each class's rows, in data order, go
// to folds 0, 1, … in blocks sized by dealing the sorted labels round-robin.
// With Shuffle the fold labels within each class are permuted by a
// generator seeded with Seed (same sizes, different rows). The zero value is
// not usable: set K. StratifiedKFold is a value and safe for concurrent use.
type StratifiedKFold struct {
	K       int    // number of folds, at least 2
	Shuffle bool   // permute each class's fold assignment
	Seed    uint64 // seed for Shuffle
}

// Split returns K stratified folds of y's rows. Labels are any finite
// numbers. It returns an error wrapping [ErrEmpty] for an empty y,
// [ErrSplit] if K < 2 or K > len(y), [ErrValue] for a NaN or infinite label,
// and [ErrTooFewMembers] if some class has fewer than K rows — a fold would
// then miss that class entirely (scikit-learn only warns; here it is an
// error, so no fold silently lacks a class).
func (s StratifiedKFold) Split(y []float64) ([]Fold, error) {
	if err := checkK("stratified kfold", s.K, len(y)); err != nil {
		return nil, err
	}
	if err := checkFinite("stratified kfold", "y", y); err != nil {
		return nil, err
	}
	codes, labels, counts := classIndex(y)
	for c, n := range counts {
		if n < s.K {
			return nil, fmt.Errorf("stratified kfold: class %v has %d members, fewer than K=%d folds; lower K or merge rare classes: %w",
				labels[c], n, s.K, ErrTooFewMembers)
		}
	}
	// allocation[f][c]: rows of class c in test fold f, from dealing the
	// codes, sorted, round-robin to the folds.
	sorted := slices.Clone(codes)
	slices.Sort(sorted)
	allocation := make([][]int, s.K)
	for f := range allocation {
		allocation[f] = make([]int, len(labels))
		for i := f; i < len(sorted); i += s.K {
			allocation[f][sorted[i]]++
		}
	}
	var r *rand.Rand
	if s.Shuffle {
		r = newRNG(s.Seed)
	}
	assign := make([]int, len(y))
	for c := range labels {
		var forClass []int
		for f := range s.K {
			for range allocation[f][c] {
				forClass = append(forClass, f)
			}
		}
		if r != nil {
			r.Shuffle(len(forClass), func(i, j int) { forClass[i], forClass[j] = forClass[j], forClass[i] })
		}
		k := 0
		for i, code := range codes {
			if code == c {
				assign[i] = forClass[k]
				k++
			}
		}
	}
	return foldsFromAssignment(assign, s.K), nil
}

// TrainTestSplit draws a seeded hold-out split of len(y) rows and returns
// the training and test row indices, each ascending. The test set has
// ceil(testFraction·n) rows, as in scikit-learn's train_test_split. With
// stratify, each class of y is split in proportion, the per-class counts
// chosen as scikit-learn's StratifiedShuffleSplit chooses them (ties between
// equal remainders broken by the seeded generator rather than numpy's).
// The same seed always gives the same split.
//
// It returns an error wrapping [ErrEmpty] for an empty y, [ErrSplit] if
// testFraction is not in (0, 1) or leaves the training or test set empty
// (or, stratified, smaller than the number of classes), [ErrValue] for NaN
// labels, and [ErrTooFewMembers] if, stratified, a class has one member.
func TrainTestSplit(y []float64, testFraction float64, seed uint64, stratify bool) (train, test []int, err error) {
	n := len(y)
	if n == 0 {
		return nil, nil, fmt.Errorf("train/test split: no rows to split: %w", ErrEmpty)
	}
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, fmt.Errorf("train/test split: test fraction %v is not in (0, 1): %w", testFraction, ErrSplit)
	}
	nTest := int(math.Ceil(testFraction * float64(n)))
	nTrain := n - nTest
	if nTrain == 0 || nTest == 0 {
		return nil, nil, fmt.Errorf("train/test split: test fraction %v of %d rows leaves %d for training and %d for test: %w",
			testFraction, n, nTrain, nTest, ErrSplit)
	}
	r := newRNG(seed)
	if !stratify {
		perm := r.Perm(n)
		test, train = perm[:nTest], perm[nTest:]
		slices.Sort(train)
		slices.Sort(test)
		return train, test, nil
	}
	if err := checkFinite("train/test split", "y", y); err != nil {
		return nil, nil, err
	}
	// Classes in ascending label order, as np.unique gives them.
	labels := uniqueSorted(y)
	byClass := make([][]int, len(labels))
	for i, v := range y {
		c, _ := slices.BinarySearch(labels, v)
		byClass[c] = append(byClass[c], i)
	}
	counts := make([]int, len(labels))
	for c, rows := range byClass {
		counts[c] = len(rows)
		if len(rows) < 2 {
			return nil, nil, fmt.Errorf("train/test split: class %v has only %d member; stratifying needs at least 2: %w",
				labels[c], len(rows), ErrTooFewMembers)
		}
	}
	if nTrain < len(labels) || nTest < len(labels) {
		return nil, nil, fmt.Errorf("train/test split: %d training and %d test rows cannot hold all %d classes: %w",
			nTrain, nTest, len(labels), ErrSplit)
	}
	trainCounts := approximateMode(counts, nTrain, r)
	rest := make([]int, len(counts))
	for c := range counts {
		rest[c] = counts[c] - trainCounts[c]
	}
	testCounts := approximateMode(rest, nTest, r)
	for c, rows := range byClass {
		rows = slices.Clone(rows)
		r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		train = append(train, rows[:trainCounts[c]]...)
		test = append(test, rows[trainCounts[c]:trainCounts[c]+testCounts[c]]...)
	}
	slices.Sort(train)
	slices.Sort(test)
	return train, test, nil
}

// approximateMode is scikit-learn's _approximate_mode: per-class draws of
// nDraws rows in proportion to counts, floored, the shortfall given to the
// classes with the largest remainders (ties broken at random by r).
func approximateMode(counts []int, nDraws int, r *rand.Rand) []int {
	total := 0
	for _, c := range counts {
		total += c
	}
	cont := make([]float64, len(counts))
	out := make([]int, len(counts))
	floorSum := 0
	for i, c := range counts {
		cont[i] = float64(c) / float64(total) * float64(nDraws)
		out[i] = int(math.Floor(cont[i]))
		floorSum += out[i]
	}
	need := nDraws - floorSum
	if need <= 0 {
		return out
	}
	rem := make([]float64, len(counts))
	for i := range rem {
		rem[i] = cont[i] - math.Floor(cont[i])
	}
	values := slices.Clone(rem)
	slices.Sort(values)
	values = slices.Compact(values)
	for v := len(values) - 1; v >= 0 && need > 0; v-- {
		var inds []int
		for i, x := range rem {
			if x == values[v] {
				inds = append(inds, i)
			}
		}
		r.Shuffle(len(inds), func(i, j int) { inds[i], inds[j] = inds[j], inds[i] })
		add := min(len(inds), need)
		for _, i := range inds[:add] {
			out[i]++
		}
		need -= add
	}
	return out
}
