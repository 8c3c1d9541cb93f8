package mlbeam

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/mlpipe/mlpipe/frame"
)

func init() {
	register.DoFn3x1[context.Context, beam.X, func(*frame.Frame), error](&fromRecordsFn{})
	register.DoFn3x1[context.Context, *frame.Frame, func(beam.X), error](&toRecordsFn{})
	register.Emitter1[beam.X]()
}

// RecordOptions configure [FromRecords].
type RecordOptions struct {
	// BatchRows is the most rows one frame holds. Default 16,384. Frames
	// may hold fewer: a batch ends with its bundle.
	BatchRows int
	// Text lists the string fields (by column name) kept as free text
	// ([frame.String]); other string fields become categories.
	Text []string
}

// A recordField is an exported field of a record type and its column.
type recordField struct {
	index []int
	name  string
	kind  frame.Kind
}

var (
	timeType = reflect.TypeFor[time.Time]()
	nullType = map[reflect.Type]frame.Kind{
		reflect.TypeFor[sql.NullFloat64](): frame.Float, reflect.TypeFor[sql.NullInt64](): frame.Float,
		reflect.TypeFor[sql.NullInt32](): frame.Float, reflect.TypeFor[sql.NullInt16](): frame.Float,
		reflect.TypeFor[sql.NullString](): frame.Categorical, reflect.TypeFor[sql.NullBool](): frame.Bool,
		reflect.TypeFor[sql.NullTime](): frame.Time,
	}
)

// fieldKind returns the column kind of a field type (a pointer to a value
// type, or an sql.Null type, may be missing), or 0 if it has none.
func fieldKind(t reflect.Type) frame.Kind {
	if k, ok := nullType[t]; ok {
		return k
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return frame.Time
	case t.Kind() == reflect.Bool:
		return frame.Bool
	case t.Kind() == reflect.String:
		return frame.Categorical
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		return frame.Float
	}
	return 0
}

// recordFields returns the columns of a struct type: its exported fields
// of a kind a column holds, named by their `mlpipe:"name"` tag or the field
// name; a tag of "-" leaves a field out.
func recordFields(t reflect.Type, text []string) ([]recordField, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("mlbeam: records of %v: need a struct type", t)
	}
	var out []recordField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("mlpipe"); ok {
			if tag == "-" {
				continue
			}
			if tag != "" {
				name = tag
			}
		}
		k := fieldKind(f.Type)
		if k == 0 {
			return nil, fmt.Errorf("mlbeam: records of %v: field %s of type %v has no column kind (tag it mlpipe:\"-\")", t, f.Name, f.Type)
		}
		if k == frame.Categorical && slices.Contains(text, name) {
			k = frame.String
		}
		out = append(out, recordField{index: f.Index, name: name, kind: k})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("mlbeam: records of %v: no field to make a column of", t)
	}
	return out, nil
}

// FromRecords turns a PCollection of structs into frames: what Beam's
// structured IO reads, such as parquetio.Read and databaseio.Read or
// Query, with a Go struct type describing the rows. Each exported field is
// a column named by its `mlpipe:"name"` tag or its name: numbers become
// float columns, strings categorical ones (or free text, with opts.Text),
// bools and time.Time their own kinds. A nil pointer field, an invalid
// sql.Null value or a zero time is a missing value. FromRecords returns an
// error for a type that is not a struct or has a field of another type.
func FromRecords(s beam.Scope, records beam.PCollection, opts RecordOptions) (beam.PCollection, error) {
	t := records.Type().Type()
	if _, err := recordFields(t, opts.Text); err != nil {
		return beam.PCollection{}, err
	}
	s = s.Scope("mlbeam.FromRecords")
	return beam.ParDo(s, &fromRecordsFn{Type: beam.EncodedType{T: t}, Options: opts}, records), nil
}

type fromRecordsFn struct {
	Type    beam.EncodedType
	Options RecordOptions

	fields []recordField
	rows   []reflect.Value
}

