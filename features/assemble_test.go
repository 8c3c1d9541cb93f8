package features

import (
	"context"
	"errors"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

func TestAssemble(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t,
		frame.Floats("age", []float64{30, 0, 45}),
		frame.Bools("mobile", []bool{true, false, true}, nil),
		frame.Strings("notes", []string{"slow app", "", "refund refund"}, nil),
		frame.Categories("plan", []string{"a", "b", "a"}, nil),
	)
	count, err := CountVectorize("notes").Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := Hashing("notes", 4).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	m, names, err := Assemble(ctx, f, []string{"age", "mobile"}, count.(*CountVectorizer), hash.(*HashingVectorizer))
	if err != nil {
		t.Fatal(err)
	}
	checkCSR(t, m)
	wantNames := []string{"age", "mobile", "notes:app", "notes:refund", "notes:slow", "notes:#0", "notes:#1", "notes:#2", "notes:#3"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Fatalf("names %q, want %q", names, wantNames)
	}
	hm, _ := hash.(*HashingVectorizer).Sparse(ctx, f)
	for i := range 3 {
		want := []float64{[]float64{30, 0, 45}[i], []float64{1, 0, 1}[i]}
		want = append(want, [][]float64{{1, 0, 1}, {0, 0, 0}, {0, 2, 0}}[i]...)
		for j := range 4 {
			want = append(want, hm.At(i, j))
		}
		got := make([]float64, len(names))
		m.DoRowNonZero(i, func(_, j int, v float64) { got[j] = v })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("row %d = %v, want %v", i, got, want)
		}
	}
	if m.At(1, 0) != 0 || m.NNZ() != 2+2+3+hm.NNZ() {
		t.Errorf("zeros stored: %d values", m.NNZ())
	}
	for _, tc := range []struct {
		name  string
		f     *frame.Frame
		dense []string
		want  error
	}{
		{"categorical", f, []string{"plan"}, frame.ErrKind},
		{"unknown", f, []string{"nope"}, frame.ErrNoColumn},
		{"missing", mustFrame(t, frame.Floats("age", []float64{1, math.NaN()})), []string{"age"}, frame.ErrMissing},
		{"nothing", f, nil, frame.ErrEmpty},
	} {
		if _, _, err := Assemble(ctx, tc.f, tc.dense); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	a, _ := NewCSR(1, 1, []int{0, 0}, nil, nil)
	b, _ := NewCSR(2, 1, []int{0, 0, 0}, nil, nil)
	if _, err := HStack(a, b); !errors.Is(err, ErrParam) {
		t.Errorf("hstack of 1 and 2 rows: %v", err)
	}
}

// TestConcurrentUse runs loaded fitted steps from several goroutines at
// once (the lookup index of a vectoriser is built on first use).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t, frame.Strings("notes", []string{"slow app", "refund please", "great app"}, nil),
		frame.Floats("x", []float64{1, 2, 3}))
	var steps []preprocess.Fitted
	for _, s := range []preprocess.Step{Tfidf("notes"), CountVectorize("notes"), Polynomial(2, "x"), KBins(2, Uniform, "x")} {
		fitted, err := s.Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := preprocess.MarshalFitted(fitted)
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := preprocess.UnmarshalFitted(b)
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, loaded)
	}
	want := make([]*frame.Frame, len(steps))
	var wg sync.WaitGroup
	results := make([][]*frame.Frame, 8)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, s := range steps {
				out, err := s.Transform(ctx, f)
				if err != nil {
					t.Error(err)
					return
				}
				results[g] = append(results[g], out)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for k, s := range steps {
		var err error
		if want[k], err = s.Transform(ctx, f); err != nil {
			t.Fatal(err)
		}
		for g := range results {
			assertFramesEqual(t, results[g][k], want[k])
		}
	}
}
