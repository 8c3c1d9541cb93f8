package preprocess

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Oslo on machines without a zone database

	"github.com/mlpipe/mlpipe/frame"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in    string
		comma bool
		want  float64
		ok    bool
	}{
		{"12", false, 12, true},
		{" 1,234.50 ", false, 1234.5, true},
		{"1,234,567", false, 1234567, true},
		{"$1,200", false, 1200, true},
		{"-$12.5", false, -12.5, true},
		{"$-12.5", false, -12.5, true},
		{"€ 1 200", false, 1200, true},
		{"1\u00a0200,50 €", true, 1200.5, true},
		{"1.234,5", true, 1234.5, true},
		{"1.234.567", true, 1234567, true},
		{"12.5%", false, 0.125, true},
		{"12,5 %", true, 0.125, true},
		{"(300)", false, -300, true},
		{"($1,000.00)", false, -1000, true},
		{"\u22124", false, -4, true},
		{"+7", false, 7, true},
		{"1'000", false, 1000, true},
		{"USD 12", false, 12, true},
		{"12 EUR", false, 12, true},
		{"£3", false, 3, true},
		{".5", false, 0.5, true},
		{"1e3", false, 1000, true},
		{"2.5E-2", false, 0.025, true},
		{"0", false, 0, true},
		{"1,23", false, 0, false},    // not a thousands group
		{"12,34.5", false, 0, false}, // group of two
		{"1,,234", false, 0, false},
		{",123", false, 0, false},
		{"1.2.3", false, 0, false},
		{"abc", false, 0, false},
		{"12abc", false, 0, false},
		{"", false, 0, false},
		{"-", false, 0, false},
		{".", false, 0, false},
		{"inf", false, 0, false},
		{"NaN", false, 0, false},
		{"0x10", false, 0, false},
		{"1e", false, 0, false},
		{"--5", false, 0, false},
		{"(-5)", false, 0, false},
		{"1e999", false, 0, false},
		{"EURO 5", false, 0, false},
	}
	for _, tt := range tests {
		got, ok := parseNumber(tt.in, tt.comma)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseNumber(%q, comma %v) = %v, %v; want %v, %v", tt.in, tt.comma, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1,234.5", "$-1", "(12%)", "1e5", "€ 1 200,5", "USD 3"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, comma bool) {
		v, ok := parseNumber(s, comma)
		if ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("parseNumber(%q) = %v, accepted", s, v)
		}
	})
}

func TestNormalizeMissing(t *testing.T) {
	ctx := context.Background()
	dirty := []string{"Oslo", "NA", " n/a ", "?", "????", "null", "None", "-", "", "Bergen", "N.A.", "nan", "NaN"}
	f := mustFrame(t,
		frame.Categories("city", dirty, nil),
		frame.Strings("text", dirty, nil),
		frame.Floats("x", make([]float64, len(dirty))),
	)
	fitted, err := NormalizeMissing().Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	m := fitted.(*MissingNormalizer)
	if !reflect.DeepEqual(m.Columns, []string{"city", "text"}) || !reflect.DeepEqual(m.Found, []int64{10, 10}) {
		t.Fatalf("columns %q found %v", m.Columns, m.Found)
	}
	out, err := fitted.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"city", "text"} {
		c, _ := out.Col(name)
		var kept []string
		for i := range c.Len() {
			if v, ok := c.Value(i).(string); ok {
				kept = append(kept, v)
			}
		}
		if !reflect.DeepEqual(kept, []string{"Oslo", "Bergen", "N.A."}) {
			t.Errorf("%s kept %q", name, kept)
		}
	}
	if c, _ := out.Col("city"); c.Kind() != frame.Categorical {
		t.Errorf("city became %v", c.Kind())
	}
	custom, err := NormalizeMissing("city").WithSpellings("N.A.").Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if found := custom.(*MissingNormalizer).Found; found[0] != 3 { // "N.A.", "?", "????"
		t.Errorf("custom spellings found %v, want 3", found)
	}
	if n, err := m.Count(ctx, mustFrame(t, frame.Strings("city", []string{"NA", "x"}, nil), frame.Strings("text", []string{"?", "null"}, nil))); err != nil || !reflect.DeepEqual(n, []int64{1, 2}) {
		t.Errorf("Count = %v, %v", n, err)
	}
	if _, err := NormalizeMissing("x").Fit(ctx, f); !errors.Is(err, frame.ErrKind) {
		t.Errorf("float column: %v", err)
	}
}

