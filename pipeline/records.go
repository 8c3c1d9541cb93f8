package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
)

// ErrRecords is returned for JSON input that is neither an object nor an
// array of objects.
var ErrRecords = errors.New("malformed records")

// RecordError reports a record that does not fit the training schema: a
// column it lacks, or a value of the wrong type. It wraps [ErrSchema].
type RecordError struct {
	Record int    // index of the record, from 0
	Column string // the column
	Reason string // "missing", or what was wrong with the value
}

// Error formats the error as `record 3 column "age": got string "abc", want a number`.
func (e *RecordError) Error() string {
	return fmt.Sprintf("record %d column %q: %s: %v", e.Record, e.Column, e.Reason, ErrSchema)
}

// Unwrap returns [ErrSchema].
func (e *RecordError) Unwrap() error { return ErrSchema }

// FrameFromRecords builds a frame of the training schema's columns, in
// schema order, from records — maps from column name to value, as decoded
// from JSON objects. Each record must hold every schema column (the target
// excepted); other keys are ignored. A nil value (JSON null) is a missing
// value. Values are read by the column's training kind:
//   - float: any Go number or json.Number (integers and floats);
//   - categorical and string: a string;
//   - bool: a bool;
//   - time: a time.Time, or a string in RFC 3339 or as a date ("2024-01-31").
//
// It returns a [*RecordError] (wrapping [ErrSchema]) naming the first
// record and column that is missing or of the wrong type, and an error
// wrapping frame.ErrEmpty for no records. It is safe for concurrent use.
func (p *Fitted) FrameFromRecords(records []map[string]any) (*frame.Frame, error) {
	if len(records) == 0 {
		return nil, fmt.Errorf("records: %w", frame.ErrEmpty)
	}
	n := len(records)
	series := make([]frame.Series, 0, len(p.Schema))
	for _, s := range p.Schema {
		get := func(i int) (any, error) {
			v, ok := records[i][s.Name]
			if !ok {
				return nil, &RecordError{i, s.Name, "missing"}
			}
			return v, nil
		}
		wrong := func(i int, v any, want string) error {
			return &RecordError{i, s.Name, fmt.Sprintf("got %s, want %s", describe(v), want)}
		}
		switch s.Kind {
		case frame.Float:
			vals := make([]float64, n)
			for i := range n {
				v, err := get(i)
				if err != nil {
					return nil, err
				}
				x, ok := toFloat(v)
				if !ok {
					return nil, wrong(i, v, "a number")
				}
				vals[i] = x
			}
			series = append(series, frame.Floats(s.Name, vals))
		case frame.Categorical, frame.String:
			vals, valid := make([]string, n), make([]bool, n)
			for i := range n {
				v, err := get(i)
				if err != nil {
					return nil, err
				}
				switch v := v.(type) {
				case nil:
				case string:
					vals[i], valid[i] = v, true
				default:
					return nil, wrong(i, v, "a string")
				}
			}
			if s.Kind == frame.Categorical {
				series = append(series, frame.Categories(s.Name, vals, valid))
			} else {
				series = append(series, frame.Strings(s.Name, vals, valid))
			}
		case frame.Bool:
			vals, valid := make([]bool, n), make([]bool, n)
			for i := range n {
				v, err := get(i)
				if err != nil {
					return nil, err
				}
				switch v := v.(type) {
				case nil:
				case bool:
					vals[i], valid[i] = v, true
				default:
					return nil, wrong(i, v, "true or false")
				}
			}
			series = append(series, frame.Bools(s.Name, vals, valid))
		case frame.Time:
			vals, valid := make([]time.Time, n), make([]bool, n)
			for i := range n {
				v, err := get(i)
				if err != nil {
					return nil, err
				}
				switch v := v.(type) {
				case nil:
				case time.Time:
					vals[i], valid[i] = v, true
				case string:
					t, err := time.Parse(time.RFC3339Nano, v)
					if err != nil {
						if t, err = time.Parse(time.DateOnly, v); err != nil {
							return nil, wrong(i, v, "an RFC 3339 time or a date")
						}
					}
					vals[i], valid[i] = t, true
				default:
					return nil, wrong(i, v, "an RFC 3339 time or a date")
				}
			}
			series = append(series, frame.Times(s.Name, vals, valid))
		default:
			return nil, fmt.Errorf("records column %q: training kind %v: %w", s.Name, s.Kind, ErrSchema)
		}
	}
	f, err := frame.New(series...)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	return f, nil
}

// toFloat reads a number; nil is NaN (missing).
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case nil:
		return math.NaN(), true
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case json.Number:
		x, err := strconv.ParseFloat(string(v), 64)
		return x, err == nil
	}
	return 0, false
}

