package etl

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/mlpipe/mlpipe/frame"
)

func readParquet(t *testing.T, path string, opts ParquetOptions) (*frame.Frame, *ParquetExtractor, error) {
	t.Helper()
	x, err := OpenParquet(path, opts)
	if err != nil {
		return nil, nil, err
	}
	defer x.Close()
	var frames []*frame.Frame
	err = x.Extract(context.Background(), func(f *frame.Frame) error {
		if opts.BatchRows > 0 && f.NumRows() > opts.BatchRows {
			t.Errorf("batch of %d rows", f.NumRows())
		}
		frames = append(frames, f)
		return nil
	})
	if err != nil || len(frames) == 0 {
		return nil, x, err
	}
	f, err := frame.Concat(frames...)
	return f, x, err
}

func TestParquetRoundTrip(t *testing.T) {
	t0 := time.Date(2024, 1, 31, 10, 0, 0, 123456789, time.UTC)
	f := mustFrame(t,
		frame.Floats("x", []float64{1.5, math.NaN(), -2, 1e300, 0}),
		frame.Categories("c", []string{"a", "", "b", "a", "é"}, []bool{true, false, true, true, true}),
		frame.Strings("s", []string{"free", "text", "", "here", "x"}, []bool{true, true, false, true, true}),
		frame.Times("t", []time.Time{t0, {}, t0.Add(time.Hour), t0, t0}, nil),
		frame.Bools("b", []bool{true, false, true, false, true}, []bool{true, true, false, true, true}),
	)
	path := filepath.Join(t.TempDir(), "out.parquet")
	w, err := CreateParquet(path, ParquetWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, part := range []*frame.Frame{must(f.Slice(0, 2)), must(f.Slice(2, 5))} {
		if err := w.Load(ctx, part); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("file exists before Close")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{0, 2} {
		got, x, err := readParquet(t, path, ParquetOptions{BatchRows: batch})
		if err != nil {
			t.Fatal(err)
		}
		if dump(got) != dump(f) {
			t.Errorf("batch %d: read back\n%s\nwant\n%s", batch, dump(got), dump(f))
		}
		if st := x.Stats(); st.Rows != 5 {
			t.Errorf("stats %+v", st)
		}
	}
	got, _, err := readParquet(t, path, ParquetOptions{Columns: []string{"b", "x"}})
	if err != nil || dump(got) != dump(must(f.Select("b", "x"))) {
		t.Errorf("columns: %v\n%s", err, dump(got))
	}
	if _, _, err := readParquet(t, path, ParquetOptions{Columns: []string{"nope"}}); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("unknown column: %v", err)
	}

	// Other columns in a later frame: an error, and Close discards the file.
	other := filepath.Join(t.TempDir(), "other.parquet")
	w, _ = CreateParquet(other, ParquetWriterOptions{})
	w.Load(ctx, f)
	if err := w.Load(ctx, must(f.Select("x"))); !errors.Is(err, ErrSchema) {
		t.Errorf("other columns: %v", err)
	}
	if err := w.Close(); err == nil {
		t.Error("close after a failed load returned nil")
	}
	if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed output exists: %v", err)
	}
	w, _ = CreateParquet(other, ParquetWriterOptions{})
	w.Load(ctx, f)
	w.Abort()
	if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("aborted output exists: %v", err)
	}
}

// TestParquetForeignFile reads a file written by parquet-go itself, with
// no mlpipe metadata: kinds come from the Parquet types.
func TestParquetForeignFile(t *testing.T) {
	type rec struct {
		ID    int64     `parquet:"id"`
		Score float32   `parquet:"score"`
		Name  string    `parquet:"name"`
		OK    bool      `parquet:"ok"`
		At    time.Time `parquet:"at,timestamp(millisecond)"`
		Note  *string   `parquet:"note,optional"`
	}
	note := "n"
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "foreign.parquet")
	if err := parquet.WriteFile(path, []rec{{1, 0.5, "a", true, at, &note}, {2, 1.5, "b", false, at.Add(time.Second), nil}}); err != nil {
		t.Fatal(err)
	}
	got, _, err := readParquet(t, path, ParquetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "id:float score:float name:categorical ok:bool at:time note:categorical\n" +
		"1|0.5|\"a\"|true|2024-05-01T12:00:00Z|\"n\"\n" +
		"2|1.5|\"b\"|false|2024-05-01T12:00:01Z|<NA>\n"
	if dump(got) != want {
		t.Errorf("got\n%s\nwant\n%s", dump(got), want)
	}
	// Nested columns are refused at open.
	type inner struct {
		A int64 `parquet:"a"`
	}
	type outer struct {
		In inner `parquet:"in"`
	}
	nested := filepath.Join(t.TempDir(), "nested.parquet")
	if err := parquet.WriteFile(nested, []outer{{inner{1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenParquet(nested, ParquetOptions{}); !errors.Is(err, ErrKind) {
		t.Errorf("nested: %v", err)
	}
	// Not Parquet, missing: errors at open.
	bad := filepath.Join(t.TempDir(), "bad.parquet")
	os.WriteFile(bad, []byte("a,b\n1,2\n"), 0o644)
	if _, err := OpenParquet(bad, ParquetOptions{}); err == nil {
		t.Error("opened a CSV as Parquet")
	}
	if _, err := OpenParquet(filepath.Join(t.TempDir(), "none"), ParquetOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}
