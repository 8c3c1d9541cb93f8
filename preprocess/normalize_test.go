package preprocess

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func TestNormalizeText(t *testing.T) {
	ctx := context.Background()
	in := []string{" us", "US", "ＵＳ", "USA ", "United   States", "Straße", "STRASSE", "  New   York ", "ﬁle", " ", "x"}
	valid := []bool{true, true, true, true, true, true, true, true, true, true, false}
	want := []any{"us", "us", "us", "us", "us", "strasse", "strasse", "new york", "file", nil, nil}
	spec := NormalizeText().WithSynonyms(map[string]string{"usa": "us", " UNITED states": "us"})
	for _, col := range []frame.Series{frame.Categories("c", in, valid), frame.Strings("c", in, valid)} {
		f := mustFrame(t, col)
		fitted, err := spec.Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := fitted.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := out.Col("c")
		if c.Kind() != col.Col.Kind() {
			t.Errorf("kind %v became %v", col.Col.Kind(), c.Kind())
		}
		var got []any
		for i := range c.Len() {
			got = append(got, c.Value(i))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: got %q", col.Col.Kind(), got)
		}
		// " us", "US", "ＵＳ", "USA ", "United   States" are one label (4
		// merged), "Straße" and "STRASSE" another (1 merged).
		if m := fitted.(*TextNormalizer).Merged; m[0] != 5 {
			t.Errorf("%v: merged %v, want 5", col.Col.Kind(), m)
		}
		if cc, ok := c.(*frame.CategoricalColumn); ok && len(cc.Dict()) != 4 {
			t.Errorf("dictionary %q, want 4 labels", cc.Dict())
		}
		roundTrip(t, fitted, f)
	}
	// Each normalisation can be turned off.
	f := mustFrame(t, frame.Strings("c", []string{" A  b "}, nil))
	for _, tt := range []struct {
		spec TextSpec
		want string
	}{
		{TextSpec{Trim: true}, "A  b"},
		{TextSpec{CollapseSpaces: true}, "A b"},
		{TextSpec{Fold: true}, " a  b "},
		{TextSpec{}, " A  b "},
	} {
		fitted, err := tt.spec.Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := fitted.Transform(ctx, f)
		c, _ := out.Col("c")
		if got := c.Value(0); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.spec, got, tt.want)
		}
	}
	if _, err := NormalizeText().WithSynonyms(map[string]string{"  ": "x"}).Fit(ctx, f); !errors.Is(err, ErrParam) {
		t.Errorf("empty synonym key: %v", err)
	}
	if _, err := NormalizeText("nope").Fit(ctx, f); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("unknown column: %v", err)
	}
}

func TestDedupe(t *testing.T) {
	f := mustFrame(t,
		frame.Floats("id", []float64{1, 1, 2, nan, nan, 1}),
		frame.Categories("c", []string{"a", "a", "a", "b", "b", "z"}, nil),
	)
	tests := []struct {
		cols    []string
		dropped int
		ids     []float64
	}{
		{nil, 2, []float64{1, 2, nan, 1}},
		{[]string{"id"}, 3, []float64{1, 2, nan}},
		{[]string{"c"}, 3, []float64{1, nan, 1}},
	}
	for _, tt := range tests {
		out, dropped, err := Dedupe(f, tt.cols...)
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := out.Float("id")
		if dropped != tt.dropped || len(ids) != len(tt.ids) {
			t.Errorf("Dedupe(%q) dropped %d, ids %v", tt.cols, dropped, ids)
		}
	}
	if _, _, err := Dedupe(f, "nope"); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("unknown column: %v", err)
	}
}
