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

type fixtureFile struct {
	Datasets map[string]fixtureData `json:"datasets"`
	Linear   []linearFixture        `json:"linear"`
	Ridge    []linearFixture        `json:"ridge"`
	Logistic []logisticFixture      `json:"logistic"`
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
