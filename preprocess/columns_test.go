package preprocess

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func TestColumnTransform(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t,
		frame.Floats("age", []float64{20, 30, nan, 50}),
		frame.Floats("income", []float64{1, 2, 3, 4}),
		frame.Categories("city", []string{"Oslo", "Bergen", "Oslo", "Oslo"}, nil),
		frame.Categories("cat_plan", []string{"pro", "basic", "pro", "pro"}, nil),
		frame.Strings("note", []string{"a", "b", "c", "d"}, nil),
	)
	spec := ColumnTransform(
		Part(ByKind(frame.Float), StandardScale),
		Part(ByPattern("^cat_"), OneHot),
		Part(ByName("city"), Ordinal),
	)
	fitted, err := spec.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	ct := fitted.(*ColumnTransformer)
	if !reflect.DeepEqual(ct.Columns, [][]string{{"age", "income"}, {"cat_plan"}, {"city"}}) {
		t.Errorf("columns %q", ct.Columns)
	}
	out, err := fitted.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"age", "income", "city", "cat_plan=basic", "cat_plan=pro", "note"}
	if !reflect.DeepEqual(out.Names(), want) {
		t.Errorf("names %q, want %q", out.Names(), want)
	}
	// The parts agree with the steps fitted alone.
	alone, _ := StandardScale("age", "income").Fit(ctx, f)
	if !reflect.DeepEqual(alone, ct.Parts[0]) {
		t.Errorf("part 0 %+v, alone %+v", ct.Parts[0], alone)
	}
	roundTrip(t, fitted, f)

	dropped, err := spec.WithDropRest().Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	out, err = dropped.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if out.Has("note") || !out.Has("age") {
		t.Errorf("drop rest: %q", out.Names())
	}
	roundTrip(t, dropped, f)

	// Except, and a selector choosing nothing.
	rest, err := ColumnTransform(Part(Except(ByKind(frame.Float, frame.String)), OneHot), Part(ByPattern("^zzz"), StandardScale)).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if got := rest.(*ColumnTransformer).Columns; !reflect.DeepEqual(got, [][]string{{"city", "cat_plan"}}) {
		t.Errorf("except: %q", got)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		spec ColumnTransformSpec
		want error
	}{
		{"overlap", ctx, ColumnTransform(Part(ByKind(frame.Float), StandardScale), Part(ByName("age"), MinMaxScale)), ErrParam},
		{"bad pattern", ctx, ColumnTransform(Part(ByPattern("("), StandardScale)), ErrParam},
		{"unknown name", ctx, ColumnTransform(Part(ByName("nope"), StandardScale)), frame.ErrNoColumn},
		{"wrong kind", ctx, ColumnTransform(Part(ByName("note"), StandardScale)), frame.ErrKind},
		{"no step", ctx, ColumnTransformSpec{Parts: []ColumnPart{{Select: ByName("age")}}}, ErrParam},
		{"cancelled", cancelled, spec, context.Canceled},
	} {
		if _, err := tt.spec.Fit(tt.ctx, f); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := fitted.Transform(ctx, mustFrame(t, frame.Floats("age", []float64{1}))); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("transform without a column: %v", err)
	}
}

func TestMissingIndicator(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t,
		frame.Floats("a", []float64{1, nan, 3}),
		frame.Floats("b", []float64{1, 2, 3}),
		frame.Categories("c", []string{"x", "", "y"}, []bool{true, false, true}),
	)
	test := mustFrame(t,
		frame.Floats("a", []float64{nan, 1}),
		frame.Floats("b", []float64{nan, 2}),
		frame.Categories("c", []string{"x", "z"}, nil),
	)
	tests := []struct {
		spec  MissingIndicatorSpec
		names []string
		cols  map[string][]float64
	}{
		{MissingIndicator(), []string{"a", "b", "c", "a_missing", "c_missing"}, map[string][]float64{"a_missing": {1, 0}, "c_missing": {0, 0}}},
		{MissingIndicatorSpec{All: true, Columns: []string{"b", "a"}}, []string{"a", "b", "c", "b_missing", "a_missing"}, map[string][]float64{"b_missing": {1, 0}}},
		{MissingIndicator("b"), []string{"a", "b", "c"}, nil},
	}
	for _, tt := range tests {
		fitted, err := tt.spec.Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := fitted.Transform(ctx, test)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out.Names(), tt.names) {
			t.Errorf("%+v: names %q, want %q", tt.spec, out.Names(), tt.names)
		}
		for n, want := range tt.cols {
			got, _ := out.Float(n)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %v, want %v", n, got, want)
			}
		}
		roundTrip(t, fitted, test)
	}
	if _, err := MissingIndicator("zz").Fit(ctx, f); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("unknown column: %v", err)
	}
}

func TestDropSparse(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t,
		frame.Floats("full", []float64{1, 2, 3, 4}),
		frame.Floats("half", []float64{1, nan, 3, nan}),
		frame.Categories("most", []string{"a", "", "", ""}, []bool{true, false, false, false}),
	)
	for _, tt := range []struct {
		max  float64
		kept []string
	}{{0.5, []string{"full", "half"}}, {0.4, []string{"full"}}, {0, []string{"full"}}, {1, []string{"full", "half", "most"}}} {
		fitted, err := DropSparse(tt.max).Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := fitted.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out.Names(), tt.kept) {
			t.Errorf("max %v: kept %q, want %q", tt.max, out.Names(), tt.kept)
		}
		roundTrip(t, fitted, f)
	}
	if _, err := DropSparse(2).Fit(ctx, f); !errors.Is(err, ErrParam) {
		t.Errorf("share 2: %v", err)
	}
	for _, tt := range []struct {
		max     float64
		cols    []string
		dropped int
	}{{0, nil, 3}, {0.34, nil, 2}, {0.5, nil, 2}, {0.67, nil, 0}, {0, []string{"half"}, 2}} {
		_, dropped, err := DropMissingRows(f, tt.max, tt.cols...)
		if err != nil || dropped != tt.dropped {
			t.Errorf("DropMissingRows(%v, %q) dropped %d (%v), want %d", tt.max, tt.cols, dropped, err, tt.dropped)
		}
	}
	if _, _, err := DropMissingRows(f, 0, "nope"); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("unknown column: %v", err)
	}
}
