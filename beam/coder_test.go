package mlbeam_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	mlbeam "github.com/mlpipe/mlpipe/beam"
	"github.com/mlpipe/mlpipe/frame"
)

func allKinds(t testing.TB) *frame.Frame {
	t.Helper()
	f, err := frame.New(
		frame.Floats("x", []float64{1.5, math.NaN(), math.Copysign(0, -1), math.Inf(1)}),
		frame.Floats("onehot", []float64{0, 0, 0, 1}),
		frame.Floats("zeros", []float64{0, 0, 0, 0}),
		frame.Categories("c", []string{"a", "", "b", "a"}, []bool{true, false, true, true}),
		frame.Strings("s", []string{"free, text", "", "é", "\"q\""}, []bool{true, false, true, true}),
		frame.Times("t", []time.Time{time.Unix(0, 5).UTC(), {}, time.Date(2024, 2, 29, 1, 2, 3, 4, time.UTC), time.Unix(-100, 0).UTC()},
			[]bool{true, false, true, true}),
		frame.Bools("b", []bool{true, false, false, true}, []bool{true, true, false, true}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFrameCoderRoundTrip(t *testing.T) {
	f := allKinds(t)
	data, err := mlbeam.EncodeFrame(f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := mlbeam.DecodeFrame(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.Names(), f.Names()) || g.NumRows() != f.NumRows() {
		t.Fatalf("decoded %v × %d, want %v × %d", g.Names(), g.NumRows(), f.Names(), f.NumRows())
	}
	for i := range f.NumCols() {
		name, want := f.ColAt(i)
		_, got := g.ColAt(i)
		if got.Kind() != want.Kind() {
			t.Fatalf("column %s: kind %v, want %v", name, got.Kind(), want.Kind())
		}
		for r := range f.NumRows() {
			gv, wv := got.Value(r), want.Value(r)
			if gt, ok := gv.(time.Time); ok {
				if !gt.Equal(wv.(time.Time)) {
					t.Errorf("column %s row %d: %v, want %v", name, r, gv, wv)
				}
				continue
			}
			if gv != wv && !(gv == nil && wv == nil) {
				t.Errorf("column %s row %d: %v, want %v", name, r, gv, wv)
			}
		}
	}
	x, _ := g.Float("x")
	if !math.Signbit(x[2]) {
		t.Error("-0 lost its sign")
	}
}

// TestDecodeFrameCorrupt checks that every truncation of a valid encoding,
// and trailing bytes, give an error and never a panic.
func TestDecodeFrameCorrupt(t *testing.T) {
	data, err := mlbeam.EncodeFrame(allKinds(t))
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		if _, err := mlbeam.DecodeFrame(data[:n]); err == nil && n > 0 {
			t.Errorf("truncated to %d of %d bytes: no error", n, len(data))
		}
	}
	if _, err := mlbeam.DecodeFrame(append(data, 0)); err == nil {
		t.Error("trailing byte: no error")
	}
}

func FuzzDecodeFrame(f *testing.F) {
	data, err := mlbeam.EncodeFrame(allKinds(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f, 1, 1, 'x', 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := mlbeam.DecodeFrame(b)
		if err != nil {
			return
		}
		again, err := mlbeam.EncodeFrame(g)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mlbeam.DecodeFrame(again); err != nil {
			t.Fatalf("re-encoded frame does not decode: %v", err)
		}
	})
}
