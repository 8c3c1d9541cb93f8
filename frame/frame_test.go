package frame

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func sample(t *testing.T) *Frame {
	t.Helper()
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	f, err := New(
		Floats("x", []float64{1, math.NaN(), 3, 4}),
		Categories("c", []string{"a", "b", "a", ""}, []bool{true, true, true, false}),
		Strings("s", []string{"hi", "", "yo", "ok"}, []bool{true, false, true, true}),
		Times("t", []time.Time{t0, {}, t0.Add(time.Hour), t0}, nil),
		Bools("b", []bool{true, false, true, false}, []bool{true, true, false, true}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name   string
		series []Series
		want   error
	}{
		{"duplicate", []Series{Floats("x", []float64{1}), Floats("x", []float64{2})}, ErrDuplicate},
		{"length", []Series{Floats("x", []float64{1}), Floats("y", []float64{1, 2})}, ErrLength},
		{"no name", []Series{Floats("", []float64{1})}, nil},
		{"nil column", []Series{{Name: "x"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.series...)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestColumnsAndMissing(t *testing.T) {
	f := sample(t)
	if f.NumRows() != 4 || f.NumCols() != 5 {
		t.Fatalf("size %d×%d", f.NumRows(), f.NumCols())
	}
	wantNA := map[string][]bool{
		"x": {false, true, false, false},
		"c": {false, false, false, true},
		"s": {false, true, false, false},
		"t": {false, true, false, false},
		"b": {false, false, true, false},
	}
	for name, want := range wantNA {
		c, err := f.Col(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			if c.IsNA(i) != w || (c.Value(i) == nil) != w {
				t.Errorf("%s row %d: IsNA %v Value %v, want missing=%v", name, i, c.IsNA(i), c.Value(i), w)
			}
		}
		if Missing(c) != 1 {
			t.Errorf("%s: Missing %d, want 1", name, Missing(c))
		}
	}
	if _, err := f.Col("nope"); !errors.Is(err, ErrNoColumn) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := f.Float("c"); !errors.Is(err, ErrKind) {
		t.Errorf("Float of categorical: %v", err)
	}
	if _, err := f.Categorical("x"); !errors.Is(err, ErrKind) {
		t.Errorf("Categorical of float: %v", err)
	}
	tc, _ := f.Col("t")
	if got, ok := tc.(*TimeColumn).At(2); !ok || got.Hour() != 1 {
		t.Errorf("time At(2) = %v %v", got, ok)
	}
}

func TestSelectDropRenameWith(t *testing.T) {
	f := sample(t)
	g, err := f.Select("b", "x")
	if err != nil || !slices.Equal(g.Names(), []string{"b", "x"}) || g.NumRows() != 4 {
		t.Fatalf("select: %v %v", g.Names(), err)
	}
	if _, err := f.Select("x", "zz"); !errors.Is(err, ErrNoColumn) {
		t.Errorf("select unknown: %v", err)
	}
	if _, err := f.Select("x", "x"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("select twice: %v", err)
	}
	d, err := f.Drop("c", "s")
	if err != nil || !slices.Equal(d.Names(), []string{"x", "t", "b"}) {
		t.Fatalf("drop: %v %v", d.Names(), err)
	}
	if _, err := f.Drop("zz"); !errors.Is(err, ErrNoColumn) {
		t.Errorf("drop unknown: %v", err)
	}
	r, err := f.Rename("x", "y")
	if err != nil || !r.Has("y") || r.Has("x") || !f.Has("x") {
		t.Fatalf("rename: %v %v (original must keep x)", r.Names(), err)
	}
	if _, err := f.Rename("x", "c"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("rename onto existing: %v", err)
	}
	w, err := f.With("x", NewFloat([]float64{9, 9, 9, 9}))
	if err != nil {
		t.Fatal(err)
	}
	wx, _ := w.Float("x")
	fx, _ := f.Float("x")
	if wx[0] != 9 || fx[0] != 1 || w.NumCols() != 5 {
		t.Errorf("with replace: new %v old %v", wx, fx)
	}
	w2, err := f.With("z", NewFloat([]float64{1, 2, 3, 4}))
	if err != nil || w2.Names()[5] != "z" || f.NumCols() != 5 {
		t.Errorf("with append: %v %v", w2.Names(), err)
	}
	if _, err := f.With("z", NewFloat([]float64{1})); !errors.Is(err, ErrLength) {
		t.Errorf("with wrong length: %v", err)
	}
	var empty Frame
	e, err := empty.With("a", NewFloat([]float64{1, 2}))
	if err != nil || e.NumRows() != 2 {
		t.Errorf("with on zero frame: %v", err)
	}
}

func TestTakeSliceFilterConcat(t *testing.T) {
	f := sample(t)
	g, err := f.Take([]int{3, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := g.Col("c")
	if g.NumRows() != 3 || !c.IsNA(0) || c.Value(1) != "b" {
		t.Errorf("take categorical: %v %v", c.Value(0), c.Value(1))
	}
	s, _ := g.Col("s")
	if !s.IsNA(1) || s.Value(0) != "ok" {
		t.Errorf("take string: %v", s.Value(0))
	}
	if _, err := f.Take([]int{4}); !errors.Is(err, ErrIndex) {
		t.Errorf("take out of range: %v", err)
	}
	if _, err := f.Take([]int{-1}); !errors.Is(err, ErrIndex) {
		t.Errorf("take negative: %v", err)
	}
	sl, err := f.Slice(1, 3)
	if err != nil || sl.NumRows() != 2 {
		t.Fatal(err)
	}
	if v, _ := sl.Float("x"); v[1] != 3 {
		t.Errorf("slice: %v", v)
	}
	if _, err := f.Slice(3, 2); !errors.Is(err, ErrIndex) {
		t.Errorf("bad slice: %v", err)
	}
	x, _ := f.Float("x")
	fl := f.Filter(func(i int) bool { return !math.IsNaN(x[i]) && x[i] > 2 })
	if v, _ := fl.Float("x"); !slices.Equal(v, []float64{3, 4}) {
		t.Errorf("filter: %v", v)
	}
	all, err := Concat(f, g)
	if err != nil || all.NumRows() != 7 {
		t.Fatalf("concat: %v", err)
	}
	for _, name := range all.Names() {
		col, _ := all.Col(name)
		if col.Len() != 7 {
			t.Errorf("concat %s: len %d", name, col.Len())
		}
	}
	cb, _ := all.Col("b")
	if !cb.IsNA(2) || cb.IsNA(4) {
		t.Errorf("concat bool mask wrong")
	}
	other, _ := New(Floats("x", []float64{1}))
	if _, err := Concat(f, other); !errors.Is(err, ErrNoColumn) {
		t.Errorf("concat different columns: %v", err)
	}
	k1, _ := New(Floats("x", []float64{1}))
	k2, _ := New(Categories("x", []string{"a"}, nil))
	if _, err := Concat(k1, k2); !errors.Is(err, ErrKind) {
		t.Errorf("concat different kinds: %v", err)
	}
}

func TestCategoricalCodes(t *testing.T) {
	if _, err := NewCategoricalCodes([]int32{0, 2}, []string{"a", "b"}); !errors.Is(err, ErrCode) {
		t.Errorf("code out of range: %v", err)
	}
	if _, err := NewCategoricalCodes([]int32{0}, []string{"a", "a"}); !errors.Is(err, ErrCode) {
		t.Errorf("duplicate dict: %v", err)
	}
	c, err := NewCategoricalCodes([]int32{1, -1, 0}, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := c.Label(0); !ok || l != "b" {
		t.Errorf("label: %q %v", l, ok)
	}
	if _, ok := c.Label(1); ok {
		t.Errorf("missing label reported present")
	}
}

func TestMatrix(t *testing.T) {
	f := sample(t)
	if _, _, err := f.Matrix("x"); !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), `"x" row 1`) {
		t.Errorf("NaN: %v", err)
	}
	if _, _, err := f.Matrix("b"); !errors.Is(err, ErrMissing) {
		t.Errorf("missing bool: %v", err)
	}
	if _, _, err := f.Matrix("s"); !errors.Is(err, ErrKind) {
		t.Errorf("string column: %v", err)
	}
	if _, _, err := f.Matrix("nope"); !errors.Is(err, ErrNoColumn) {
		t.Errorf("unknown: %v", err)
	}
	var empty Frame
	if _, _, err := empty.Matrix(); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	g, _ := New(Floats("a", []float64{1, 2}), Floats("b", []float64{3, 4}))
	X, names, err := g.Matrix()
	if err != nil || !slices.Equal(names, []string{"a", "b"}) || X.At(1, 0) != 2 || X.At(0, 1) != 3 {
		t.Errorf("matrix: %v %v", names, err)
	}
}

func TestDescribe(t *testing.T) {
	f, _ := New(
		Floats("v", []float64{1, 2, 3, 4, math.NaN()}),
		Categories("k", []string{"b", "a", "a", "b", "c"}, nil),
	)
	d := f.Describe()
	v := d[0]
	// pandas: describe of [1,2,3,4]: mean 2.5, std 1.290994, 25% 1.75, 50% 2.5, 75% 3.25
	if v.Count != 4 || v.Missing != 1 || v.Mean != 2.5 || math.Abs(v.Std-1.2909944487358056) > 1e-12 ||
		v.Q25 != 1.75 || v.Q50 != 2.5 || v.Q75 != 3.25 || v.Min != 1 || v.Max != 4 {
		t.Errorf("float summary %+v", v)
	}
	k := d[1]
	if k.Unique != 3 || k.Top != "b" || k.Freq != 2 {
		t.Errorf("categorical summary %+v (top must be the first seen on ties)", k)
	}
	if s := d.String(); !strings.Contains(s, "column") || !strings.Contains(s, "2.5") {
		t.Errorf("describe text:\n%s", s)
	}
}

func TestQuantile(t *testing.T) {
	for _, tt := range []struct {
		v    []float64
		q    float64
		want float64
	}{
		{[]float64{1}, 0.5, 1},
		{[]float64{1, 2}, 0.5, 1.5},
		{[]float64{1, 2, 3, 4, 5}, 0.1, 1.4},
		{[]float64{1, 2, 3, 4, 5}, 1, 5},
	} {
		if got := Quantile(tt.v, tt.q); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Quantile(%v, %v) = %v, want %v", tt.v, tt.q, got, tt.want)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) || !math.IsNaN(Quantile([]float64{1}, 2)) {
		t.Error("undefined quantile not NaN")
	}
}

func TestStringShowsHeadAndSize(t *testing.T) {
	v := make([]float64, 25)
	f, _ := New(Floats("v", v))
	s := f.String()
	if !strings.Contains(s, "15 more rows") || !strings.Contains(s, "[25 rows × 1 columns]") {
		t.Errorf("String:\n%s", s)
	}
}

// Frames are values: concurrent derivations must not race (run with -race).
func TestConcurrentUse(t *testing.T) {
	f := sample(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, _ := f.With("n", NewFloat([]float64{float64(i), 0, 0, 0}))
			g, _ = g.Take([]int{0, 2})
			_ = g.Describe()
			_ = g.String()
		}()
	}
	wg.Wait()
	if f.Has("n") {
		t.Error("original frame changed")
	}
}
