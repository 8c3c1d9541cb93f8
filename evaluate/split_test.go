package evaluate

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// checkPartition asserts that folds are ascending, disjoint train/test
// partitions of 0..n-1 and, for k-fold splitters (kfold), that the test
// sets cover every row exactly once.
func checkPartition(t *testing.T, folds []Fold, n int, kfold bool) {
	t.Helper()
	seen := make([]int, n)
	for k, f := range folds {
		if !slices.IsSorted(f.Train) || !slices.IsSorted(f.Test) {
			t.Errorf("fold %d: indices not ascending", k)
		}
		if len(f.Train)+len(f.Test) != n {
			t.Errorf("fold %d: %d train + %d test != %d rows", k, len(f.Train), len(f.Test), n)
		}
		in := make([]bool, n)
		for _, i := range f.Test {
			in[i] = true
			seen[i]++
		}
		for _, i := range f.Train {
			if in[i] {
				t.Errorf("fold %d: row %d in both train and test", k, i)
			}
			in[i] = true
		}
		for i, ok := range in {
			if !ok {
				t.Errorf("fold %d: row %d in neither set", k, i)
			}
		}
	}
	for i, s := range seen {
		if kfold && s != 1 {
			t.Errorf("row %d is in %d test folds, want 1", i, s)
		}
	}
}

func TestStratifiedKFoldMatchesSklearn(t *testing.T) {
	for _, c := range fx(t).StratifiedKFold {
		t.Run(c.Name, func(t *testing.T) {
			folds, err := StratifiedKFold{K: c.K}.Split(c.Y)
			if err != nil {
				t.Fatal(err)
			}
			checkPartition(t, folds, len(c.Y), true)
			if len(folds) != len(c.Test) {
				t.Fatalf("%d folds, scikit-learn %d", len(folds), len(c.Test))
			}
			for k := range folds {
				if !slices.Equal(folds[k].Test, c.Test[k]) {
					t.Errorf("fold %d test = %v, scikit-learn %v", k, folds[k].Test, c.Test[k])
				}
			}
		})
	}
}

func TestKFoldMatchesSklearn(t *testing.T) {
	for _, c := range fx(t).KFold {
		folds, err := KFold{K: c.K}.Split(make([]float64, c.N))
		if err != nil {
			t.Fatal(err)
		}
		checkPartition(t, folds, c.N, true)
		for k := range folds {
			if !slices.Equal(folds[k].Test, c.Test[k]) {
				t.Errorf("n=%d k=%d fold %d test = %v, scikit-learn %v", c.N, c.K, k, folds[k].Test, c.Test[k])
			}
		}
	}
}

func classCounts(y []float64, idx []int) map[float64]int {
	m := make(map[float64]int)
	for _, i := range idx {
		m[y[i]]++
	}
	return m
}

// TestShuffledFoldsKeepSklearnProportions: shuffling changes which rows go
// where, never how many of each class each fold gets.
func TestShuffledFoldsKeepSklearnProportions(t *testing.T) {
	for _, c := range fx(t).StratifiedKFold {
		for _, seed := range []uint64{1, 2, 3} {
			folds, err := StratifiedKFold{K: c.K, Shuffle: true, Seed: seed}.Split(c.Y)
			if err != nil {
				t.Fatal(err)
			}
			checkPartition(t, folds, len(c.Y), true)
			for k := range folds {
				got, want := classCounts(c.Y, folds[k].Test), classCounts(c.Y, c.Test[k])
				for label, n := range want {
					if got[label] != n {
						t.Errorf("%s seed %d fold %d: %d of class %v, scikit-learn %d", c.Name, seed, k, got[label], label, n)
					}
				}
			}
		}
	}
}

func TestShuffleIsSeeded(t *testing.T) {
	y := make([]float64, 60)
	for i := range y {
		y[i] = float64(i % 3)
	}
	for _, s := range []Splitter{
		KFold{K: 4, Shuffle: true, Seed: 7},
		StratifiedKFold{K: 4, Shuffle: true, Seed: 7},
	} {
		a, _ := s.Split(y)
		b, _ := s.Split(y)
		if !slices.EqualFunc(a, b, foldEqual) {
			t.Errorf("%T: same seed gave different folds", s)
		}
	}
	a, _ := KFold{K: 4, Shuffle: true, Seed: 7}.Split(y)
	b, _ := KFold{K: 4, Shuffle: true, Seed: 8}.Split(y)
	c, _ := KFold{K: 4}.Split(y)
	if slices.EqualFunc(a, b, foldEqual) || slices.EqualFunc(a, c, foldEqual) {
		t.Error("KFold: different seeds (or no shuffle) gave the same folds")
	}
	a, _ = StratifiedKFold{K: 4, Shuffle: true, Seed: 7}.Split(y)
	b, _ = StratifiedKFold{K: 4, Shuffle: true, Seed: 8}.Split(y)
	if slices.EqualFunc(a, b, foldEqual) {
		t.Error("StratifiedKFold: different seeds gave the same folds")
	}
}

func foldEqual(a, b Fold) bool { return slices.Equal(a.Train, b.Train) && slices.Equal(a.Test, b.Test) }

