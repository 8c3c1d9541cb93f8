package pipeline

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/internal/testredis"
)

// faultRedis returns a Redis cache on a server of the test's own, with a
// breaker quick to open and to probe again.
func faultRedis(t *testing.T) (*testredis.Server, *cache.Redis) {
	t.Helper()
	srv := testredis.Start(t)
	if !srv.Own() {
		t.Skip("needs redis-server on PATH to kill it")
	}
	client, err := cache.NewRedisClient(cache.RedisClientOptions{Addrs: []string{srv.Addr()}, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	rc, err := cache.NewRedis(client, cache.RedisOptions{Prefix: fmt.Sprintf("fault-%d:", time.Now().UnixNano()),
		Breaker: cache.BreakerOptions{Failures: 2, Cooldown: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return srv, rc
}

// waitAvailable waits until Redis answers again through rc.
func waitAvailable(t *testing.T, rc *cache.Redis) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, _, err := rc.Get(context.Background(), "probe"); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("Redis did not come back through the cache")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTrainingRedisKilledMidRun: Redis is killed as a Training run starts
// fitting and brought back before it deploys. The run completes with the
// same artifact as without a cache, its report counts the outage; the next
// runs miss (the restarted server is empty), then hit.
func TestTrainingRedisKilledMidRun(t *testing.T) {
	srv, rc := faultRedis(t)
	ctx := context.Background()
	data := churnCSV(400, 3)
	newRun := func() *Training {
		tr := churnTraining(data, etl.CSVOptions{}, 1)
		tr.Eval.CV = nil
		tr.Cache = rc
		return tr
	}
	base, err := churnTraining(data, etl.CSVOptions{}, 1).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	baseSHA := base.Artifact.SHA256

	first, err := newRun().Run(ctx)
	if err != nil || first.Cache != (CacheSummary{Used: true, Misses: 1}) {
		t.Fatalf("cold run: %v, cache %+v", err, first.Cache)
	}

	// Second run: Redis dies when fitting starts, returns at deployment.
	tr := newRun()
	var killed, restarted atomic.Bool
	var restartErr error
	tr.Progress = func(p RunProgress) {
		switch {
		case p.Step == "fit" && !killed.Load():
			srv.Kill()
			killed.Store(true)
		case p.Step == "deploy" && killed.Load() && !restarted.Load():
			restartErr = srv.Restart()
			restarted.Store(true)
		}
	}
	out, err := tr.Run(ctx)
	if err != nil {
		t.Fatalf("run with Redis killed: %v", err)
	}
	if !killed.Load() || !restarted.Load() || restartErr != nil {
		t.Fatalf("killed %v, restarted %v: %v", killed.Load(), restarted.Load(), restartErr)
	}
	if out.Cache.Errors < 1 || out.Cache.Hits != 0 {
		t.Errorf("outage not in the report: %+v", out.Cache)
	}
	if out.Artifact.SHA256 != baseSHA || first.Artifact.SHA256 != baseSHA {
		t.Errorf("artifacts differ: no cache %s, cold %s, outage %s", baseSHA, first.Artifact.SHA256, out.Artifact.SHA256)
	}
	t.Logf("run with Redis killed mid-run: cache %+v, wall %v", out.Cache, out.Wall)

	// Back: the empty server misses once, then hits.
	waitAvailable(t, rc)
	third, err := newRun().Run(ctx)
	if err != nil || third.Cache != (CacheSummary{Used: true, Misses: 1}) {
		t.Fatalf("after the restart: %v, cache %+v", err, third.Cache)
	}
	fourth, err := newRun().Run(ctx)
	if err != nil || fourth.Cache != (CacheSummary{Used: true, Hits: 1}) || fourth.Artifact.SHA256 != baseSHA {
		t.Fatalf("hits did not resume: %v, cache %+v", err, fourth.Cache)
	}
}

// TestFlowRedisKilledMidRun: a Flow whose parallel stage enriches every
// value through cache.GetOrLoad keeps running while Redis is killed and
// restarted under it: every value comes out, correct and in order, the
// outage is counted in the cache's stats, and hits resume after the
// restart.
func TestFlowRedisKilledMidRun(t *testing.T) {
	srv, rc := faultRedis(t)
	ctx := context.Background()
	const n, keys = 600, 20
	var loads atomic.Int64
	var once1, once2 sync.Once
	var restartErr error
	var atRestart cache.Stats
	restartedAt := make(chan struct{})
	enrich := etl.TransformerFunc[int, int](func(ctx context.Context, v int) (int, error) {
		switch v {
		case 200:
			once1.Do(srv.Kill)
		case 400:
			once2.Do(func() {
				restartErr = srv.Restart()
				waitAvailable(t, rc)
				atRestart = rc.Stats()
				close(restartedAt)
			})
		}
		k := v % keys
		x, err := cache.GetOrLoad(ctx, rc, fmt.Sprint("k", k), time.Minute, func(context.Context) (int, error) {
			loads.Add(1)
			return 1000 * k, nil
		})
		return v + x, err
	})
	src := make(etl.Slice[int], n)
	for i := range src {
		src[i] = i
	}
	var out etl.Memory[int]
	flow := Then(From(src, Name("values")), enrich, Name("enrich"), Workers(2))
	rep, err := To(flow, &out, Name("collect")).Run(ctx)
	if err != nil {
		t.Fatalf("flow with Redis killed: %v", err)
	}
	if restartErr != nil {
		t.Fatal(restartErr)
	}
	<-restartedAt
	got := out.Items()
	if len(got) != n {
		t.Fatalf("%d values out, want %d", len(got), n)
	}
	for i, v := range got {
		if want := i + 1000*(i%keys); v != want {
			t.Fatalf("value %d = %d, want %d", i, v, want)
		}
	}
	end := rc.Stats()
	if end.BackendErrors == 0 || end.BreakerTrips == 0 {
		t.Errorf("outage not counted: %+v", end)
	}
	if hits := end.Hits - atRestart.Hits; hits < 150 {
		t.Errorf("%d hits after the restart, want most of the last 200 values to hit", hits)
	}
	if s, _ := rep.Stage("enrich"); s.BatchesOut != n {
		t.Errorf("stage report %+v", s)
	}
	t.Logf("%d loads for %d values over %d keys; stats %+v", loads.Load(), n, keys, end)
}
