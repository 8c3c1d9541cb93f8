package etl_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
)

// A quote left open makes the rest of the input one record: MaxRecordBytes
// stops the read once that record passes the bound, instead of holding the
// whole input in memory; the rows before it were emitted.
func ExampleCSVOptions_maxRecordBytes() {
	in := "id,note\n1,fine\n2,\"never closed\n" + strings.Repeat("3,more text\n", 1000)
	x := etl.CSV(strings.NewReader(in), etl.CSVOptions{MaxRecordBytes: 1024})
	rows := 0
	err := x.Extract(context.Background(), func(f *frame.Frame) error { rows += f.NumRows(); return nil })
	fmt.Println(rows, "rows;", errors.Is(err, etl.ErrRecordTooLarge))
	fmt.Println(err)
	// Output:
	// 1 rows; true
	// read csv: line 3: record longer than 1024 bytes: record too large
}
