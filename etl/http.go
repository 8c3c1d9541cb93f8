package etl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/mlpipe/mlpipe/frame"
)

// ResponseCache stores HTTP response bodies by key. A cache.Cache from this
// module satisfies it. Implementations must be safe for concurrent use.
type ResponseCache interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// PageKind says how an API splits its results into pages.
type PageKind uint8

// The pagination schemes of [Pages].
const (
	// NoPages: each URL is one response.
	NoPages PageKind = iota
	// PageNumber: ?page=1, ?page=2, … until a page holds fewer than Size
	// records (or none). Pages are fetched concurrently, up to
	// Concurrency+1 past the last one (their results are dropped).
	PageNumber
	// Offset: ?offset=0&limit=Size, ?offset=Size&limit=Size, … until a
	// page holds fewer than Size records. Fetched concurrently, as
	// PageNumber.
	Offset
	// Cursor: the next page's URL sets Param to the value found at
	// CursorField in the current page's body, until that value is empty
	// or null. Sequential.
	Cursor
	// Link: the next page's URL is the Link header's rel="next" target
	// (RFC 8288, as GitHub's API), until there is none. Sequential.
	Link
)

// Pages describes an API's pagination. The zero value means none.
type Pages struct {
	Kind PageKind
	// Param is the query parameter that selects the page: default "page"
	// (PageNumber), "offset" (Offset), "cursor" (Cursor).
	Param string
	// Start is the first page number (default 1) or offset (default 0).
	Start int
	// SizeParam is the query parameter for the page size: default
	// "per_page" (PageNumber) or "limit" (Offset); set only when Size > 0.
	SizeParam string
	// Size is the page size. Required for Offset; for PageNumber a page
	// shorter than Size is the last (without Size, an empty page is).
	Size int
	// CursorField is the dotted path of the next cursor in a page's body,
	// such as "next_cursor" or "meta.next". Required for Cursor.
	CursorField string
	// MaxPages stops after this many pages per URL (0: no limit).
	MaxPages int
}

// HTTPOptions configures [HTTPJSON]. The zero value issues one GET per URL,
// at most 4 at once, without a rate limit, retrying 429, 5xx and network
// errors 3 times with exponential backoff from 200ms (full jitter, capped at
// 10s, honouring Retry-After up to a minute), a 30s timeout per request, a
// 32 MiB cap per response body, and no cache.
type HTTPOptions struct {
	// Records configures how each response's records become rows: the
	// dotted path to the records array (Records.Records; a body that is
	// one object is one record), schema,
	// missing spellings, batch size, error policy (see [RecordOptions]).
	// The schema is inferred from the first page's records.
	Records RecordOptions
	// Pages is the pagination scheme.
	Pages Pages
	// Client sends the requests. Default: a client of its own, without a
	// client-wide timeout (Timeout bounds each request).
	Client *http.Client
	// Header is added to every request (authorisation, Accept).
	Header http.Header
	// Concurrency is how many requests may be in flight. Default 4.
	Concurrency int
	// Rate limits requests per second (with Burst); 0 means no limit.
	Rate  rate.Limit
	Burst int
	// Retries is how many times a failed request is retried; -1 disables
	// retries. Default 3.
	Retries int
	// Backoff is the first retry's delay, doubled at each retry, with full
	// jitter, capped at MaxBackoff. Defaults 200ms and 10s.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make a retry
	// wait. Default one minute; a longer demand fails the request.
	MaxRetryAfter time.Duration
	// Timeout bounds each request, body included. Default 30s.
	Timeout time.Duration
	// MaxBodyBytes caps a response body; a longer one fails the request
	// with [ErrTooLarge]. Default 32 MiB.
	MaxBodyBytes int64
	// Cache, when set, is consulted before each request by URL (cache-aside)
	// and given each successful body with CacheTTL (default 5 minutes). A
	// cache error is counted and read as a miss: the API is asked instead.
	// Link pagination, which needs each response's headers, bypasses it.
	Cache    ResponseCache
	CacheTTL time.Duration
}

