package model_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

type fixtureData struct {
	X [][]float64 `json:"X"`
	Y []float64   `json:"y"`
}

type linearFixture struct {
	Data         string    `json:"data"`
	Alpha        float64   `json:"alpha"`
	FitIntercept bool      `json:"fit_intercept"`
	Coef         []float64 `json:"coef"`
	Intercept    float64   `json:"intercept"`
	Pred         []float64 `json:"pred"`
}

type logisticFixture struct {
	Data         string       `json:"data"`
	C            float64      `json:"C"`
	Penalty      string       `json:"penalty"`
	FitIntercept bool         `json:"fit_intercept"`
	ClassWeight  [][2]float64 `json:"class_weight"`
	Balanced     bool         `json:"balanced"`
	Classes      []float64    `json:"classes"`
	Coef         [][]float64  `json:"coef"`
	Intercept    []float64    `json:"intercept"`
	Proba        [][]float64  `json:"proba"`
	Pred         []float64    `json:"pred"`
}

type enetFixture struct {
	Data         string    `json:"data"`
	Alpha        float64   `json:"alpha"`
	L1Ratio      float64   `json:"l1_ratio"`
	FitIntercept bool      `json:"fit_intercept"`
	Coef         []float64 `json:"coef"`
	Intercept    float64   `json:"intercept"`
}

type dummyFixture struct {
	Data     string      `json:"data"`
	Strategy string      `json:"strategy"`
	Proba    [][]float64 `json:"proba"`
	Pred     []float64   `json:"pred"`
}

type nbFixture struct {
	Kind           string      `json:"kind"`
	Data           string      `json:"data"`
	VarSmoothing   float64     `json:"var_smoothing"`
	Alpha          float64     `json:"alpha"`
	FitPrior       bool        `json:"fit_prior"`
	Proba          [][]float64 `json:"proba"`
	Pred           []float64   `json:"pred"`
	Theta          [][]float64 `json:"theta"`
	Var            [][]float64 `json:"var"`
	FeatureLogProb [][]float64 `json:"feature_log_prob"`
}

type knnFixture struct {
	Data       string      `json:"data"`
	Cut        int         `json:"cut"`
	K          int         `json:"k"`
	Weights    string      `json:"weights"`
	Classifier bool        `json:"classifier"`
	Pred       []float64   `json:"pred"`
	Proba      [][]float64 `json:"proba"`
}

type treeFixture struct {
	Data            string      `json:"data"`
	Cut             int         `json:"cut"`
	Criterion       string      `json:"criterion"`
	MaxDepth        int         `json:"max_depth"`
	MinSamplesLeaf  int         `json:"min_samples_leaf"`
	MinSamplesSplit int         `json:"min_samples_split"`
	Pred            []float64   `json:"pred"`
	Proba           [][]float64 `json:"proba"`
	Importances     []float64   `json:"importances"`
	Stable          bool        `json:"stable"`
	NodeCounts      []int       `json:"node_counts"`
	TestScores      []float64   `json:"test_scores"`
}

type cvFixture struct {
	Data     string  `json:"data"`
	Model    string  `json:"model"`
	Folds    [][]int `json:"folds"`
	Accuracy float64 `json:"accuracy"`
}

type forestFixture struct {
	Data        string    `json:"data"`
	OOBScore    float64   `json:"oob_score"`
	Importances []float64 `json:"importances"`
}

type fixtureFile struct {
	Datasets     map[string]fixtureData `json:"datasets"`
	Linear       []linearFixture        `json:"linear"`
	Ridge        []linearFixture        `json:"ridge"`
	Logistic     []logisticFixture      `json:"logistic"`
	Enet         []enetFixture          `json:"enet"`
	LassoDefault enetFixture            `json:"lasso_default"`
	Dummy        []dummyFixture         `json:"dummy"`
	NB           []nbFixture            `json:"nb"`
	KNN          []knnFixture           `json:"knn"`
	Tree         []treeFixture          `json:"tree"`
	CV           []cvFixture            `json:"cv"`
	ForestReg    forestFixture          `json:"forest_reg"`
	ForestClf    forestFixture          `json:"forest_clf"`
}

var (
	fixturesOnce sync.Once
	fixtures     fixtureFile
	fixturesErr  error
)

func loadFixtures(t testing.TB) *fixtureFile {
	t.Helper()
	fixturesOnce.Do(func() {
		b, err := os.ReadFile("testdata/fixtures.json")
		if err != nil {
			fixturesErr = err
			return
		}
		fixturesErr = json.Unmarshal(b, &fixtures)
	})
	if fixturesErr != nil {
		t.Fatalf("fixtures: %v", fixturesErr)
	}
	return &fixtures
}

// data returns the named dataset as a matrix and targets.
func (f *fixtureFile) data(t testing.TB, name string) (*mat.Dense, []float64) {
	t.Helper()
	d, ok := f.Datasets[name]
	if !ok {
		t.Fatalf("no dataset %q", name)
	}
	return rowsMatrix(d.X), d.Y
}

// split returns rows :cut and cut: of the named dataset.
func (f *fixtureFile) split(t testing.TB, name string, cut int) (*mat.Dense, []float64, *mat.Dense, []float64) {
	t.Helper()
	X, y := f.data(t, name)
	n, p := X.Dims()
	return X.Slice(0, cut, 0, p).(*mat.Dense), y[:cut], X.Slice(cut, n, 0, p).(*mat.Dense), y[cut:]
}

func rowsMatrix(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// close reports whether got is within abs + rel·|want| of want.
func closeTo(got, want, abs, rel float64) bool {
	return math.Abs(got-want) <= abs+rel*math.Abs(want)
}

func assertClose(t *testing.T, what string, got, want []float64, abs, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !closeTo(got[i], want[i], abs, rel) {
			t.Errorf("%s[%d] = %.10g, want %.10g (diff %.3g)", what, i, got[i], want[i], got[i]-want[i])
		}
	}
}

func ctx() context.Context { return context.Background() }

func name(parts ...any) string { return fmt.Sprint(parts...) }
