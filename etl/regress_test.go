package etl

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// TestRecordsWithoutFields: JSON records that are all empty objects leave
// no column to hold them; each is a bad record wrapping ErrSchema (failed,
// or rejected and counted) instead of being counted read and emitting
// nothing (found by FuzzHTTPPage), and the first error does not depend on
// the batch size (found by FuzzJSON).
func TestRecordsWithoutFields(t *testing.T) {
	for name, x := range map[string]Extractor[*frame.Frame]{
		"jsonl":  JSONLines(strings.NewReader("{}\n{}\n"), RecordOptions{}),
		"json":   JSON(strings.NewReader(`[{},{}]`), RecordOptions{}),
		"object": JSON(strings.NewReader(`{}`), RecordOptions{}),
	} {
		if rows, err := extractAll(x); !errors.Is(err, ErrSchema) {
			t.Errorf("%s: %d rows, %v; want ErrSchema", name, rows, err)
		}
	}
	// With a field in the sample, empty objects are rows of missing values.
	if rows, err := extractAll(JSONLines(strings.NewReader("{}\n{\"a\":1}\n"), RecordOptions{})); err != nil || rows != 2 {
		t.Errorf("mixed: %d rows, %v", rows, err)
	}
	var rejected int
	x := JSONLines(strings.NewReader("{}\n{}\n"), RecordOptions{OnError: Reject,
		Rejects: LoaderFunc[Rejected](func(context.Context, Rejected) error { rejected++; return nil })})
	if _, err := extractAll(x); err != nil || rejected != 2 || x.Stats().Rejected != 2 || x.Stats().Records != 2 {
		t.Errorf("reject policy: %v, %d rejected, stats %+v", err, rejected, x.Stats())
	}
}