// ErrTooLarge: a response body exceeded HTTPOptions.MaxBodyBytes.
var ErrTooLarge = errors.New("response body too large")

// ErrForeignLink: a Link header's next page is on another scheme, host or
// port than the page that gave it. It is not followed, so the request
// headers (credentials) never reach a server the caller did not name.
var ErrForeignLink = errors.New("next page on another server")

// ErrPageLoop: a Cursor or Link next page is one the extraction already
// fetched for the same URL, which would repeat forever.
var ErrPageLoop = errors.New("pagination loops")

// redactURL returns u with any password replaced by "xxxxx", for errors,
// source names and logs.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	return p.Redacted()
}

// cacheKey is the cache key of a GET of u. A URL carrying credentials is
// keyed by its redacted form and a digest of the whole, so the secret is
// never stored in the cache's key space.
func cacheKey(u string) string {
	if r := redactURL(u); r != u {
		sum := sha256.Sum256([]byte(u))
		return "etl/http/GET " + r + "#" + hex.EncodeToString(sum[:8])
	}
	return "etl/http/GET " + u
}

// sameOrigin reports whether a and b have the same scheme, host and port.
func sameOrigin(a, b string) bool {
	pa, err1 := url.Parse(a)
	pb, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(pa.Scheme, pb.Scheme) && strings.EqualFold(pa.Host, pb.Host)
}

// HTTPError is a response with a status the extractor does not retry (a 4xx
// other than 429), or the last response after retries ran out.
type HTTPError struct {
	URL    string // the request URL, any password in it redacted
	Status int
	Body   string // the start of the body
}

