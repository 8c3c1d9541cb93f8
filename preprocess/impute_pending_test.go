package preprocess

import (
	"context"
	"reflect"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// An exact median partial refers to its batches' values until it must copy
// them: Finish may be called, more batches added, and Finish called again,
// and Marshal/Merge see every value.
func TestImputeMedianPartialLifecycle(t *testing.T) {
	ctx := context.Background()
	a := mustFrame(t, frame.Floats("x", []float64{1, nan, 7, 3}))
	b := mustFrame(t, frame.Floats("x", []float64{10, 20, nan, 30, 40}))
	all, err := frame.Concat(a, b)
	if err != nil {
		t.Fatal(err)
	}
	spec := Impute(Median, "x")
	want, err := spec.Fit(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	p := spec.Begin()
	if err := p.Add(ctx, a); err != nil {
		t.Fatal(err)
	}
	first, err := p.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if got := first.(*Imputer).Columns[0]; got.Value != 3 || got.Missing != 1 {
		t.Errorf("after the first batch: %+v, want median 3 with 1 missing", got)
	}
	if err := p.Add(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := p.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after both batches: %+v, want %+v", got, want)
	}
	// Shipped to another process and merged there.
	data, err := MarshalPartial(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := UnmarshalPartial(spec, data)
	if err != nil {
		t.Fatal(err)
	}
	merged := spec.Begin()
	if err := merged.Merge(q); err != nil {
		t.Fatal(err)
	}
	if got, err := merged.Finish(); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("shipped and merged: %+v, %v; want %+v", got, err, want)
	}
}
