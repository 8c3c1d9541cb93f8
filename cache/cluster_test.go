package cache

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/internal/testredis"
	"github.com/redis/go-redis/v9"
)

// TestRedisCluster runs the Redis backend against a three-node Cluster,
// where multi-key commands across slots are refused, so deletes and batches
// must go through pipelines, and pub/sub must reach every client.
func TestRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	cl := testredis.StartCluster(t)
	ctx := context.Background()
	newClient := func() redis.UniversalClient {
		c := redis.NewUniversalClient(&redis.UniversalOptions{
			Addrs:                 cl.Addrs(),
			ContextTimeoutEnabled: true,
			DialTimeout:           time.Second,
		})
		t.Cleanup(func() { c.Close() })
		return c
	}
	client := newClient()
	if _, ok := client.(*redis.ClusterClient); !ok {
		t.Fatalf("UniversalClient over %d addresses is a %T", len(cl.Addrs()), client)
	}
	prefix := testPrefix(t)
	r, err := NewRedis(client, RedisOptions{Prefix: prefix, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Enough keys to land on every node.
	entries := map[string][]byte{}
	var keys []string
	for i := range 50 {
		k := fmt.Sprint("k", i)
		keys = append(keys, k)
		entries[k] = []byte(fmt.Sprint("v", i))
	}
	if err := r.SetMany(ctx, entries, time.Minute); err != nil {
		t.Fatalf("SetMany across slots: %v", err)
	}
	got, err := r.GetMany(ctx, append(keys, "absent"))
	if err != nil || len(got) != len(entries) {
		t.Fatalf("GetMany across slots: %d hits, %v", len(got), err)
	}
	for k, v := range entries {
		if !bytes.Equal(got[k], v) {
			t.Errorf("GetMany[%q] = %q, want %q", k, got[k], v)
		}
	}
	if err := r.Delete(ctx, keys[:25]...); err != nil {
		t.Fatalf("Delete across slots: %v", err)
	}
	if got, _ := r.GetMany(ctx, keys); len(got) != 25 {
		t.Errorf("after deleting 25 keys, %d remain, want 25", len(got))
	}

	l := &countingLoader{value: "v"}
	for i, v := range concurrentMisses(t, r, 100, l) {
		if v != "v" {
			t.Fatalf("caller %d got %q", i, v)
		}
	}
	if n := l.calls.Load(); n != 1 {
		t.Errorf("100 concurrent misses on a cluster: %d loads", n)
	}

	// Tiered invalidation over the cluster's pub/sub.
	r2, _ := NewRedis(newClient(), RedisOptions{Prefix: prefix, Timeout: time.Second})
	a := newTestTiered(t, r, TieredOptions{})
	b := newTestTiered(t, r2, TieredOptions{})
	if err := a.Set(ctx, "t", []byte("1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := b.Get(ctx, "t"); err != nil || !ok || string(v) != "1" {
		t.Fatalf("b reads %q, %v, %v", v, ok, err)
	}
	if err := a.Set(ctx, "t", []byte("2"), time.Minute); err != nil {
		t.Fatal(err)
	}
	eventually(t, "b sees a's write through cluster pub/sub", func() bool {
		v, ok, err := b.Get(ctx, "t")
		return err == nil && ok && string(v) == "2"
	})
}

// TestRedisSentinel reaches Redis through a Sentinel, as a UniversalClient
// with a MasterName does, and survives the master's death.
func TestRedisSentinel(t *testing.T) {
	sen := testredis.StartSentinel(t)
	ctx := context.Background()
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 []string{sen.Addr()},
		MasterName:            sen.MasterName,
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
		MaxRetries:            -1,
	})
	t.Cleanup(func() { client.Close() })
	r, err := NewRedis(client, RedisOptions{Prefix: testPrefix(t), Timeout: time.Second, Breaker: BreakerOptions{Failures: 2}})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	load := func(context.Context) (int, error) { calls++; return 42, nil }
	for range 3 {
		if v, err := GetOrLoad(ctx, r, "answer", time.Minute, load); err != nil || v != 42 {
			t.Fatalf("through the sentinel: %v, %v", v, err)
		}
	}
	if s := r.Stats(); calls != 1 || s.Hits != 2 {
		t.Errorf("through the sentinel: %d loads, %+v", calls, s)
	}
	if sen.Master == nil {
		return // an external sentinel: not killed
	}
	sen.Master.Kill()
	for range 5 {
		if v, err := GetOrLoad(ctx, r, "answer", time.Minute, load); err != nil || v != 42 {
			t.Fatalf("master down: %v, %v", v, err)
		}
	}
	if s := r.Stats(); s.BackendErrors != 5 || calls != 6 {
		t.Errorf("master down: %d loads, %+v", calls, s)
	}
}
