package etl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCSVFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for k := range 6 {
		var b strings.Builder
		b.WriteString("i,file\n")
		for r := range 50 + 10*k {
			fmt.Fprintf(&b, "%d,f%d\n", r, k)
		}
		files[fmt.Sprintf("part-%d.csv", k)] = b.String()
	}
	// The first file decides the kind: a later file's column that is all
	// missing must still come out as float.
	files["part-6.csv"] = "i,file\nNA,f6\n"
	writeFiles(t, dir, files)

	for _, limit := range []int{1, 2, 4} {
		x, err := GlobCSV(filepath.Join(dir, "part-*.csv"), CSVOptions{BatchRows: 16, Files: limit, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		rows := 0
		err = x.Extract(context.Background(), func(f *frame.Frame) error {
			if f.NumRows() > 16 {
				t.Errorf("batch of %d rows", f.NumRows())
			}
			if _, err := f.Float("i"); err != nil {
				t.Errorf("column i: %v", err)
			}
			c, _ := f.Categorical("file")
			for r := range f.NumRows() {
				l, _ := c.Label(r)
				if len(order) == 0 || order[len(order)-1] != l {
					order = append(order, l)
				}
			}
			rows += f.NumRows()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(order) != "[f0 f1 f2 f3 f4 f5 f6]" {
			t.Errorf("files %d: order %v", limit, order)
		}
		want := 50 + 60 + 70 + 80 + 90 + 100 + 1
		if st := x.Stats(); rows != want || st.Rows != int64(want) || st.Records != int64(want) {
			t.Errorf("files %d: %d rows, stats %+v, want %d", limit, rows, st, want)
		}
	}
}

func TestCSVFilesErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.csv": "x,y\n1,2\n",
		"b.csv": "x,z\n1,2\n",
		"c.csv": "x,y\n1,oops\n",
	})
	p := func(n string) string { return filepath.Join(dir, n) }
	if _, err := CSVFiles([]string{p("a.csv"), p("missing.csv")}, CSVOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := GlobCSV(p("*.tsv"), CSVOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no match: %v", err)
	}
	if _, err := CSVFiles(nil, CSVOptions{}); !errors.Is(err, ErrOptions) {
		t.Errorf("no paths: %v", err)
	}
	run := func(paths ...string) (int, error) {
		x, err := CSVFiles(paths, CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		err = x.Extract(context.Background(), func(f *frame.Frame) error { rows += f.NumRows(); return nil })
		return rows, err
	}
	if rows, err := run(p("a.csv"), p("b.csv")); !errors.Is(err, ErrSchema) || rows != 1 {
		t.Errorf("other columns: %d rows, %v", rows, err)
	}
	rows, err := run(p("a.csv"), p("c.csv"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Source != p("c.csv") || pe.Line != 2 || rows != 1 {
		t.Errorf("bad value: %d rows, %v", rows, err)
	}
	// Cancelling stops every file's reader.
	ctx, cancel := context.WithCancel(context.Background())
	x, _ := CSVFiles([]string{p("a.csv"), p("a.csv"), p("a.csv")}, CSVOptions{})
	err = x.Extract(ctx, func(*frame.Frame) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
}
