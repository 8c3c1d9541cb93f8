package etl

import (
	"bytes"
	"fmt"
	"io"
)

// csvSyntax is what the splitter and the parser must agree on to find where
// a record ends: a delimiter, a quote byte (or none), a comment byte (or none).
type csvSyntax struct {
	sep     byte
	quote   byte
	quoting bool
	comment byte // 0: none
	trim    bool
}

// recordEnd returns the index just past the '\n' that ends the record
// starting at buf[pos], and whether the record holds a quote byte. It returns
// -1 when buf[pos:] holds no complete record. A quote opens a quoted field
// only at the start of a field (after optional blanks when trimming); a quote
// elsewhere is literal to the splitter and an error to the parser, so both
// agree on record boundaries even in broken input.
func (s *csvSyntax) recordEnd(buf []byte, pos int) (int, bool) {
	nl := bytes.IndexByte(buf[pos:], '\n')
	if nl < 0 {
		return -1, false
	}
	nl += pos
	if !s.quoting || (s.comment != 0 && buf[pos] == s.comment) || bytes.IndexByte(buf[pos:nl], s.quote) < 0 {
		return nl + 1, false
	}
	i := pos
	for {
		if s.trim {
			for i < len(buf) && isBlank(buf[i], s.sep) {
				i++
			}
		}
		if i < len(buf) && buf[i] == s.quote {
			k := i + 1
			for {
				q := bytes.IndexByte(buf[k:], s.quote)
				if q < 0 {
					return -1, true
				}
				k += q + 1
				if k == len(buf) {
					return -1, true // an escaped quote or the closing one: need more input
				}
				if buf[k] == s.quote {
					k++
					continue
				}
				break
			}
			i = k
		}
		for i < len(buf) && buf[i] != s.sep && buf[i] != '\n' {
			i++
		}
		if i == len(buf) {
			return -1, true
		}
		if buf[i] == '\n' {
			return i + 1, true
		}
		i++
	}
}

func isBlank(c, sep byte) bool { return (c == ' ' || c == '\t') && c != sep }

// chunker cuts an input into chunks of whole records: at most maxRecs records
// and about maxBytes bytes each (more only when one record is larger), so
// that chunks can be parsed independently and concurrently. It is used by one
// goroutine at a time.
type chunker struct {
	syn      *csvSyntax
	r        io.Reader
	buf      []byte
	scan     int // buf[:scan] holds recs complete records
	recs     int
	lines    int         // newlines in buf[:scan]
	free     chan []byte // parsed chunks' buffers, for reuse; nil: no reuse
	line     int         // line number of buf[0]
	maxRecs  int
	maxBytes int
	// maxRecord bounds one record's bytes (0: no bound), so that a runaway
	// quote or a file that is not text cannot grow buf without bound.
	maxRecord int
	eof       bool
	started   bool
	bytes     int64 // bytes read so far
	lastSize  int
}

const minRead = 64 << 10

