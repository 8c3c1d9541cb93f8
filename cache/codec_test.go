package cache

import (
	"context"
	"math"
	"reflect"
	"testing"
)

func TestNumericCodecRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   any // pointer to a slice
		out  any // pointer to an empty slice of the same type
		size int
	}{
		{"float64 with NaN and Inf", &[]float64{1.5, math.NaN(), math.Inf(-1), math.Copysign(0, -1)}, new([]float64), 32},
		{"float32", &[]float32{1, -2.25}, new([]float32), 8},
		{"int64", &[]int64{math.MinInt64, 0, math.MaxInt64}, new([]int64), 24},
		{"int32", &[]int32{-1, 7}, new([]int32), 8},
		{"empty", &[]float64{}, new([]float64), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Numeric.Marshal(tt.in)
			if err != nil || len(b) != tt.size {
				t.Fatalf("Marshal: %d bytes, %v; want %d", len(b), err, tt.size)
			}
			if err := Numeric.Unmarshal(b, tt.out); err != nil {
				t.Fatal(err)
			}
			in, out := reflect.ValueOf(tt.in).Elem(), reflect.ValueOf(tt.out).Elem()
			if in.Len() != out.Len() {
				t.Fatalf("len %d, want %d", out.Len(), in.Len())
			}
			for i := range in.Len() {
				a, b := in.Index(i).Interface(), out.Index(i).Interface()
				if f, ok := a.(float64); ok && math.IsNaN(f) {
					if !math.IsNaN(b.(float64)) {
						t.Errorf("[%d] = %v, want NaN", i, b)
					}
					continue
				}
				if a != b {
					t.Errorf("[%d] = %v, want %v", i, b, a)
				}
			}
		})
	}
	if _, err := Numeric.Marshal(&[]string{"x"}); err == nil {
		t.Error("Marshal of []string: no error")
	}
	if err := Numeric.Unmarshal(make([]byte, 7), new([]float64)); err == nil {
		t.Error("Unmarshal of 7 bytes into []float64: no error")
	}
	if err := Numeric.Unmarshal(nil, new([]string)); err == nil {
		t.Error("Unmarshal into []string: no error")
	}
}

func TestCodecFor(t *testing.T) {
	tests := []struct {
		got, want Codec
	}{
		{codecFor[[]float64](), Numeric},
		{codecFor[[]int32](), Numeric},
		{codecFor[point](), Binary},
		{codecFor[[]int](), JSON},
		{codecFor[string](), Raw},
		{codecFor[[]byte](), Raw},
		{codecFor[map[string]float64](), JSON},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: %T, want %T", i, tt.got, tt.want)
		}
	}
	if _, err := Binary.Marshal(new(int)); err == nil {
		t.Error("Binary.Marshal of an int: no error")
	}
	if err := Binary.Unmarshal(nil, new(int)); err == nil {
		t.Error("Binary.Unmarshal into an int: no error")
	}
}

func TestRawCodec(t *testing.T) {
	str := "héllo"
	b, err := Raw.Marshal(&str)
	if err != nil || string(b) != str {
		t.Fatalf("Marshal(string) = %q, %v", b, err)
	}
	var s2 string
	if err := Raw.Unmarshal(b, &s2); err != nil || s2 != str {
		t.Errorf("Unmarshal(string) = %q, %v", s2, err)
	}
	raw := []byte{0, 1, 255}
	b, err = Raw.Marshal(&raw)
	if err != nil || !reflect.DeepEqual(b, raw) {
		t.Fatalf("Marshal([]byte) = %v, %v", b, err)
	}
	var r2 []byte
	if err := Raw.Unmarshal(b, &r2); err != nil || !reflect.DeepEqual(r2, raw) {
		t.Errorf("Unmarshal([]byte) = %v, %v", r2, err)
	}
	b[0] = 9
	if r2[0] != 0 {
		t.Error("Unmarshal([]byte) shares the stored bytes")
	}
	if _, err := Raw.Marshal(new(int)); err == nil {
		t.Error("Raw.Marshal of an int: no error")
	}
	if err := Raw.Unmarshal(nil, new(int)); err == nil {
		t.Error("Raw.Unmarshal into an int: no error")
	}
}

func TestGetOrLoadNumericSlice(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	want := []float64{0.25, math.NaN(), 3}
	for range 2 {
		got, err := GetOrLoad(ctx, m, "features", 0, func(context.Context) ([]float64, error) { return want, nil })
		if err != nil || len(got) != 3 || got[0] != 0.25 || !math.IsNaN(got[1]) {
			t.Fatalf("%v, %v", got, err)
		}
	}
	b, _, _ := m.Get(ctx, "features")
	if len(b) != envHeaderLen+24 {
		t.Errorf("stored %d bytes, want header + 24", len(b))
	}
}
