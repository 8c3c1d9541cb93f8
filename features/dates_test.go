package features

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

func fixtureTimes(t *testing.T) *frame.Frame {
	fx := loadFixtures(t)
	ns := make([]int64, len(fx.Dates.Nanos))
	valid := make([]bool, len(ns))
	for i, p := range fx.Dates.Nanos {
		if p != nil {
			ns[i], valid[i] = *p, true
		}
	}
	return mustFrame(t, frame.Floats("id", make([]float64, len(ns))),
		frame.Series{Name: "ts", Col: frame.NewTimeNanos(ns, valid)})
}

func TestDatePartsParity(t *testing.T) {
	fx := loadFixtures(t)
	f := fixtureTimes(t)
	want := map[DatePart][]*float64{
		Year: fx.Dates.Year, Quarter: fx.Dates.Quarter, Month: fx.Dates.Month, Day: fx.Dates.Day,
		Weekday: fx.Dates.Weekday, Hour: fx.Dates.Hour, Minute: fx.Dates.Minute,
		DayOfYear: fx.Dates.DayOfYear, Weekend: fx.Dates.Weekend,
	}
	fitted, out := fitTransform(t, DateParts("ts", allDateParts...), f)
	if out.Has("ts") {
		t.Errorf("source column kept by default")
	}
	for p, w := range want {
		got, err := out.Float("ts_" + string(p))
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, string(p), got, nullable(w), 0)
	}
	roundTrip(t, fitted, f)
}

func TestDatePartsLayout(t *testing.T) {
	day := time.Date(2024, 3, 9, 15, 0, 0, 0, time.UTC) // a Saturday
	f := mustFrame(t, frame.Floats("a", []float64{1, 2}), frame.Times("when", []time.Time{day, {}}, nil), frame.Floats("z", []float64{3, 4}))
	tests := []struct {
		name  string
		spec  DatePartsSpec
		names []string
		row0  []float64
	}{
		{"default parts, source dropped", DateParts("when"),
			[]string{"a", "when_year", "when_month", "when_day", "when_weekday", "when_hour", "when_dayofyear", "when_weekend", "z"},
			[]float64{1, 2024, 3, 9, 5, 15, 69, 1, 3}},
		{"chosen parts, source kept", DateParts("when", Weekend, Month).WithKeepSource(true),
			[]string{"a", "when", "when_weekend", "when_month", "z"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, out := fitTransform(t, tc.spec, f)
			if !reflect.DeepEqual(out.Names(), tc.names) {
				t.Fatalf("names %v, want %v", out.Names(), tc.names)
			}
			for j, w := range tc.row0 {
				_, c := out.ColAt(j)
				if got := c.Value(0); got != w {
					t.Errorf("%s row 0 = %v, want %v", out.Names()[j], got, w)
				}
				if j > 0 && j < len(tc.row0)-1 && !c.IsNA(1) {
					t.Errorf("%s row 1 (missing time) = %v, want NaN", out.Names()[j], c.Value(1))
				}
			}
		})
	}
}

func TestDatePartsErrors(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t, frame.Floats("x", []float64{1}), frame.Times("t", []time.Time{time.Unix(0, 0)}, nil), frame.Floats("t_year", []float64{1}))
	empty, _ := f.Slice(0, 0)
	tests := []struct {
		name string
		spec preprocess.Step
		f    *frame.Frame
		want error
	}{
		{"unknown part", DateParts("t", "fortnight"), f, ErrParam},
		{"repeated part", DateParts("t", Year, Year), f, ErrParam},
		{"no column", DateParts("nope"), f, frame.ErrNoColumn},
		{"not time", DateParts("x"), f, frame.ErrKind},
		{"empty frame", DateParts("t"), empty, frame.ErrEmpty},
		{"name clash", DateParts("t", Year), f, frame.ErrDuplicate},
		{"cyclical zero period", Cyclical("x", 0), f, ErrParam},
		{"cyclical infinite period", Cyclical("x", math.Inf(1)), f, ErrParam},
		{"cyclical not float", Cyclical("t", 12), f, frame.ErrKind},
		{"elapsed not time", Elapsed("x", time.Time{}), f, frame.ErrKind},
		{"elapsed all missing", Elapsed("t", time.Time{}), mustFrame(t, frame.Series{Name: "t", Col: frame.NewTimeNanos([]int64{0}, []bool{false})}), ErrAllMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.spec.Fit(ctx, tc.f)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Fit error %v, want %v", err, tc.want)
			}
		})
	}
	// A fitted step given a frame without its column.
	fitted, err := DateParts("t", Month).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fitted.Transform(ctx, mustFrame(t, frame.Floats("t", []float64{1}))); !errors.Is(err, frame.ErrKind) {
		t.Errorf("Transform on a float t: %v, want ErrKind", err)
	}
	if _, err := preprocess.UnmarshalFitted([]byte(`{"kind":"features.date_parts","version":1,"state":{"column":"t","parts":["eon"]}}`)); !errors.Is(err, ErrState) {
		t.Errorf("loading an unknown part: %v, want ErrState", err)
	}
}

func TestElapsedParity(t *testing.T) {
	fx := loadFixtures(t)
	f := fixtureTimes(t)
	ref := time.Unix(0, fx.Dates.RefNanos)
	fitted, out := fitTransform(t, Elapsed("ts", ref), f)
	got, _ := out.Float("ts_days")
	assertClose(t, "elapsed from reference", got, nullable(fx.Dates.ElapsedDays), 1e-12)
	roundTrip(t, fitted, f)

	fitted, out = fitTransform(t, Elapsed("ts", time.Time{}).WithKeepSource(true), f)
	got, _ = out.Float("ts_days")
	assertClose(t, "elapsed from training minimum", got, nullable(fx.Dates.ElapsedMinDays), 1e-12)
	if !out.Has("ts") {
		t.Error("KeepSource dropped the column")
	}
	roundTrip(t, fitted, f)
}

func TestCyclicalParity(t *testing.T) {
	fx := loadFixtures(t)
	f := mustFrame(t, frame.Floats("month", nullable(fx.Dates.Month)))
	fitted, out := fitTransform(t, Cyclical("month", 12), f)
	sin, _ := out.Float("month_sin")
	cos, _ := out.Float("month_cos")
	assertClose(t, "sin", sin, nullable(fx.Dates.MonthSin), 1e-12)
	assertClose(t, "cos", cos, nullable(fx.Dates.MonthCos), 1e-12)
	roundTrip(t, fitted, f)
}
