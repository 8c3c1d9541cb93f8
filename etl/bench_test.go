package etl

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// churnFile returns the path of the shared benchmark input, generating it
// with ../shared/bench/gen_churn.py when missing. It is never committed.
func churnFile(b *testing.B) string {
	const path = "/tmp/churn-1000000.csv"
	if _, err := os.Stat(path); err == nil {
		return path
	}
	gen := os.Getenv("MLPIPE_GEN_CHURN")
	if gen == "" {
		gen = "/work/shared/bench/gen_churn.py"
	}
	if out, err := exec.Command("python3", gen, "1000000", path).CombinedOutput(); err != nil {
		b.Skipf("cannot generate %s: %v %s", path, err, out)
	}
	return path
}

// BenchmarkCSVChurn parses the 1,000,000-row churn file into typed frames;
// MB/s is the figure to compare with pandas.read_csv.
func BenchmarkCSVChurn(b *testing.B) {
	path := churnFile(b)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		x, err := OpenCSV(path, CSVOptions{NA: []string{"????"}})
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		err = x.Extract(context.Background(), func(f *frame.Frame) error { rows += f.NumRows(); return nil })
		x.Close()
		if err != nil || rows != 1000000 {
			b.Fatalf("err %v, %d rows", err, rows)
		}
	}
}

// BenchmarkCSVChurnBaseline is the plain encoding/csv + strconv loop the
// parser must beat.
func BenchmarkCSVChurnBaseline(b *testing.B) {
	path := churnFile(b)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(f)
		r.ReuseRecord = true
		var sum float64
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			for _, i := range []int{2, 3, 6, 7, 8, 11} {
				v, _ := strconv.ParseFloat(rec[i], 64)
				sum += v
			}
		}
		f.Close()
	}
}
