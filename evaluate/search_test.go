package evaluate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func buildKNN(p Params) (Learner, error) {
	k, ok := p["k"].(int)
	if !ok || k < 1 {
		return nil, fmt.Errorf("k must be a positive int, got %v", p["k"])
	}
	return knn(k), nil
}

func TestValidationCurve(t *testing.T) {
	data := classData(t)
	opts := CVOptions{Splitter: StratifiedKFold{K: 5, Shuffle: true, Seed: 1}}
	curve, err := ValidationCurve(context.Background(), []int{1, 5, 100}, func(k int) (Learner, error) { return knn(k), nil }, data, "y", opts)
	if err != nil {
		t.Fatal(err)
	}
	train := make([]float64, 3)
	for i, r := range curve.Results {
		train[i] = r.TrainMean("accuracy")
		single, err := CrossValidate(context.Background(), knn(curve.Values[i]), data, "y", CVOptions{Splitter: opts.Splitter, TrainScores: true})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(single.TestScores("accuracy"), r.TestScores("accuracy")) {
			t.Errorf("k=%d: curve %v, cross-validation %v", curve.Values[i], r.TestScores("accuracy"), single.TestScores("accuracy"))
		}
	}
	// 1-NN recalls its training rows; 100-NN predicts the majority (0.6).
	if train[0] != 1 || train[2] != 0.6 || !(train[1] < 1) {
		t.Errorf("training accuracy by k %v", train)
	}
	if s := curve.String(); !strings.Contains(s, "train accuracy") || strings.Count(s, "\n") != 4 {
		t.Errorf("String:\n%s", s)
	}
	if _, err := ValidationCurve(context.Background(), []int{0}, func(k int) (Learner, error) { return buildKNN(Params{"k": k}) }, data, "y", opts); err == nil {
		t.Error("build error not returned")
	}
}

