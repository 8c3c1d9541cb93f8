package etl

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// TestRecordsWithoutFields: JSON records that are all empty objects leave
// no column to hold them; the read fails with ErrSchema instead of counting
// them read and emitting nothing (found by FuzzHTTPPage).
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
}