// Error formats the error as `GET url: 404 Not Found: body`.
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("GET %s: %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// HTTPStats counts what an HTTP extraction did.
type HTTPStats struct {
	Stats
	Requests    int64 // requests sent, retries included
	Retries     int64 // requests that were retries
	Pages       int64 // pages received
	CacheHits   int64 // pages read from the cache
	CacheErrors int64 // cache operations that failed (read as misses)
}

// HTTPExtractor fetches JSON records from HTTP APIs as a stream of
// [*frame.Frame] batches. Make one with [HTTPJSON].
//
// Requests run concurrently (bounded by Concurrency and the rate limit);
// pages are emitted in order: URLs in the order given, each URL's pages in
// order. Extract may be called again (the APIs are asked again, or the
// cache); not concurrently. Stats may be called at any time.
type HTTPExtractor struct {
	urls    []string
	opts    HTTPOptions
	limiter *rate.Limiter
	busy    atomic.Bool

	stats                                 statCounters
	requests, retries, pages, hits, cerrs atomic.Int64

	mu     sync.Mutex
	schema []Field
}

var _ Extractor[*frame.Frame] = (*HTTPExtractor)(nil)

// HTTPJSON returns an extractor of the JSON records served at urls. It
// returns an error wrapping [ErrOptions] for a URL that does not parse or is
// not http(s), or for inconsistent options.
func HTTPJSON(opts HTTPOptions, urls ...string) (*HTTPExtractor, error) {
	if len(urls) == 0 {
		return nil, fmt.Errorf("http: no URLs: %w", ErrOptions)
	}
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") {
			return nil, fmt.Errorf("http: bad URL %q: %w", redactURL(u), ErrOptions)
		}
	}
	if err := opts.Records.check(); err != nil {
		return nil, err
	}
	pg := &opts.Pages
	switch pg.Kind {
	case NoPages, Link:
	case PageNumber:
		pg.Param = cmpOr(pg.Param, "page")
		if pg.Start == 0 {
			pg.Start = 1
		}
		pg.SizeParam = cmpOr(pg.SizeParam, "per_page")
	case Offset:
		pg.Param = cmpOr(pg.Param, "offset")
		pg.SizeParam = cmpOr(pg.SizeParam, "limit")
		if pg.Size <= 0 {
			return nil, fmt.Errorf("http: Offset pagination needs a page Size: %w", ErrOptions)
		}
	case Cursor:
		pg.Param = cmpOr(pg.Param, "cursor")
		if pg.CursorField == "" {
			return nil, fmt.Errorf("http: Cursor pagination needs a CursorField: %w", ErrOptions)
		}
	default:
		return nil, fmt.Errorf("http: unknown page kind %d: %w", pg.Kind, ErrOptions)
	}
	if opts.Concurrency < 0 || opts.Rate < 0 || opts.MaxBodyBytes < 0 || opts.Retries < -1 {
		return nil, fmt.Errorf("http: negative option: %w", ErrOptions)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	opts.Concurrency = cmpOr(opts.Concurrency, 4)
	if opts.Retries == 0 {
		opts.Retries = 3
	} else if opts.Retries < 0 {
		opts.Retries = 0
	}
	opts.Backoff = cmpOr(opts.Backoff, 200*time.Millisecond)
	opts.MaxBackoff = cmpOr(opts.MaxBackoff, 10*time.Second)
	opts.MaxRetryAfter = cmpOr(opts.MaxRetryAfter, time.Minute)
	opts.Timeout = cmpOr(opts.Timeout, 30*time.Second)
	opts.MaxBodyBytes = cmpOr(opts.MaxBodyBytes, 32<<20)
	opts.CacheTTL = cmpOr(opts.CacheTTL, 5*time.Minute)
	if opts.Records.Name == "" {
		opts.Records.Name = redactURL(urls[0])
		if len(urls) > 1 {
			opts.Records.Name = fmt.Sprintf("%s (+%d URLs)", redactURL(urls[0]), len(urls)-1)
		}
	}
	x := &HTTPExtractor{urls: append([]string(nil), urls...), opts: opts}
	if opts.Rate > 0 {
		x.limiter = rate.NewLimiter(opts.Rate, max(1, opts.Burst))
	}
	return x, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Stats returns the counts of the current or last run.
func (x *HTTPExtractor) Stats() HTTPStats {
	return HTTPStats{Stats: x.stats.snapshot(), Requests: x.requests.Load(), Retries: x.retries.Load(),
		Pages: x.pages.Load(), CacheHits: x.hits.Load(), CacheErrors: x.cerrs.Load()}
}

// Schema returns the columns and kinds of the frames, known once the first
// page is in.
func (x *HTTPExtractor) Schema() []Field {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]Field(nil), x.schema...)
}

// page is one fetched page on its way to the collector.
type page struct {
	src     int    // index of the URL
	index   int    // page number within the URL, from 0
	url     string // the request URL
	records []json.RawMessage
	next    string       // the next page's URL (Cursor, Link), "" when last
	short   bool         // fewer records than a full page: the last (PageNumber, Offset)
	ended   *atomic.Bool // set on a short page, so no more pages are started
	err     error
	done    chan struct{}
}