func (f *fromRecordsFn) Setup() error {
	fields, err := recordFields(f.Type.T, f.Options.Text)
	f.fields = fields
	return err
}

func (f *fromRecordsFn) StartBundle(_ context.Context, _ func(*frame.Frame)) { f.rows = f.rows[:0] }

func (f *fromRecordsFn) ProcessElement(ctx context.Context, x beam.X, emit func(*frame.Frame)) error {
	v := reflect.ValueOf(x)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	f.rows = append(f.rows, v)
	batch := f.Options.BatchRows
	if batch <= 0 {
		batch = 16384
	}
	if len(f.rows) >= batch {
		return f.flush(ctx, emit)
	}
	return nil
}

func (f *fromRecordsFn) FinishBundle(ctx context.Context, emit func(*frame.Frame)) error {
	return f.flush(ctx, emit)
}

func (f *fromRecordsFn) flush(ctx context.Context, emit func(*frame.Frame)) error {
	if len(f.rows) == 0 {
		return nil
	}
	b, err := recordsFrame(f.fields, f.rows)
	f.rows = f.rows[:0]
	if err != nil {
		return err
	}
	rowsRead.Inc(ctx, int64(b.NumRows()))
	batchesMade.Inc(ctx, 1)
	emit(b)
	return nil
}

// present returns the value a field holds and whether it is present.
func present(v reflect.Value) (reflect.Value, bool) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return v, false
		}
		return v.Elem(), true
	}
	if _, ok := nullType[v.Type()]; ok {
		return v.Field(0), v.FieldByName("Valid").Bool()
	}
	if v.Type() == timeType {
		return v, !v.Interface().(time.Time).IsZero()
	}
	return v, true
}

func asFloat(v reflect.Value) float64 {
	switch {
	case v.CanFloat():
		return v.Float()
	case v.CanInt():
		return float64(v.Int())
	case v.CanUint():
		return float64(v.Uint())
	}
	return math.NaN()
}

// recordsFrame makes a frame of the rows' fields.
func recordsFrame(fields []recordField, rows []reflect.Value) (*frame.Frame, error) {
	n := len(rows)
	series := make([]frame.Series, len(fields))
	for j, fd := range fields {
		valid := make([]bool, n)
		var col frame.Column
		switch fd.kind {
		case frame.Float:
			v := make([]float64, n)
			for i, r := range rows {
				x, ok := present(r.FieldByIndex(fd.index))
				v[i] = math.NaN()
				if ok {
					v[i] = asFloat(x)
				}
			}
			col = frame.NewFloat(v)
		case frame.Categorical, frame.String:
			v := make([]string, n)
			for i, r := range rows {
				x, ok := present(r.FieldByIndex(fd.index))
				if valid[i] = ok; ok {
					v[i] = x.String()
				}
			}
			if fd.kind == frame.String {
				col = frame.NewString(v, valid)
			} else {
				col = frame.NewCategorical(v, valid)
			}
		case frame.Bool:
			v := make([]bool, n)
			for i, r := range rows {
				x, ok := present(r.FieldByIndex(fd.index))
				if valid[i] = ok; ok {
					v[i] = x.Bool()
				}
			}
			col = frame.NewBool(v, valid)
		case frame.Time:
			v := make([]int64, n)
			for i, r := range rows {
				x, ok := present(r.FieldByIndex(fd.index))
				if ok {
					t := x.Interface().(time.Time)
					valid[i], v[i] = !t.IsZero(), t.UnixNano()
				}
			}
			col = frame.NewTimeNanos(v, valid)
		}
		series[j] = frame.Series{Name: fd.name, Col: col}
	}
	out, err := frame.New(series...)
	if err != nil {
		return nil, fmt.Errorf("mlbeam: records: %w", err)
	}
	return out, nil
}

