package etl

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

// dump renders a frame as "name:kind ..." then one line per row, values
// separated by "|", missing as <NA>.
func dump(f *frame.Frame) string {
	if f == nil {
		return "<nil>"
	}
	var b strings.Builder
	for i, n := range f.Names() {
		_, c := f.ColAt(i)
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s:%v", n, c.Kind())
	}
	b.WriteByte('\n')
	for r := range f.NumRows() {
		for i := range f.NumCols() {
			if i > 0 {
				b.WriteByte('|')
			}
			_, c := f.ColAt(i)
			switch v := c.Value(r).(type) {
			case nil:
				b.WriteString("<NA>")
			case float64:
				b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			case string:
				b.WriteString(strconv.Quote(v))
			case time.Time:
				b.WriteString(v.Format(time.RFC3339Nano))
			default:
				fmt.Fprint(&b, v)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// readAll extracts input with opts and concatenates the batches.
func readAll(t testing.TB, input string, opts CSVOptions) (*frame.Frame, *CSVExtractor, error) {
	t.Helper()
	x := CSV(strings.NewReader(input), opts)
	var frames []*frame.Frame
	err := x.Extract(context.Background(), func(f *frame.Frame) error {
		if opts.BatchRows > 0 && f.NumRows() > opts.BatchRows {
			t.Errorf("batch of %d rows, BatchRows %d", f.NumRows(), opts.BatchRows)
		}
		frames = append(frames, f)
		return nil
	})
	if err != nil || len(frames) == 0 {
		return nil, x, err
	}
	f, cerr := frame.Concat(frames...)
	if cerr != nil {
		t.Fatalf("concat: %v", cerr)
	}
	return f, x, nil
}

func TestCSVParse(t *testing.T) {
	many := "id,x\n"
	for i := range 30 {
		many += fmt.Sprintf("u%d,%d\n", i, i%3)
	}
	tests := []struct {
		name  string
		input string
		opts  CSVOptions
		want  string
	}{
		{"infer float and categorical", "a,b\n1,x\n2.5,y\n-3e2,x\n", CSVOptions{},
			"a:float b:categorical\n1|\"x\"\n2.5|\"y\"\n-300|\"x\"\n"},
		{"tsv", "a\tb\n1\tx,y\n", CSVOptions{Comma: '\t'}, "a:float b:categorical\n1|\"x,y\"\n"},
		{"semicolon", "a;b\n1;2\n", CSVOptions{Comma: ';'}, "a:float b:float\n1|2\n"},
		{"no header default names", "1,x\n2,y\n", CSVOptions{NoHeader: true},
			"col1:float col2:categorical\n1|\"x\"\n2|\"y\"\n"},
		{"no header given names", "1,x\n", CSVOptions{NoHeader: true, Columns: []string{"n", "s"}},
			"n:float s:categorical\n1|\"x\"\n"},
		{"header renamed", "a,b\n1,2\n", CSVOptions{Columns: []string{"p", "q"}}, "p:float q:float\n1|2\n"},
		{"empty header name", "a,\n1,2\n", CSVOptions{}, "a:float col2:float\n1|2\n"},
		{"quoted delimiter, doubled quote, newline", "a,b\n\"x,1\",\"say \"\"hi\"\"\"\n\"line1\nline2\",z\n", CSVOptions{},
			"a:categorical b:categorical\n\"x,1\"|\"say \\\"hi\\\"\"\n\"line1\\nline2\"|\"z\"\n"},
		{"crlf", "a,b\r\n1,x\r\n2,y\r\n", CSVOptions{}, "a:float b:categorical\n1|\"x\"\n2|\"y\"\n"},
		{"crlf inside quotes is kept", "a\r\n\"p\r\nq\"\r\n", CSVOptions{}, "a:categorical\n\"p\\r\\nq\"\n"},
		{"bom", "\xEF\xBB\xBFa,b\n1,2\n", CSVOptions{}, "a:float b:float\n1|2\n"},
		{"comments", "# about\na,b\n#skip,me\n1,2\n", CSVOptions{Comment: '#'}, "a:float b:float\n1|2\n"},
		{"comment char inside quotes is text", "a\n\"#x\"\n", CSVOptions{Comment: '#'}, "a:categorical\n\"#x\"\n"},
		{"blank lines skipped", "a,b\n\n1,2\n\r\n3,4\n", CSVOptions{}, "a:float b:float\n1|2\n3|4\n"},
		{"no final newline", "a,b\n1,2", CSVOptions{}, "a:float b:float\n1|2\n"},
		{"default NA spellings", "a,b\n1,x\n,NA\n?,null\nNA,y\n", CSVOptions{},
			"a:float b:categorical\n1|\"x\"\n<NA>|<NA>\n<NA>|<NA>\n<NA>|\"y\"\n"},
		{"quoted NA is missing", "a\n\"NA\"\n\"\"\nx\n", CSVOptions{}, "a:categorical\n<NA>\n<NA>\n\"x\"\n"},
		{"extra NA", "a\n1\n????\n-\n", CSVOptions{NA: []string{"????", "-"}}, "a:float\n1\n<NA>\n<NA>\n"},
		{"no default NA", "a\nNA\n\"\"\nx\n", CSVOptions{NoDefaultNA: true, NA: []string{"x"}}, "a:categorical\n\"NA\"\n\"\"\n<NA>\n"},
		{"trim", "a, b \n 1 , \" x \" \n2,y\n", CSVOptions{TrimSpace: true}, "a:float b:categorical\n1|\" x \"\n2|\"y\"\n"},
		{"no trim keeps blanks", "a,b\n 1, x\n", CSVOptions{}, "a:float b:categorical\n1|\" x\"\n"},
		{"no quote", "a,b\n\"x,\"y\n", CSVOptions{NoQuote: true}, "a:categorical b:categorical\n\"\\\"x\"|\"\\\"y\"\n"},
		{"single quote char", "a,b\n'x,y',2\n", CSVOptions{Quote: '\''}, "a:categorical b:float\n\"x,y\"|2\n"},
		{"schema given", "a,b,c\n1,2,true\n3,,false\n", CSVOptions{Schema: map[string]frame.Kind{"a": frame.String, "b": frame.Categorical, "c": frame.Bool}},
			"a:string b:categorical c:bool\n\"1\"|\"2\"|true\n\"3\"|<NA>|false\n"},
		{"schema bool accepts 1 and 0", "c\n1\n0\nTRUE\n", CSVOptions{Schema: map[string]frame.Kind{"c": frame.Bool}}, "c:bool\ntrue\nfalse\ntrue\n"},
		{"strings option", "a,b\nx,y\n", CSVOptions{Strings: []string{"a"}}, "a:string b:categorical\n\"x\"|\"y\"\n"},
		{"infer bool", "a\ntrue\nFalse\n\n", CSVOptions{}, "a:bool\ntrue\nfalse\n"},
		{"infer date", "d\n2024-01-31\n2023-02-28\nNA\n", CSVOptions{},
			"d:time\n2024-01-31T00:00:00Z\n2023-02-28T00:00:00Z\n<NA>\n"},
		{"infer rfc3339", "d\n2024-01-31T10:00:00Z\n2024-01-31T10:00:00.5+02:00\n", CSVOptions{},
			"d:time\n2024-01-31T10:00:00Z\n2024-01-31T08:00:00.5Z\n"},
		{"mixed date layouts stay text", "d\n2024-01-31\n01/31/2024\n", CSVOptions{}, "d:categorical\n\"2024-01-31\"\n\"01/31/2024\"\n"},
		{"invalid date stays text", "d\n2024-02-30\n", CSVOptions{}, "d:categorical\n\"2024-02-30\"\n"},
		{"schema time", "d\n2024-01-31 10:00:00\n2024-01-31\n", CSVOptions{Schema: map[string]frame.Kind{"d": frame.Time}},
			"d:time\n2024-01-31T10:00:00Z\n2024-01-31T00:00:00Z\n"},
		{"all missing sample is categorical", "a,b\n,1\nNA,2\n", CSVOptions{}, "a:categorical b:float\n<NA>|1\n<NA>|2\n"},
		{"float forms", "a\n+1.5\n.5\n1.\n1e-3\nInf\nNaN\n0.1234567890123456789\n", CSVOptions{},
			"a:float\n1.5\n0.5\n1\n0.001\n+Inf\n<NA>\n0.12345678901234568\n"},
		{"header only", "a,b\n", CSVOptions{}, "<nil>"},
		{"empty input without header", "", CSVOptions{NoHeader: true}, "<nil>"},
		{"batches of one, many workers", "a\n1\n2\n3\n4\n5\n", CSVOptions{BatchRows: 1, Workers: 3}, "a:float\n1\n2\n3\n4\n5\n"},
		{"inference spans batches", "a\n1\n2\nx\n", CSVOptions{BatchRows: 1}, "a:categorical\n\"1\"\n\"2\"\n\"x\"\n"},
		{"infer rows limits the sample", "a\n1\n2\n3\n", CSVOptions{InferRows: 2, Schema: nil}, "a:float\n1\n2\n3\n"},
	}
	// High-cardinality text becomes a string column, low-cardinality a categorical.
	wantMany := "id:string x:float\n"
	for i := range 30 {
		wantMany += fmt.Sprintf("%q|%d\n", fmt.Sprintf("u%d", i), i%3)
	}
	tests = append(tests, struct {
		name  string
		input string
		opts  CSVOptions
		want  string
	}{"distinct text is string", many, CSVOptions{}, wantMany})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, x, err := readAll(t, tt.input, tt.opts)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if got := dump(f); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			st := x.Stats()
			if f != nil && (st.Rows != int64(f.NumRows()) || st.Records != st.Rows || st.Rejected != 0) {
				t.Errorf("stats %+v for %d rows", st, f.NumRows())
			}
		})
	}
}

func TestCSVErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		opts    CSVOptions
		is      error
		line    int
		column  string
		message string
	}{
		{"ragged row names its line", "a,b\n1,2\n\"x\ny\",3\n4\n", CSVOptions{BatchRows: 1}, ErrFieldCount, 5, "",
			"read csv line 5: wrong number of fields: 1, want 2"},
		{"too many fields", "a,b\n1,2,3\n", CSVOptions{Name: "t.csv"}, ErrFieldCount, 2, "",
			"read t.csv line 2: wrong number of fields: 3, want 2"},
		{"value does not fit schema", "id,age\n1,40\n2,abc\n", CSVOptions{Name: "churn.csv", Schema: map[string]frame.Kind{"age": frame.Float}},
			ErrNotNumber, 3, "age", `read churn.csv line 3 column age: "abc": not a number`},
		{"value does not fit inferred kind", "a\n1\n2\nx\n", CSVOptions{InferRows: 2}, ErrNotNumber, 4, "a",
			`read csv line 4 column a: "x": not a number`},
		{"bad bool", "c\nyes\n", CSVOptions{Schema: map[string]frame.Kind{"c": frame.Bool}}, ErrNotBool, 2, "c", ""},
		{"bad time", "c\n31/01/2024\n", CSVOptions{Schema: map[string]frame.Kind{"c": frame.Time}}, ErrNotTime, 2, "c", ""},
		{"bare quote", "a,b\nx\"y,2\n", CSVOptions{}, ErrQuote, 2, "", ""},
		{"text after closing quote", "a,b\n\"x\"y,2\n", CSVOptions{}, ErrQuote, 2, "", ""},
		{"unterminated quote", "a,b\n1,2\n\"x,2\n3,4\n", CSVOptions{}, ErrQuote, 3, "", ""},
		{"invalid utf8 categorical", "a\n\xff\xfe\n", CSVOptions{Schema: map[string]frame.Kind{"a": frame.Categorical}}, ErrUTF8, 2, "a", ""},
		{"invalid utf8 string", "a\nok\n\xff\n", CSVOptions{Schema: map[string]frame.Kind{"a": frame.String}}, ErrUTF8, 3, "a", ""},
		{"empty input needs header", "", CSVOptions{}, ErrNoHeader, 0, "", "read csv: no header line"},
		{"schema names unknown column", "a\n1\n", CSVOptions{Schema: map[string]frame.Kind{"z": frame.Float}}, ErrSchema, 0, "", ""},
		{"strings names unknown column", "a\n1\n", CSVOptions{Strings: []string{"z"}}, ErrSchema, 0, "", ""},
		{"columns count differs from header", "a,b\n1,2\n", CSVOptions{Columns: []string{"x"}}, ErrSchema, 0, "", ""},
		{"duplicate header", "a,a\n1,2\n", CSVOptions{}, frame.ErrDuplicate, 0, "", ""},
		{"delimiter equals quote", "a\n", CSVOptions{Comma: '"'}, ErrOptions, 0, "", ""},
		{"non-ascii delimiter", "a\n", CSVOptions{Comma: '§'}, ErrOptions, 0, "", ""},
		{"reject without loader", "a\n", CSVOptions{OnError: Reject}, ErrOptions, 0, "", ""},
		{"negative batch", "a\n", CSVOptions{BatchRows: -1}, ErrOptions, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, tt.input, tt.opts)
			if !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			if tt.message != "" && err.Error() != tt.message {
				t.Errorf("message %q, want %q", err.Error(), tt.message)
			}
			var pe *ParseError
			if tt.line > 0 {
				if !errors.As(err, &pe) {
					t.Fatalf("%v is not a *ParseError", err)
				}
				if pe.Line != tt.line || pe.ColumnName != tt.column {
					t.Errorf("line %d column %q, want %d %q", pe.Line, pe.ColumnName, tt.line, tt.column)
				}
			}
		})
	}
}

