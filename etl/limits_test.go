package etl

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func extractAll(x Extractor[*frame.Frame]) (int, error) {
	rows := 0
	err := x.Extract(context.Background(), func(f *frame.Frame) error { rows += f.NumRows(); return nil })
	return rows, err
}

// TestCSVRecordBound: a quote left open, or a line with no end, stops the
// read with ErrRecordTooLarge once the record passes the bound, whatever
// the policy; a record at the bound reads.
func TestCSVRecordBound(t *testing.T) {
	const bound = 64 << 10
	open := "a,b\n1,2\n\"open,1\n" + strings.Repeat("x,y\n", 100_000)
	noEnd := "a\n" + strings.Repeat("x", 3*bound)
	for name, in := range map[string]string{"open quote": open, "no line end": noEnd} {
		for _, policy := range []Policy{Fail, Reject} {
			opts := CSVOptions{MaxRecordBytes: bound, OnError: policy, BatchRows: 1}
			if policy == Reject {
				opts.Rejects = LoaderFunc[Rejected](func(context.Context, Rejected) error { return nil })
			}
			_, err := extractAll(CSV(strings.NewReader(in), opts))
			if !errors.Is(err, ErrRecordTooLarge) || !strings.Contains(err.Error(), "read csv: line ") {
				t.Errorf("%s, %v: %v", name, policy, err)
			}
		}
	}
	// A complete record over the bound is caught too, however the input
	// was buffered, for CSV and JSON Lines alike.
	for _, batch := range []int{1, 0} {
		short := "a,b\n1,2\n" + strings.Repeat("x", 30) + ",3\n4,5\n"
		if _, err := extractAll(CSV(strings.NewReader(short), CSVOptions{MaxRecordBytes: 24, BatchRows: batch})); !errors.Is(err, ErrRecordTooLarge) {
			t.Errorf("complete CSV record over the bound, batch %d: %v", batch, err)
		}
		lines := `{"a":1}` + "\n" + `{"a":"` + strings.Repeat("x", 30) + `"}` + "\n"
		if _, err := extractAll(JSONLines(strings.NewReader(lines), RecordOptions{MaxRecordBytes: 24, BatchRows: batch})); !errors.Is(err, ErrRecordTooLarge) {
			t.Errorf("complete JSON line over the bound, batch %d: %v", batch, err)
		}
	}
	// A record under the bound reads; a negative bound lifts it.
	long := "a,b\n" + strings.Repeat("x", bound-3) + ",1\n"
	if rows, err := extractAll(CSV(strings.NewReader(long), CSVOptions{MaxRecordBytes: bound})); err != nil || rows != 1 {
		t.Fatalf("record at the bound: %d rows, %v", rows, err)
	}
	if rows, err := extractAll(CSV(strings.NewReader(long), CSVOptions{MaxRecordBytes: -1})); err != nil || rows != 1 {
		t.Fatalf("no bound: %d rows, %v", rows, err)
	}
	// JSON Lines share the bound.
	jl := `{"a":1}` + "\n" + `{"a":"` + strings.Repeat("x", 2*bound) + `"}` + "\n"
	if _, err := extractAll(JSONLines(strings.NewReader(jl), RecordOptions{MaxRecordBytes: bound})); !errors.Is(err, ErrRecordTooLarge) {
		t.Fatalf("JSON Lines: %v", err)
	}
}

// TestCSVFieldBound: a field over MaxFieldBytes is a bad record, named by
// line and column, failed or rejected; nothing is lost.
func TestCSVFieldBound(t *testing.T) {
	big := strings.Repeat("z", 100)
	in := "id,note\n1,short\n2," + big + "\n3,\"" + big + "\"\n4,ok\n"
	_, err := extractAll(CSV(strings.NewReader(in), CSVOptions{MaxFieldBytes: 50}))
	var pe *ParseError
	if !errors.Is(err, ErrFieldTooLarge) || !errors.As(err, &pe) || pe.Line != 3 || pe.ColumnName != "note" {
		t.Fatalf("fail policy: %v", err)
	}
	var rejected []Rejected
	x := CSV(strings.NewReader(in), CSVOptions{MaxFieldBytes: 50, OnError: Reject,
		Rejects: LoaderFunc[Rejected](func(_ context.Context, r Rejected) error { rejected = append(rejected, r); return nil })})
	rows, err := extractAll(x)
	if err != nil || rows != 2 || len(rejected) != 2 || rejected[0].Line != 3 || rejected[1].Line != 4 {
		t.Fatalf("reject policy: %d rows, %d rejected, %v", rows, len(rejected), err)
	}
	if st := x.Stats(); st.Records != st.Rows+st.Rejected || st.Records != 4 {
		t.Fatalf("stats %+v", st)
	}
	if _, err := extractAll(CSV(strings.NewReader(in), CSVOptions{MaxFieldBytes: -1})); !errors.Is(err, ErrOptions) {
		t.Fatalf("negative bound: %v", err)
	}
}

