package mlbeam

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/mlpipe/mlpipe/frame"
)

func init() {
	beam.RegisterCoder(reflect.TypeFor[*frame.Frame](), EncodeFrame, DecodeFrame)
}

// errCorrupt is wrapped by DecodeFrame's errors.
var errCorrupt = errors.New("corrupt frame encoding")

// EncodeFrame returns the binary form of f that Beam sends between stages:
// the row count, then each column's name, kind and values (floats as their
// IEEE bits, only the non-zero ones with their positions when most are
// zero, as in one-hot columns; categories as a dictionary and codes;
// missing values as such).
// It is registered as the Beam coder of *frame.Frame. It fails only for a
// column of a kind it does not know.
func EncodeFrame(f *frame.Frame) ([]byte, error) {
	b := binary.AppendUvarint(nil, uint64(f.NumRows()))
	b = binary.AppendUvarint(b, uint64(f.NumCols()))
	for i := range f.NumCols() {
		name, c := f.ColAt(i)
		b = appendString(b, name)
		b = append(b, byte(c.Kind()))
		switch c := c.(type) {
		case *frame.FloatColumn:
			b = appendFloats(b, c.Values())
		case *frame.CategoricalColumn:
			dict := c.Dict()
			b = binary.AppendUvarint(b, uint64(len(dict)))
			for _, s := range dict {
				b = appendString(b, s)
			}
			for _, code := range c.Codes() {
				b = binary.AppendVarint(b, int64(code))
			}
		case *frame.StringColumn:
			for r, s := range c.Values() {
				b = appendValid(b, c, r)
				b = appendString(b, s)
			}
		case *frame.TimeColumn:
			for r, ns := range c.Nanos() {
				b = appendValid(b, c, r)
				b = binary.AppendVarint(b, ns)
			}
		case *frame.BoolColumn:
			for r, v := range c.Values() {
				switch {
				case c.IsNA(r):
					b = append(b, 2)
				case v:
					b = append(b, 1)
				default:
					b = append(b, 0)
				}
			}
		default:
			return nil, fmt.Errorf("encode frame: column %q: kind %v not supported", name, c.Kind())
		}
	}
	return b, nil
}

// Float columns are written dense (every value's bits) or, when most
// values are +0 (one-hot and indicator columns), sparse: the positions and
// bits of the others.
const (
	floatsDense  = 0
	floatsSparse = 1
)

func appendFloats(b []byte, v []float64) []byte {
	nonzero := 0
	for _, x := range v {
		if math.Float64bits(x) != 0 {
			nonzero++
		}
	}
	if nonzero*4 > len(v) {
		b = append(b, floatsDense)
		for _, x := range v {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return b
	}
	b = append(b, floatsSparse)
	b = binary.AppendUvarint(b, uint64(nonzero))
	last := -1
	for i, x := range v {
		if bits := math.Float64bits(x); bits != 0 {
			b = binary.AppendUvarint(b, uint64(i-last))
			b = binary.LittleEndian.AppendUint64(b, bits)
			last = i
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendValid(b []byte, c frame.Column, r int) []byte {
	if c.IsNA(r) {
		return append(b, 0)
	}
	return append(b, 1)
}

// frameReader reads what EncodeFrame writes, remembering the first error.
type frameReader struct {
	b   []byte
	err error
}

func (r *frameReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("decode frame: %s: %w", what, errCorrupt)
	}
	r.b = nil
}

func (r *frameReader) uvarint(what string) uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *frameReader) varint(what string) int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *frameReader) byte(what string) byte {
	if len(r.b) == 0 {
		r.fail(what)
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *frameReader) string(what string) string {
	n := r.uvarint(what)
	if n > uint64(len(r.b)) {
		r.fail(what)
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// floats reads a float column of rows values, dense or sparse.
func (r *frameReader) floats(name string, rows int) []float64 {
	switch r.byte("floats of " + name) {
	case floatsDense:
		if len(r.b) < 8*rows {
			r.fail("floats of " + name)
			return nil
		}
		v := make([]float64, rows)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(r.b[8*i:]))
		}
		r.b = r.b[8*rows:]
		return v
	case floatsSparse:
		n := r.count("floats of "+name, 9)
		v := make([]float64, rows)
		i := -1
		for range n {
			d := r.uvarint("floats of " + name)
			if d == 0 || d > uint64(rows-1-i) || len(r.b) < 8 {
				r.fail("floats of " + name)
				return nil
			}
			i += int(d)
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(r.b))
			r.b = r.b[8:]
		}
		return v
	}
	r.fail("floats of " + name)
	return nil
}

// count reads a length and checks that the input holds at least min bytes
// per item, so that corrupt input cannot make a huge allocation.
func (r *frameReader) count(what string, min int) int {
	n := r.uvarint(what)
	if n > uint64(len(r.b))/uint64(min) {
		r.fail(what)
		return 0
	}
	return int(n)
}

// DecodeFrame reads a frame written by [EncodeFrame]. It is registered as
// the Beam coder of *frame.Frame. It returns an error for truncated or
// corrupt input.
func DecodeFrame(data []byte) (*frame.Frame, error) {
	r := &frameReader{b: data}
	rows := int(r.uvarint("row count"))
	ncols := r.count("column count", 2)
	series := make([]frame.Series, 0, ncols)
	for range ncols {
		name := r.string("column name")
		kind := frame.Kind(r.byte("column kind"))
		if rows > len(r.b) {
			r.fail("column " + name)
		}
		if r.err != nil {
			return nil, r.err
		}
		var col frame.Column
		switch kind {
		case frame.Float:
			v := r.floats(name, rows)
			if r.err != nil {
				return nil, r.err
			}
			col = frame.NewFloat(v)
		case frame.Categorical:
			dict := make([]string, r.count("dictionary of "+name, 1))
			for i := range dict {
				dict[i] = r.string("dictionary of " + name)
			}
			codes := make([]int32, rows)
			for i := range codes {
				codes[i] = int32(r.varint("codes of " + name))
			}
			if r.err != nil {
				return nil, r.err
			}
			c, err := frame.NewCategoricalCodes(codes, dict)
			if err != nil {
				return nil, fmt.Errorf("decode frame: column %q: %w", name, err)
			}
			col = c
		case frame.String:
			v, valid := make([]string, rows), make([]bool, rows)
			for i := range v {
				valid[i] = r.byte("strings of "+name) == 1
				v[i] = r.string("strings of " + name)
			}
			col = frame.NewString(v, valid)
		case frame.Time:
			v, valid := make([]int64, rows), make([]bool, rows)
			for i := range v {
				valid[i] = r.byte("times of "+name) == 1
				v[i] = r.varint("times of " + name)
			}
			col = frame.NewTimeNanos(v, valid)
		case frame.Bool:
			v, valid := make([]bool, rows), make([]bool, rows)
			for i := range v {
				x := r.byte("bools of " + name)
				v[i], valid[i] = x == 1, x != 2
			}
			col = frame.NewBool(v, valid)
		default:
			r.fail(fmt.Sprintf("column %q has kind %d", name, kind))
		}
		if r.err != nil {
			return nil, r.err
		}
		series = append(series, frame.Series{Name: name, Col: col})
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("decode frame: %d bytes after the last column: %w", len(r.b), errCorrupt)
	}
	if ncols == 0 {
		return &frame.Frame{}, nil
	}
	f, err := frame.New(series...)
	if err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	return f, nil
}
