// Package churnbench gives benchmarks the churn benchmark matrix: 1,000,000
// rows of bench/gen_churn.py's data, cleaned, imputed, scaled and one-hot
// encoded as the scikit-learn baseline does, written once by
// model/testdata/bench_churn.py — the file its scikit-learn timings read
// too, so both sides fit the same numbers.
package churnbench

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Rows is the number of rows of the matrix.
const Rows = 1_000_000

// Load returns the matrix, row-major with p columns, and its labels. The
// file is churn-1000000.f64 in $MLPIPE_CHURN_DIR (default the temporary
// directory); when missing it is made from churn-1000000.csv there, itself
// made by $MLPIPE_GEN_CHURN (default bench/gen_churn.py). root is the path
// from the caller's directory to the repository's root (".." from a
// package's tests). It returns an error when python3 (with pandas and
// scikit-learn) cannot make the file, or when the file is not a matrix of
// Rows rows.
func Load(root string) (x []float64, p int, y []float64, err error) {
	path, err := file(root)
	if err != nil {
		return nil, 0, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, err
	}
	defer f.Close()
	var shape [2]int64
	if err := binary.Read(f, binary.LittleEndian, &shape); err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %w", path, err)
	}
	n, p := int(shape[0]), int(shape[1])
	if n != Rows || p < 1 || p > 1000 {
		return nil, 0, nil, fmt.Errorf("%s: %d×%d, want %d rows", path, n, p, Rows)
	}
	x, y = make([]float64, n*p), make([]float64, n)
	if err := binary.Read(f, binary.LittleEndian, x); err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := binary.Read(f, binary.LittleEndian, y); err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, p, y, nil
}

// file returns the path of the matrix, making it (and the CSV it comes
// from) with python3 when missing.
func file(root string) (string, error) {
	dir := os.Getenv("MLPIPE_CHURN_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	csv := filepath.Join(dir, fmt.Sprintf("churn-%d.csv", Rows))
	path := filepath.Join(dir, fmt.Sprintf("churn-%d.f64", Rows))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if _, err := os.Stat(csv); err != nil {
		gen := os.Getenv("MLPIPE_GEN_CHURN")
		if gen == "" {
			gen = filepath.Join(root, "bench", "gen_churn.py")
		}
		if out, err := exec.Command("python3", gen, fmt.Sprint(Rows), csv).CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v %s", gen, err, out)
		}
	}
	script := filepath.Join(root, "model", "testdata", "bench_churn.py")
	if out, err := exec.Command("/usr/bin/python3", script, "matrix", csv, path).CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s: %v %s", script, err, out)
	}
	return path, nil
}
