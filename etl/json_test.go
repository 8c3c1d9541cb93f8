package etl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func readJSON(t testing.TB, x *JSONExtractor, limit int) (*frame.Frame, error) {
	t.Helper()
	var frames []*frame.Frame
	err := x.Extract(context.Background(), func(f *frame.Frame) error {
		if limit > 0 && f.NumRows() > limit {
			t.Errorf("batch of %d rows, limit %d", f.NumRows(), limit)
		}
		frames = append(frames, f)
		return nil
	})
	if err != nil || len(frames) == 0 {
		return nil, err
	}
	f, cerr := frame.Concat(frames...)
	if cerr != nil {
		t.Fatal(cerr)
	}
	return f, nil
}

func TestJSONSources(t *testing.T) {
	tests := []struct {
		name  string
		lines string // JSON Lines input
		doc   string // the same records as a JSON document
		opts  RecordOptions
		want  string
	}{
		{"kinds inferred",
			`{"a":1,"b":"x","c":true,"d":"2024-01-31"}` + "\n" + `{"a":2.5,"b":"y","c":false,"d":null}`,
			`[{"a":1,"b":"x","c":true,"d":"2024-01-31"},{"a":2.5,"b":"y","c":false,"d":null}]`,
			RecordOptions{},
			"a:float b:categorical c:bool d:time\n1|\"x\"|true|2024-01-31T00:00:00Z\n2.5|\"y\"|false|<NA>\n"},
		{"nested objects flattened, arrays as text, missing keys",
			`{"id":1,"user":{"name":"ada","geo":{"cc":"UK"}},"tags":["a","b"]}` + "\n\n" + `{"id":2,"user":{"name":"bob"}}`,
			`[{"id":1,"user":{"name":"ada","geo":{"cc":"UK"}},"tags":["a","b"]}, {"id":2,"user":{"name":"bob"}}]`,
			RecordOptions{},
			"id:float user.name:categorical user.geo.cc:categorical tags:categorical\n1|\"ada\"|\"UK\"|\"[\\\"a\\\",\\\"b\\\"]\"\n2|\"bob\"|<NA>|<NA>\n"},
		{"separator and NA strings",
			`{"a":{"b":"NA"}}` + "\n" + `{"a":{"b":"-"}}` + "\n" + `{"a":{"b":"3"}}`,
			`[{"a":{"b":"NA"}},{"a":{"b":"-"}},{"a":{"b":"3"}}]`,
			RecordOptions{Separator: "_", NA: []string{"-"}},
			"a_b:float\n<NA>\n<NA>\n3\n"},
		{"mixed types become text",
			`{"v":1}` + "\n" + `{"v":"x"}` + "\n" + `{"v":true}`,
			`[{"v":1},{"v":"x"},{"v":true}]`,
			RecordOptions{},
			"v:categorical\n\"1\"\n\"x\"\n\"true\"\n"},
		{"schema adds and fixes columns",
			`{"a":1}`,
			`[{"a":1}]`,
			RecordOptions{Schema: map[string]frame.Kind{"a": frame.String, "z": frame.Float}},
			"a:string z:float\n\"1\"|<NA>\n"},
		{"unknown fields ignored when asked",
			`{"a":1}` + "\n" + `{"a":2,"b":3}`,
			`[{"a":1},{"a":2,"b":3}]`,
			RecordOptions{InferRows: 1, IgnoreUnknown: true},
			"a:float\n1\n2\n"},
		{"batches of one", `{"a":1}` + "\n" + `{"a":2}` + "\n" + `{"a":3}`, `[{"a":1},{"a":2},{"a":3}]`,
			RecordOptions{BatchRows: 1, Workers: 3}, "a:float\n1\n2\n3\n"},
		{"empty", "", "[]", RecordOptions{}, "<nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, x := range []*JSONExtractor{JSONLines(strings.NewReader(tt.lines), tt.opts), JSON(strings.NewReader(tt.doc), tt.opts)} {
				f, err := readJSON(t, x, tt.opts.BatchRows)
				if err != nil {
					t.Fatalf("lines=%v: %v", x.lines, err)
				}
				if got := dump(f); got != tt.want {
					t.Errorf("lines=%v: got\n%s\nwant\n%s", x.lines, got, tt.want)
				}
				if st := x.Stats(); st.Records != st.Rows || (f != nil && st.Rows != int64(f.NumRows())) {
					t.Errorf("lines=%v: stats %+v", x.lines, st)
				}
			}
		})
	}
}

