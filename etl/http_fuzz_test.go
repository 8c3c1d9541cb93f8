package etl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

// roundTripFunc answers requests without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzHTTPPage serves one crafted body and Link header for every request
// and reads it with each pagination scheme: the extraction returns (within
// its page bound) with frames or an error, never a panic or a hang, and
// every record read is either a row or in the error.
func FuzzHTTPPage(f *testing.F) {
	for _, s := range []struct{ body, link string }{
		{`{"data":[{"id":1,"name":"a"},{"id":2}],"meta":{"next":"3"}}`, `</p?page=2>; rel="next"`},
		{`[{"a":1},{"a":"x"}]`, `<https://other.example/x>; rel=next, <p>; rel="prev"`},
		{`{"a":{"b":[1,2]}}`, `<>; rel="next"`},
		{`null`, `<%zz>; rel="next"`},
		{`{"data":{"x":1}}`, ``},
		{`[1,2`, `<p;>, rel="next";`},
		{`{"data":[{"id":1}],"meta":{"next":null}}`, `</same>; rel="next"`},
	} {
		for kind := range 3 {
			f.Add([]byte(s.body), s.link, uint8(kind))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, link string, kind uint8) {
		client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			h := http.Header{}
			if link != "" {
				h.Set("Link", link)
			}
			return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})}
		opts := HTTPOptions{Client: client, Retries: -1, Timeout: 5 * time.Second, MaxBodyBytes: 1 << 16,
			Records: RecordOptions{InferRows: 2, BatchRows: 2}, Concurrency: 2}
		switch kind % 4 {
		case 1:
			opts.Pages = Pages{Kind: Link, MaxPages: 4}
		case 2:
			opts.Pages = Pages{Kind: Cursor, CursorField: "meta.next", MaxPages: 4}
			opts.Records.Records = "data"
		case 3:
			opts.Pages = Pages{Kind: PageNumber, Size: 2, MaxPages: 4}
			opts.Records.OnError = Reject
			opts.Records.Rejects = LoaderFunc[Rejected](func(context.Context, Rejected) error { return nil })
		}
		x, err := HTTPJSON(opts, "http://api.test/p?page=1")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var rows int64
		err = x.Extract(ctx, func(f *frame.Frame) error { rows += int64(f.NumRows()); return nil })
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("extraction hung on body %q link %q", body, link)
		}
		st := x.Stats()
		if st.Rows != rows {
			t.Fatalf("stats count %d rows, emitted %d", st.Rows, rows)
		}
		if err == nil && st.Records != st.Rows+st.Rejected {
			t.Fatalf("read %d records, %d rows + %d rejected", st.Records, st.Rows, st.Rejected)
		}
	})
}

// FuzzNextLink checks that any Link header yields no next page or an
// absolute URL resolved against the request's.
func FuzzNextLink(f *testing.F) {
	for _, s := range []string{
		`<https://api.test/items?page=2>; rel="next", <https://api.test/items?page=9>; rel="last"`,
		`</items?page=2>; rel=next`,
		`<page3>; REL="NEXT"`,
		`<>; rel="next"`,
		`<%zz>; rel="next"`,
		`<a,b>; rel="next"`,
		`rel="next"`,
		`<javascript:alert(1)>; rel="next"`,
	} {
		f.Add(s, "https://api.test/items?page=1")
	}
	f.Fuzz(func(t *testing.T, header, base string) {
		next := nextLink(strings.Split(header, "\n"), base)
		if next == "" {
			return
		}
		u, err := url.Parse(next)
		if err != nil {
			t.Fatalf("nextLink(%q, %q) = %q, which does not parse: %v", header, base, next, err)
		}
		if b, err := url.Parse(base); err == nil && b.IsAbs() && !u.IsAbs() {
			t.Fatalf("nextLink(%q, %q) = %q, not absolute", header, base, next)
		}
	})
}

// FuzzJSON checks that a JSON document (an array of records, or one
// object) reads without panicking to the same frames or first error
// whatever the batch size and workers, and that every record read becomes a
// row (or the read fails).
func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`[{"a":1,"b":"x"},{"a":2,"b":null}]`,
		`{"a":{"b":{"c":true}}}`,
		`[{"a":[1,2]},[1]]`,
		`[{"a":1},{"a":"NA"}`,
		"[{\"a\":\"\xff\"}]",
		`[]`, `null`, `[null]`, `[{"a":1e400}]`, `[{"":1,".":2}]`,
		`[{"t":"2024-01-31T10:00:00Z"},{"t":"2024-02-01"}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		x := JSON(strings.NewReader(in), RecordOptions{InferRows: 3})
		a, errA := fuzzReadRecords(x)
		if st := x.Stats(); errA == nil && st.Records != st.Rows+st.Rejected {
			t.Fatalf("read %d records, %d rows + %d rejected", st.Records, st.Rows, st.Rejected)
		}
		b, errB := fuzzReadRecords(JSON(strings.NewReader(in), RecordOptions{InferRows: 3, BatchRows: 1, Workers: 3}))
		if (errA == nil) != (errB == nil) {
			t.Fatalf("batch size changes the outcome: %v vs %v", errA, errB)
		}
		var pa, pb *ParseError
		if errors.As(errA, &pa) != errors.As(errB, &pb) || pa != nil && pa.Record != pb.Record {
			t.Fatalf("batch size changes the error: %v vs %v", errA, errB)
		}
		if errA == nil && dump(a) != dump(b) {
			t.Fatalf("batch size changes the result:\n%s\nvs\n%s", dump(a), dump(b))
		}
	})
}

func fuzzReadRecords(x *JSONExtractor) (*frame.Frame, error) {
	var frames []*frame.Frame
	err := x.Extract(context.Background(), func(f *frame.Frame) error { frames = append(frames, f); return nil })
	if err != nil || len(frames) == 0 {
		return nil, err
	}
	return frame.Concat(frames...)
}
