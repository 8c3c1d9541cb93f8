package testredis_test

import (
	"context"
	"testing"

	"github.com/mlpipe/mlpipe/internal/testredis"
	"github.com/redis/go-redis/v9"
)

// A fault test: a Redis of the test's own, killed and brought back.
func ExampleStart() {
	var t testing.T // in a real test, the *testing.T given to the test
	srv := testredis.Start(&t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	ctx := context.Background()
	rdb.Set(ctx, "k", "v", 0)
	if srv.Own() { // only a server of the test's own may be stopped
		srv.Kill()
		_ = srv.Restart()
	}
}
