package etl

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

func mustFrame(t testing.TB, s ...frame.Series) *frame.Frame {
	t.Helper()
	f, err := frame.New(s...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCSVWriter(t *testing.T) {
	ts := []time.Time{time.Date(2024, 1, 31, 10, 0, 0, 500, time.UTC), {}}
	f := mustFrame(t,
		frame.Floats("x", []float64{1, 2.5, math.NaN()}),
		frame.Categories("c", []string{"a,b", "", "say \"hi\""}, []bool{true, false, true}),
		frame.Strings("s", []string{" pad", "line\nbreak", "plain"}, nil),
		frame.Times("t", append(ts, ts[0]), nil),
		frame.Bools("b", []bool{true, false, true}, []bool{true, true, false}),
	)
	tests := []struct {
		name string
		opts CSVWriterOptions
		want string
	}{
		{"default", CSVWriterOptions{},
			"x,c,s,t,b\n" +
				"1,\"a,b\",\" pad\",2024-01-31T10:00:00.0000005Z,true\n" +
				"2.5,,\"line\nbreak\",,false\n" +
				",\"say \"\"hi\"\"\",plain,2024-01-31T10:00:00.0000005Z,\n"},
		{"tsv, NA, no header, CRLF, layout", CSVWriterOptions{Comma: '\t', NA: "NA", NoHeader: true, CRLF: true, TimeLayout: "2006-01-02"},
			"1\ta,b\t\" pad\"\t2024-01-31\ttrue\r\n" +
				"2.5\tNA\t\"line\nbreak\"\tNA\tfalse\r\n" +
				"NA\t\"say \"\"hi\"\"\"\tplain\t2024-01-31\tNA\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewCSVWriter(&buf, tt.opts)
			if err := w.Load(context.Background(), f); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", buf.String(), tt.want)
			}
		})
	}
}

func TestCSVWriterRoundTrip(t *testing.T) {
	f := mustFrame(t,
		frame.Floats("x", []float64{0.1, 1e300, -3, math.NaN(), 123456789.125}),
		frame.Categories("c", []string{"a,b", "", "q\"", "a,b", "z"}, []bool{true, false, true, true, true}),
		frame.Strings("s", []string{"one", "two\r\nlines", "", " pad ", "x"}, []bool{true, true, false, true, true}),
		frame.Bools("b", []bool{true, false, true, false, true}, nil),
	)
	var buf bytes.Buffer
	w := NewCSVWriter(&buf, CSVWriterOptions{})
	if err := w.Load(context.Background(), must(f.Slice(0, 2))); err != nil {
		t.Fatal(err)
	}
	if err := w.Load(context.Background(), must(f.Slice(2, 5))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := readAll(t, buf.String(), CSVOptions{Schema: map[string]frame.Kind{"c": frame.Categorical, "s": frame.String}})
	if err != nil {
		t.Fatal(err)
	}
	want := dump(f)
	if dump(got) != want {
		t.Errorf("round trip\n%s\nwant\n%s", dump(got), want)
	}
}

func TestCSVWriterSchemaAndErrors(t *testing.T) {
	var buf bytes.Buffer
	w := NewCSVWriter(&buf, CSVWriterOptions{})
	ctx := context.Background()
	if err := w.Load(ctx, mustFrame(t, frame.Floats("a", []float64{1}))); err != nil {
		t.Fatal(err)
	}
	if err := w.Load(ctx, mustFrame(t, frame.Floats("b", []float64{1}))); !errors.Is(err, ErrSchema) {
		t.Errorf("other columns: %v", err)
	}
	w.Close()
	if err := w.Load(ctx, mustFrame(t, frame.Floats("a", []float64{1}))); !errors.Is(err, ErrClosed) {
		t.Errorf("after close: %v", err)
	}
	// A single column with a missing value is not written as a blank line.
	buf.Reset()
	w = NewCSVWriter(&buf, CSVWriterOptions{})
	w.Load(ctx, mustFrame(t, frame.Floats("a", []float64{math.NaN(), 2})))
	w.Close()
	if buf.String() != "a\n\"\"\n2\n" {
		t.Errorf("got %q", buf.String())
	}
	if err := NewCSVWriter(io.Discard, CSVWriterOptions{Comma: '"'}).Load(ctx, mustFrame(t, frame.Floats("a", nil))); !errors.Is(err, ErrOptions) {
		t.Errorf("bad comma: %v", err)
	}
}

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("device full") }