// TestCSVFailEmitsEarlierBatches checks that under Fail the batches before
// the bad record are emitted, in order, and nothing after it.
func TestCSVFailEmitsEarlierBatches(t *testing.T) {
	in := "a\n1\n2\n3\nx\n5\n"
	var got []float64
	x := CSV(strings.NewReader(in), CSVOptions{BatchRows: 1, Workers: 4, InferRows: 1})
	err := x.Extract(context.Background(), func(f *frame.Frame) error {
		v, err := f.Float("a")
		got = append(got, v...)
		return err
	})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 5 {
		t.Fatalf("err = %v, want a ParseError on line 5", err)
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("emitted %v, want [1 2 3]", got)
	}
}

func TestCSVRejectPolicy(t *testing.T) {
	in := "id,age,city\n" +
		"1,30,Paris\n" +
		"2,31\n" + // ragged: line 3
		"3,abc,Rome\n" + // not a number: line 4
		"4,\"33,Oslo\n" + // broken quote: the quote runs to the end
		""
	in2 := "id,age,city\n" +
		"1,30,Paris\n" +
		"2,31\n" +
		"3,abc,Rome\n" +
		"4,x\"y,Oslo\n" + // bare quote: line 5
		"5,35,\xff\n" + // invalid UTF-8: line 6
		"6,36,\"Ber\nlin\"\n" + // fine, spans lines 7-8
		"7,37,Rome,extra\n" + // ragged: line 9
		"8,38,Nice\n"
	tests := []struct {
		name      string
		input     string
		batch     int
		wantRows  int
		wantLines []int
	}{
		{"unterminated quote swallows the rest", in, 0, 1, []int{3, 4, 5}},
		{"dirty rows", in2, 0, 3, []int{3, 4, 5, 6, 9}},
		{"dirty rows, small batches", in2, 2, 3, []int{3, 4, 5, 6, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rejected []Rejected
			opts := CSVOptions{Name: "dirty.csv", OnError: Reject, BatchRows: tt.batch, Workers: 2,
				Schema:  map[string]frame.Kind{"age": frame.Float, "city": frame.Categorical},
				Rejects: LoaderFunc[Rejected](func(_ context.Context, r Rejected) error { rejected = append(rejected, r); return nil })}
			f, x, err := readAll(t, tt.input, opts)
			if err != nil {
				t.Fatal(err)
			}
			st := x.Stats()
			if f.NumRows() != tt.wantRows || st.Rows != int64(tt.wantRows) {
				t.Errorf("rows %d (stats %d), want %d", f.NumRows(), st.Rows, tt.wantRows)
			}
			if st.Records != st.Rows+st.Rejected {
				t.Errorf("records %d != rows %d + rejected %d", st.Records, st.Rows, st.Rejected)
			}
			var lines []int
			for _, r := range rejected {
				lines = append(lines, r.Line)
				var pe *ParseError
				if !errors.As(r.Err, &pe) || pe.Line != r.Line || r.Source != "dirty.csv" || r.Raw == "" {
					t.Errorf("reject %+v lacks its detail", r)
				}
			}
			if fmt.Sprint(lines) != fmt.Sprint(tt.wantLines) || st.Rejected != int64(len(tt.wantLines)) {
				t.Errorf("rejected lines %v (count %d), want %v", lines, st.Rejected, tt.wantLines)
			}
		})
	}
	// The raw text of a rejected record is its original line.
	var rejected []Rejected
	_, _, err := readAll(t, "a,b\n1,2\n3\n", CSVOptions{OnError: Reject,
		Rejects: LoaderFunc[Rejected](func(_ context.Context, r Rejected) error { rejected = append(rejected, r); return nil })})
	if err != nil || len(rejected) != 1 || rejected[0].Raw != "3" || rejected[0].Line != 3 {
		t.Errorf("err %v, rejected %+v", err, rejected)
	}
	// A failing rejects loader stops the extraction with its error.
	boom := errors.New("boom")
	_, _, err = readAll(t, "a,b\n1,2\n3\n", CSVOptions{OnError: Reject,
		Rejects: LoaderFunc[Rejected](func(context.Context, Rejected) error { return boom })})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}

