package cache

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestMemoryHitRatioSkewed replays a Zipf-distributed key stream (s = 1.1,
// 50,000 distinct keys) through a Memory bounded to 1% of the keys, with
// cache-aside fills, and checks the hit ratio against what a perfect LRU of
// the same size gets on the same stream.
func TestMemoryHitRatioSkewed(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 50,000 requests")
	}
	const (
		keys     = 50_000
		capacity = 500
		requests = 50_000
	)
	ctx := context.Background()
	zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, keys-1)
	stream := make([]string, requests)
	for i := range stream {
		stream[i] = strconv.FormatUint(zipf.Uint64(), 10)
	}

	m := newMemory(t, MemoryOptions{MaxEntries: capacity})
	hits := 0
	for _, k := range stream {
		if _, ok, _ := m.Get(ctx, k); ok {
			hits++
			continue
		}
		_ = m.Set(ctx, k, []byte("v"), 0)
	}
	memRatio := float64(hits) / requests

	lruRatio := lruHitRatio(stream, capacity)
	t.Logf("hit ratio on Zipf(1.1), cache of 1%% of keys: Memory %.3f, LRU %.3f", memRatio, lruRatio)
	if memRatio < lruRatio {
		t.Errorf("Memory hit ratio %.3f below LRU's %.3f on skewed keys", memRatio, lruRatio)
	}
}

// lruHitRatio simulates an exact LRU cache of the given capacity.
func lruHitRatio(stream []string, capacity int) float64 {
	type node struct {
		key        string
		prev, next *node
	}
	head := &node{}
	head.prev, head.next = head, head
	index := map[string]*node{}
	unlink := func(n *node) { n.prev.next, n.next.prev = n.next, n.prev }
	pushFront := func(n *node) {
		n.prev, n.next = head, head.next
		head.next.prev = n
		head.next = n
	}
	hits := 0
	for _, k := range stream {
		if n, ok := index[k]; ok {
			hits++
			unlink(n)
			pushFront(n)
			continue
		}
		if len(index) == capacity {
			last := head.prev
			unlink(last)
			delete(index, last.key)
		}
		n := &node{key: k}
		index[k] = n
		pushFront(n)
	}
	return float64(hits) / float64(len(stream))
}
