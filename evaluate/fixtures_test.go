package evaluate

import (
	"encoding/json"
	"math"
	"os"
	"sync"
	"testing"
)

// fixtures mirrors testdata/fixtures.json, written by testdata/gen_fixtures.py.
type fixtures struct {
	SklearnVersion string `json:"sklearn_version"`
	Sums           []struct {
		Values    []float64
		Sum, Mean float64
	}
	Binary []struct {
		Name         string
		YTrue        []float64 `json:"y_true"`
		YPred        []float64 `json:"y_pred"`
		Score        []float64
		Accuracy, F1 float64
		ROCAUC       *float64 `json:"roc_auc"`
	}
	Regression []struct {
		Name     string
		YTrue    []float64 `json:"y_true"`
		YPred    []float64 `json:"y_pred"`
		R2, RMSE float64
	}
	StratifiedKFold []struct {
		Name string
		Y    []float64
		K    int
		Test [][]int
	} `json:"stratified_kfold"`
	KFold []struct {
		N, K int
		Test [][]int
	} `json:"kfold"`
	TrainTestSplit []struct {
		Name          string
		Y             []float64
		TestFraction  float64 `json:"test_fraction"`
		NTrain        int     `json:"n_train"`
		NTest         int     `json:"n_test"`
		Deterministic bool
		TrainCounts   []int `json:"train_counts"`
		TestCounts    []int `json:"test_counts"`
	} `json:"train_test_split"`
}

var loadFixtures = sync.OnceValues(func() (*fixtures, error) {
	b, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		return nil, err
	}
	var f fixtures
	return &f, json.Unmarshal(b, &f)
})

func fx(t *testing.T) *fixtures {
	t.Helper()
	f, err := loadFixtures()
	if err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	return f
}

// tol is the agreement asked of every metric against scikit-learn.
const tol = 1e-12

func close(a, b float64) bool {
	return a == b || math.Abs(a-b) <= tol
}