// TestGzipExpansionBound: a small gzip file that expands past
// MaxInputBytes stops every file source with ErrInputTooLarge.
func TestGzipExpansionBound(t *testing.T) {
	dir := t.TempDir()
	write := func(name, head, line string, n int) string {
		path := filepath.Join(dir, name)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(head))
		chunk := []byte(strings.Repeat(line, 1000))
		for range n / 1000 {
			zw.Write(chunk)
		}
		zw.Close()
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	csvPath := write("bomb.csv.gz", "a\n", "1\n", 4_000_000)      // 8 MB of text
	jlPath := write("bomb.jsonl.gz", "", `{"a":1}`+"\n", 500_000) // 4 MB
	jsPath := write("bomb.json.gz", "[", `{"a":1},`, 500_000)
	if fi, _ := os.Stat(csvPath); fi.Size() > 100<<10 {
		t.Fatalf("compressed size %d", fi.Size())
	}
	const limit = 1 << 20
	c, err := OpenCSV(csvPath, CSVOptions{MaxInputBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	jl, err := OpenJSONLines(jlPath, RecordOptions{MaxInputBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer jl.Close()
	js, err := OpenJSON(jsPath, RecordOptions{MaxInputBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	for name, x := range map[string]Extractor[*frame.Frame]{"csv": c, "jsonl": jl, "json": js} {
		if _, err := extractAll(x); !errors.Is(err, ErrInputTooLarge) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Within the bound the same file reads whole.
	ok, err := OpenCSV(csvPath, CSVOptions{MaxInputBytes: 16 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer ok.Close()
	if rows, err := extractAll(ok); err != nil || rows != 4_000_000 {
		t.Fatalf("within the bound: %d rows, %v", rows, err)
	}
}

// FuzzCSVLimits reads any input under tight bounds (records of 24 bytes,
// fields of 4) with the Reject policy: it never panics, gives the same rows,
// rejects and error whatever the batch size and workers, keeps no field
// longer than the bound, and accounts for every record (read = rows +
// rejected) unless a record passes its bound, which stops the read with
// ErrRecordTooLarge.
func FuzzCSVLimits(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n12345,6\n",
		"a,b\n\"x,y\",\"q\"\"\"\n\"12345\",1\n",
		"a\n" + strings.Repeat("x", 30) + "\n1\n",
		"a,b\n\"open,1\n2,3\n",
		"a\r\n\"multi\r\nline\"\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		read := func(batch, workers int) (string, []int, Stats, error) {
			var lines []int
			opts := CSVOptions{MaxRecordBytes: 24, MaxFieldBytes: 4, OnError: Reject, BatchRows: batch, Workers: workers,
				NoDefaultNA: true, NA: []string{""}, InferRows: 4,
				Rejects: LoaderFunc[Rejected](func(_ context.Context, r Rejected) error { lines = append(lines, r.Line); return nil })}
			x := CSV(strings.NewReader(in), opts)
			var frames []*frame.Frame
			err := x.Extract(context.Background(), func(f *frame.Frame) error { frames = append(frames, f); return nil })
			var out string
			if len(frames) > 0 {
				all, cerr := frame.Concat(frames...)
				if cerr != nil {
					t.Fatal(cerr)
				}
				out = dump(all)
				for i := range all.NumCols() {
					_, c := all.ColAt(i)
					if s, ok := c.(*frame.StringColumn); ok {
						for _, v := range s.Values() {
							if len(v) > 4 {
								t.Fatalf("field %q passed the bound", v)
							}
						}
					}
				}
			}
			return out, lines, x.Stats(), err
		}
		a, ra, sa, errA := read(0, 1)
		b, rb, sb, errB := read(1, 3)
		if (errA == nil) != (errB == nil) || errors.Is(errA, ErrRecordTooLarge) != errors.Is(errB, ErrRecordTooLarge) {
			t.Fatalf("batch size changes the outcome: %v vs %v", errA, errB)
		}
		if errA != nil {
			return
		}
		if a != b || fmt.Sprint(ra) != fmt.Sprint(rb) {
			t.Fatalf("batch size changes the result:\n%s %v\nvs\n%s %v", a, ra, b, rb)
		}
		for _, s := range []Stats{sa, sb} {
			if s.Records != s.Rows+s.Rejected {
				t.Fatalf("read %d records, %d rows + %d rejected", s.Records, s.Rows, s.Rejected)
			}
		}
	})
}
