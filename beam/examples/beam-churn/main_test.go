package main

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
)

func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

// TestRun runs the example on two small shards with one unreadable record
// each: the fitted states match the single-machine fit, every score is the
// single-machine score, and the two records are rejected.
func TestRun(t *testing.T) {
	var out strings.Builder
	o := options{data: "testdata/shards/*.csv", out: t.TempDir(), compare: true}
	if err := run(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"beam fit: 900 rows read",
		", 2 rejected",
		"local fit: 900 rows read, 2 rejected",
		"largest relative difference of a number: 0; other values that differ: 0",
		"identical to the single-machine scores: 900 of 900",
		"merged histogram: ROC AUC",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
