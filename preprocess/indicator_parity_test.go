package preprocess

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// TestMissingIndicatorParity compares MissingIndicator with scikit-learn's
// (testdata/gen_indicator_fixtures.py) on float and text columns: which
// columns get an indicator (only those missing in training, or all) and the
// indicators of new rows, exactly.
func TestMissingIndicatorParity(t *testing.T) {
	var fx []struct {
		Kind  string   `json:"kind"`
		Names []string `json:"names"`
		Train [][]any  `json:"train"` // float64, string or nil (missing)
		New   [][]any  `json:"new"`
		Cases []struct {
			Features  string      `json:"features"`
			Indicated []string    `json:"indicated"`
			Output    [][]float64 `json:"output"`
		} `json:"cases"`
	}
	readJSON(t, "testdata/indicator_fixtures.json", &fx)
	ctx := context.Background()
	for _, c := range fx {
		build := func(cols [][]any) *frame.Frame {
			series := make([]frame.Series, len(c.Names))
			for j, n := range c.Names {
				x := make([]float64, len(cols[j]))
				vals, valid := make([]string, len(cols[j])), make([]bool, len(cols[j]))
				for r, v := range cols[j] {
					switch v := v.(type) {
					case float64:
						x[r] = v
					case string:
						vals[r], valid[r] = v, true
					default:
						x[r] = math.NaN()
					}
				}
				if c.Kind == "float" {
					series[j] = frame.Floats(n, x)
				} else {
					series[j] = frame.Categories(n, vals, valid)
				}
			}
			return mustFrame(t, series...)
		}
		train, test := build(c.Train), build(c.New)
		for _, k := range c.Cases {
			t.Run(c.Kind+"/"+k.Features, func(t *testing.T) {
				fitted, err := MissingIndicatorSpec{All: k.Features == "all"}.Fit(ctx, train)
				if err != nil {
					t.Fatal(err)
				}
				step := fitted.(*MissingIndicatorStep)
				if !slices.Equal(step.Columns, k.Indicated) {
					t.Fatalf("indicated %q, scikit-learn %q", step.Columns, k.Indicated)
				}
				out, err := fitted.Transform(ctx, test)
				if err != nil {
					t.Fatal(err)
				}
				for j, n := range k.Indicated {
					got, err := out.Float(n + MissingSuffix)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, k.Output[j]) {
						t.Errorf("%s: %v, scikit-learn %v", n, got, k.Output[j])
					}
				}
				if want := len(c.Names) + len(k.Indicated); out.NumCols() != want {
					t.Errorf("%d columns out, want %d", out.NumCols(), want)
				}
			})
		}
	}
}
