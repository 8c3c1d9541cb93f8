package cache

import (
	"math"
	"testing"
)

func TestFingerprint(t *testing.T) {
	fp := func(parts ...any) string {
		t.Helper()
		s, err := Fingerprint(parts...)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != 64 {
			t.Fatalf("fingerprint %q is not 64 hex digits", s)
		}
		return s
	}
	data := []float64{1, 2.5, math.NaN()}
	params := map[string]any{"alpha": 0.1, "fit_intercept": true}
	base := fp("ridge", data, params, 1)
	same := []struct {
		name  string
		parts []any
	}{
		{"equal inputs", []any{"ridge", []float64{1, 2.5, math.NaN()}, map[string]any{"fit_intercept": true, "alpha": 0.1}, 1}},
	}
	for _, tt := range same {
		if got := fp(tt.parts...); got != base {
			t.Errorf("%s: %s, want %s", tt.name, got, base)
		}
	}
	differ := []struct {
		name  string
		parts []any
	}{
		{"other data", []any{"ridge", []float64{1, 2.5, 3}, params, 1}},
		{"other parameter", []any{"ridge", data, map[string]any{"alpha": 0.2, "fit_intercept": true}, 1}},
		{"other format version", []any{"ridge", data, params, 2}},
		{"float version", []any{"ridge", data, params, 1.0}},
		{"split strings", []any{"ridg", "e", data, params, 1}},
		{"float32 data", []any{"ridge", []float32{1, 2.5, float32(math.NaN())}, params, 1}},
	}
	seen := map[string]string{base: "base"}
	for _, tt := range differ {
		got := fp(tt.parts...)
		if prev, dup := seen[got]; dup {
			t.Errorf("%s: same fingerprint as %s", tt.name, prev)
		}
		seen[got] = tt.name
	}
	if fp("a", "bc") == fp("ab", "c") {
		t.Error(`("a","bc") and ("ab","c") collide`)
	}
	if fp(0.0) == fp(math.Copysign(0, -1)) {
		t.Error("0 and -0 collide")
	}
	p := point{1, 2}
	if fp(&p) != fp(&point{1, 2}) || fp(&p) == fp(&point{2, 1}) {
		t.Error("BinaryMarshaler parts do not hash by their binary form")
	}
	for _, bad := range []any{func() {}, make(chan int), math.Inf(1) /* fine */} {
		_, err := Fingerprint(bad)
		if _, isFloat := bad.(float64); isFloat {
			if err != nil {
				t.Errorf("Fingerprint(+Inf): %v", err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Fingerprint(%T): no error", bad)
		}
	}
	// nil, bools, ints and strings slices are accepted.
	fp(nil, true, false, int64(3), int32(3), uint(3), uint64(3), []int{1}, []int64{1}, []int32{1}, []string{"a"}, []byte("x"))
}
