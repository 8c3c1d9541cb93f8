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
//	bytes 14-   payload
const (
	envMagic     = 0xC1
	envHeaderLen = 14
	flagNegative = 1
)

type envelope struct {
	negative bool
	expires  int64
	delta    time.Duration
	payload  []byte
}

func (e envelope) encode() []byte {
	b := make([]byte, envHeaderLen+len(e.payload))
	b[0] = envMagic
	if e.negative {
		b[1] |= flagNegative
	}
	binary.BigEndian.PutUint64(b[2:10], uint64(e.expires))
	us := min(e.delta.Microseconds(), 1<<32-1)
	binary.BigEndian.PutUint32(b[10:14], uint32(max(us, 0)))
	copy(b[envHeaderLen:], e.payload)
	return b
}

func decodeEnvelope(b []byte) (envelope, error) {
	if len(b) < envHeaderLen || b[0] != envMagic {
		return envelope{}, fmt.Errorf("cache: %d-byte entry without the GetOrLoad header: %w", len(b), ErrCorrupt)
	}
	return envelope{
		negative: b[1]&flagNegative != 0,
		expires:  int64(binary.BigEndian.Uint64(b[2:10])),
		delta:    time.Duration(binary.BigEndian.Uint32(b[10:14])) * time.Microsecond,
		payload:  b[envHeaderLen:],
	}, nil
}