// next returns the next chunk of whole records and the line its first byte is
// on. The final chunk may end without a newline, or inside an open quote
// (the parser reports that). It returns io.EOF after the last chunk, or the
// reader's error.
func (c *chunker) next() ([]byte, int, error) {
	for {
		if !c.started {
			if len(c.buf) < len(bom) && !c.eof {
				if err := c.fill(); err != nil {
					return nil, 0, err
				}
				continue
			}
			c.started = true
			c.buf = bytes.TrimPrefix(c.buf, bom)
		}
		for c.recs < c.maxRecs && c.scan < c.maxBytes && c.scan < len(c.buf) {
			// A stretch free of quotes splits at its newlines: count them
			// in bulk. Records holding a quote are walked one by one.
			stretch := c.buf[c.scan:min(len(c.buf), c.maxBytes)]
			if c.syn.quoting {
				if q := bytes.IndexByte(stretch, c.syn.quote); q >= 0 {
					stretch = stretch[:q]
				}
			}
			if n := bytes.Count(stretch, newline); n > 0 {
				need := c.maxRecs - c.recs
				if n <= need {
					c.scan += bytes.LastIndexByte(stretch, '\n') + 1
					c.recs += n
					c.lines += n
					continue
				}
				c.scan += nthNewline(stretch, need) + 1
				c.recs += need
				c.lines += need
				break
			}
			end, quoted := c.syn.recordEnd(c.buf, c.scan)
			if end < 0 {
				break
			}
			if quoted {
				c.lines += bytes.Count(c.buf[c.scan:end], newline)
			} else {
				c.lines++
			}
			c.scan = end
			c.recs++
		}
		if c.scan > 0 && (c.recs >= c.maxRecs || c.scan >= c.maxBytes || c.eof) {
			line := c.line
			return c.cut(c.scan), line, nil
		}
		if c.maxRecord > 0 && len(c.buf)-c.scan > c.maxRecord+1 {
			// buf[scan:] is one incomplete record (complete ones were
			// scanned, or a chunk was returned above), longer than the
			// bound even without a '\r' before its '\n'. Complete
			// records are checked by the parsers, exactly: whether a long
			// record is caught here or there depends on how the input was
			// buffered, but it is caught. The records before it go first.
			if c.scan > 0 {
				line := c.line
				return c.cut(c.scan), line, nil
			}
			return nil, 0, fmt.Errorf("line %d: record longer than %d bytes: %w", c.line+c.lines, c.maxRecord, ErrRecordTooLarge)
		}
		if c.eof {
			if len(c.buf) == 0 {
				return nil, 0, io.EOF
			}
			line := c.line
			return c.cut(len(c.buf)), line, nil
		}
		if err := c.fill(); err != nil {
			return nil, 0, err
		}
	}
}

// cut detaches buf[:n] as a chunk and keeps the rest in a fresh buffer, so
// the chunk can be parsed while reading goes on.
//
// The chunk keeps the buffer's whole capacity (nothing writes past n any
// more), so that release can recycle it once parsed.
func (c *chunker) cut(n int) []byte {
	chunk := c.buf[:n]
	rest := c.buf[n:]
	size := max(c.lastSize+c.lastSize/4, 2*len(rest), minRead)
	c.lastSize = n
	nb := c.getBuf(size)[:len(rest)]
	copy(nb, rest)
	c.buf = nb
	if n == c.scan {
		c.line += c.lines
	} else {
		c.line += bytes.Count(chunk, newline)
	}
	c.scan, c.recs, c.lines = 0, 0, 0
	return chunk
}

// nthNewline returns the index of the n-th '\n' (n ≥ 1) in b, which holds
// at least n: it counts whole blocks first and searches line by line only
// in the last block.
func nthNewline(b []byte, n int) int {
	const block = 16 << 10
	base := 0
	for len(b)-base > block {
		k := bytes.Count(b[base:base+block], newline)
		if k >= n {
			break
		}
		n -= k
		base += block
	}
	p := base
	for {
		i := bytes.IndexByte(b[p:], '\n')
		p += i
		if n--; n == 0 {
			return p
		}
		p++
	}
}

// fill reads more input into buf, growing it when full.
func (c *chunker) fill() error {
	if cap(c.buf)-len(c.buf) < minRead/2 {
		nb := make([]byte, len(c.buf), max(2*cap(c.buf), minRead))
		copy(nb, c.buf)
		c.buf = nb
	}
	n, err := c.r.Read(c.buf[len(c.buf):cap(c.buf)])
	c.bytes += int64(n)
	c.buf = c.buf[:len(c.buf)+n]
	if err == io.EOF {
		c.eof = true
		return nil
	}
	return err
}

// getBuf returns a buffer of capacity ≥ size, recycled when one is free.
// A parsed chunk's frame holds no reference into its buffer (strings are
// copied to arenas, categories to their dictionary), so the memory can take
// a later chunk without being allocated and zeroed again.
func (c *chunker) getBuf(size int) []byte {
	select {
	case b := <-c.free:
		if cap(b) >= size {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, size)
}

// release returns a parsed chunk's buffer for reuse. Nothing may use the
// chunk afterwards. It is safe for concurrent use.
func (c *chunker) release(b []byte) {
	if c.free == nil || cap(b) < minRead {
		return
	}
	select {
	case c.free <- b[:0]:
	default:
	}
}

var (
	bom     = []byte{0xEF, 0xBB, 0xBF}
	newline = []byte{'\n'}
)
