package frame

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind: the frame tests
// read frames from many goroutines at once.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