func TestSplitterErrors(t *testing.T) {
	tests := []struct {
		name string
		s    Splitter
		y    []float64
		want error
	}{
		{"kfold empty", KFold{K: 2}, nil, ErrEmpty},
		{"kfold K=1", KFold{K: 1}, []float64{0, 1, 0}, ErrSplit},
		{"kfold zero value", KFold{}, []float64{0, 1, 0}, ErrSplit},
		{"kfold K>n", KFold{K: 4}, []float64{0, 1, 0}, ErrSplit},
		{"stratified empty", StratifiedKFold{K: 2}, []float64{}, ErrEmpty},
		{"stratified K=1", StratifiedKFold{K: 1}, []float64{0, 1}, ErrSplit},
		{"stratified class smaller than K", StratifiedKFold{K: 3}, []float64{0, 0, 0, 1, 1, 0}, ErrTooFewMembers},
		{"stratified single-member class", StratifiedKFold{K: 2}, []float64{0, 0, 0, 1}, ErrTooFewMembers},
		{"stratified nan label", StratifiedKFold{K: 2}, []float64{0, 0, math.NaN(), 1}, ErrValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			folds, err := tt.s.Split(tt.y)
			if !errors.Is(err, tt.want) || folds != nil {
				t.Errorf("Split = %v, %v; want nil, %v", folds, err, tt.want)
			}
		})
	}
}

func TestTrainTestSplitMatchesSklearnCounts(t *testing.T) {
	for _, c := range fx(t).TrainTestSplit {
		t.Run(c.Name, func(t *testing.T) {
			for _, stratify := range []bool{false, true} {
				train, test, err := TrainTestSplit(c.Y, c.TestFraction, 42, stratify)
				if err != nil {
					t.Fatal(err)
				}
				if len(train) != c.NTrain || len(test) != c.NTest {
					t.Errorf("stratify=%v: %d train / %d test, scikit-learn %d / %d", stratify, len(train), len(test), c.NTrain, c.NTest)
				}
				checkPartition(t, []Fold{{train, test}}, len(c.Y), false)
			}
			if !c.Deterministic {
				return
			}
			labels := uniqueSorted(c.Y)
			for _, seed := range []uint64{0, 1, 99} {
				train, test, _ := TrainTestSplit(c.Y, c.TestFraction, seed, true)
				tr, te := classCounts(c.Y, train), classCounts(c.Y, test)
				for j, l := range labels {
					if tr[l] != c.TrainCounts[j] || te[l] != c.TestCounts[j] {
						t.Errorf("seed %d class %v: %d train / %d test, scikit-learn %d / %d",
							seed, l, tr[l], te[l], c.TrainCounts[j], c.TestCounts[j])
					}
				}
			}
		})
	}
}

func TestTrainTestSplitSeeded(t *testing.T) {
	y := make([]float64, 200)
	for i := range y {
		y[i] = float64(i % 4 / 3) // 3:1 imbalance
	}
	for _, stratify := range []bool{false, true} {
		a1, b1, _ := TrainTestSplit(y, 0.3, 5, stratify)
		a2, b2, _ := TrainTestSplit(y, 0.3, 5, stratify)
		a3, _, _ := TrainTestSplit(y, 0.3, 6, stratify)
		if !slices.Equal(a1, a2) || !slices.Equal(b1, b2) {
			t.Errorf("stratify=%v: same seed, different split", stratify)
		}
		if slices.Equal(a1, a3) {
			t.Errorf("stratify=%v: different seeds, same split", stratify)
		}
	}
	_, test, _ := TrainTestSplit(y, 0.3, 5, true)
	if got := classCounts(y, test); got[1] != 15 || got[0] != 45 {
		t.Errorf("stratified test counts %v, want 45 of 0 and 15 of 1", got)
	}
}

func TestTrainTestSplitErrors(t *testing.T) {
	tests := []struct {
		name     string
		y        []float64
		frac     float64
		stratify bool
		want     error
	}{
		{"empty", nil, 0.2, false, ErrEmpty},
		{"fraction 0", []float64{0, 1, 0, 1}, 0, false, ErrSplit},
		{"fraction 1", []float64{0, 1, 0, 1}, 1, false, ErrSplit},
		{"fraction NaN", []float64{0, 1, 0, 1}, math.NaN(), false, ErrSplit},
		{"nothing left to train", []float64{0, 1}, 0.9, false, ErrSplit},
		{"single-member class", []float64{0, 0, 0, 0, 1}, 0.4, true, ErrTooFewMembers},
		{"test smaller than classes", []float64{0, 0, 1, 1, 2, 2, 0, 1, 2, 0}, 0.2, true, ErrSplit},
		{"nan label", []float64{0, 0, math.NaN(), 1, 1}, 0.4, true, ErrValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train, test, err := TrainTestSplit(tt.y, tt.frac, 1, tt.stratify)
			if !errors.Is(err, tt.want) || train != nil || test != nil {
				t.Errorf("got %v, %v, %v; want error %v", train, test, err, tt.want)
			}
		})
	}
}