// Extract fetches the pages and calls emit with batches of at most
// Records.BatchRows rows, in order. It returns nil after the last page, an
// [*HTTPError] (a 404, or a 5xx after the retries), a network error after
// the retries, an error wrapping [ErrJSON] for a body that is not JSON or
// lacks the records array, [ErrPageLoop] for a Cursor or Link next page
// fetched already, [ErrForeignLink] for a Link to another server, the first [*ParseError] under [Fail], emit's
// error, or ctx.Err(). Every request has stopped when it returns.
func (x *HTTPExtractor) Extract(ctx context.Context, emit func(*frame.Frame) error) error {
	if !x.busy.CompareAndSwap(false, true) {
		return fmt.Errorf("http %s: Extract already running", x.opts.Records.Name)
	}
	defer x.busy.Store(false)
	x.stats.reset()
	x.requests.Store(0)
	x.retries.Store(0)
	x.pages.Store(0)
	x.hits.Store(0)
	x.cerrs.Store(0)

	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx2)
	order := make(chan *page, x.opts.Concurrency)
	sem := make(chan struct{}, x.opts.Concurrency)
	pg := x.opts.Pages

	// start fetches p in a goroutine of its own, bounded by sem, and queues
	// it in order.
	start := func(p *page) bool {
		select {
		case order <- p:
		case <-gctx.Done():
			return false
		}
		select {
		case sem <- struct{}{}:
		case <-gctx.Done():
			p.err = gctx.Err()
			close(p.done)
			return false
		}
		g.Go(func() error {
			defer func() { <-sem }()
			x.fetchPage(gctx, p)
			close(p.done)
			return nil
		})
		return true
	}
	// The producer walks the URLs in order: addressable pages are started
	// ahead, up to Concurrency; Cursor and Link pages wait for the page
	// before them.
	var ended []atomic.Bool = make([]atomic.Bool, len(x.urls))
	g.Go(func() error {
		defer close(order)
		for i, u := range x.urls {
			next := u
			var seen map[string]bool // Cursor and Link pages fetched for u
			for k := 0; pg.MaxPages == 0 || k < pg.MaxPages; k++ {
				if ended[i].Load() {
					break
				}
				p := &page{src: i, index: k, url: next, done: make(chan struct{}), ended: &ended[i]}
				switch pg.Kind {
				case PageNumber:
					p.url = withQuery(u, pg.Param, strconv.Itoa(pg.Start+k), pg.SizeParam, pg.Size)
				case Offset:
					p.url = withQuery(u, pg.Param, strconv.Itoa(pg.Start+k*pg.Size), pg.SizeParam, pg.Size)
				}
				if !start(p) {
					return nil
				}
				if pg.Kind == NoPages {
					break
				}
				if pg.Kind == Cursor || pg.Kind == Link {
					select {
					case <-p.done:
					case <-gctx.Done():
						return nil
					}
					if p.err != nil || p.next == "" {
						break
					}
					if seen == nil {
						seen = map[string]bool{u: true}
					}
					seen[p.url] = true
					if seen[p.next] {
						looped := &page{src: i, index: k + 1, url: p.next, done: make(chan struct{}), ended: &ended[i],
							err: fmt.Errorf("read %s: next page %s was fetched already: %w", redactURL(u), redactURL(p.next), ErrPageLoop)}
						close(looped.done)
						select {
						case order <- looped:
						case <-gctx.Done():
						}
						return nil
					}
					next = p.next
				}
			}
		}
		return nil
	})

	err := x.collect(gctx, ctx, order, ended, emit)
	cancel()
	for p := range order { // let the producer finish
		_ = p
	}
	g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// collect receives pages in order, parses their records and emits batches.
