package parallel_test

import (
	"context"
	"fmt"

	"github.com/mlpipe/mlpipe/internal/parallel"
)

// Sum a column in fixed chunks on two workers, then merge the chunk sums in
// chunk order: the result does not depend on the number of workers.
func ExampleFor() {
	v := make([]float64, 10)
	for i := range v {
		v[i] = float64(i)
	}
	bounds := parallel.Chunks(len(v), 4)
	sums := make([]float64, len(bounds))
	err := parallel.For(context.Background(), len(bounds), 2, func(_ context.Context, i int) error {
		for _, x := range v[bounds[i][0]:bounds[i][1]] {
			sums[i] += x
		}
		return nil
	})
	total := 0.0
	for _, s := range sums {
		total += s
	}
	fmt.Println(bounds, sums, total, err)
	// Output: [[0 4] [4 8] [8 10]] [6 22 17] 45 <nil>
}
