package preprocess

import (
	"context"
	"errors"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func TestKNNImputeParity(t *testing.T) {
	loadFixtures(t)
	var fx struct {
		KNN []struct {
			K        int          `json:"k"`
			Weights  string       `json:"weights"`
			Train    [][]*float64 `json:"train"`
			New      [][]*float64 `json:"new"`
			TrainOut [][]*float64 `json:"train_out"`
			NewOut   [][]*float64 `json:"new_out"`
		} `json:"knn"`
	}
	readJSON(t, "testdata/fixtures.json", &fx)
	ctx := context.Background()
	for _, c := range fx.KNN {
		train, test := floatFrame(t, nil, c.Train), floatFrame(t, nil, c.New)
		fitted, err := KNNImputeSpec{Neighbors: c.K, DistanceWeights: c.Weights == "distance"}.Fit(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			in   *frame.Frame
			want [][]*float64
		}{{train, c.TrainOut}, {test, c.NewOut}} {
			out, err := fitted.Transform(ctx, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			for j, name := range out.Names() {
				got, _ := out.Float(name)
				checkFloats(t, c.Weights+" "+name, got, floatsOf(tt.want[j]))
			}
		}
		roundTrip(t, fitted, test)
	}
	allNaN := mustFrame(t, frame.Floats("a", []float64{nan, nan}), frame.Floats("b", []float64{1, 2}))
	if _, err := KNNImpute().Fit(ctx, allNaN); !errors.Is(err, ErrAllMissing) {
		t.Errorf("all-missing column: %v", err)
	}
	if _, err := (KNNImputeSpec{Neighbors: -1}).Fit(ctx, allNaN); !errors.Is(err, ErrParam) {
		t.Errorf("negative neighbours: %v", err)
	}
}
