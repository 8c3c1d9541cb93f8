package cache

import (
	"encoding"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
)

// Codec turns values into bytes and back. Marshal receives a pointer to the
// value and Unmarshal a pointer to fill, so methods with pointer receivers
// are found. Implementations must be safe for concurrent use.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSON is the default [Codec]: encoding/json.
var JSON Codec = jsonCodec{}

// Binary is the [Codec] for values that marshal themselves: it calls
// [encoding.BinaryMarshaler] and [encoding.BinaryUnmarshaler], and returns an
// error for a value that implements neither. [GetOrLoad] picks it by default
// for such values.
var Binary Codec = binaryCodec{}

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

type binaryCodec struct{}

func (binaryCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(encoding.BinaryMarshaler)
	if !ok {
		return nil, fmt.Errorf("cache: binary codec: %T does not implement encoding.BinaryMarshaler", v)
	}
	return m.MarshalBinary()
}

func (binaryCodec) Unmarshal(data []byte, v any) error {
	u, ok := v.(encoding.BinaryUnmarshaler)
	if !ok {
		return fmt.Errorf("cache: binary codec: %T does not implement encoding.BinaryUnmarshaler", v)
	}
	return u.UnmarshalBinary(data)
}

// Raw is the [Codec] for string and []byte values: their bytes, as they
// are. It returns an error for other types. [GetOrLoad] picks it by default
// for them.
var Raw Codec = rawCodec{}

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	switch s := v.(type) {
	case *string:
		return []byte(*s), nil
	case *[]byte:
		return *s, nil
	}
	return nil, fmt.Errorf("cache: raw codec: %T is not a *string or *[]byte", v)
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	switch s := v.(type) {
	case *string:
		*s = string(data)
	case *[]byte:
		*s = append([]byte(nil), data...)
	default:
		return fmt.Errorf("cache: raw codec: %T is not a *string or *[]byte", v)
	}
	return nil
}

// Numeric is the compact [Codec] for numeric slices: []float64, []float32,
// []int64 and []int32 are stored as their little-endian bytes (a []float64
// of n values takes 8n bytes, NaN and infinities kept exactly, where JSON
// takes about 18n and cannot hold NaN). It returns an error for other types
// and for data whose length is not a multiple of the element size.
// [GetOrLoad] picks it by default for these types.
var Numeric Codec = numericCodec{}

type numericCodec struct{}

func (numericCodec) Marshal(v any) ([]byte, error) {
	switch s := v.(type) {
	case *[]float64:
		b := make([]byte, 0, 8*len(*s))
		for _, x := range *s {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return b, nil
	case *[]float32:
		b := make([]byte, 0, 4*len(*s))
		for _, x := range *s {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
		return b, nil
	case *[]int64:
		b := make([]byte, 0, 8*len(*s))
		for _, x := range *s {
			b = binary.LittleEndian.AppendUint64(b, uint64(x))
		}
		return b, nil
	case *[]int32:
		b := make([]byte, 0, 4*len(*s))
		for _, x := range *s {
			b = binary.LittleEndian.AppendUint32(b, uint32(x))
		}
		return b, nil
	}
	return nil, fmt.Errorf("cache: numeric codec: %T is not a pointer to []float64, []float32, []int64 or []int32", v)
}

func (numericCodec) Unmarshal(data []byte, v any) error {
	size := 8
	switch v.(type) {
	case *[]float32, *[]int32:
		size = 4
	}
	if len(data)%size != 0 {
		return fmt.Errorf("cache: numeric codec: %d bytes is not a whole number of %d-byte values", len(data), size)
	}
	n := len(data) / size
	switch s := v.(type) {
	case *[]float64:
		*s = make([]float64, n)
		for i := range *s {
			(*s)[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
	case *[]float32:
		*s = make([]float32, n)
		for i := range *s {
			(*s)[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
	case *[]int64:
		*s = make([]int64, n)
		for i := range *s {
			(*s)[i] = int64(binary.LittleEndian.Uint64(data[8*i:]))
		}
	case *[]int32:
		*s = make([]int32, n)
		for i := range *s {
			(*s)[i] = int32(binary.LittleEndian.Uint32(data[4*i:]))
		}
	default:
		return fmt.Errorf("cache: numeric codec: %T is not a pointer to []float64, []float32, []int64 or []int32", v)
	}
	return nil
}

// codecFor returns the default codec for T: Raw for strings and bytes,
// Numeric for numeric slices, Binary when *T marshals and unmarshals
// itself, JSON otherwise.
func codecFor[T any]() Codec {
	var p any = (*T)(nil)
	switch p.(type) {
	case *string, *[]byte:
		return Raw
	case *[]float64, *[]float32, *[]int64, *[]int32:
		return Numeric
	}
	_, m := p.(encoding.BinaryMarshaler)
	_, u := p.(encoding.BinaryUnmarshaler)
	if m && u {
		return Binary
	}
	return JSON
}
