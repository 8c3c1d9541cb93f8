package cache

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"
)

// fuzzRecord is a JSON-coded value, as most GetOrLoad callers store.
type fuzzRecord struct {
	Name  string             `json:"name"`
	Score float64            `json:"score"`
	Tags  map[string][]int64 `json:"tags"`
}

// FuzzDecodeValue feeds crafted stored entries to the decoding GetOrLoad
// applies to what a backend returns, for each default codec (Numeric, Raw,
// JSON, Binary through the HTTP transport's entries): every input decodes or
// fails with ErrCorrupt, never panics, and what decodes re-encodes to a
// value that decodes the same. It also reads the bytes through GetOrLoad on
// a Memory cache: a corrupt entry is reloaded, never returned as an error.
func FuzzDecodeValue(f *testing.F) {
	floats, _ := Numeric.Marshal(&[]float64{1, math.NaN(), math.Inf(-1)})
	ints, _ := Numeric.Marshal(&[]int32{1, -2})
	rec, _ := JSON.Marshal(&fuzzRecord{Name: "a", Score: 1.5, Tags: map[string][]int64{"x": {1}}})
	entry, _ := (&httpEntry{Status: 200, Header: map[string][]string{"Content-Type": {"application/json"}}, Body: []byte("{}")}).MarshalBinary()
	for _, p := range [][]byte{floats, ints, rec, entry, []byte("plain text"), nil} {
		f.Add(envelope{payload: p}.encode())
		f.Add(envelope{tags: []tagVersion{{"t", 3}}, payload: p}.encode())
	}
	f.Add(envelope{negative: true}.encode())
	f.Add([]byte{envMagic, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7})
	m, err := NewMemory(MemoryOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { m.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode[[]float64](t, data, func(a, b []float64) bool {
			return len(a) == len(b) && bytes.Equal(mustNumeric(t, &a), mustNumeric(t, &b))
		})
		checkDecode[[]int32](t, data, func(a, b []int32) bool {
			return len(a) == len(b) && bytes.Equal(mustNumeric(t, &a), mustNumeric(t, &b))
		})
		checkDecode[string](t, data, func(a, b string) bool { return a == b })
		checkDecode[fuzzRecord](t, data, func(a, b fuzzRecord) bool { return a.Name == b.Name && len(a.Tags) == len(b.Tags) })
		checkDecode[httpEntry](t, data, func(a, b httpEntry) bool { return a.Status == b.Status && bytes.Equal(a.Body, b.Body) })

		// Through GetOrLoad: a stored entry that does not decode is loaded
		// again, so the caller gets the loaded value.
		ctx := context.Background()
		if err := m.Set(ctx, "k", data, 0); err != nil {
			t.Fatal(err)
		}
		v, err := GetOrLoad(ctx, m, "k", 0, func(context.Context) ([]float64, error) { return []float64{42}, nil })
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatalf("GetOrLoad over %x: %v", data, err)
		}
		if _, _, derr := decodeValue[[]float64](data, Numeric); derr != nil && (len(v) != 1 || v[0] != 42) {
			t.Fatalf("corrupt entry %x: got %v, want the loaded value", data, v)
		}
	})
}

func mustNumeric[T any](t *testing.T, v *T) []byte {
	b, err := Numeric.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkDecode decodes data as GetOrLoad[T] would; when it decodes, the value
// must encode again and decode to an equal value.
func checkDecode[T any](t *testing.T, data []byte, equal func(a, b T) bool) {
	t.Helper()
	codec := codecFor[T]()
	v, env, err := decodeValue[T](data, codec)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%T: error %v does not wrap ErrCorrupt", v, err)
		}
		return
	}
	if env.negative {
		return
	}
	b, err := codec.Marshal(&v)
	if err != nil {
		t.Fatalf("%T: decoded %+v does not encode: %v", v, v, err)
	}
	w, _, err := decodeValue[T](envelope{payload: b}.encode(), codec)
	if err != nil {
		t.Fatalf("%T: re-encoded value does not decode: %v", v, err)
	}
	if !equal(v, w) {
		t.Fatalf("%T: round trip changed %+v into %+v", v, v, w)
	}
}
