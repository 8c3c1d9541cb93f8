package etl_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/pipeline"
)

// TestPipelineSinkContract runs CSV → CSV through the pipeline package: a
// successful run commits the file (although the run's context is cancelled
// before Close), a failing run leaves nothing under the final name.
func TestPipelineSinkContract(t *testing.T) {
	dir := t.TempDir()
	run := func(input, out string) error {
		src := etl.CSV(strings.NewReader(input), etl.CSVOptions{BatchRows: 2, InferRows: 2})
		sink, err := etl.CreateCSV(out, etl.CSVWriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = pipeline.To(pipeline.From[*frame.Frame](src), etl.Loader[*frame.Frame](sink)).Run(context.Background())
		return err
	}
	good := filepath.Join(dir, "good.csv")
	if err := run("a,b\n1,x\n2,y\n3,z\n", good); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(good); err != nil || string(b) != "a,b\n1,x\n2,y\n3,z\n" {
		t.Errorf("successful run wrote %q (%v)", b, err)
	}
	// A run failing before or after the sink got batches: nothing is left
	// under the final name.
	long := "a,b\n" + strings.Repeat("1,x\n", 200)
	for i, input := range []string{"a,b\n1,x\n2,y\n3,z\nnot-a-number,w\n", long + "not-a-number,w\n"} {
		bad := filepath.Join(dir, "bad.csv")
		err := run(input, bad)
		var pe *etl.ParseError
		if !errors.As(err, &pe) || pe.Line != strings.Count(input, "\n") {
			t.Fatalf("failing run %d: %v", i, err)
		}
		if _, err := os.Stat(bad); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("failing run %d left %s: %v", i, bad, err)
		}
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("directory holds %d entries, want only good.csv", len(es))
	}
}
