package cache

import (
	"encoding/binary"
	"fmt"
	"time"
)

// The envelope is how GetOrLoad stores a value: a small header, then the
// codec's bytes. The header carries what the strategies need to read back
// without another round trip: whether the entry records a "not found", when
// it expires (for early refresh) and how long its load took.
//
//	byte 0      envMagic (format version)
//	byte 1      flags (flagNegative)
//	bytes 2-9   expiry, Unix nanoseconds, big endian; 0 = never
//	bytes 10-13 load duration in microseconds, big endian
//	bytes 14-   with flagTags: a uvarint count, then per tag a uvarint
//	            length, the tag and its 8-byte version (see WithTags)
//	then        payload
const (
	envMagic     = 0xC1
	envHeaderLen = 14
	flagNegative = 1
	flagTags     = 2
)

type tagVersion struct {
	tag string
	ver uint64
}

type envelope struct {
	negative bool
	expires  int64
	delta    time.Duration
	tags     []tagVersion
	payload  []byte
}

func (e envelope) encode() []byte {
	n := envHeaderLen + len(e.payload)
	if len(e.tags) > 0 {
		n += binary.MaxVarintLen64
		for _, t := range e.tags {
			n += binary.MaxVarintLen64 + len(t.tag) + 8
		}
	}
	b := make([]byte, envHeaderLen, n)
	b[0] = envMagic
	if e.negative {
		b[1] |= flagNegative
	}
	binary.BigEndian.PutUint64(b[2:10], uint64(e.expires))
	us := min(e.delta.Microseconds(), 1<<32-1)
	binary.BigEndian.PutUint32(b[10:14], uint32(max(us, 0)))
	if len(e.tags) > 0 {
		b[1] |= flagTags
		b = binary.AppendUvarint(b, uint64(len(e.tags)))
		for _, t := range e.tags {
			b = binary.AppendUvarint(b, uint64(len(t.tag)))
			b = append(b, t.tag...)
			b = binary.BigEndian.AppendUint64(b, t.ver)
		}
	}
	return append(b, e.payload...)
}

func decodeEnvelope(b []byte) (envelope, error) {
	if len(b) < envHeaderLen || b[0] != envMagic {
		return envelope{}, fmt.Errorf("cache: %d-byte entry without the GetOrLoad header: %w", len(b), ErrCorrupt)
	}
	e := envelope{
		negative: b[1]&flagNegative != 0,
		expires:  int64(binary.BigEndian.Uint64(b[2:10])),
		delta:    time.Duration(binary.BigEndian.Uint32(b[10:14])) * time.Microsecond,
		payload:  b[envHeaderLen:],
	}
	if b[1]&flagTags == 0 {
		return e, nil
	}
	rest := e.payload
	bad := fmt.Errorf("cache: entry with a truncated tag list: %w", ErrCorrupt)
	count, n := binary.Uvarint(rest)
	// Each tag takes at least 9 bytes (a length and a version): a count
	// the bytes cannot hold is corrupt, and is refused before allocating.
	if n <= 0 || count > uint64(len(rest)-n)/9 {
		return envelope{}, bad
	}
	rest = rest[n:]
	e.tags = make([]tagVersion, count)
	for i := range e.tags {
		l, n := binary.Uvarint(rest)
		if n <= 0 || l > uint64(len(rest)) || uint64(len(rest)-n) < l+8 {
			return envelope{}, bad
		}
		rest = rest[n:]
		e.tags[i] = tagVersion{tag: string(rest[:l]), ver: binary.BigEndian.Uint64(rest[l : l+8])}
		rest = rest[l+8:]
	}
	e.payload = rest
	return e, nil
}