func (x *HTTPExtractor) collect(gctx, ctx context.Context, order <-chan *page, ended []atomic.Bool, emit func(*frame.Frame) error) error {
	o := &x.opts.Records
	batchRows := o.batchRows()
	out := &sink{name: o.Name, rejects: o.Rejects, stats: &x.stats, emit: emit}
	var plan *recordPlan
	var b *recordBatch
	var res chunkResult
	index := 0
	flush := func() error {
		if b == nil {
			return nil
		}
		f, err := b.frame(min(batchRows, 1024))
		if err == nil {
			res.frame = f
			err = out.handle(ctx, res)
		}
		res = chunkResult{}
		return err
	}
	skip := make([]bool, len(x.urls))
	for p := range order {
		select {
		case <-p.done:
		case <-gctx.Done():
			return ctx.Err()
		}
		if skip[p.src] {
			continue // past the last page of its URL
		}
		if p.err != nil {
			if err := flush(); err != nil {
				return err
			}
			return p.err
		}
		if p.short {
			skip[p.src] = true
			ended[p.src].Store(true)
		}
		if plan == nil && len(p.records) > 0 {
			var sample []sampleRecord
			for _, raw := range p.records[:min(len(p.records), o.inferRows())] {
				if rec, err := flattenOrdered(raw, o.sep()); err == nil {
					sample = append(sample, rec)
				}
			}
			var err error
			if plan, err = newRecordPlan(o, sample); err != nil {
				return err
			}
			x.mu.Lock()
			x.schema = make([]Field, len(plan.names))
			for i := range plan.names {
				x.schema[i] = Field{plan.names[i], plan.kinds[i]}
			}
			x.mu.Unlock()
			b = newRecordBatch(plan, min(batchRows, 1024))
		}
		for _, raw := range p.records {
			index++
			res.records++
			if perr := parseJSONRecord(b, raw); perr != nil {
				perr.Record = index
				perr.Source = redactURL(p.url)
				if o.OnError == Fail {
					res.err = perr
					return out.handle(ctx, res)
				}
				res.rejects = append(res.rejects, Rejected{Source: redactURL(p.url), Record: index, Raw: string(raw), Err: perr})
			}
			if b.rows >= batchRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// withQuery returns u with param=value (and sizeParam=size when size > 0).
func withQuery(u, param, value, sizeParam string, size int) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	q.Set(param, value)
	if size > 0 {
		q.Set(sizeParam, strconv.Itoa(size))
	}
	p.RawQuery = q.Encode()
	return p.String()
}

// fetchPage fetches p.url and splits its body into records.
func (x *HTTPExtractor) fetchPage(ctx context.Context, p *page) {
	body, header, err := x.fetch(ctx, p.url)
	if err != nil {
		p.err = err
		return
	}
	x.pages.Add(1)
	x.stats.bytes.Add(int64(len(body)))
	name := redactURL(p.url)
	dec := json.NewDecoder(bytes.NewReader(body))
	if rp := x.opts.Records.Records; rp != "" {
		if err := seekRecords(dec, strings.Split(rp, x.opts.Records.sep())); err != nil {
			p.err = fmt.Errorf("read %s: records at %q: %w: %v", name, rp, ErrJSON, err)
			return
		}
	}
	t, err := dec.Token()
	if err != nil {
		p.err = fmt.Errorf("read %s: %w: %v", name, ErrJSON, err)
		return
	}
	switch t {
	case json.Delim('['):
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				p.err = fmt.Errorf("read %s: %w: %v", name, ErrJSON, err)
				return
			}
			p.records = append(p.records, raw)
		}
		if _, err := dec.Token(); err != nil {
			p.err = fmt.Errorf("read %s: %w: %v", name, ErrJSON, err)
			return
		}
	case json.Delim('{'):
		rec, err := readObjectRest(dec) // one object: one record
		if err != nil {
			p.err = fmt.Errorf("read %s: %w: %v", name, ErrJSON, err)
			return
		}
		p.records = append(p.records, rec)
	case nil:
		// null: no records
	default:
		p.err = fmt.Errorf("read %s: %w: want an array of records, found %v", name, ErrJSON, t)
		return
	}
	pg := x.opts.Pages
	switch pg.Kind {
	case PageNumber, Offset:
		p.short = len(p.records) == 0 || (pg.Size > 0 && len(p.records) < pg.Size)
		if p.short {
			p.ended.Store(true)
		}
	case Cursor:
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			p.err = fmt.Errorf("read %s: %w: %v", name, ErrJSON, err)
			return
		}
		for _, k := range strings.Split(pg.CursorField, x.opts.Records.sep()) {
			m, _ := doc.(map[string]any)
			doc = m[k]
		}
		if c := jsonText(doc); doc != nil && c != "" {
			p.next = withQuery(p.url, pg.Param, c, "", 0)
		}
	case Link:
		p.next = nextLink(header.Values("Link"), p.url)
		if p.next != "" && !sameOrigin(p.next, p.url) {
			// The request headers (credentials) must not go to another
			// server because a response said so.
			p.err = fmt.Errorf("read %s: next page %s is on another server: %w", name, redactURL(p.next), ErrForeignLink)
			p.next = ""
		}
	}
}

