package cache

import (
	"fmt"
	"time"
)

// Option adjusts one [GetOrLoad] call. Options are plain values (not
// closures) so that applying them allocates nothing.
type Option struct {
	kind  optionKind
	d     time.Duration
	f     float64
	codec Codec
	tags  []string
}

type optionKind uint8

const (
	optNone optionKind = iota
	optCodec
	optLoadTimeout
	optJitter
	optEarlyRefresh
	optNegativeTTL
	optTags
)

func (o Option) apply(c *loadConfig) {
	switch o.kind {
	case optCodec:
		c.codec = o.codec
	case optLoadTimeout:
		c.loadTimeout = o.d
	case optJitter:
		c.jitter = o.f
	case optEarlyRefresh:
		c.beta = o.f
	case optNegativeTTL:
		c.negativeTTL = o.d
	case optTags:
		c.tags = append(c.tags, o.tags...)
	}
}

type loadConfig struct {
	codec       Codec
	loadTimeout time.Duration
	jitter      float64
	beta        float64
	negativeTTL time.Duration
	tags        []string
}

// WithCodec encodes the value with c instead of the default (Binary for a
// type whose pointer implements both [encoding.BinaryMarshaler] and
// [encoding.BinaryUnmarshaler], JSON otherwise). A nil c keeps the default.
func WithCodec(c Codec) Option { return Option{kind: optCodec, codec: c} }

// WithLoadTimeout bounds the shared load by d instead of the layer's
// LoadTimeout. d must be >= 0; 0 keeps the layer's.
func WithLoadTimeout(d time.Duration) Option {
	return Option{kind: optLoadTimeout, d: d}
}

// WithJitter shortens each stored ttl by a random fraction in [0, frac), so
// that entries written together do not all expire together and send their
// loads to the source in one burst. frac must be in [0, 1].
func WithJitter(frac float64) Option { return Option{kind: optJitter, f: frac} }

// WithEarlyRefresh turns on probabilistic early refresh ("XFetch", Vattani
// et al., VLDB 2015): a hit close to its expiry starts a reload in the
// background with a probability that grows as expiry nears and with the time
// the last load took, scaled by beta (1 is the usual choice; larger refreshes
// earlier). The caller gets the cached value at once. Popular keys are thus
// reloaded before they expire, and never by a crowd. beta must be >= 0; 0
// turns it off. Entries without expiry are never refreshed early.
func WithEarlyRefresh(beta float64) Option { return Option{kind: optEarlyRefresh, f: beta} }

// WithNegativeTTL remembers for d that the loader returned [ErrNotFound], so
// the next calls within d get ErrNotFound without calling the loader (a
// shorter d than the ttl of found values is usual). d must be >= 0; 0, the
// default, turns it off.
func WithNegativeTTL(d time.Duration) Option {
	return Option{kind: optNegativeTTL, d: d}
}

// WithTags records the entry under tags, so that [InvalidateTags] with any
// of them makes it stale: the next GetOrLoad reloads it. Each tag costs the
// store and every later hit a read of the tag's version (one batched call
// on a [Batcher] such as Redis). Staleness is judged by the tags recorded in
// the entry; a reload records the tags of the call that reloads, so pass the
// same tags for a key every time, as with its ttl.
func WithTags(tags ...string) Option { return Option{kind: optTags, tags: tags} }

func (o *loadConfig) validate() error {
	switch {
	case o.loadTimeout < 0:
		return fmt.Errorf("load timeout %v is negative", o.loadTimeout)
	case !(o.jitter >= 0 && o.jitter <= 1):
		return fmt.Errorf("jitter %v is outside [0, 1]", o.jitter)
	case !(o.beta >= 0):
		return fmt.Errorf("early refresh beta %v is negative", o.beta)
	case o.negativeTTL < 0:
		return fmt.Errorf("negative ttl %v is negative: %w", o.negativeTTL, ErrInvalidTTL)
	}
	return nil
}
