package etl_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/mlpipe/mlpipe/etl"
)

// Slice is an Extractor over values held in memory.
func ExampleSlice() {
	src := etl.Slice[string]{"ada", "grace", "edsger"}
	err := src.Extract(context.Background(), func(name string) error {
		fmt.Println(strings.ToUpper(name))
		return nil
	})
	fmt.Println("error:", err)
	// Output:
	// ADA
	// GRACE
	// EDSGER
	// error: <nil>
}

// Memory collects what is loaded into it; its zero value is ready to use.
func ExampleMemory() {
	var sink etl.Memory[int]
	ctx := context.Background()
	err := etl.Slice[int]{1, 2, 3}.Extract(ctx, func(v int) error {
		return sink.Load(ctx, v*10)
	})
	fmt.Println(sink.Items(), sink.Len(), err)
	// Output: [10 20 30] 3 <nil>
}