// nextLink finds the rel="next" target in Link headers, resolved against base.
func nextLink(links []string, base string) string {
	for _, h := range links {
		for _, part := range strings.Split(h, ",") {
			segs := strings.Split(part, ";")
			target := strings.TrimSpace(segs[0])
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, s := range segs[1:] {
				s = strings.TrimSpace(s)
				if strings.EqualFold(s, `rel="next"`) || strings.EqualFold(s, "rel=next") {
					ref, err := url.Parse(target[1 : len(target)-1])
					b, err2 := url.Parse(base)
					if err != nil || err2 != nil {
						return ""
					}
					return b.ResolveReference(ref).String()
				}
			}
		}
	}
	return ""
}

// fetch returns the body of a successful GET of u, from the cache when it
// holds it, retrying as configured.
func (x *HTTPExtractor) fetch(ctx context.Context, u string) ([]byte, http.Header, error) {
	o := &x.opts
	key := cacheKey(u)
	if o.Cache != nil && o.Pages.Kind != Link {
		body, ok, err := o.Cache.Get(ctx, key)
		switch {
		case err != nil:
			x.cerrs.Add(1)
		case ok:
			x.hits.Add(1)
			return body, nil, nil
		}
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		if x.limiter != nil {
			if err := x.limiter.Wait(ctx); err != nil {
				return nil, nil, err
			}
		}
		x.requests.Add(1)
		if attempt > 0 {
			x.retries.Add(1)
		}
		body, header, retryAfter, err := x.once(ctx, u)
		if err == nil {
			if o.Cache != nil && o.Pages.Kind != Link {
				if err := o.Cache.Set(ctx, key, body, o.CacheTTL); err != nil {
					x.cerrs.Add(1)
				}
			}
			return body, header, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		lastErr = err
		var he *HTTPError
		retryable := !errors.Is(err, ErrTooLarge) && (!errors.As(err, &he) || he.Status == http.StatusTooManyRequests || he.Status >= 500)
		if !retryable || attempt >= o.Retries {
			if attempt > 0 {
				return nil, nil, fmt.Errorf("%w (after %d retries)", lastErr, attempt)
			}
			return nil, nil, lastErr
		}
		wait := o.Backoff << attempt
		if wait > o.MaxBackoff || wait <= 0 {
			wait = o.MaxBackoff
		}
		wait = wait/2 + rand.N(wait/2+1) // jitter in [wait/2, wait]
		if retryAfter > 0 {
			if retryAfter > o.MaxRetryAfter {
				return nil, nil, fmt.Errorf("%w: Retry-After %v exceeds %v", lastErr, retryAfter, o.MaxRetryAfter)
			}
			wait = retryAfter
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, nil, ctx.Err()
		}
	}
}

// once sends one request. It returns the body of a 2xx response, or an
// error and any Retry-After the response asked for.
func (x *HTTPExtractor) once(ctx context.Context, u string) ([]byte, http.Header, time.Duration, error) {
	o := &x.opts
	shown := redactURL(u)
	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, 0, err
	}
	for k, vs := range o.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("GET %s: %w", shown, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, o.MaxBodyBytes+1))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("GET %s: reading body: %w", shown, err)
	}
	if int64(len(body)) > o.MaxBodyBytes {
		return nil, nil, 0, fmt.Errorf("GET %s: more than %d bytes: %w", shown, o.MaxBodyBytes, ErrTooLarge)
	}
	if resp.StatusCode/100 == 2 {
		return body, resp.Header, 0, nil
	}
	he := &HTTPError{URL: shown, Status: resp.StatusCode, Body: clipRaw(strings.TrimSpace(string(body)))}
	return nil, nil, retryAfter(resp.Header.Get("Retry-After")), he
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
