//go:build linux

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
)

// mountTmpfs mounts a tmpfs of size bytes (read-only with ro) on a fresh
// directory and unmounts it when t ends. Tests run as root, where file
// modes do not stop writes: a mount is how a full or read-only directory
// is made. It fails without the right to mount (not root, or a container
// without CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, size string, ro bool) (string, error) {
	t.Helper()
	dir := t.TempDir()
	var flags uintptr
	if ro {
		flags = syscall.MS_RDONLY
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", flags, "size="+size); err != nil {
		return "", fmt.Errorf("cannot mount a tmpfs on %s (needs root with CAP_SYS_ADMIN): %w", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir, nil
}

// copyRun runs input CSV → output sink and returns the run's error.
func copyRun(t *testing.T, input string, sink fileSink) error {
	t.Helper()
	src, err := etl.OpenCSV(input, etl.CSVOptions{BatchRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	_, err = To(From[*frame.Frame](src), etl.Loader[*frame.Frame](sink)).Run(context.Background())
	return err
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestDiskFull: a run writing CSV, Parquet or JSON Lines into a directory
// that fills up (a 256 KiB tmpfs), and a fitted pipeline saved there, fail
// with an error naming the path and "no space left on device"; the input
// is untouched, and the full directory holds neither the output nor a
// temporary file.
func TestDiskFull(t *testing.T) {
	full, err := mountTmpfs(t, "256k", false)
	if err != nil {
		t.Skip(err)
	}
	input := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(input, churnCSV(40_000, 4), 0o644); err != nil { // about 1 MB
		t.Fatal(err)
	}
	sum := fileSum(t, input)
	for _, tc := range []struct {
		name   string
		create func(string) (fileSink, error)
	}{
		{"out.csv", func(p string) (fileSink, error) { return etl.CreateCSV(p, etl.CSVWriterOptions{}) }},
		{"out.parquet", func(p string) (fileSink, error) {
			return etl.CreateParquet(p, etl.ParquetWriterOptions{})
		}},
		{"out.jsonl", func(p string) (fileSink, error) { return etl.CreateJSONLines(p, etl.JSONLinesWriterOptions{}) }},
	} {
		out := filepath.Join(full, tc.name)
		sink, err := tc.create(out)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err = copyRun(t, input, sink)
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), out) {
			t.Errorf("%s: error %v, want ENOSPC naming the path", tc.name, err)
		}
		if names := listDir(t, full); len(names) != 0 {
			t.Errorf("%s: the full directory holds %v", tc.name, names)
		}
	}
	if fileSum(t, input) != sum {
		t.Error("the input changed")
	}

	// A saved pipeline does not fit either.
	fitted, err := churnSpec(1).Fit(context.Background(), mustRead(t, input))
	if err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(full, "filler")
	if err := fillUp(filler); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the directory: %v", err)
	}
	path := filepath.Join(full, "model.json")
	if err := fitted.SaveFile(path); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("SaveFile into a full directory: %v", err)
	}
	os.Remove(filler)
	if names := listDir(t, full); len(names) != 0 {
		t.Errorf("after SaveFile: the full directory holds %v", names)
	}

	// A stream that cannot be written (/dev/full) fails the same way.
	if devFull, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err == nil {
		defer devFull.Close()
		w := etl.NewCSVWriter(devFull, etl.CSVWriterOptions{})
		err := copyRun(t, input, w)
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("/dev/full: %v", err)
		}
	}
}

// TestReadOnlyOutput: a read-only directory (a read-only mount, which
// stops root too), and a path under a regular file, are refused when the
// sink or the save starts, with an error naming the path; nothing is
// written and the input is untouched.
func TestReadOnlyOutput(t *testing.T) {
	input := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(input, churnCSV(500, 4), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := fileSum(t, input)
	notDir := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(notDir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]error{"under a file": syscall.ENOTDIR}
	if ro, err := mountTmpfs(t, "64k", true); err == nil {
		dirs[ro] = syscall.EROFS
	} else {
		t.Logf("only the path under a file is tried: %v", err)
	}
	fitted, err := churnSpec(1).Fit(context.Background(), mustRead(t, input))
	if err != nil {
		t.Fatal(err)
	}
	for dir, want := range dirs {
		if dir == "under a file" {
			dir = notDir
		}
		for _, name := range []string{"out.csv", "out.parquet", "out.jsonl"} {
			path := filepath.Join(dir, name)
			var err error
			switch filepath.Ext(name) {
			case ".csv":
				_, err = etl.CreateCSV(path, etl.CSVWriterOptions{})
			case ".parquet":
				_, err = etl.CreateParquet(path, etl.ParquetWriterOptions{})
			default:
				_, err = etl.CreateJSONLines(path, etl.JSONLinesWriterOptions{})
			}
			if !errors.Is(err, want) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s: %v, want %v naming the path", path, err, want)
			}
		}
		path := filepath.Join(dir, "model.json")
		if err := fitted.SaveFile(path); !errors.Is(err, want) || !strings.Contains(err.Error(), path) {
			t.Errorf("SaveFile %s: %v, want %v", path, err, want)
		}
	}
	if fileSum(t, input) != sum {
		t.Error("the input changed")
	}
}

// fillUp writes to path until the file system is full and returns the
// error that stopped it.
func fillUp(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			return err
		}
	}
}

func mustRead(t *testing.T, path string) *frame.Frame {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := etlRead(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
