package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Namespace is a [Cache] that keeps its keys apart under a name and a
// version: key k is stored as "name:v<version>:k" in the underlying cache.
// Bumping the version (say, when the shape of the cached values changes)
// makes every entry of the old version unreachable at once; they are never
// read again and leave by their ttl or by eviction.
//
// A Namespace has its own cache-aside layer, so [GetOrLoad] on it shares
// loads and counts Stats per namespace. It is safe for concurrent use when
// the underlying cache is.
type Namespace struct {
	c      Cache
	prefix string
	layer  *Aside
}

var (
	_ Cache   = (*Namespace)(nil)
	_ Batcher = (*Namespace)(nil)
)

// NewNamespace returns the namespace name at version over c. It returns an
// error for a nil cache, an empty name, a name containing ':' or a negative
// version.
func NewNamespace(c Cache, name string, version int) (*Namespace, error) {
	switch {
	case c == nil:
		return nil, errors.New("cache: namespace: nil cache")
	case name == "" || strings.Contains(name, ":"):
		return nil, fmt.Errorf("cache: namespace: name %q must be non-empty and without ':'", name)
	case version < 0:
		return nil, fmt.Errorf("cache: namespace %q: version %d is negative", name, version)
	}
	ns := &Namespace{c: c, prefix: fmt.Sprintf("%s:v%d:", name, version)}
	ns.layer = NewAside(ns, AsideOptions{})
	return ns, nil
}

// Prefix returns what the namespace puts before each key, "name:v<version>:".
func (ns *Namespace) Prefix() string { return ns.prefix }

// Get reads key within the namespace.
func (ns *Namespace) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return ns.c.Get(ctx, ns.prefix+key)
}

// Set writes key within the namespace.
func (ns *Namespace) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return ns.c.Set(ctx, ns.prefix+key, value, ttl)
}

// Delete removes keys within the namespace.
func (ns *Namespace) Delete(ctx context.Context, keys ...string) error {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = ns.prefix + k
	}
	return ns.c.Delete(ctx, full...)
}

// GetMany reads keys within the namespace, in one call when the underlying
// cache is a [Batcher].
func (ns *Namespace) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = ns.prefix + k
	}
	got, err := GetMany(ctx, ns.c, full)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(got))
	for k, v := range got {
		out[strings.TrimPrefix(k, ns.prefix)] = v
	}
	return out, nil
}

// SetMany writes entries within the namespace, in one call when the
// underlying cache is a [Batcher].
func (ns *Namespace) SetMany(ctx context.Context, entries map[string][]byte, ttl time.Duration) error {
	full := make(map[string][]byte, len(entries))
	for k, v := range entries {
		full[ns.prefix+k] = v
	}
	return SetMany(ctx, ns.c, full, ttl)
}

// Stats returns the counters of the namespace's cache-aside layer, with
// what the underlying cache counts of its own.
func (ns *Namespace) Stats() Stats { return ns.layer.Stats() }

func (ns *Namespace) asideLayer() *Aside { return ns.layer }

func (ns *Namespace) addBackendStats(s *Stats) {
	if b, ok := ns.c.(backendStatser); ok {
		b.addBackendStats(s)
	}
}
