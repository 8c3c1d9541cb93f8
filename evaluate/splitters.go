package evaluate

import (
	"cmp"
	"fmt"
	"slices"
)

// GroupKFold splits rows into K folds such that no group (a customer, a
// patient, a session — Groups holds one per row) is in both the training
// and the test rows of a fold, as scikit-learn's GroupKFold: groups are
// dealt, largest first, to the fold with the fewest rows so far. It does
// not shuffle. Ties between equally large groups are broken by group order
// (ascending), which is scikit-learn's order when there are at most 16
// groups; with more, fold sizes still match scikit-learn's but tied groups
// may swap folds. The zero value is not usable: set K and Groups. A
// GroupKFold is safe for concurrent use if Groups is not modified.
type GroupKFold[G cmp.Ordered] struct {
	K      int // number of folds, at least 2
	Groups []G // group of each row
}

// Split returns K folds of len(y) rows (only the length of y is used). It
// returns an error wrapping [ErrEmpty] for an empty y, [ErrLength] if
// Groups is not as long as y, [ErrValue] for a NaN group, and [ErrSplit] if
// K < 2 or there are fewer than K groups.
func (s GroupKFold[G]) Split(y []float64) ([]Fold, error) {
	if len(y) == 0 {
		return nil, fmt.Errorf("group kfold: no rows to split: %w", ErrEmpty)
	}
	if len(s.Groups) != len(y) {
		return nil, fmt.Errorf("group kfold: %d groups for %d rows: %w", len(s.Groups), len(y), ErrLength)
	}
	if s.K < 2 {
		return nil, fmt.Errorf("group kfold: K is %d; it must be at least 2: %w", s.K, ErrSplit)
	}
	for i, g := range s.Groups {
		if g != g { // NaN, for float groups
			return nil, fmt.Errorf("group kfold: group of row %d is NaN: %w", i, ErrValue)
		}
	}
	uniq := slices.Clone(s.Groups)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	if len(uniq) < s.K {
		return nil, fmt.Errorf("group kfold: K is %d but there are only %d groups: %w", s.K, len(uniq), ErrSplit)
	}
	code := make([]int, len(y))
	size := make([]int, len(uniq))
	for i, g := range s.Groups {
		code[i], _ = slices.BinarySearch(uniq, g)
		size[code[i]]++
	}
	// Groups by size ascending (stable), then reversed: scikit-learn's
	// np.argsort(sizes)[::-1].
	order := make([]int, len(uniq))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size[a], size[b]) })
	slices.Reverse(order)
	load := make([]int, s.K)
	groupFold := make([]int, len(uniq))
	for _, g := range order {
		lightest := 0
		for f := 1; f < s.K; f++ {
			if load[f] < load[lightest] {
				lightest = f
			}
		}
		load[lightest] += size[g]
		groupFold[g] = lightest
	}
	assign := make([]int, len(y))
	for i, c := range code {
		assign[i] = groupFold[c]
	}
	return foldsFromAssignment(assign, s.K), nil
}

// TimeSeriesSplit makes K expanding-window splits of rows in time order, as
// scikit-learn's TimeSeriesSplit: each test block follows its training rows,
// so no fold trains on the future. The test blocks are the last K·TestSize
// rows; each fold trains on all rows before its block, less Gap rows just
// before it, and at most MaxTrainSize rows (the latest). Rows must already
// be sorted by time. The zero value is not usable: set K. A TimeSeriesSplit
// is a value and safe for concurrent use.
type TimeSeriesSplit struct {
	K            int // number of splits, at least 2
	TestSize     int // rows per test block; default len(y) / (K+1)
	Gap          int // rows left out between training and test rows
	MaxTrainSize int // if > 0, the training window's maximum length
}

// Split returns K time-ordered folds of len(y) rows (only the length of y
// is used). It returns an error wrapping [ErrEmpty] for an empty y and
// [ErrSplit] if K < 2, K+1 > len(y), a size is negative, or the test blocks
// and gap leave no training row.
func (s TimeSeriesSplit) Split(y []float64) ([]Fold, error) {
	n := len(y)
	if n == 0 {
		return nil, fmt.Errorf("time series split: no rows to split: %w", ErrEmpty)
	}
	if s.K < 2 || s.K+1 > n {
		return nil, fmt.Errorf("time series split: K is %d; it must be at least 2 and at most %d for %d rows: %w", s.K, n-1, n, ErrSplit)
	}
	if s.TestSize < 0 || s.Gap < 0 || s.MaxTrainSize < 0 {
		return nil, fmt.Errorf("time series split: negative size (test %d, gap %d, max train %d): %w", s.TestSize, s.Gap, s.MaxTrainSize, ErrSplit)
	}
	test := s.TestSize
	if test == 0 {
		test = n / (s.K + 1)
	}
	if n-s.Gap-test*s.K <= 0 {
		return nil, fmt.Errorf("time series split: %d test blocks of %d rows and a gap of %d leave no training rows of %d: %w",
			s.K, test, s.Gap, n, ErrSplit)
	}
	folds := make([]Fold, 0, s.K)
	for start := n - s.K*test; start < n; start += test {
		end := start - s.Gap
		begin := 0
		if s.MaxTrainSize > 0 && s.MaxTrainSize < end {
			begin = end - s.MaxTrainSize
		}
		folds = append(folds, Fold{Train: seq(begin, end), Test: seq(start, min(start+test, n))})
	}
	return folds, nil
}

