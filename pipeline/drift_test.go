package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
)

// driftFrame draws n rows: income ~ N(mean, 10), a country with the given
// shares of "US" (the rest split between "DE" and "FR"), a flag and a label;
// missing is the share of missing incomes.
func driftFrame(t *testing.T, seed uint64, n int, mean, us, missing float64) *frame.Frame {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	income := make([]float64, n)
	country := make([]string, n)
	flag := make([]bool, n)
	y := make([]float64, n)
	for i := range n {
		income[i] = mean + 10*rng.NormFloat64()
		if rng.Float64() < missing {
			income[i] = math.NaN()
		}
		switch r := rng.Float64(); {
		case r < us:
			country[i] = "US"
		case r < us+(1-us)/2:
			country[i] = "DE"
		default:
			country[i] = "FR"
		}
		flag[i] = rng.Float64() < 0.5
		y[i] = float64(rng.IntN(2))
	}
	f, err := frame.New(frame.Floats("income", income), frame.Categories("country", country, nil),
		frame.Bools("flag", flag, nil), frame.Floats("y", y))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDrift(t *testing.T) {
	ctx := context.Background()
	train := driftFrame(t, 1, 5000, 50, 0.5, 0.05)
	spec := ML{
		Steps:   []preprocess.Step{preprocess.Impute(preprocess.Mean, "income"), preprocess.OneHot("country")},
		Model:   model.LogisticRegression{},
		Target:  "y",
		Profile: true,
	}
	fitted, err := spec.Fit(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		serve *frame.Frame
		want  []string
	}{
		{"same distribution", driftFrame(t, 2, 2000, 50, 0.5, 0.05), nil},
		{"income shifted by one sd", driftFrame(t, 3, 2000, 60, 0.5, 0.05), []string{"income"}},
		{"country shares changed", driftFrame(t, 4, 2000, 50, 0.9, 0.05), []string{"country"}},
		{"incomes missing", driftFrame(t, 5, 2000, 50, 0.5, 0.4), []string{"income"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := fitted.Drift(tt.serve, DriftOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Drifted(); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("drifted %v, want %v\n%s", got, tt.want, rep)
			}
			for _, c := range rep.Columns {
				if !c.Drift && c.PSI >= 0.1 {
					t.Errorf("column %s passes with psi %v", c.Name, c.PSI)
				}
			}
			if _, err := json.Marshal(rep); err != nil {
				t.Error(err)
			}
		})
	}
	// The figures behind the flags.
	rep, _ := fitted.Drift(driftFrame(t, 3, 2000, 60, 0.9, 0.05), DriftOptions{})
	inc, ctry := rep.Columns[0], rep.Columns[1]
	if math.Abs(inc.MeanShift-1) > 0.1 || math.Abs(inc.TrainMean-50) > 0.5 || inc.PSI < 0.5 {
		t.Errorf("income %+v", inc)
	}
	if len(ctry.Frequencies) != 4 || ctry.Frequencies[0].Category != "US" || math.Abs(ctry.Frequencies[0].Serve-0.9) > 0.03 ||
		ctry.Frequencies[3].Category != otherCategory {
		t.Errorf("country %+v", ctry.Frequencies)
	}
	if !strings.Contains(rep.String(), "DRIFT: psi") {
		t.Errorf("report:\n%s", rep)
	}
	// A lower threshold flags the unshifted batch too; an unseen category
	// goes to the other bin.
	same := driftFrame(t, 2, 2000, 50, 0.5, 0.05)
	if rep, _ := fitted.Drift(same, DriftOptions{PSIThreshold: 1e-9}); len(rep.Drifted()) != 3 {
		t.Errorf("threshold ignored: %v", rep.Drifted())
	}
	unseen, _ := same.With("country", frame.NewCategorical(repeat("JP", 2000), nil))
	if rep, _ := fitted.Drift(unseen, DriftOptions{}); rep.Columns[1].Frequencies[3].Serve != 1 || !rep.Columns[1].Drift {
		t.Errorf("unseen category: %+v", rep.Columns[1])
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestDriftErrors(t *testing.T) {
	ctx := context.Background()
	train := driftFrame(t, 1, 100, 50, 0.5, 0)
	plain, err := ML{Steps: []preprocess.Step{preprocess.OneHot("country")}, Model: model.LogisticRegression{}, Target: "y"}.Fit(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Drift(train, DriftOptions{}); !errors.Is(err, ErrNoProfile) {
		t.Errorf("no profile: %v", err)
	}
	p, err := NewProfile(ctx, train, "income", "country")
	if err != nil {
		t.Fatal(err)
	}
	noIncome, _ := train.Drop("income")
	wrongKind, _ := train.With("income", frame.NewCategorical(repeat("x", 100), nil))
	empty, _ := train.Slice(0, 0)
	for name, c := range map[string]struct {
		f    *frame.Frame
		want error
		text string
	}{
		"missing column": {noIncome, ErrSchema, `"income"`},
		"wrong kind":     {wrongKind, ErrSchema, `"income"`},
		"no rows":        {empty, frame.ErrEmpty, ""},
	} {
		if _, err := p.Compare(c.f, DriftOptions{}); !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := NewProfile(ctx, train, "nope"); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := NewProfile(ctx, empty); !errors.Is(err, frame.ErrEmpty) {
		t.Errorf("empty frame: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := NewProfile(cancelled, train); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestProfileKinds(t *testing.T) {
	f, _ := frame.New(
		frame.Floats("x", []float64{1, 2, 3, 4, math.NaN()}),
		frame.Floats("none", []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}),
		frame.Bools("b", []bool{true, true, false, true, false}, nil),
		frame.Strings("s", []string{"a", "b", "c", "d", "e"}, []bool{true, true, true, true, false}),
	)
	p, err := NewProfile(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	x, none, b, s := p.Columns[0], p.Columns[1], p.Columns[2], p.Columns[3]
	if x.Missing != 0.2 || x.Count != 4 || x.Mean != 2.5 || math.Abs(x.Std-math.Sqrt(1.25)) > 1e-12 || len(x.Bins) != len(x.Edges)+1 {
		t.Errorf("x %+v", x)
	}
	if none.Missing != 1 || none.Bins != nil {
		t.Errorf("all missing %+v", none)
	}
	if b.Mean != 0.6 || strings.Join(b.Categories, ",") != "true,false,"+otherCategory || b.Bins[0] != 0.6 {
		t.Errorf("bool %+v", b)
	}
	if s.Missing != 0.2 || s.Bins != nil {
		t.Errorf("string %+v", s)
	}
	// The same frame does not drift from itself.
	rep, err := p.Compare(f, DriftOptions{})
	if err != nil || len(rep.Drifted()) != 0 {
		t.Errorf("self comparison: %v %v", err, rep)
	}
	for _, c := range rep.Columns {
		if c.PSI != 0 {
			t.Errorf("column %s psi %v against itself", c.Name, c.PSI)
		}
	}
}

func TestPSI(t *testing.T) {
	if got := PSI([]float64{0.5, 0.5}, []float64{0.5, 0.5}); got != 0 {
		t.Errorf("equal: %v", got)
	}
	want := (0.7-0.5)*math.Log(0.7/0.5) + (0.3-0.5)*math.Log(0.3/0.5)
	if got := PSI([]float64{0.5, 0.5}, []float64{0.7, 0.3}); math.Abs(got-want) > 1e-15 {
		t.Errorf("psi %v, want %v", got, want)
	}
	if got := PSI([]float64{1, 0}, []float64{0, 1}); math.IsInf(got, 0) || got < 10 {
		t.Errorf("empty bins: %v", got)
	}
	if !math.IsNaN(PSI([]float64{1}, []float64{0.5, 0.5})) {
		t.Error("lengths differ, not NaN")
	}
}

func BenchmarkProfile(b *testing.B) {
	f := benchFrame(1_000_000)
	ctx := context.Background()
	for b.Loop() {
		if _, err := NewProfile(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDrift(b *testing.B) {
	f := benchFrame(1_000_000)
	p, _ := NewProfile(context.Background(), f)
	serve, _ := f.Slice(0, 10_000)
	for b.Loop() {
		if _, err := p.Compare(serve, DriftOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