func TestCSVBatchesBoundedAndOrdered(t *testing.T) {
	var b strings.Builder
	b.WriteString("i,s\n")
	const n = 1000
	for i := range n {
		fmt.Fprintf(&b, "%d,\"v,%d\"\n", i, i%7)
	}
	for _, batch := range []int{1, 7, 64, 5000} {
		x := CSV(strings.NewReader(b.String()), CSVOptions{BatchRows: batch, Workers: 3})
		next := 0.0
		batches := 0
		err := x.Extract(context.Background(), func(f *frame.Frame) error {
			batches++
			if f.NumRows() > batch {
				t.Errorf("batch %d: %d rows", batch, f.NumRows())
			}
			v, err := f.Float("i")
			for _, x := range v {
				if x != next {
					t.Fatalf("batch %d: row %v after %v", batch, x, next-1)
				}
				next++
			}
			return err
		})
		if err != nil || next != n {
			t.Fatalf("batch %d: err %v, %v rows", batch, err, next)
		}
		if want := (n + batch - 1) / batch; batches != want {
			t.Errorf("batch %d: %d frames, want %d", batch, batches, want)
		}
	}
}

func TestCSVWorkersDoNotChangeResult(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,c\n")
	for i := range 500 {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "%d,\"multi\nline %d\",x\r\n", i, i)
		case 1:
			fmt.Fprintf(&b, "%d,\"q\"\"%d\"\"\",NA\n", i, i)
		default:
			fmt.Fprintf(&b, "%d,plain%d,y\n", i, i%3)
		}
	}
	ref, _, err := readAll(t, b.String(), CSVOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []CSVOptions{{Workers: 4, BatchRows: 3}, {Workers: 2, BatchRows: 100}} {
		got, _, err := readAll(t, b.String(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if dump(got) != dump(ref) {
			t.Errorf("workers %d batch %d: result differs", opts.Workers, opts.BatchRows)
		}
	}
}

func TestCSVCancel(t *testing.T) {
	var b strings.Builder
	b.WriteString("a\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "%d\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	x := CSV(strings.NewReader(b.String()), CSVOptions{BatchRows: 10, Workers: 2})
	calls := 0
	err := x.Extract(ctx, func(*frame.Frame) error {
		calls++
		if calls == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls > 2 {
		t.Errorf("err %v after %d calls, want context.Canceled after 2", err, calls)
	}
	// An already cancelled context reads nothing.
	x = CSV(strings.NewReader(b.String()), CSVOptions{})
	if err := x.Extract(ctx, func(*frame.Frame) error { t.Error("emit called"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	// An error from emit stops the run and is returned.
	stop := errors.New("stop")
	x = CSV(strings.NewReader(b.String()), CSVOptions{BatchRows: 10})
	if err := x.Extract(context.Background(), func(*frame.Frame) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("err %v, want stop", err)
	}
	// A second Extract of a reader is refused.
	if err := x.Extract(context.Background(), func(*frame.Frame) error { return nil }); !errors.Is(err, ErrConsumed) {
		t.Errorf("err %v, want ErrConsumed", err)
	}
}

type failingReader struct{ data *strings.Reader }

func (r failingReader) Read(p []byte) (int, error) {
	if r.data.Len() == 0 {
		return 0, errors.New("disk on fire")
	}
	return r.data.Read(p[:min(len(p), 3)])
}

func TestCSVReadError(t *testing.T) {
	x := CSV(failingReader{strings.NewReader("a\n1\n2\n")}, CSVOptions{BatchRows: 1})
	var rows int
	err := x.Extract(context.Background(), func(f *frame.Frame) error { rows += f.NumRows(); return nil })
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
	if rows != 2 {
		t.Errorf("emitted %d rows before the read error, want 2", rows)
	}
}

func TestOpenCSV(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenCSV(filepath.Join(dir, "missing.csv"), CSVOptions{})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
	plain := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(plain, []byte("a,b\n1,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("a,b\n1,x\n"))
	zw.Close()
	zipped := filepath.Join(dir, "a.csv.gz")
	if err := os.WriteFile(zipped, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	notgz := filepath.Join(dir, "bad.csv.gz")
	if err := os.WriteFile(notgz, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCSV(notgz, CSVOptions{}); err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("bad gzip: %v", err)
	}
	for _, path := range []string{plain, zipped} {
		x, err := OpenCSV(path, CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = x.Extract(context.Background(), func(f *frame.Frame) error { got += dump(f); return nil })
		if err != nil || got != "a:float b:categorical\n1|\"x\"\n" {
			t.Errorf("%s: err %v, got %q", path, err, got)
		}
		if st := x.Stats(); st.Bytes != 8 {
			t.Errorf("%s: %d bytes read, want 8", path, st.Bytes)
		}
		// A file can be extracted again.
		var again string
		err = x.Extract(context.Background(), func(f *frame.Frame) error { again += dump(f); return nil })
		if err != nil || again != got {
			t.Errorf("%s: second run: err %v, got %q", path, err, again)
		}
		if err := x.Close(); err != nil {
			t.Error(err)
		}
	}
	// The file name is the source in errors.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("a\n1\nz\n"), 0o644)
	x, _ := OpenCSV(bad, CSVOptions{InferRows: 1})
	defer x.Close()
	err = x.Extract(context.Background(), func(*frame.Frame) error { return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "read "+bad+" line 3 column a") {
		t.Errorf("err = %v", err)
	}
}

func TestParseFloatMatchesStrconv(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "0.1", "123.456", "999999999999999", "9999999999999999",
		"0.3", "1.7976931348623157e308", "5e-324", "123456789012345.6", "0.0000000000000000000001",
		"-12.5", "+7", "1e400", "00012", "3.14159265358979323846"} {
		want, werr := strconv.ParseFloat(s, 64)
		got, ok := parseFloat([]byte(s))
		if werr != nil && !errors.Is(werr, strconv.ErrRange) {
			if ok {
				t.Errorf("%q: parsed as %v, strconv refuses it", s, got)
			}
			continue
		}
		if !ok || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%q: got %v (%v), want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "-", ".", "1.2.3", "1,5", "abc", "1 2", "0x"} {
		if v, ok := parseFloat([]byte(s)); ok {
			t.Errorf("%q parsed as %v", s, v)
		}
	}
}

func TestNthNewline(t *testing.T) {
	big := strings.Repeat("abc\n", 20000) // 80,000 bytes: several counting blocks
	tests := []struct {
		in   string
		n    int
		want int
	}{
		{"\n", 1, 0},
		{"a\nb\nc\n", 2, 3},
		{"a\nb\nc", 2, 3},
		{big, 1, 3},
		{big, 4096, 4096*4 - 1},
		{big, 4097, 4097*4 - 1},
		{big, 20000, 80000 - 1},
	}
	for _, tt := range tests {
		if got := nthNewline([]byte(tt.in), tt.n); got != tt.want {
			t.Errorf("nthNewline(len %d, %d) = %d, want %d", len(tt.in), tt.n, got, tt.want)
		}
	}
}