func TestJSONDocumentShapes(t *testing.T) {
	tests := []struct {
		name, doc string
		opts      RecordOptions
		want      string
		err       error
	}{
		{"records path", `{"meta":{"n":2},"data":{"items":[{"a":1},{"a":2}]}}`, RecordOptions{Records: "data.items"}, "a:float\n1\n2\n", nil},
		{"single object", `{"a":1,"b":{"c":"x"}}`, RecordOptions{}, "a:float b.c:categorical\n1|\"x\"\n", nil},
		{"records path missing", `{"data":[]}`, RecordOptions{Records: "items"}, "", ErrJSON},
		{"not an array", `42`, RecordOptions{}, "", ErrJSON},
		{"truncated", `[{"a":1},{"a":`, RecordOptions{}, "", ErrJSON},
		{"element not an object", `[{"a":1},[1]]`, RecordOptions{}, "", ErrJSON},
		{"kind mismatch", `[{"a":1},{"a":{"b":1}}]`, RecordOptions{InferRows: 1}, "", ErrSchema},
		{"number for a time column", `[{"t":5}]`, RecordOptions{Schema: map[string]frame.Kind{"t": frame.Time}}, "", ErrKind},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readJSON(t, JSON(strings.NewReader(tt.doc), tt.opts), 0)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err == nil && dump(f) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", dump(f), tt.want)
			}
		})
	}
	// A record index, not a line, locates errors in a document.
	_, err := readJSON(t, JSON(strings.NewReader(`[{"a":1},{"a":"x"}]`), RecordOptions{Name: "api.json", InferRows: 1}), 0)
	if err == nil || err.Error() != `read api.json record 2 column a: "x": not a number` {
		t.Errorf("err = %v", err)
	}
}

func TestJSONReject(t *testing.T) {
	lines := strings.Join([]string{
		`{"id":1,"v":1.5}`,
		`{"id":2,"v":"abc"}`,        // not a number: line 2
		`{"id":3,"v":2`,             // truncated: line 3
		`[1,2]`,                     // not an object: line 4
		`{"id":5,"v":3,"w":1}`,      // unknown field: line 5
		"{\"id\":6,\"v\":\"\xff\"}", // invalid UTF-8: line 6
		`null`,                      // line 7
		`{"id":8,"v":4}`,
	}, "\n")
	doc := `[{"id":1,"v":1.5},{"id":2,"v":"abc"},[1],{"id":4,"v":4},{"id":5,"v":`
	tests := []struct {
		name      string
		x         func(RecordOptions) *JSONExtractor
		input     string
		rows      int
		locations []int
	}{
		{"lines", func(o RecordOptions) *JSONExtractor { return JSONLines(strings.NewReader(lines), o) }, lines, 2, []int{2, 3, 4, 5, 6, 7}},
		{"lines, small batches", func(o RecordOptions) *JSONExtractor {
			o.BatchRows, o.Workers = 2, 2
			return JSONLines(strings.NewReader(lines), o)
		}, lines, 2, []int{2, 3, 4, 5, 6, 7}},
		{"document with a truncated tail", func(o RecordOptions) *JSONExtractor { return JSON(strings.NewReader(doc), o) }, doc, 2, []int{2, 3, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rejects Memory[Rejected]
			x := tt.x(RecordOptions{Name: "in", OnError: Reject, Rejects: &rejects, InferRows: 1,
				Schema: map[string]frame.Kind{"id": frame.Float, "v": frame.Float}})
			f, err := readJSON(t, x, 0)
			if err != nil {
				t.Fatal(err)
			}
			st := x.Stats()
			if f.NumRows() != tt.rows || st.Rows != int64(tt.rows) || st.Records != st.Rows+st.Rejected {
				t.Errorf("rows %d, stats %+v", f.NumRows(), st)
			}
			var locs []int
			for _, r := range rejects.Items() {
				locs = append(locs, r.Line+r.Record)
				if r.Raw == "" || r.Err == nil {
					t.Errorf("reject without detail: %+v", r)
				}
			}
			if fmt.Sprint(locs) != fmt.Sprint(tt.locations) {
				t.Errorf("rejected at %v, want %v", locs, tt.locations)
			}
		})
	}
}