// describe names a value's JSON type and shows it, for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return fmt.Sprintf("string %q", v)
	case bool:
		return fmt.Sprintf("boolean %v", v)
	case json.Number, float64, float32, int, int64, int32:
		return fmt.Sprintf("number %v", v)
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// DecodeRecords reads JSON from r: one object, or an array of objects. It
// returns the records, with numbers as json.Number, and whether the input
// was a single object. It returns an error wrapping [ErrRecords] for other
// JSON, malformed JSON or data after the value. It is safe for concurrent
// use on different readers.
func DecodeRecords(r io.Reader) (records []map[string]any, single bool, err error) {
	br := bufio.NewReader(r)
	dec := json.NewDecoder(br)
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrRecords, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false, fmt.Errorf("%w: data after the JSON value", ErrRecords)
	}
	first := firstByte(raw)
	inner := json.NewDecoder(bytes.NewReader(raw))
	inner.UseNumber()
	switch first {
	case '{':
		var m map[string]any
		if err := inner.Decode(&m); err != nil {
			return nil, false, fmt.Errorf("%w: %w", ErrRecords, err)
		}
		return []map[string]any{m}, true, nil
	case '[':
		var ms []map[string]any
		if err := inner.Decode(&ms); err != nil {
			return nil, false, fmt.Errorf("%w: want an array of objects: %w", ErrRecords, err)
		}
		for i, m := range ms {
			if m == nil {
				return nil, false, fmt.Errorf("%w: element %d is null, want an object", ErrRecords, i)
			}
		}
		return ms, false, nil
	}
	return nil, false, fmt.Errorf("%w: want an object or an array of objects", ErrRecords)
}

func firstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c
	}
	return 0
}

// Prediction is the prediction for one row: the predicted value (a class
// label for a classifier) and, for a classifier, the probability of each
// class in [Fitted.Classes] order.
type Prediction struct {
	Value         float64   `json:"prediction"`
	Probabilities []float64 `json:"probabilities,omitempty"`
}

// PredictRecords predicts each record (see [Fitted.FrameFromRecords]),
// with class probabilities when the model gives them. It returns the
// errors of FrameFromRecords and of prediction, and ctx.Err() when ctx is
// cancelled. It is safe for concurrent use.
func (p *Fitted) PredictRecords(ctx context.Context, records []map[string]any) ([]Prediction, error) {
	f, err := p.FrameFromRecords(records)
	if err != nil {
		return nil, err
	}
	return p.predictions(ctx, f)
}

// predictions predicts every row of f, with probabilities for a
// classifier. The steps run once; the labels are the model's own (as
// [Fitted.Predict] gives them), not re-derived from the probabilities.
func (p *Fitted) predictions(ctx context.Context, f *frame.Frame) ([]Prediction, error) {
	X, err := p.matrix(ctx, f)
	if err != nil {
		return nil, err
	}
	labels, err := p.Predictor.Predict(ctx, X)
	if err != nil {
		return nil, err
	}
	out := make([]Prediction, len(labels))
	for i, v := range labels {
		out[i].Value = v
	}
	pp, ok := p.Predictor.(model.ProbaPredictor)
	if !ok {
		return out, nil
	}
	proba, err := pp.PredictProba(ctx, X)
	if err != nil {
		return nil, err
	}
	_, k := proba.Dims()
	flat := make([]float64, len(out)*k)
	for i := range out {
		row := flat[i*k : (i+1)*k : (i+1)*k]
		for j := range k {
			row[j] = proba.At(i, j)
		}
		out[i].Probabilities = row
	}
	return out, nil
}

// PredictionColumn is the name of the column [Fitted.PredictFrame] adds;
// probability columns are named ProbaPrefix followed by the class ("proba_1").
const (
	PredictionColumn = "prediction"
	ProbaPrefix      = "proba_"
)

// PredictFrame returns f with the predictions added as a float column
// [PredictionColumn] and, for a classifier, one probability column per
// class (named [ProbaPrefix] and the class, as strconv formats it with 'g').
// Columns of those names already in f are replaced. It returns the errors
// of [Fitted.Predict]. It is safe for concurrent use, so it can run as a
// transformer with many workers (see [PredictStream]).
func (p *Fitted) PredictFrame(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	preds, err := p.predictions(ctx, f)
	if err != nil {
		return nil, err
	}
	vals := make([]float64, len(preds))
	for i, pr := range preds {
		vals[i] = pr.Value
	}
	out, err := f.With(PredictionColumn, frame.NewFloat(vals))
	if err != nil {
		return nil, err
	}
	for j, c := range p.Classes() {
		col := make([]float64, len(preds))
		for i, pr := range preds {
			col[i] = pr.Probabilities[j]
		}
		if out, err = out.With(ProbaPrefix+strconv.FormatFloat(c, 'g', -1, 64), frame.NewFloat(col)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PredictStream predicts every batch of src and loads each batch, with its
// prediction columns added (see [Fitted.PredictFrame]), into sink, in
// order, as a streaming [Flow]: memory holds a few batches whatever the
// input's size. opts configure the prediction stage (named "predict"), for
// instance [Workers]. It returns the flow's report, and the first error as
// a [*StageError]. p is safe for concurrent use, so any number of workers
// share it.
func PredictStream(ctx context.Context, p *Fitted, src etl.Extractor[*frame.Frame], sink etl.Loader[*frame.Frame], opts ...Option) (*Report, error) {
	opts = append([]Option{Name("predict")}, opts...)
	flow := Then(From(src, Name("source")), etl.TransformerFunc[*frame.Frame, *frame.Frame](p.PredictFrame), opts...)
	return To(flow, sink, Name("sink")).Run(ctx)
}