func TestParseNumbers(t *testing.T) {
	ctx := context.Background()
	in := []string{"1,200", "$3.50", "oops", "", "12%", "(5)", "N/A"}
	valid := []bool{true, true, true, false, true, true, true}
	f := mustFrame(t, frame.Strings("price", in, valid), frame.Categories("cat", in, valid))
	fitted, err := ParseNumbers("price", "cat").Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	p := fitted.(*NumberParser)
	for _, r := range p.Report {
		if r.Rows != 7 || r.Parsed != 4 || r.Unparsed != 2 || r.Missing != 1 || !reflect.DeepEqual(r.Examples, []string{"oops", "N/A"}) {
			t.Errorf("report %+v", r)
		}
	}
	out, err := fitted.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"price", "cat"} {
		got, err := out.Float(name)
		if err != nil {
			t.Fatal(err)
		}
		want := []float64{1200, 3.5, nan, nan, 0.12, -5, nan}
		for i := range want {
			if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				t.Errorf("%s = %v, want %v", name, got, want)
				break
			}
		}
	}
	// Counts on new data come from Parse.
	_, rep, err := p.Parse(ctx, mustFrame(t, frame.Strings("price", []string{"x", "1"}, nil), frame.Strings("cat", []string{"2", "3"}, nil)))
	if err != nil || rep[0].Unparsed != 1 || rep[1].Unparsed != 0 {
		t.Errorf("Parse report %+v, %v", rep, err)
	}
}

func TestParseBools(t *testing.T) {
	ctx := context.Background()
	in := []string{"yes", "No", " Y ", "n", "TRUE", "false", "1", "0", "on", "OFF", "maybe", "t", "F"}
	f := mustFrame(t, frame.Categories("b", in, nil))
	fitted, err := ParseBools().Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := fitted.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := out.Col("b")
	var got []any
	for i := range c.Len() {
		got = append(got, c.Value(i))
	}
	want := []any{true, false, true, false, true, false, true, false, true, false, nil, true, false}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	if r := fitted.(*BoolParser).Report[0]; r.Unparsed != 1 || r.Examples[0] != "maybe" {
		t.Errorf("report %+v", r)
	}
	if _, err := (BoolSpec{True: []string{"x"}, False: []string{"X"}}).Fit(ctx, f); !errors.Is(err, ErrParam) {
		t.Errorf("ambiguous spellings: %v", err)
	}
}

func TestParseDates(t *testing.T) {
	ctx := context.Background()
	utc := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, time.UTC)
	}
	tests := []struct {
		spec DateSpec
		in   string
		want time.Time // zero: unparsed
	}{
		{ParseDates(), "2024-03-05", utc(2024, 3, 5, 0, 0, 0)},
		{ParseDates(), "2024-03-05T14:30:00Z", utc(2024, 3, 5, 14, 30, 0)},
		{ParseDates(), "2024-03-05T14:30:00+01:00", utc(2024, 3, 5, 13, 30, 0)},
		{ParseDates(), "2024-03-05T14:30:00.250-0500", utc(2024, 3, 5, 19, 30, 0).Add(250 * time.Millisecond)},
		{ParseDates(), "2024-03-05 14:30", utc(2024, 3, 5, 14, 30, 0)},
		{ParseDates(), "2024-03-05 14:30:05", utc(2024, 3, 5, 14, 30, 5)},
		{ParseDates(), "2024/03/05", utc(2024, 3, 5, 0, 0, 0)},
		{ParseDates(), "Tue, 05 Mar 2024 14:30:00 GMT", utc(2024, 3, 5, 14, 30, 0)},
		{ParseDates(), "Tue, 5 Mar 2024 14:30:00 +0100", utc(2024, 3, 5, 13, 30, 0)},
		{ParseDates(), "5 March 2024", utc(2024, 3, 5, 0, 0, 0)},
		{ParseDates(), "Mar 5, 2024", utc(2024, 3, 5, 0, 0, 0)},
		{ParseDates(), "03/05/2024", utc(2024, 3, 5, 0, 0, 0)},
		{ParseDates(), "3/5/2024 2:30 PM", utc(2024, 3, 5, 14, 30, 0)},
		{DateSpec{DayFirst: true}, "03/05/2024", utc(2024, 5, 3, 0, 0, 0)},
		{DateSpec{DayFirst: true}, "05.03.2024 14:30", utc(2024, 3, 5, 14, 30, 0)},
		{DateSpec{DayFirst: true}, "31.12.2023", utc(2023, 12, 31, 0, 0, 0)},
		{DateSpec{Location: "Europe/Oslo"}, "2024-07-01 12:00", utc(2024, 7, 1, 10, 0, 0)},
		{DateSpec{Location: "Europe/Oslo"}, "2024-07-01T12:00:00Z", utc(2024, 7, 1, 12, 0, 0)},
		{DateSpec{Epoch: EpochSeconds}, "1709649000", utc(2024, 3, 5, 14, 30, 0)},
		{DateSpec{Epoch: EpochMillis}, "1709649000000", utc(2024, 3, 5, 14, 30, 0)},
		{DateSpec{Epoch: EpochAuto}, "1709649000000", utc(2024, 3, 5, 14, 30, 0)},
		{DateSpec{Epoch: EpochAuto}, "1709649000.5", utc(2024, 3, 5, 14, 30, 0).Add(500 * time.Millisecond)},
		{DateSpec{Layouts: []string{"20060102"}}, "20240305", utc(2024, 3, 5, 0, 0, 0)},
		{ParseDates(), "1709649000", time.Time{}},
		{ParseDates(), "13/45/2024", time.Time{}},
		{ParseDates(), "2024-02-30", time.Time{}},
		{ParseDates(), "yesterday", time.Time{}},
		{ParseDates(), "2024-03-05T25:00:00Z", time.Time{}},
	}
	for _, tt := range tests {
		f := mustFrame(t, frame.Strings("d", []string{tt.in, "", "garbage"}, []bool{true, false, true}))
		fitted, err := tt.spec.Fit(ctx, f)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		out, err := fitted.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := out.Col("d")
		tc := c.(*frame.TimeColumn)
		got, ok := tc.At(0)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("%+v %q = %v (%v), want %v", tt.spec, tt.in, got, ok, tt.want)
		}
		r := fitted.(*DateParser).Report[0]
		wantBad := int64(1)
		if tt.want.IsZero() {
			wantBad = 2
		}
		if r.Unparsed != wantBad || r.Missing != 1 {
			t.Errorf("%q: report %+v", tt.in, r)
		}
	}
	if _, err := (DateSpec{Location: "Mars/Olympus"}).Fit(ctx, mustFrame(t, frame.Strings("d", []string{"x"}, nil))); !errors.Is(err, ErrParam) {
		t.Errorf("unknown location: %v", err)
	}
}

