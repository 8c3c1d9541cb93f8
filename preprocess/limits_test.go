package preprocess

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

// TestOneHotCardinalityGuard: a column of identifiers is refused with an
// error naming it and its count, unless the limit is raised or lifted, or
// MaxCategories groups the tail.
func TestOneHotCardinalityGuard(t *testing.T) {
	ctx := context.Background()
	ids := make([]string, 3000)
	for i := range ids {
		ids[i] = fmt.Sprintf("user-%d", i)
	}
	f := mustFrame(t, frame.Categories("id", ids, nil), frame.Floats("x", make([]float64, len(ids))))
	_, err := OneHot().Fit(ctx, f)
	if !errors.Is(err, ErrTooManyCategories) || !strings.Contains(err.Error(), `"id" has 3000 categories`) {
		t.Fatalf("default limit: %v", err)
	}
	if _, err := (OneHotSpec{MaxCardinality: 100}).Fit(ctx, f); !errors.Is(err, ErrTooManyCategories) {
		t.Fatalf("limit 100: %v", err)
	}
	for _, tt := range []struct {
		spec OneHotSpec
		want int
	}{
		{OneHotSpec{MaxCardinality: 3000}, 3000}, // exactly at the limit
		{OneHotSpec{MaxCardinality: -1}, 3000},
		{OneHotSpec{MaxCategories: 50}, 50},
	} {
		fitted, err := tt.spec.Fit(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", tt.spec, err)
		}
		if n := len(fitted.(*OneHotEncoder).FeatureNames()); n != tt.want {
			t.Fatalf("%+v: %d columns, want %d", tt.spec, n, tt.want)
		}
	}
}

// TestHashFeaturesBound: a spec or a saved state asking for more than
// MaxHashFeatures dense columns is refused before anything is allocated.
func TestHashFeaturesBound(t *testing.T) {
	f := sampleFrame(t)
	if _, err := Hash(MaxHashFeatures+1, "city").Fit(context.Background(), f); !errors.Is(err, ErrParam) {
		t.Fatalf("fit: %v", err)
	}
	saved := fmt.Sprintf(`{"kind":"preprocess.hash","version":1,"state":{"columns":["city"],"kinds":[%d],"features":1099511627776,"prefix":"h"}}`, frame.Categorical)
	if _, err := UnmarshalFitted([]byte(saved)); !errors.Is(err, ErrState) {
		t.Fatalf("load: %v", err)
	}
}

// TestHashManyFeaturesLinear: the output columns are added in one go, so a
// hasher of many features transforms in time linear in their number (it
// added them one by one, quadratic: 10^6 features hung; found by
// FuzzUnmarshalFittedEdit).
func TestHashManyFeaturesLinear(t *testing.T) {
	ctx := context.Background()
	f := sampleFrame(t)
	fitted, err := Hash(100_000, "city").Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := fitted.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if out.NumCols() != f.NumCols()-1+100_000 {
		t.Fatalf("%d columns", out.NumCols())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("100,000 features took %v", d)
	}
}