func seq(i, j int) []int {
	out := make([]int, 0, max(j-i, 0))
	for k := i; k < j; k++ {
		out = append(out, k)
	}
	return out
}

// RepeatedStratifiedKFold repeats a shuffled [StratifiedKFold] Repeats
// times with different seeds drawn from Seed, as scikit-learn's
// RepeatedStratifiedKFold: K·Repeats folds, repeat r's folds at positions
// r·K … r·K+K−1. The zero value is not usable: set K. It is a value and
// safe for concurrent use.
type RepeatedStratifiedKFold struct {
	K       int    // folds per repeat, at least 2
	Repeats int    // number of repeats; default 10
	Seed    uint64 // seeds the repeats
}

// Split returns the folds of every repeat. Errors are those of
// [StratifiedKFold.Split], plus [ErrSplit] for negative Repeats.
func (s RepeatedStratifiedKFold) Split(y []float64) ([]Fold, error) {
	return repeat(s.Repeats, s.Seed, func(seed uint64) ([]Fold, error) {
		return StratifiedKFold{K: s.K, Shuffle: true, Seed: seed}.Split(y)
	})
}

// RepeatedKFold repeats a shuffled [KFold] Repeats times with different
// seeds drawn from Seed, as scikit-learn's RepeatedKFold. The zero value is
// not usable: set K. It is a value and safe for concurrent use.
type RepeatedKFold struct {
	K       int    // folds per repeat, at least 2
	Repeats int    // number of repeats; default 10
	Seed    uint64 // seeds the repeats
}

// Split returns the folds of every repeat. Errors are those of
// [KFold.Split], plus [ErrSplit] for negative Repeats.
func (s RepeatedKFold) Split(y []float64) ([]Fold, error) {
	return repeat(s.Repeats, s.Seed, func(seed uint64) ([]Fold, error) {
		return KFold{K: s.K, Shuffle: true, Seed: seed}.Split(y)
	})
}

func repeat(n int, seed uint64, split func(seed uint64) ([]Fold, error)) ([]Fold, error) {
	if n < 0 {
		return nil, fmt.Errorf("repeated split: %d repeats: %w", n, ErrSplit)
	}
	if n == 0 {
		n = 10
	}
	r := newRNG(seed)
	var all []Fold
	for range n {
		folds, err := split(r.Uint64())
		if err != nil {
			return nil, err
		}
		all = append(all, folds...)
	}
	return all, nil
}

// ShuffleSplit draws Splits independent random train/test splits, as
// scikit-learn's ShuffleSplit (or StratifiedShuffleSplit, with Stratify):
// each is a [TrainTestSplit] with a seed drawn from Seed, so test sets may
// overlap between splits. The zero value works: 10 splits of 10% test
// rows. It is a value and safe for concurrent use.
type ShuffleSplit struct {
	Splits       int     // number of splits; default 10
	TestFraction float64 // fraction of rows in each test set; default 0.1
	Seed         uint64  // seeds the splits
	Stratify     bool    // keep y's class proportions in each split
}

// Split returns the splits. Errors are those of [TrainTestSplit], plus
// [ErrSplit] for negative Splits.
func (s ShuffleSplit) Split(y []float64) ([]Fold, error) {
	frac := s.TestFraction
	if frac == 0 {
		frac = 0.1
	}
	return repeat(s.Splits, s.Seed, func(seed uint64) ([]Fold, error) {
		train, test, err := TrainTestSplit(y, frac, seed, s.Stratify)
		if err != nil {
			return nil, fmt.Errorf("shuffle split: %w", err)
		}
		return []Fold{{Train: train, Test: test}}, nil
	})
}

// The splitters satisfy Splitter.
var (
	_ Splitter = KFold{}
	_ Splitter = StratifiedKFold{}
	_ Splitter = GroupKFold[string]{}
	_ Splitter = TimeSeriesSplit{}
	_ Splitter = RepeatedStratifiedKFold{}
	_ Splitter = RepeatedKFold{}
	_ Splitter = ShuffleSplit{}
)