func TestCleaningRoundTrip(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t,
		frame.Strings("s", []string{"1,200", "NA", "2024-03-05", "yes"}, nil),
		frame.Categories("c", []string{"no", "?", "3", "05.03.2024"}, nil),
	)
	for _, s := range []Step{
		NormalizeMissing(), NormalizeMissing("c").WithSpellings("x"), ParseNumbers(), NumberSpec{DecimalComma: true},
		ParseBools("c"), ParseDates(), DateSpec{DayFirst: true, Epoch: EpochAuto, Location: "Europe/Oslo", Layouts: []string{"2006"}},
	} {
		fitted, err := s.Fit(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		roundTrip(t, fitted, f)
	}
	for _, bad := range []string{
		`{"kind":"preprocess.parse_dates","version":1,"state":{"columns":["a"],"report":[{}],"epoch":"hours"}}`,
		`{"kind":"preprocess.parse_dates","version":1,"state":{"columns":["a"],"report":[{}],"location":"Nowhere/Else"}}`,
		`{"kind":"preprocess.parse_dates","version":1,"state":{"columns":["a"],"report":[]}}`,
		`{"kind":"preprocess.parse_bools","version":1,"state":{"columns":["a"],"report":[{}],"true":["y"],"false":["Y"]}}`,
		`{"kind":"preprocess.parse_numbers","version":1,"state":{"columns":["a","a"],"report":[{},{}]}}`,
		`{"kind":"preprocess.normalize_missing","version":1,"state":{"columns":["a"],"found":[]}}`,
	} {
		if _, err := UnmarshalFitted([]byte(bad)); !errors.Is(err, ErrState) && !errors.Is(err, ErrParam) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func FuzzParseDates(f *testing.F) {
	for _, s := range []string{"2024-03-05", "05.03.2024 14:30", "Tue, 05 Mar 2024 14:30:00 GMT", "1709649000", "3/5/2024 2:30 PM"} {
		f.Add(s, false)
	}
	parsers := map[bool]func(string) (int64, bool){}
	for _, dayFirst := range []bool{false, true} {
		p := &DateParser{DayFirst: dayFirst, Epoch: EpochAuto}
		fn, err := p.parseFunc()
		if err != nil {
			f.Fatal(err)
		}
		parsers[dayFirst] = fn
	}
	f.Fuzz(func(t *testing.T, s string, dayFirst bool) {
		ns, ok := parsers[dayFirst](s)
		if !ok && ns != 0 {
			t.Fatalf("%q: rejected with %d", s, ns)
		}
	})
}

func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{" US ", "ＵＳ", "Straße", "a\\u00a0 b", "\xff"} {
		f.Add(s)
	}
	n := &TextNormalizer{NFKC: true, Trim: true, CollapseSpaces: true, Fold: true}
	f.Fuzz(func(t *testing.T, s string) {
		once, ok := n.Normalize(s)
		if !ok {
			return
		}
		// Normalising is idempotent: a normalised label stays itself.
		if twice, _ := n.Normalize(once); twice != once {
			t.Fatalf("Normalize(%q) = %q, then %q", s, once, twice)
		}
	})
}
