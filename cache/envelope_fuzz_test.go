package cache

import (
	"bytes"
	"testing"
	"time"
)

// FuzzDecodeEnvelope checks that any stored bytes decode to an envelope or
// an ErrCorrupt error, never a panic, and that what decodes re-encodes to
// the same bytes.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add(envelope{payload: []byte("x")}.encode())
	f.Add(envelope{negative: true, expires: 1, delta: time.Second}.encode())
	f.Add(envelope{tags: []tagVersion{{"a", 1}, {"bb", 2}}, payload: []byte("{}")}.encode())
	f.Add([]byte{envMagic, flagTags, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEnvelope(b)
		if err != nil {
			return
		}
		// Flags other than ours and non-canonical varints do not survive a
		// round trip; compare the decoded values instead.
		e2, err := decodeEnvelope(e.encode())
		if err != nil {
			t.Fatalf("re-encoded envelope does not decode: %v", err)
		}
		if e2.negative != e.negative || e2.expires != e.expires || e2.delta != e.delta ||
			len(e2.tags) != len(e.tags) || !bytes.Equal(e2.payload, e.payload) {
			t.Fatalf("round trip changed %+v into %+v", e, e2)
		}
		for i := range e.tags {
			if e.tags[i] != e2.tags[i] {
				t.Fatalf("tag %d: %+v became %+v", i, e.tags[i], e2.tags[i])
			}
		}
	})
}