func TestGridSearch(t *testing.T) {
	data := classData(t)
	grid := map[string][]any{"k": {1, 3, 9, 100}, "unused": {"a", "b"}}
	run := func(workers int) *SearchResult {
		res, err := GridSearch(context.Background(), buildKNN, grid, data, "y", SearchOptions{
			CV:    CVOptions{Splitter: StratifiedKFold{K: 4, Shuffle: true, Seed: 9}, Workers: workers},
			Refit: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run(1)
	if len(res.Candidates) != 8 {
		t.Fatalf("%d candidates, want 8", len(res.Candidates))
	}
	// ParameterGrid order: names sorted, last varying fastest.
	if got := res.Candidates[1].Params.String(); got != "k=1 unused=b" {
		t.Errorf("second candidate %q, want k=1 unused=b", got)
	}
	best := res.Candidates[res.BestIndex]
	for _, c := range res.Candidates {
		if c.Mean > best.Mean {
			t.Errorf("candidate %s (%v) beats the best %s (%v)", c.Params, c.Mean, best.Params, best.Mean)
		}
		if c.Mean == best.Mean && c.Rank != 1 {
			t.Errorf("tie with best but rank %d", c.Rank)
		}
		if c.Mean != c.Result.Mean("accuracy") {
			t.Errorf("candidate mean %v, result %v", c.Mean, c.Result.Mean("accuracy"))
		}
	}
	if res.Candidates[6].Mean != 0.6 || res.Candidates[6].Rank != 7 {
		t.Errorf("k=100 candidate: mean %v rank %d; want 0.6, rank 7 of 8 (tied with its twin)", res.Candidates[6].Mean, res.Candidates[6].Rank)
	}
	if res.Best == nil || res.BestParams()["k"] != best.Params["k"] {
		t.Fatal("no refit best predictor")
	}
	x, _ := data.Drop("y")
	if pred, err := res.Best.Predict(context.Background(), x); err != nil || len(pred) != 100 {
		t.Errorf("refit predictor: %d predictions, %v", len(pred), err)
	}
	eight := run(8)
	for i := range res.Candidates {
		if !slices.Equal(res.Candidates[i].Result.TestScores("accuracy"), eight.Candidates[i].Result.TestScores("accuracy")) {
			t.Errorf("candidate %d differs between 1 and 8 workers", i)
		}
	}
	if !strings.HasPrefix(strings.Split(res.String(), "\n")[1], "1 ") {
		t.Errorf("String not ranked:\n%s", res)
	}

	errCases := []struct {
		name string
		grid map[string][]any
		want error
	}{
		{"empty grid", map[string][]any{}, ErrEmpty},
		{"no values", map[string][]any{"k": {}}, ErrEmpty},
	}
	for _, c := range errCases {
		if _, err := GridSearch(context.Background(), buildKNN, c.grid, data, "y", SearchOptions{}); !errors.Is(err, c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := GridSearch(context.Background(), buildKNN, map[string][]any{"k": {"x"}}, data, "y", SearchOptions{}); err == nil || !strings.Contains(err.Error(), "k=x") {
		t.Errorf("build error: %v", err)
	}
}

func TestRandomSearch(t *testing.T) {
	data := classData(t)
	space := map[string]Distribution{"k": IntRange(1, 30), "c": LogUniform(1e-3, 1e3), "u": Uniform(2, 3), "s": Choice("x", "y")}
	run := func(seed uint64) *SearchResult {
		res, err := RandomSearch(context.Background(), buildKNN, space, 6, seed, data, "y", SearchOptions{CV: CVOptions{Splitter: StratifiedKFold{K: 4}}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b, c := run(1), run(1), run(2)
	same := func(x, y *SearchResult) bool {
		for i := range x.Candidates {
			if x.Candidates[i].Params.String() != y.Candidates[i].Params.String() {
				return false
			}
		}
		return true
	}
	if !same(a, b) || same(a, c) {
		t.Error("seed does not fix the candidates")
	}
	for _, cand := range a.Candidates {
		k, cc, u := cand.Params["k"].(int), cand.Params["c"].(float64), cand.Params["u"].(float64)
		if k < 1 || k > 30 || cc < 1e-3 || cc >= 1e3 || u < 2 || u >= 3 || (cand.Params["s"] != "x" && cand.Params["s"] != "y") {
			t.Errorf("sample out of range: %s", cand.Params)
		}
	}
	if a.Best != nil {
		t.Error("refit without Refit")
	}
	if _, err := RandomSearch(context.Background(), buildKNN, space, 0, 1, data, "y", SearchOptions{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("n=0: %v", err)
	}
}

func TestPermutationImportance(t *testing.T) {
	base := classData(t)
	noise := make([]float64, base.NumRows())
	for i := range noise {
		noise[i] = math.Cos(float64(i) * 0.37)
	}
	data, err := base.With("noise", frame.NewFloat(noise))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := stumpLearner(context.Background(), data)
	run := func(workers int) Importances {
		im, err := PermutationImportance(context.Background(), p, data, "y", ImportanceOptions{Repeats: 4, Seed: 3, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		return im
	}
	im := run(1)
	if len(im) != 2 || im[0].Feature != "x" || im[1].Feature != "noise" {
		t.Fatalf("importances %+v", im)
	}
	// The stump reads only x: shuffling noise changes nothing.
	if im[1].Mean != 0 || im[1].Std != 0 {
		t.Errorf("noise importance %v ± %v, want 0", im[1].Mean, im[1].Std)
	}
	if im[0].Mean < 0.2 || len(im[0].Drops) != 4 {
		t.Errorf("x importance %v over %d repeats; the stump depends on x", im[0].Mean, len(im[0].Drops))
	}
	// Recompute the drops by hand: column 0's permutations come from the
	// generator seeded with (Seed, 0).
	y, _ := Target(data, "y")
	x, _ := data.Drop("y")
	full, _ := p.Predict(context.Background(), x)
	baseAcc, _ := Accuracy(y, full)
	r := rand.New(rand.NewPCG(3, 0))
	col, _ := x.Col("x")
	for k, d := range im[0].Drops {
		shuffled, _ := x.With("x", col.Take(r.Perm(len(y))))
		pred, _ := p.Predict(context.Background(), shuffled)
		acc, _ := Accuracy(y, pred)
		if d != baseAcc-acc {
			t.Errorf("drop %d = %v, recomputed %v", k, d, baseAcc-acc)
		}
	}
	if !slices.EqualFunc(im, run(8), func(a, b Importance) bool { return slices.Equal(a.Drops, b.Drops) }) {
		t.Error("importances differ between 1 and 8 workers")
	}
	if s := im.String(); !strings.HasPrefix(strings.Split(s, "\n")[1], "x ") {
		t.Errorf("String not sorted:\n%s", s)
	}
	tests := []struct {
		name string
		opts ImportanceOptions
		want error
	}{
		{"unknown column", ImportanceOptions{Columns: []string{"z"}}, frame.ErrNoColumn},
		{"negative repeats", ImportanceOptions{Repeats: -1}, ErrValue},
		{"probability scorer", ImportanceOptions{Scorer: ScoreROCAUC}, nil},
	}
	for _, tt := range tests {
		_, err := PermutationImportance(context.Background(), p, data, "y", tt.opts)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if _, err := PermutationImportance(context.Background(), p, data, "label", ImportanceOptions{}); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("unknown target: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := PermutationImportance(ctx, p, data, "y", ImportanceOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
