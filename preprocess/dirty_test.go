package preprocess

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// TestCleaningStepsDirtyData fits and applies every cleaning step to the
// data that breaks naive code — a column with only missing values,
// infinities, text where numbers are expected, an empty frame, a
// cancelled context — and checks each either returns an error wrapping
// one of the package's sentinels (or the frame's, or the context's) or
// keeps every row, never panicking.
func TestCleaningStepsDirtyData(t *testing.T) {
	steps := map[string]func(col string) Step{
		"NormalizeMissing": func(c string) Step { return NormalizeMissing(c) },
		"ParseNumbers":     func(c string) Step { return ParseNumbers(c) },
		"ParseBools":       func(c string) Step { return ParseBools(c) },
		"ParseDates":       func(c string) Step { return ParseDates(c) },
		"NormalizeText": func(c string) Step {
			return TextSpec{Columns: []string{c}, Trim: true, Fold: true, NFKC: true, CollapseSpaces: true}
		},
		"Impute mean":      func(c string) Step { return Impute(Mean, c) },
		"Impute constant":  func(c string) Step { return Impute(Constant, c) },
		"Impute frequent":  func(c string) Step { return Impute(MostFrequent, c) },
		"MissingIndicator": func(c string) Step { return MissingIndicator(c) },
		"KNNImpute":        func(c string) Step { return KNNImpute(c) },
		"DropSparse":       func(c string) Step { return DropSparse(0.5, c) },
		"Range":            func(c string) Step { return Range(0, 10, c) },
		"IQR":              func(c string) Step { return IQR(c) },
		"ZScore":           func(c string) Step { return ZScore(c) },
		"Winsorize":        func(c string) Step { return Winsorize(0.05, 0.95, c) },
	}
	nan := math.NaN()
	inf := math.Inf(1)
	data := mustFrame(t,
		frame.Floats("allnan", []float64{nan, nan, nan, nan}),
		frame.Floats("inf", []float64{1, inf, -inf, 2}),
		frame.Floats("ok", []float64{1, 2, 3, 4}),
		frame.Strings("junk", []string{"\x00", "  ", "１２", "\u200b"}, []bool{true, true, true, true}),
		frame.Categories("nullcat", []string{"", "", "", ""}, []bool{false, false, false, false}),
		frame.Strings("text", []string{"N/A", "?", "yes", "2024-02-30"}, nil),
	)
	empty, _ := data.Slice(0, 0)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	known := []error{ErrAllMissing, ErrNotFinite, ErrParam, ErrUnknownCategory, ErrTooManyCategories,
		frame.ErrKind, frame.ErrNoColumn, frame.ErrEmpty, frame.ErrMissing, context.Canceled}
	for name, mk := range steps {
		for _, col := range data.Names() {
			for _, in := range []struct {
				what string
				ctx  context.Context
				f    *frame.Frame
			}{{"", context.Background(), data}, {"empty ", context.Background(), empty}, {"cancelled ", cancelled, data}} {
				t.Run(fmt.Sprintf("%s/%s%s", name, in.what, col), func(t *testing.T) {
					fitted, err := mk(col).Fit(in.ctx, in.f)
					if err == nil {
						var out *frame.Frame
						out, err = fitted.Transform(in.ctx, in.f)
						if err == nil {
							if out.NumRows() != in.f.NumRows() {
								t.Errorf("%d rows in, %d out", in.f.NumRows(), out.NumRows())
							}
							if in.ctx.Err() != nil {
								t.Errorf("no error with a cancelled context")
							}
							roundTrip(t, fitted, in.f)
							return
						}
					}
					for _, k := range known {
						if errors.Is(err, k) {
							return
						}
					}
					t.Errorf("error wraps no known sentinel: %v", err)
				})
			}
		}
	}
}

// TestRowCleanersDirtyData: Dedupe and DropMissingRows on an empty frame,
// rows of only missing values, and bad parameters.
func TestRowCleanersDirtyData(t *testing.T) {
	nan := math.NaN()
	f := mustFrame(t,
		frame.Floats("x", []float64{nan, nan, 1, nan}),
		frame.Categories("c", []string{"", "", "a", ""}, []bool{false, false, true, false}),
	)
	empty, _ := f.Slice(0, 0)
	for _, in := range []*frame.Frame{f, empty} {
		out, dropped, err := Dedupe(in)
		// Rows of missing values are equal to each other, as in pandas.
		if want := max(in.NumRows()-2, 0); err != nil || dropped != want || out.NumRows() != in.NumRows()-want {
			t.Errorf("Dedupe of %d rows: dropped %d (want %d), %v", in.NumRows(), dropped, want, err)
		}
		out, dropped, err = DropMissingRows(in, 0)
		if want := max(in.NumRows()-1, 0); err != nil || dropped != want || out.NumRows() != in.NumRows()-want {
			t.Errorf("DropMissingRows of %d rows: dropped %d (want %d), %v", in.NumRows(), dropped, want, err)
		}
	}
	for _, bad := range []float64{-0.1, 1.5, nan} {
		if _, _, err := DropMissingRows(f, bad); !errors.Is(err, ErrParam) {
			t.Errorf("DropMissingRows(max %v): %v, want ErrParam", bad, err)
		}
	}
	if _, _, err := Dedupe(f, "nope"); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("Dedupe on an unknown column: %v", err)
	}
}
