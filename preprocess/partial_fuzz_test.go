package preprocess

import (
	"bytes"
	"context"
	"encoding/gob"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// fuzzIncremental lists a spec of each kind whose partial fit ships
// between processes.
func fuzzIncremental() []Incremental {
	return []Incremental{
		StandardScale("age", "income"), MinMaxScale("age"), MaxAbsScale("income"), RobustScale("income"),
		Impute(Median, "age"), Impute(MostFrequent, "city"), OneHot("city"), Ordinal("city"), FrequencyEncode("city"),
		MissingIndicator(), DropSparse(0.5), IQR("income"), ZScore("income"), Winsorize(0.1, 0.9, "income"),
		Range(0, 100, "age"), PowerTransform("income"), QuantileTransform("income"),
	}
}

// FuzzUnmarshalPartial feeds crafted bytes to UnmarshalPartial for each
// kind of partial fit, as a process receiving partials from others would:
// it must return an error or a Partial that merges with a local one and
// finishes (to a step or an error), and whose step transforms, without
// panicking.
func FuzzUnmarshalPartial(f *testing.F) {
	ctx := context.Background()
	data := fuzzFrame(f)
	specs := fuzzIncremental()
	for i, s := range specs {
		p := s.Begin()
		if err := p.Add(ctx, data); err != nil {
			f.Fatalf("%T: %v", s, err)
		}
		b, err := MarshalPartial(p)
		if err != nil {
			f.Fatalf("%T: %v", s, err)
		}
		f.Add(uint8(i), b)
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		s := specs[int(which)%len(specs)]
		p, err := UnmarshalPartial(s, b)
		if err != nil {
			return
		}
		local := s.Begin()
		if err := local.Add(ctx, data); err != nil {
			t.Fatal(err)
		}
		if err := local.Merge(p); err != nil {
			return
		}
		fitted, err := local.Finish()
		if err != nil {
			return
		}
		_, _ = fitted.Transform(ctx, data)
		if fitted, err := p.Finish(); err == nil {
			_, _ = fitted.Transform(ctx, data)
		}
	})
}

// FuzzUnmarshalPartialEdit is FuzzUnmarshalPartial with edits of the decoded
// statistics, re-encoded, which byte-level mutation of gob rarely reaches:
// a count, a length, a sketch's parameters or a statistic changed to what
// the fuzzer gives. The checks are those of FuzzUnmarshalPartial.
func FuzzUnmarshalPartialEdit(f *testing.F) {
	ctx := context.Background()
	data := fuzzFrame(f)
	specs := fuzzIncremental()
	var wires []partialWire
	for _, s := range specs {
		p := s.Begin()
		if err := p.Add(ctx, data); err != nil {
			f.Fatalf("%T: %v", s, err)
		}
		wires = append(wires, *p.(partialWirer).wire())
	}
	for i := range specs {
		for field := range 12 {
			f.Add(uint8(i), uint8(field), int64(-1), 1e300)
			f.Add(uint8(i), uint8(field), int64(1<<40), -0.5)
		}
	}
	f.Fuzz(func(t *testing.T, which, field uint8, n int64, x float64) {
		i := int(which) % len(specs)
		w := wires[i] // a shallow copy: edits replace slices, never write into them
		switch field % 12 {
		case 0:
			w.Rows = n
		case 1:
			w.Names = append(append([]string(nil), w.Names...), "extra")
		case 2:
			if len(w.Names) > 0 {
				w.Names = w.Names[:len(w.Names)-1]
			}
		case 3:
			w.Kinds = append(append([]frame.Kind(nil), w.Kinds...), frame.Kind(n))
		case 4:
			if len(w.Moments) > 0 {
				m := append([]Moments(nil), w.Moments...)
				m[0].N, m[0].Mean, m[0].M2 = n, x, x
				w.Moments = m
			}
		case 5:
			if len(w.Samples) > 0 {
				ss := append([]sampleWire(nil), w.Samples...)
				ss[0].Limit = int(n)
				ss[0].Values = append(append([]float64(nil), ss[0].Values...), x)
				w.Samples = ss
			}
		case 6:
			if len(w.Samples) > 0 {
				ss := append([]sampleWire(nil), w.Samples...)
				ss[0].Sketch = &sketchWire{K: int(n), N: n, Levels: [][]float64{{x}}, Flips: []bool{true}}
				w.Samples = ss
			}
		case 7:
			if len(w.CCounts) > 0 {
				cc := append([]Counts[string](nil), w.CCounts...)
				cc[0] = Counts[string]{Missing: n, ByValue: map[string]int64{"Oslo": n}}
				w.CCounts = cc
			}
		case 8:
			if len(w.FCounts) > 0 {
				fc := append([]Counts[float64](nil), w.FCounts...)
				fc[0] = Counts[float64]{Missing: n, ByValue: map[float64]int64{x: n}}
				w.FCounts = fc
			}
		case 9:
			w.BCounts = append(append([][3]int64(nil), w.BCounts...), [3]int64{n, n, n})
		case 10:
			w.Missing = append(append([]int64(nil), w.Missing...), n)
		case 11:
			w.Resolved = !w.Resolved
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(&w); err != nil {
			return
		}
		s := specs[i]
		p, err := UnmarshalPartial(s, buf.Bytes())
		if err != nil {
			return
		}
		local := s.Begin()
		if err := local.Add(ctx, data); err != nil {
			t.Fatal(err)
		}
		if err := local.Merge(p); err == nil {
			if fitted, err := local.Finish(); err == nil {
				_, _ = fitted.Transform(ctx, data)
			}
		}
		if fitted, err := p.Finish(); err == nil {
			_, _ = fitted.Transform(ctx, data)
		}
	})
}
