package cache

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// tagKeyPrefix marks the keys holding tag versions.
const tagKeyPrefix = "__tag__:"

func tagKey(tag string) string { return tagKeyPrefix + tag }

// newTagVersion returns a random non-zero version.
func newTagVersion() uint64 {
	for {
		if v := rand.Uint64(); v != 0 {
			return v
		}
	}
}

func encodeTagVersion(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// tagVersions reads the current version of each tag in one call when c is a
// [Batcher]. A tag without a version gets a new one when create is set, and
// version 0 (never current) otherwise.
func tagVersions(ctx context.Context, c Cache, tags []string, create bool) ([]tagVersion, error) {
	keys := make([]string, len(tags))
	for i, t := range tags {
		keys[i] = tagKey(t)
	}
	got, err := GetMany(ctx, c, keys)
	if err != nil {
		return nil, err
	}
	out := make([]tagVersion, len(tags))
	var fresh map[string][]byte
	for i, t := range tags {
		out[i].tag = t
		if b, ok := got[keys[i]]; ok && len(b) == 8 {
			out[i].ver = binary.BigEndian.Uint64(b)
			continue
		}
		if create {
			if fresh == nil {
				fresh = map[string][]byte{}
			}
			out[i].ver = newTagVersion()
			fresh[keys[i]] = encodeTagVersion(out[i].ver)
		}
	}
	if len(fresh) > 0 {
		if err := SetMany(ctx, c, fresh, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tagsCurrent reports whether every recorded tag version is still current.
func tagsCurrent(ctx context.Context, c Cache, recorded []tagVersion) (bool, error) {
	tags := make([]string, len(recorded))
	for i, t := range recorded {
		tags[i] = t.tag
	}
	now, err := tagVersions(ctx, c, tags, false)
	if err != nil {
		return false, err
	}
	for i := range now {
		if now[i].ver != recorded[i].ver {
			return false, nil
		}
	}
	return true, nil
}

// InvalidateTags makes stale every entry that [GetOrLoad] stored in c with
// any of tags (see [WithTags]): each tag gets a new version, and entries
// recorded under an old one are reloaded on their next read. Entries are
// not deleted; they leave by their ttl. It returns the backend's error, if
// any, and is safe for concurrent use when c is.
func InvalidateTags(ctx context.Context, c Cache, tags ...string) error {
	if c == nil {
		return fmt.Errorf("cache: invalidate tags: nil cache")
	}
	entries := make(map[string][]byte, len(tags))
	for _, t := range tags {
		entries[tagKey(t)] = encodeTagVersion(newTagVersion())
	}
	if err := SetMany(ctx, c, entries, 0); err != nil {
		return fmt.Errorf("cache: invalidate tags %q: %w", tags, err)
	}
	return nil
}
