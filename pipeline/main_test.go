package pipeline

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// run of a flow must leave none behind, whether it succeeded, failed,
// panicked or was cancelled.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
