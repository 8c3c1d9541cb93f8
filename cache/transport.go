package cache

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults for the zero [TransportOptions].
const (
	DefaultTransportTTL     = 5 * time.Minute
	DefaultTransportMaxBody = 10 << 20
)

// TransportOptions configures [NewTransport]. The zero value works.
type TransportOptions struct {
	// TTL is how long a response is kept. Zero means DefaultTransportTTL.
	TTL time.Duration
	// KeyHeaders names the request headers whose values take part in the
	// cache key, for APIs whose answer depends on them (Accept, a tenant
	// header, Authorization). Method and URL always do.
	KeyHeaders []string
	// MaxBody bounds the body of a cached response; a longer one is passed
	// through (read into memory, since concurrent callers share it) and not
	// cached. Zero means DefaultTransportMaxBody.
	MaxBody int64
	// Options are given to [GetOrLoad] for every request: WithJitter,
	// WithEarlyRefresh, WithLoadTimeout, WithTags.
	Options []Option
}

// Transport is an [http.RoundTripper] that caches successful (2xx) GET and
// HEAD responses in a [Cache], keyed by method, URL and the configured
// headers: an HTTP API is called once per key and TTL, then answered from
// the cache — the extraction case of fetching, say, weather data once and
// reading it from Redis after. It is [GetOrLoad] underneath, so concurrent
// requests for one key make one upstream call, a cache outage still
// returns upstream responses (and shows in the cache's Stats), and the
// upstream call runs on a context of its own.
//
// Other methods, requests with "Cache-Control: no-cache" or "no-store", and
// non-2xx, too large, "no-store" or "private" responses pass through
// uncached (the latter count
// as load errors in Stats). Each caller gets its own response body. A
// Transport is safe for concurrent use.
type Transport struct {
	c    Cache
	base http.RoundTripper
	o    TransportOptions
}

var _ http.RoundTripper = (*Transport)(nil)

// NewTransport returns a Transport caching base's responses in c; a nil
// base means [http.DefaultTransport]. It returns an error for a nil cache,
// a negative TTL or MaxBody, or a bad option.
func NewTransport(c Cache, base http.RoundTripper, o TransportOptions) (*Transport, error) {
	if c == nil {
		return nil, errors.New("cache: transport: nil cache")
	}
	if o.TTL < 0 || o.MaxBody < 0 {
		return nil, fmt.Errorf("cache: transport: negative TTL %v or MaxBody %d", o.TTL, o.MaxBody)
	}
	if o.TTL == 0 {
		o.TTL = DefaultTransportTTL
	}
	if o.MaxBody == 0 {
		o.MaxBody = DefaultTransportMaxBody
	}
	if _, err := prepare[httpEntry]("transport", o.TTL, o.Options); err != nil {
		return nil, err
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{c: c, base: base, o: o}, nil
}

// httpEntry is a cached response. It marshals itself (status, headers as
// JSON, raw body) so that bodies are not base64-inflated.
type httpEntry struct {
	Status int
	Header http.Header
	Body   []byte
}

func (e *httpEntry) MarshalBinary() ([]byte, error) {
	h, err := json.Marshal(e.Header)
	if err != nil {
		return nil, err
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(e.Status))
	b = binary.BigEndian.AppendUint32(b, uint32(len(h)))
	b = append(b, h...)
	return append(b, e.Body...), nil
}

func (e *httpEntry) UnmarshalBinary(b []byte) error {
	if len(b) < 8 {
		return fmt.Errorf("cache: http entry of %d bytes: %w", len(b), ErrCorrupt)
	}
	e.Status = int(binary.BigEndian.Uint32(b))
	if e.Status < 100 || e.Status > 999 {
		return fmt.Errorf("cache: http entry with status %d: %w", e.Status, ErrCorrupt)
	}
	n := int(binary.BigEndian.Uint32(b[4:]))
	if n > len(b)-8 {
		return fmt.Errorf("cache: http entry header of %d bytes in %d: %w", n, len(b), ErrCorrupt)
	}
	if err := json.Unmarshal(b[8:8+n], &e.Header); err != nil {
		return fmt.Errorf("cache: http entry header: %w: %w", ErrCorrupt, err)
	}
	e.Body = append([]byte(nil), b[8+n:]...) // b may be the cache's own memory
	return nil
}

// passThrough carries an upstream response that is not to be cached.
type passThrough struct{ e httpEntry }

func (p *passThrough) Error() string {
	return fmt.Sprintf("upstream answered %d: not cached", p.e.Status)
}

// RoundTrip answers req from the cache or from the base transport.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if (req.Method != http.MethodGet && req.Method != http.MethodHead) || noCache(req.Header) {
		return t.base.RoundTrip(req)
	}
	parts := []any{req.Method, req.URL.String()}
	for _, h := range t.o.KeyHeaders {
		parts = append(parts, h, req.Header.Values(h))
	}
	fp, err := Fingerprint(parts...)
	if err != nil {
		return nil, err
	}
	e, err := GetOrLoad(req.Context(), t.c, "http:"+fp, t.o.TTL, func(ctx context.Context) (httpEntry, error) {
		return t.fetch(ctx, req)
	}, t.o.Options...)
	var pt *passThrough
	switch {
	case errors.As(err, &pt):
		return response(req, pt.e), nil
	case err != nil:
		return nil, err
	}
	return response(req, e), nil
}

// fetch calls upstream on the shared load's context.
func (t *Transport) fetch(ctx context.Context, req *http.Request) (httpEntry, error) {
	resp, err := t.base.RoundTrip(req.Clone(ctx))
	if err != nil {
		return httpEntry{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.o.MaxBody+1))
	if err != nil {
		return httpEntry{}, fmt.Errorf("read response body: %w", err)
	}
	e := httpEntry{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if resp.StatusCode < 200 || resp.StatusCode > 299 || int64(len(body)) > t.o.MaxBody || noStore(resp.Header) {
		if int64(len(body)) > t.o.MaxBody {
			// Hand the whole body over, uncached.
			rest, err := io.ReadAll(resp.Body)
			if err != nil {
				return httpEntry{}, fmt.Errorf("read response body: %w", err)
			}
			e.Body = append(body, rest...)
		}
		return httpEntry{}, &passThrough{e: e}
	}
	return e, nil
}

func response(req *http.Request, e httpEntry) *http.Response {
	return &http.Response{
		Status:        strconv.Itoa(e.Status) + " " + http.StatusText(e.Status),
		StatusCode:    e.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        e.Header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(e.Body)),
		ContentLength: int64(len(e.Body)),
		Request:       req,
	}
}

func noCache(h http.Header) bool {
	for _, v := range h.Values("Cache-Control") {
		if strings.Contains(v, "no-cache") || strings.Contains(v, "no-store") {
			return true
		}
	}
	return false
}

func noStore(h http.Header) bool {
	for _, v := range h.Values("Cache-Control") {
		if strings.Contains(v, "no-store") || strings.Contains(v, "private") {
			return true
		}
	}
	return false
}
