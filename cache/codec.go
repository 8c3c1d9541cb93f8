package cache

import (
	"encoding"
	"encoding/json"
	"fmt"
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

// codecFor returns the default codec for T: Binary when *T marshals and
// unmarshals itself, JSON otherwise.
func codecFor[T any]() Codec {
	var p any = new(T)
	_, m := p.(encoding.BinaryMarshaler)
	_, u := p.(encoding.BinaryUnmarshaler)
	if m && u {
		return Binary
	}
	return JSON
}
