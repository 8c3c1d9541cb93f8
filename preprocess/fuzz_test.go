package preprocess

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/jsonedit"
)

// fuzzSteps fits a step of each kind that applies to sampleFrame-like data.
func fuzzSteps(tb testing.TB, f *frame.Frame) []Fitted {
	tb.Helper()
	ctx := context.Background()
	var out []Fitted
	for _, s := range []Step{
		Impute(Mean, "age"), Impute(MostFrequent, "age", "city"), Impute(Constant).WithFill(2.5).WithFillCategory("none"),
		StandardScale(), MinMaxScale(), MaxAbsScale(), RobustScale(), NormalizeRows(L2, "age", "income"),
		OneHot(), OneHot("city").WithDrop(DropFirst).WithUnknown(ErrorOnUnknown),
		Ordinal("city"), FrequencyEncode("city"), Hash(4, "city"),
		MissingIndicator(), DropSparse(0.5), KNNImpute("age", "income"),
		NormalizeMissing("note"), NormalizeText("note"), ParseNumbers("num"), ParseBools("flag"), ParseDates("day"),
		IQR("income"), ZScore("income"), Winsorize(0.1, 0.9, "income"),
		PowerTransform("income"), QuantileTransform("income"),
	} {
		fitted, err := s.Fit(ctx, f)
		if err != nil {
			tb.Logf("%T: %v (not seeded)", s, err)
			continue
		}
		out = append(out, fitted)
	}
	return out
}

func fuzzFrame(tb testing.TB) *frame.Frame {
	return mustFrame(tb,
		frame.Floats("age", []float64{30, nan, 50, 40, 35, 31}),
		frame.Floats("income", []float64{1e4, 2e4, nan, 4e4, 5e4, 3e4}),
		frame.Categories("city", []string{"Oslo", "", "Bergen", "Oslo", "Tromsø", "Oslo"}, []bool{true, false, true, true, true, true}),
		frame.Strings("note", []string{"a", "NA", "c ", "d", "e", "?"}, nil),
		frame.Strings("num", []string{"1,200", "$3", "x", "4", "5%", ""}, nil),
		frame.Strings("flag", []string{"yes", "no", "Y", "maybe", "0", "on"}, nil),
		frame.Strings("day", []string{"2024-03-05", "05.03.2024", "x", "2024-01-01", "1709649000", "3/5/2024"}, nil),
	)
}

// FuzzUnmarshalFitted feeds crafted saved steps to UnmarshalFitted: it must
// return an error or a step whose Transform of a frame returns (a frame or
// an error) without panicking.
func FuzzUnmarshalFitted(f *testing.F) {
	data := fuzzFrame(f)
	for _, s := range fuzzSteps(f, data) {
		b, err := MarshalFitted(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"preprocess.one_hot","version":1,"state":{"columns":[{"name":"city","categories":[]}]}}`))
	f.Add([]byte(`{"kind":"preprocess.hash","version":1,"state":{"columns":["city"],"features":-1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := UnmarshalFitted(b)
		if err != nil {
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, _ = s.Transform(ctx, data)
	})
}

// FuzzParseBools checks that ParseBools reads a value as true or false
// exactly when it is a spelling, after trimming and ignoring case, and
// counts every other present value as not read.
func FuzzParseBools(f *testing.F) {
	for _, s := range []string{"yes", " NO ", "Y", "maybe", "0", "on", "", "\xff", "TRUE\t", "ﬁ"} {
		f.Add(s)
	}
	p := &BoolParser{Columns: []string{"b"}, True: DefaultTrue, False: DefaultFalse, Report: []ParseReport{{}}}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s string) {
		in := mustFrame(t, frame.Strings("b", []string{s, "yes"}, nil))
		out, rep, err := p.Parse(ctx, in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		_, c := out.ColAt(0)
		col := c.(*frame.BoolColumn)
		key := strings.ToLower(strings.TrimSpace(s))
		isTrue, isFalse := false, false
		for _, w := range DefaultTrue {
			isTrue = isTrue || key == w
		}
		for _, w := range DefaultFalse {
			isFalse = isFalse || key == w
		}
		switch {
		case isTrue || isFalse:
			if col.IsNA(0) || col.Values()[0] != isTrue {
				t.Fatalf("%q read as missing=%v %v", s, col.IsNA(0), col.Values()[0])
			}
		case !col.IsNA(0):
			t.Fatalf("%q read as %v", s, col.Values()[0])
		default:
			if rep[0].Unparsed != 1 {
				t.Fatalf("%q not read, report %+v", s, rep[0])
			}
		}
	})
}

// FuzzUnmarshalFittedEdit is FuzzUnmarshalFitted with well-formed edits of
// a saved step of each kind (see package jsonedit): a count, a length, a
// statistic or a category list replaced. UnmarshalFitted must refuse the
// result or give a step whose Transform returns without panicking.
func FuzzUnmarshalFittedEdit(f *testing.F) {
	data := fuzzFrame(f)
	var saved [][]byte
	for _, s := range fuzzSteps(f, data) {
		b, err := MarshalFitted(s)
		if err != nil {
			f.Fatal(err)
		}
		saved = append(saved, b)
	}
	for i := range saved {
		f.Add(uint8(i), uint16(5), uint8(0), 1e9, "x")
		f.Add(uint8(i), uint16(9), uint8(4), -1.0, "")
	}
	f.Fuzz(func(t *testing.T, which uint8, node uint16, kind uint8, num float64, str string) {
		var doc any
		if err := json.Unmarshal(saved[int(which)%len(saved)], &doc); err != nil {
			t.Fatal(err)
		}
		doc = jsonedit.Replace(doc, int(node)%jsonedit.Nodes(doc), func(v any) any { return jsonedit.Edit(v, kind, num, str) })
		b, err := json.Marshal(doc)
		if err != nil {
			return // NaN or Inf: not JSON
		}
		s, err := UnmarshalFitted(b)
		if err != nil {
			return
		}
		_, _ = s.Transform(context.Background(), data)
	})
}
