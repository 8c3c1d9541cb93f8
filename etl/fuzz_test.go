package etl

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// FuzzCSV checks, for any input, that parsing never panics, that the result
// (frames or the first error's line) does not depend on the batch size or
// the number of workers, and that what was read writes back and reads again
// unchanged.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n",
		"a,b\n\"x,y\",\"q\"\"\"\n",
		"a\r\n\"multi\r\nline\"\r\n",
		"\xEF\xBB\xBFa;b\n1;2",
		"a,b\n1\n",
		"a,b\n\"open,1\n",
		"a\nNA\n?\nnull\n\n",
		"a,b\n2024-01-31,true\n2024-02-01,FALSE\n",
		"a\n1e5\n-0\nInf\n",
		"a,a\n1,2\n",
		"a\nx\"y\n",
		"\n\n",
		"a\n\xff\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		opts := CSVOptions{NoDefaultNA: true, NA: []string{""}, InferRows: 4}
		a, errA := fuzzRead(in, opts)
		opts.BatchRows, opts.Workers = 1, 3
		b, errB := fuzzRead(in, opts)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("batch size changes the outcome: %v vs %v", errA, errB)
		}
		var pa, pb *ParseError
		if errors.As(errA, &pa) != errors.As(errB, &pb) || pa != nil && pa.Line != pb.Line {
			t.Fatalf("batch size changes the error: %v vs %v", errA, errB)
		}
		if errA != nil {
			return
		}
		if dump(a) != dump(b) {
			t.Fatalf("batch size changes the result:\n%s\nvs\n%s", dump(a), dump(b))
		}
		if a == nil {
			return
		}
		var buf bytes.Buffer
		w := NewCSVWriter(&buf, CSVWriterOptions{})
		if err := w.Load(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		schema := make(map[string]frame.Kind)
		for i, n := range a.Names() {
			_, c := a.ColAt(i)
			schema[n] = c.Kind()
		}
		c, err := fuzzRead(buf.String(), CSVOptions{NoDefaultNA: true, NA: []string{""}, Schema: schema})
		if err != nil {
			t.Fatalf("re-reading %q: %v", buf.String(), err)
		}
		if dump(c) != dump(a) {
			t.Fatalf("round trip through %q:\n%s\nvs\n%s", buf.String(), dump(c), dump(a))
		}
	})
}

func fuzzRead(in string, opts CSVOptions) (*frame.Frame, error) {
	x := CSV(strings.NewReader(in), opts)
	var frames []*frame.Frame
	err := x.Extract(context.Background(), func(f *frame.Frame) error {
		frames = append(frames, f)
		return nil
	})
	if err != nil || len(frames) == 0 {
		return nil, err
	}
	return frame.Concat(frames...)
}

// FuzzJSONLines checks that any input parses without panicking, to the
// same frames or the same first error whatever the batch size and workers,
// and that the JSON document reader does not panic on the same bytes.
func FuzzJSONLines(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":"x"}` + "\n" + `{"a":2,"b":null}`,
		`{"a":{"b":{"c":true}}}`,
		`{"a":[1,2]}` + "\n" + `[1]`,
		`{"a":1` + "\n" + `{"a":"NA"}`,
		"{\"a\":\"\xff\"}",
		`[{"a":1},{"a":2}]`,
		`null`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		read := func(x *JSONExtractor) (*frame.Frame, error) {
			var frames []*frame.Frame
			err := x.Extract(context.Background(), func(f *frame.Frame) error { frames = append(frames, f); return nil })
			if err != nil || len(frames) == 0 {
				return nil, err
			}
			return frame.Concat(frames...)
		}
		a, errA := read(JSONLines(strings.NewReader(in), RecordOptions{InferRows: 3}))
		b, errB := read(JSONLines(strings.NewReader(in), RecordOptions{InferRows: 3, BatchRows: 1, Workers: 3}))
		if (errA == nil) != (errB == nil) {
			t.Fatalf("batch size changes the outcome: %v vs %v", errA, errB)
		}
		var pa, pb *ParseError
		if errors.As(errA, &pa) != errors.As(errB, &pb) || pa != nil && pa.Line != pb.Line {
			t.Fatalf("batch size changes the error: %v vs %v", errA, errB)
		}
		if errA == nil && dump(a) != dump(b) {
			t.Fatalf("batch size changes the result:\n%s\nvs\n%s", dump(a), dump(b))
		}
		read(JSON(strings.NewReader(in), RecordOptions{InferRows: 3, BatchRows: 2}))
	})
}
