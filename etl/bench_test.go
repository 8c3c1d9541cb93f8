package etl

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

// churnFile returns the path of the shared benchmark input, generating it
// with the repository's bench/gen_churn.py when missing. It is never committed.
func churnFile(b *testing.B) string {
	const path = "/tmp/churn-1000000.csv"
	if _, err := os.Stat(path); err == nil {
		return path
	}
	gen := os.Getenv("MLPIPE_GEN_CHURN")
	if gen == "" {
		gen = "../bench/gen_churn.py"
	}
	if out, err := exec.Command("python3", gen, "1000000", path).CombinedOutput(); err != nil {
		b.Skipf("cannot generate %s: %v %s", path, err, out)
	}
	return path
}

// cpuTime returns the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports CPU seconds per op and MB per CPU second, figures that
// hold on a machine shared with other work, where wall-clock MB/s does not.
func reportCPU(b *testing.B, start time.Duration, size int64) {
	cpu := (cpuTime() - start).Seconds() / float64(b.N)
	b.ReportMetric(cpu, "cpu-s/op")
	b.ReportMetric(float64(size)/1e6/cpu, "MB/cpu-s")
}

// BenchmarkCSVChurn parses the 1,000,000-row churn file into typed frames;
// MB/s is the figure to compare with pandas.read_csv.
func BenchmarkCSVChurn(b *testing.B) {
	path := churnFile(b)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	start := cpuTime()
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
	reportCPU(b, start, st.Size())
}

// BenchmarkCSVChurnBaseline is the plain encoding/csv + strconv loop the
// parser must beat.
func BenchmarkCSVChurnBaseline(b *testing.B) {
	path := churnFile(b)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	start := cpuTime()
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
	reportCPU(b, start, st.Size())
}

// BenchmarkCSVWriteChurn formats the churn file's frames as CSV (to
// io.Discard); MB/s counts the input file's size.
func BenchmarkCSVWriteChurn(b *testing.B) {
	path := churnFile(b)
	st, _ := os.Stat(path)
	x, err := OpenCSV(path, CSVOptions{NA: []string{"????"}})
	if err != nil {
		b.Fatal(err)
	}
	var frames []*frame.Frame
	if err := x.Extract(context.Background(), func(f *frame.Frame) error { frames = append(frames, f); return nil }); err != nil {
		b.Fatal(err)
	}
	x.Close()
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		w := NewCSVWriter(io.Discard, CSVWriterOptions{})
		for _, f := range frames {
			if err := w.Load(context.Background(), f); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start, st.Size())
}
