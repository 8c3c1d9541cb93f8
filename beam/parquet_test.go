package mlbeam_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/parquetio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	mlbeam "github.com/mlpipe/mlpipe/beam"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// scoreRow is a row of a Parquet file of scores.
type scoreRow struct {
	ID    string  `parquet:"name=id, type=BYTE_ARRAY, convertedtype=UTF8" mlpipe:"id"`
	Score float64 `parquet:"name=score, type=DOUBLE" mlpipe:"score"`
}

func init() { beam.RegisterType(reflect.TypeFor[scoreRow]()) }

// TestParquetRecords writes frames to Parquet through ToRecords and Beam's
// parquetio, reads them back through FromRecords, and fits on them.
func TestParquetRecords(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scores.parquet")
	var parts []*frame.Frame
	for k := range 3 {
		ids, scores := make([]string, 50), make([]float64, 50)
		for i := range ids {
			ids[i], scores[i] = fmt.Sprintf("c%d-%02d", k, i), float64((k*50+i)%17)/17
		}
		f, err := frame.New(frame.Strings("id", ids, nil), frame.Floats("score", scores))
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, f)
	}

	p, s := beam.NewPipelineWithRoot()
	recs, err := mlbeam.ToRecords(s, beam.Create(s, parts[0], parts[1], parts[2]), reflect.TypeFor[scoreRow]())
	if err != nil {
		t.Fatal(err)
	}
	parquetio.Write(s, path, recs)
	run(t, p)

	out := filepath.Join(dir, "fitted.json")
	p, s = beam.NewPipelineWithRoot()
	frames, err := mlbeam.FromRecords(s, parquetio.Read(s, path, reflect.TypeFor[scoreRow]()), mlbeam.RecordOptions{Text: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	fitted, err := mlbeam.Fit(s, preprocess.StandardScale("score"), frames)
	if err != nil {
		t.Fatal(err)
	}
	textio.Write(s, out, beam.ParDo(s, bytesToString, fitted))
	res := run(t, p)
	if got := mlbeam.Counter(res, "rows"); got != 150 {
		t.Errorf("rows counter %d, want 150", got)
	}

	all, err := frame.Concat(parts...)
	if err != nil {
		t.Fatal(err)
	}
	want, err := preprocess.StandardScale("score").Fit(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	got, err := preprocess.UnmarshalFitted(bytes.TrimSpace([]byte(readLines(t, out)[0])))
	if err != nil {
		t.Fatal(err)
	}
	compareFitted(t, "standard scale from parquet", got, want)
}