// ToRecords turns frames into structs of type t, one per row, for Beam's
// structured sinks (parquetio.Write, databaseio.Write). Each exported field
// of t, named as for [FromRecords], takes the value of the column of that
// name: a number field from a float column, a string field from a
// categorical or string column, a bool or time.Time field from a column of
// that kind. A missing value leaves a pointer field nil, an sql.Null field
// invalid, a time zero; in another field it is an error. ToRecords returns
// an error for a type [FromRecords] refuses; the pipeline fails if a frame
// lacks a column or holds a missing value a field cannot hold.
func ToRecords(s beam.Scope, frames beam.PCollection, t reflect.Type) (beam.PCollection, error) {
	if _, err := recordFields(t, nil); err != nil {
		return beam.PCollection{}, err
	}
	s = s.Scope("mlbeam.ToRecords")
	return beam.ParDo(s, &toRecordsFn{Type: beam.EncodedType{T: t}}, frames, beam.TypeDefinition{Var: beam.XType, T: t}), nil
}

type toRecordsFn struct {
	Type beam.EncodedType

	fields []recordField
}

func (f *toRecordsFn) Setup() error {
	fields, err := recordFields(f.Type.T, nil)
	f.fields = fields
	return err
}

func (f *toRecordsFn) ProcessElement(ctx context.Context, b *frame.Frame, emit func(beam.X)) error {
	cols := make([]frame.Column, len(f.fields))
	for j, fd := range f.fields {
		c, err := b.Col(fd.name)
		if err != nil {
			return fmt.Errorf("mlbeam: to records of %v: %w", f.Type.T, err)
		}
		cols[j] = c
	}
	for i := range b.NumRows() {
		rec := reflect.New(f.Type.T).Elem()
		for j, fd := range f.fields {
			if err := setField(rec.FieldByIndex(fd.index), cols[j], i); err != nil {
				return fmt.Errorf("mlbeam: to records of %v: row %d column %s: %w", f.Type.T, i, fd.name, err)
			}
		}
		emit(rec.Interface())
	}
	return nil
}

// setField sets a field from value i of a column.
func setField(dst reflect.Value, c frame.Column, i int) error {
	val := c.Value(i) // float64, string, time.Time, bool or nil
	if val == nil {
		switch {
		case dst.Kind() == reflect.Pointer, dst.Type() == timeType:
			return nil
		case nullType[dst.Type()] != 0:
			return nil // Valid stays false
		}
		if dst.CanFloat() {
			dst.SetFloat(math.NaN())
			return nil
		}
		return fmt.Errorf("missing value for a %v field", dst.Type())
	}
	if _, ok := nullType[dst.Type()]; ok {
		dst.FieldByName("Valid").SetBool(true)
		dst = dst.Field(0)
	} else if dst.Kind() == reflect.Pointer {
		dst.Set(reflect.New(dst.Type().Elem()))
		dst = dst.Elem()
	}
	x := reflect.ValueOf(val)
	switch {
	case x.Kind() == reflect.Float64 && dst.CanFloat():
		dst.SetFloat(x.Float())
	case x.Kind() == reflect.Float64 && dst.CanInt():
		if x.Float() != math.Trunc(x.Float()) {
			return fmt.Errorf("%v is not a whole number for a %v field", x.Float(), dst.Type())
		}
		dst.SetInt(int64(x.Float()))
	case x.Kind() == reflect.Float64 && dst.CanUint():
		if x.Float() != math.Trunc(x.Float()) || x.Float() < 0 {
			return fmt.Errorf("%v is not a whole number ≥ 0 for a %v field", x.Float(), dst.Type())
		}
		dst.SetUint(uint64(x.Float()))
	case x.Type().AssignableTo(dst.Type()):
		dst.Set(x)
	case x.Kind() == reflect.String && dst.Kind() == reflect.String:
		dst.SetString(x.String())
	default:
		return fmt.Errorf("a %T value for a %v field", val, dst.Type())
	}
	return nil
}
