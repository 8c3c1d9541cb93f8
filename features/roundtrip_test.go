package features

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// roundTrip saves fitted with preprocess.MarshalFitted, loads it back, and
// checks that the loaded value has the same type and state and transforms f
// to the same frame. It returns the loaded value.
func roundTrip(t *testing.T, fitted preprocess.Fitted, f *frame.Frame) preprocess.Fitted {
	t.Helper()
	b, err := preprocess.MarshalFitted(fitted)
	if err != nil {
		t.Fatalf("marshal %T: %v", fitted, err)
	}
	back, err := preprocess.UnmarshalFitted(b)
	if err != nil {
		t.Fatalf("unmarshal %T: %v\n%s", fitted, err, b)
	}
	if reflect.TypeOf(back) != reflect.TypeOf(fitted) {
		t.Fatalf("round trip gave %T, want %T", back, fitted)
	}
	if !reflect.DeepEqual(normalise(back), normalise(fitted)) {
		t.Errorf("round trip changed the state:\n got %+v\nwant %+v", back, fitted)
	}
	ctx := context.Background()
	want, err := fitted.Transform(ctx, f)
	if err != nil {
		t.Fatalf("transform before save: %v", err)
	}
	got, err := back.Transform(ctx, f)
	if err != nil {
		t.Fatalf("transform after load: %v", err)
	}
	assertFramesEqual(t, got, want)
	return back
}

// normalise lets DeepEqual treat nil and empty slices alike by going
// through a second JSON round trip.
func normalise(v preprocess.Fitted) any {
	b, err := preprocess.MarshalFitted(v)
	if err != nil {
		return err
	}
	return string(b)
}

// assertFramesEqual checks two frames have the same names, kinds and
// values (NaN equal to NaN).
func assertFramesEqual(t *testing.T, got, want *frame.Frame) {
	t.Helper()
	if !reflect.DeepEqual(got.Names(), want.Names()) {
		t.Fatalf("columns %v, want %v", got.Names(), want.Names())
	}
	if got.NumRows() != want.NumRows() {
		t.Fatalf("%d rows, want %d", got.NumRows(), want.NumRows())
	}
	for i := range want.NumCols() {
		name, wc := want.ColAt(i)
		_, gc := got.ColAt(i)
		if gc.Kind() != wc.Kind() {
			t.Fatalf("column %q is %v, want %v", name, gc.Kind(), wc.Kind())
		}
		for r := range want.NumRows() {
			gv, wv := gc.Value(r), wc.Value(r)
			if gf, ok := gv.(float64); ok {
				if wf, ok := wv.(float64); ok && (gf == wf || math.IsNaN(gf) && math.IsNaN(wf)) {
					continue
				}
			}
			if !reflect.DeepEqual(gv, wv) {
				t.Fatalf("column %q row %d = %v, want %v", name, r, gv, wv)
			}
		}
	}
}

// assertNamesOut checks FeatureNamesOut agrees with the names Transform gives.
func assertNamesOut(t *testing.T, fitted preprocess.Fitted, in, out *frame.Frame) {
	t.Helper()
	names, err := fitted.(FeatureNamer).FeatureNamesOut(in.Names())
	if err != nil {
		t.Fatalf("FeatureNamesOut: %v", err)
	}
	if !reflect.DeepEqual(names, out.Names()) {
		t.Errorf("FeatureNamesOut = %v, Transform gave %v", names, out.Names())
	}
}

func mustFrame(t testing.TB, series ...frame.Series) *frame.Frame {
	t.Helper()
	f, err := frame.New(series...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func fitTransform(t *testing.T, s preprocess.Step, f *frame.Frame) (preprocess.Fitted, *frame.Frame) {
	t.Helper()
	ctx := context.Background()
	fitted, err := s.Fit(ctx, f)
	if err != nil {
		t.Fatalf("fit %T: %v", s, err)
	}
	out, err := fitted.Transform(ctx, f)
	if err != nil {
		t.Fatalf("transform %T: %v", fitted, err)
	}
	assertNamesOut(t, fitted, f, out)
	return fitted, out
}
