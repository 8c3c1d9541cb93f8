package cache

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestNewNamespaceBadInput(t *testing.T) {
	m := newMemory(t, MemoryOptions{})
	for _, tt := range []struct {
		name    string
		c       Cache
		ns      string
		version int
	}{
		{"nil cache", nil, "users", 1},
		{"empty name", m, "", 1},
		{"colon in name", m, "a:b", 1},
		{"negative version", m, "users", -1},
	} {
		if _, err := NewNamespace(tt.c, tt.ns, tt.version); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestNamespaceVersionBump(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	v1, _ := NewNamespace(m, "features", 1)
	v2, _ := NewNamespace(m, "features", 2)
	other, _ := NewNamespace(m, "labels", 1)
	if v1.Prefix() != "features:v1:" {
		t.Errorf("Prefix = %q", v1.Prefix())
	}
	if err := v1.Set(ctx, "k", []byte("old"), 0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := m.Get(ctx, "features:v1:k"); !ok {
		t.Error("entry not stored under the prefixed key")
	}
	for _, tt := range []struct {
		name string
		ns   *Namespace
		hit  bool
	}{{"same version", v1, true}, {"new version", v2, false}, {"other name", other, false}} {
		if _, ok, err := tt.ns.Get(ctx, "k"); ok != tt.hit || err != nil {
			t.Errorf("%s: hit %v, err %v; want hit %v", tt.name, ok, err, tt.hit)
		}
	}
	// GetOrLoad on the new version reloads, with its own counters.
	calls := 0
	load := func(context.Context) (int, error) { calls++; return calls, nil }
	for range 2 {
		if _, err := GetOrLoad(ctx, v2, "n", time.Minute, load); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := GetOrLoad(ctx, v1, "n", time.Minute, load); err != nil {
		t.Fatal(err)
	}
	if calls != 2 || v2.Stats().Hits != 1 || v1.Stats().Loads != 1 {
		t.Errorf("loads %d, v2 %+v, v1 %+v", calls, v2.Stats(), v1.Stats())
	}
	// Batches and deletes stay inside the namespace.
	if err := v2.SetMany(ctx, map[string][]byte{"a": []byte("1"), "b": []byte("2")}, 0); err != nil {
		t.Fatal(err)
	}
	got, err := v2.GetMany(ctx, []string{"a", "b", "k"})
	if err != nil || len(got) != 2 || string(got["a"]) != "1" {
		t.Errorf("GetMany = %q, %v", got, err)
	}
	if err := v2.Delete(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	if got, _ := v2.GetMany(ctx, []string{"a", "b"}); len(got) != 0 {
		t.Errorf("after Delete: %q", got)
	}
	if _, ok, _ := v1.Get(ctx, "k"); !ok {
		t.Error("Delete in v2 reached v1")
	}
}

func TestTagsInvalidate(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	loads := map[string]int{}
	load := func(key string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			loads[key]++
			return fmt.Sprint(key, "#", loads[key]), nil
		}
	}
	tagsOf := map[string][]string{
		"user:1": {"users", "tenant:a"},
		"user:2": {"users", "tenant:b"},
		"plan:1": {"plans"},
	}
	get := func(key string) string {
		v, err := GetOrLoad(ctx, m, key, time.Minute, load(key), WithTags(tagsOf[key]...))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, k := range []string{"user:1", "user:2", "plan:1", "user:1", "user:2", "plan:1"} {
		if v := get(k); v != k+"#1" {
			t.Fatalf("%s before invalidation: %q", k, v)
		}
	}
	if err := InvalidateTags(ctx, m, "tenant:a"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key, want string
	}{
		{"user:1", "user:1#2"}, // tagged tenant:a: reloaded
		{"user:2", "user:2#1"},
		{"plan:1", "plan:1#1"},
	}
	for _, tt := range tests {
		if v := get(tt.key); v != tt.want {
			t.Errorf("after invalidating tenant:a, %s = %q, want %q", tt.key, v, tt.want)
		}
	}
	if v := get("user:1"); v != "user:1#2" {
		t.Errorf("reloaded entry not cached again: %q", v)
	}
	if err := InvalidateTags(ctx, m, "users", "plans"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"user:1", "user:2", "plan:1"} {
		if v := get(k); v == k+"#1" || v == "user:1#2" {
			t.Errorf("%s not reloaded after its tag was invalidated: %q", k, v)
		}
	}
	if s := m.Stats(); s.Stale != 4 {
		t.Errorf("Stale = %d, want 4", s.Stale)
	}
	if err := InvalidateTags(ctx, nil, "x"); err == nil {
		t.Error("nil cache: no error")
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	tests := []envelope{
		{payload: []byte("p")},
		{negative: true, expires: 42, delta: 3 * time.Millisecond},
		{expires: 1, tags: []tagVersion{{"a", 1}, {"", 2}, {"tenant:b", 1 << 63}}, payload: []byte("xyz")},
	}
	for _, e := range tests {
		got, err := decodeEnvelope(e.encode())
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(e) {
			t.Errorf("round trip: %+v, want %+v", got, e)
		}
	}
	good := tests[2].encode()
	for _, bad := range [][]byte{nil, []byte("short"), good[:envHeaderLen+3], append([]byte{0}, good[1:]...)} {
		if _, err := decodeEnvelope(bad); err == nil {
			t.Errorf("decodeEnvelope(%q): no error", bad)
		}
	}
}