func TestJSONLinesWriter(t *testing.T) {
	f := mustFrame(t,
		frame.Floats("x", []float64{1.5, math.NaN()}),
		frame.Categories("user.name", []string{"ada", ""}, []bool{true, false}),
		frame.Strings("s", []string{"q\"uote\n", "b"}, nil),
		frame.Bools("b", []bool{true, false}, []bool{true, false}),
	)
	var buf bytes.Buffer
	w := NewJSONLinesWriter(&buf, JSONLinesWriterOptions{})
	if err := w.Load(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `{"x":1.5,"user.name":"ada","s":"q\"uote\n","b":true}` + "\n" +
		`{"x":null,"user.name":null,"s":"b","b":null}` + "\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	// Round trip through JSON Lines: flattened names stay flat.
	back, err := readJSON(t, JSONLines(strings.NewReader(buf.String()), RecordOptions{
		Schema: map[string]frame.Kind{"user.name": frame.Categorical, "s": frame.String}}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if dump(back) != dump(f) {
		t.Errorf("round trip\n%s\nwant\n%s", dump(back), dump(f))
	}
	buf.Reset()
	w = NewJSONLinesWriter(&buf, JSONLinesWriterOptions{OmitMissing: true})
	w.Load(context.Background(), f)
	w.Close()
	if !strings.HasPrefix(buf.String(), `{"x":1.5,`) || !strings.HasSuffix(buf.String(), "{\"s\":\"b\"}\n") {
		t.Errorf("omit missing: %s", buf.String())
	}
	inf := mustFrame(t, frame.Floats("x", []float64{math.Inf(1)}))
	if err := NewJSONLinesWriter(&buf, JSONLinesWriterOptions{}).Load(context.Background(), inf); !errors.Is(err, ErrKind) {
		t.Errorf("inf: %v", err)
	}
	// Atomic file.
	dir := t.TempDir()
	path := filepath.Join(dir, "out.jsonl.gz")
	fw, err := CreateJSONLines(path, JSONLinesWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fw.Load(context.Background(), f)
	if _, err := os.Stat(path); err == nil {
		t.Error("file exists before Close")
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	x, err := OpenJSONLines(path, RecordOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	back, err = readJSON(t, x, 0)
	if err != nil || back.NumRows() != 2 {
		t.Errorf("read back: %v", err)
	}
	again, err := readJSON(t, x, 0)
	if err != nil || dump(again) != dump(back) {
		t.Errorf("second read: %v", err)
	}
	if _, err := OpenJSON(filepath.Join(dir, "none.json"), RecordOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestRejectsWriter(t *testing.T) {
	var buf bytes.Buffer
	rw := NewRejectsWriter(&buf)
	x := CSV(strings.NewReader("a,b\n1,2\n3\n4,x\"y\n"), CSVOptions{Name: "in.csv", OnError: Reject, Rejects: rw})
	if err := x.Extract(context.Background(), func(*frame.Frame) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	want := `{"source":"in.csv","line":3,"error":"read in.csv line 3: wrong number of fields: 1, want 2","raw":"3"}` + "\n" +
		`{"source":"in.csv","line":4,"error":"read in.csv line 4: malformed quoting: field 2: bare \" in unquoted field","raw":"4,x\"y"}` + "\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	if err := rw.Load(context.Background(), Rejected{}); !errors.Is(err, ErrClosed) {
		t.Errorf("after close: %v", err)
	}
}
