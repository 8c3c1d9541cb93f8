package cache

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
)

// Fingerprint returns a stable key for parts: the hex SHA-256 of a
// type-tagged, length-prefixed encoding of each part in order, so that
// ("ab", "c") and ("a", "bc") differ, and so do int 1 and float64 1. It
// serves to cache work under what it was computed from — a fitted step
// under its input data, its parameters and the format version.
//
// Parts may be strings, []byte, bools, integers, floats (by their bits, so
// NaN and -0 are distinct values), slices of float64, float32, int64, int32,
// int and string, values implementing [encoding.BinaryMarshaler] (hashed as
// their binary form) and anything else encoding/json can marshal (maps
// have sorted keys there, so they hash stably). It returns an error for a
// part that none of these can encode. It is safe for concurrent use.
func Fingerprint(parts ...any) (string, error) {
	h := sha256.New()
	for i, p := range parts {
		if err := hashPart(h, p); err != nil {
			return "", fmt.Errorf("cache: fingerprint part %d (%T): %w", i, p, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashPart(h hash.Hash, p any) error {
	var buf [8]byte
	tag := func(t byte, n int) {
		h.Write([]byte{t})
		binary.BigEndian.PutUint64(buf[:], uint64(n))
		h.Write(buf[:])
	}
	u64 := func(v uint64) {
		binary.BigEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	switch v := p.(type) {
	case nil:
		tag(0, 0)
	case string:
		tag(1, len(v))
		h.Write([]byte(v))
	case []byte:
		tag(2, len(v))
		h.Write(v)
	case bool:
		tag(3, 1)
		if v {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	case int:
		tag(4, 1)
		u64(uint64(v))
	case int64:
		tag(4, 1)
		u64(uint64(v))
	case int32:
		tag(4, 1)
		u64(uint64(v))
	case uint64:
		tag(5, 1)
		u64(v)
	case uint:
		tag(5, 1)
		u64(uint64(v))
	case float64:
		tag(6, 1)
		u64(math.Float64bits(v))
	case float32:
		tag(6, 1)
		u64(math.Float64bits(float64(v)))
	case []float64:
		tag(7, len(v))
		for _, x := range v {
			u64(math.Float64bits(x))
		}
	case []float32:
		tag(7, len(v))
		for _, x := range v {
			u64(math.Float64bits(float64(x)))
		}
	case []int64:
		tag(8, len(v))
		for _, x := range v {
			u64(uint64(x))
		}
	case []int32:
		tag(8, len(v))
		for _, x := range v {
			u64(uint64(x))
		}
	case []int:
		tag(8, len(v))
		for _, x := range v {
			u64(uint64(x))
		}
	case []string:
		tag(9, len(v))
		for _, s := range v {
			tag(1, len(s))
			h.Write([]byte(s))
		}
	case encoding.BinaryMarshaler:
		b, err := v.MarshalBinary()
		if err != nil {
			return err
		}
		tag(10, len(b))
		h.Write(b)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		tag(11, len(b))
		h.Write(b)
	}
	return nil
}
