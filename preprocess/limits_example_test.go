package preprocess_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// A column of identifiers would become a one-hot column per row: the
// cardinality guard refuses it, naming the column, unless the limit is
// raised or the tail grouped with MaxCategories.
func ExampleOneHotSpec_maxCardinality() {
	ids := make([]string, 50)
	for i := range ids {
		ids[i] = fmt.Sprintf("user-%02d", i)
	}
	f, _ := frame.New(frame.Categories("user", ids, nil))
	ctx := context.Background()

	_, err := preprocess.OneHotSpec{MaxCardinality: 20}.Fit(ctx, f)
	fmt.Println(errors.Is(err, preprocess.ErrTooManyCategories))
	fmt.Println(err)

	grouped, _ := preprocess.OneHotSpec{MaxCardinality: 20, MaxCategories: 10}.Fit(ctx, f)
	fmt.Println(len(grouped.(*preprocess.OneHotEncoder).FeatureNames()), "columns")
	// Output:
	// true
	// one-hot fit: column "user" has 50 categories, more than the limit of 20 (MaxCardinality; set MaxCategories, or hash or frequency-encode it): too many categories
	// 10 columns
}
