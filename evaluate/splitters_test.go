package evaluate

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"testing"
)

type splitFixtures struct {
	GroupKFold []struct {
		Name   string
		Groups []int
		K      int
		Test   [][]int
		Exact  bool
	} `json:"group_kfold"`
	TimeSeriesSplit []struct {
		N, K         int
		TestSize     int `json:"test_size"`
		Gap          int
		MaxTrainSize int `json:"max_train_size"`
		Folds        [][2][]int
	} `json:"time_series_split"`
}

func sfx(t *testing.T) *splitFixtures {
	t.Helper()
	b, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f splitFixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

func TestGroupKFoldMatchesSklearn(t *testing.T) {
	for _, c := range sfx(t).GroupKFold {
		t.Run(c.Name, func(t *testing.T) {
			folds, err := GroupKFold[int]{K: c.K, Groups: c.Groups}.Split(make([]float64, len(c.Groups)))
			if err != nil {
				t.Fatal(err)
			}
			checkPartition(t, folds, len(c.Groups), true)
			for k, f := range folds {
				// No group on both sides.
				test := map[int]bool{}
				for _, i := range f.Test {
					test[c.Groups[i]] = true
				}
				for _, i := range f.Train {
					if test[c.Groups[i]] {
						t.Errorf("fold %d: group %d in train and test", k, c.Groups[i])
					}
				}
				if len(f.Test) != len(c.Test[k]) {
					t.Errorf("fold %d: %d test rows, scikit-learn %d", k, len(f.Test), len(c.Test[k]))
				}
				if c.Exact && !slices.Equal(f.Test, c.Test[k]) {
					t.Errorf("fold %d test = %v, scikit-learn %v", k, f.Test, c.Test[k])
				}
			}
		})
	}
}

func TestGroupKFoldStringGroups(t *testing.T) {
	groups := []string{"ann", "bob", "ann", "cy", "bob", "cy", "dee"}
	folds, err := GroupKFold[string]{K: 3, Groups: groups}.Split(make([]float64, len(groups)))
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, folds, len(groups), true)
	// As scikit-learn: the tied groups of 2 rows go largest-index first, cy,
	// bob, ann to folds 0, 1, 2; then dee to the lightest, fold 0.
	want := [][]int{{3, 5, 6}, {1, 4}, {0, 2}}
	for k := range folds {
		if !slices.Equal(folds[k].Test, want[k]) {
			t.Errorf("fold %d test %v, want %v", k, folds[k].Test, want[k])
		}
	}
}

func TestTimeSeriesSplitMatchesSklearn(t *testing.T) {
	for _, c := range sfx(t).TimeSeriesSplit {
		s := TimeSeriesSplit{K: c.K, TestSize: c.TestSize, Gap: c.Gap, MaxTrainSize: c.MaxTrainSize}
		folds, err := s.Split(make([]float64, c.N))
		if err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		if len(folds) != len(c.Folds) {
			t.Fatalf("%+v: %d folds, scikit-learn %d", s, len(folds), len(c.Folds))
		}
		for k := range folds {
			if !slices.Equal(folds[k].Train, c.Folds[k][0]) || !slices.Equal(folds[k].Test, c.Folds[k][1]) {
				t.Errorf("%+v fold %d: %v, scikit-learn %v", s, k, folds[k], c.Folds[k])
			}
		}
	}
}

func TestRepeatedAndShuffleSplits(t *testing.T) {
	y := make([]float64, 30)
	for i := range y {
		y[i] = float64(i % 3 / 2) // 20 zeros, 10 ones
	}
	folds, err := RepeatedStratifiedKFold{K: 5, Repeats: 3, Seed: 1}.Split(y)
	if err != nil || len(folds) != 15 {
		t.Fatalf("repeated stratified: %d folds, %v", len(folds), err)
	}
	for r := range 3 {
		checkPartition(t, folds[r*5:r*5+5], len(y), true)
		for _, f := range folds[r*5 : r*5+5] {
			if c := classCounts(y, f.Test); c[0] != 4 || c[1] != 2 {
				t.Errorf("repeat %d: test class counts %v, want 4 and 2", r, c)
			}
		}
	}
	if slices.EqualFunc(folds[:5], folds[5:10], foldEqual) {
		t.Error("repeats gave identical folds")
	}
	again, _ := RepeatedStratifiedKFold{K: 5, Repeats: 3, Seed: 1}.Split(y)
	if !slices.EqualFunc(folds, again, foldEqual) {
		t.Error("same seed, different folds")
	}

	folds, err = RepeatedKFold{K: 3, Seed: 2}.Split(y)
	if err != nil || len(folds) != 30 {
		t.Fatalf("repeated kfold: %d folds (want 10 repeats × 3), %v", len(folds), err)
	}
	checkPartition(t, folds[:3], len(y), true)

	folds, err = ShuffleSplit{Seed: 3}.Split(y)
	if err != nil || len(folds) != 10 {
		t.Fatalf("shuffle split: %d folds, %v", len(folds), err)
	}
	for _, f := range folds {
		if len(f.Test) != 3 || len(f.Train) != 27 {
			t.Errorf("shuffle split sizes %d/%d, want 27/3", len(f.Train), len(f.Test))
		}
	}
	folds, _ = ShuffleSplit{Splits: 4, TestFraction: 0.3, Seed: 3, Stratify: true}.Split(y)
	for _, f := range folds {
		if c := classCounts(y, f.Test); c[0] != 6 || c[1] != 3 {
			t.Errorf("stratified shuffle split counts %v, want 6 and 3", c)
		}
	}
}

func TestMoreSplitterErrors(t *testing.T) {
	y := []float64{0, 1, 0, 1, 0, 1}
	tests := []struct {
		name string
		s    Splitter
		y    []float64
		want error
	}{
		{"group empty", GroupKFold[int]{K: 2}, nil, ErrEmpty},
		{"group length", GroupKFold[int]{K: 2, Groups: []int{1, 2}}, y, ErrLength},
		{"group K=1", GroupKFold[int]{K: 1, Groups: []int{1, 2, 3, 4, 5, 6}}, y, ErrSplit},
		{"group too few groups", GroupKFold[int]{K: 3, Groups: []int{1, 1, 1, 2, 2, 2}}, y, ErrSplit},
		{"group NaN", GroupKFold[float64]{K: 2, Groups: []float64{1, 2, math.NaN(), 1, 2, 3}}, y, ErrValue},
		{"time series empty", TimeSeriesSplit{K: 2}, nil, ErrEmpty},
		{"time series K=1", TimeSeriesSplit{K: 1}, y, ErrSplit},
		{"time series K too big", TimeSeriesSplit{K: 6}, y, ErrSplit},
		{"time series gap too big", TimeSeriesSplit{K: 2, Gap: 4}, y, ErrSplit},
		{"time series negative", TimeSeriesSplit{K: 2, TestSize: -1}, y, ErrSplit},
		{"repeated negative", RepeatedStratifiedKFold{K: 2, Repeats: -1}, y, ErrSplit},
		{"repeated class too small", RepeatedStratifiedKFold{K: 4}, y, ErrTooFewMembers},
		{"repeated kfold K", RepeatedKFold{K: 1}, y, ErrSplit},
		{"shuffle bad fraction", ShuffleSplit{TestFraction: 2}, y, ErrSplit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if folds, err := tt.s.Split(tt.y); !errors.Is(err, tt.want) || folds != nil {
				t.Errorf("Split = %v, %v; want nil, %v", folds, err, tt.want)
			}
		})
	}
}