func TestCreateCSVAtomic(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t, frame.Floats("a", []float64{1, 2}))
	dir := t.TempDir()
	entries := func() []string {
		es, _ := os.ReadDir(dir)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}

	// Success: nothing at the path until Close, then the whole file.
	path := filepath.Join(dir, "out.csv")
	w, err := CreateCSV(path, CSVWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Load(ctx, f); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("final path exists before Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "a\n1\n2\n" {
		t.Errorf("file holds %q", b)
	}

	// Abort: the old file is kept, the temporary file removed.
	w, _ = CreateCSV(path, CSVWriterOptions{})
	w.Load(ctx, mustFrame(t, frame.Floats("a", []float64{9})))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("close after abort: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "a\n1\n2\n" {
		t.Errorf("abort changed the file: %q", b)
	}

	// A failed run (errgroup cancels its context with the first error):
	// Close discards.
	stageFailed := errors.New("stage failed")
	cctx, cancel := context.WithCancelCause(ctx)
	other := filepath.Join(dir, "failed.csv")
	w, _ = CreateCSV(other, CSVWriterOptions{})
	w.Load(cctx, f)
	cancel(stageFailed)
	if err := w.Close(); !errors.Is(err, stageFailed) {
		t.Errorf("close after a failed run: %v", err)
	}
	if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed output exists: %v", err)
	}
	if got := entries(); len(got) != 1 || got[0] != "out.csv" {
		t.Errorf("directory holds %v, want only out.csv", got)
	}
	// A context cancelled plainly, as errgroup ends a successful run: Close
	// commits.
	cctx, cancel = context.WithCancelCause(ctx)
	done := filepath.Join(dir, "done.csv")
	w, _ = CreateCSV(done, CSVWriterOptions{})
	w.Load(cctx, f)
	cancel(nil)
	if err := w.Close(); err != nil {
		t.Errorf("close after a successful run: %v", err)
	}
	if b, _ := os.ReadFile(done); string(b) != "a\n1\n2\n" {
		t.Errorf("successful run wrote %q", b)
	}
	os.Remove(done)

	// gzip by suffix.
	gz := filepath.Join(dir, "out.csv.gz")
	w, _ = CreateCSV(gz, CSVWriterOptions{})
	w.Load(ctx, f)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	x, err := OpenCSV(gz, CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var got string
	x.Extract(ctx, func(f *frame.Frame) error { got += dump(f); return nil })
	if got != "a:float\n1\n2\n" {
		t.Errorf("gzip round trip: %q", got)
	}
	zr, _ := gzip.NewReader(bytes.NewReader(must(os.ReadFile(gz))))
	if b, _ := io.ReadAll(zr); string(b) != "a\n1\n2\n" {
		t.Errorf("gzip content %q", b)
	}

	// A directory that does not exist: an error at once.
	if _, err := CreateCSV(filepath.Join(dir, "no", "x.csv"), CSVWriterOptions{}); err == nil {
		t.Error("CreateCSV in a missing directory succeeded")
	}

	// A write error is sticky and reported.
	w = NewCSVWriter(brokenWriter{}, CSVWriterOptions{})
	big := mustFrame(t, frame.Floats("a", make([]float64, 300000)))
	if err := w.Load(ctx, big); err == nil || !strings.Contains(err.Error(), "device full") {
		t.Errorf("load: %v", err)
	}
	if err := w.Close(); err == nil {
		t.Error("close after a write error returned nil")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestCSVWriterParts checks that a frame large enough to be formatted in
// concurrent parts is written byte for byte as when written in small
// frames, formatted on one goroutine.
func TestCSVWriterParts(t *testing.T) {
	const n = 50000
	xs := make([]float64, n)
	cats := make([]string, n)
	strs := make([]string, n)
	valid := make([]bool, n)
	for i := range n {
		xs[i] = float64(i) / 7
		cats[i] = []string{"a", "b,c", "d\"e"}[i%3]
		strs[i] = strings.Repeat("x", 1+i%5)
		valid[i] = i%11 != 0
	}
	f := mustFrame(t, frame.Floats("x", xs), frame.Categories("c", cats, valid), frame.Strings("s", strs, valid))
	var whole, pieces bytes.Buffer
	w := NewCSVWriter(&whole, CSVWriterOptions{})
	if err := w.Load(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	w.Close()
	w = NewCSVWriter(&pieces, CSVWriterOptions{})
	for i := 0; i < n; i += 1000 {
		if err := w.Load(context.Background(), must(f.Slice(i, i+1000))); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	if !bytes.Equal(whole.Bytes(), pieces.Bytes()) {
		t.Error("parts formatted concurrently differ from sequential output")
	}
	back, _, err := readAll(t, whole.String(), CSVOptions{Schema: map[string]frame.Kind{"c": frame.Categorical, "s": frame.String}})
	if err != nil || dump(back) != dump(f) {
		t.Errorf("round trip: %v", err)
	}
}
