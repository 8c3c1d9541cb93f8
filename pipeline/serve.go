package pipeline

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// Defaults of [ServeOptions].
const (
	DefaultPredictionTTL = 10 * time.Minute
	DefaultMaxBodyBytes  = 1 << 20
	DefaultMaxRecords    = 1000
)

// ServeOptions configures [Handler]. The zero value serves without a cache,
// bodies up to 1 MiB, batches up to 1,000 records, and logs nothing.
type ServeOptions struct {
	// Cache, when set, keeps each record's prediction, keyed by the
	// artifact's SHA-256 and the record's values, so a repeated record is
	// answered without running the pipeline. A cache error is logged and
	// counted, and the prediction computed: an outage is never a failed
	// request.
	Cache cache.Cache
	// TTL is the time to live of cached predictions. Default
	// [DefaultPredictionTTL].
	TTL time.Duration
	// MaxBodyBytes bounds a request body. Default [DefaultMaxBodyBytes].
	MaxBodyBytes int64
	// MaxRecords bounds the records of one request. Default
	// [DefaultMaxRecords].
	MaxRecords int
	// Logger receives a line per failed request and cache error; nil means
	// silence.
	Logger *slog.Logger
	// DriftWindow, when positive, keeps the last DriftWindow records
	// predicted, so that GET /drift compares recent traffic with the
	// training profile. Zero keeps none.
	DriftWindow int
	// Lookup, when set, completes each record with the features stored for
	// its entity before it is predicted (see [FeatureLookup]).
	Lookup *FeatureLookup
}

// FeatureLookup completes serving records with features kept elsewhere —
// a customer's history in a database or a feature store — looked up by the
// entity a record names, so that a client sends {"customer_id": "c42",
// "basket": 3} and the pipeline sees every training column.
//
// A request's distinct entities are looked up together: with a Cache, one
// batched read (MGET on Redis) finds those cached, and one call of Load
// fetches the others, which are then stored in one batched write (see
// [cache.GetOrLoadMany]). A cache outage is counted and every entity
// loaded; it never fails a request.
type FeatureLookup struct {
	// Key names the record field that identifies the entity, such as
	// "customer_id": a string or a number. Required.
	Key string
	// Load returns the features of the entities named by keys (the Key
	// field's values, numbers in their JSON form), by key. An entity it
	// leaves out has no features: its records are answered 400. An error
	// fails the request with 502. Required.
	Load func(ctx context.Context, keys []string) (map[string]map[string]any, error)
	// Cache, when set, keeps each entity's features for TTL. The prediction
	// cache may be the same one: keys differ.
	Cache cache.Cache
	// TTL is the time to live of cached features. Default
	// [DefaultFeatureTTL].
	TTL time.Duration
}

// DefaultFeatureTTL is the default [FeatureLookup.TTL].
const DefaultFeatureTTL = time.Minute

// ErrNoFeatures is wrapped by the error for a record whose entity has no
// features ([FeatureLookup]) or that names none.
var ErrNoFeatures = errors.New("no features for the entity")

// PredictHandler serves a fitted pipeline over HTTP. Make one with
// [Handler]. It is safe for concurrent use.
//
// Predictions are cached per record, keyed by the artifact and the
// record's values (after any [FeatureLookup]); a batch is read from the
// cache in one call (MGET on Redis), its misses predicted together, and
// written back in one call.
//
//   - POST /predict takes one JSON object or an array of objects, each a
//     record of the training columns (see [Fitted.FrameFromRecords]), and
//     answers {"predictions": [{"prediction": 1, "probabilities": [0.2,
//     0.8]}, …], "classes": [0, 1]}, one prediction per record, in order.
//     Bad JSON, a record that does not fit the schema, or a category an
//     encoder refuses (preprocess.ErrorOnUnknown) gets 400 with
//     {"error": "record 0 column \"age\": …"}; a body or batch too large
//     gets 413. With a [FeatureLookup], a record whose entity has no
//     features gets 400 and a failed lookup 502.
//   - POST /drift takes an array of records, a batch of serving inputs, and
//     answers the [DriftReport] comparing it with the training profile
//     (see [Fitted.Drift]); 409 when the pipeline has no profile. GET /drift
//     does the same for the last records predicted (see
//     [ServeOptions.DriftWindow]); 409 without a window or before any
//     record.
//   - GET /healthz answers 200 with the target, the input columns a record
//     needs with their kinds ({"name": "age", "kind": "float"}), the number
//     of model features, the artifact SHA-256 and the handler's counters
//     ([ServeStats]).
type PredictHandler struct {
	p        *Fitted
	opts     ServeOptions
	log      *slog.Logger
	artifact string // hex SHA-256 of the artifact
	prefix   string // cache key prefix
	classes  []float64
	window   struct {
		sync.Mutex
		recs []map[string]any // ring of the last records predicted
		next int              // where the next record goes once full
	}
	stats struct {
		requests, records, errors             atomic.Int64
		cacheHits, cacheMisses, cacheFailures atomic.Int64
		lookups, lookupLoads                  atomic.Int64
	}
}

// ServeStats counts what a [PredictHandler] has served.
type ServeStats struct {
	Requests int64 `json:"requests"` // POST /predict requests
	Records  int64 `json:"records"`  // records predicted or answered from the cache
	Errors   int64 `json:"errors"`   // requests answered with an error
	// CacheHits and CacheMisses count records; CacheErrors failed cache calls.
	CacheHits   int64 `json:"cache_hits"`
	CacheMisses int64 `json:"cache_misses"`
	CacheErrors int64 `json:"cache_errors"`
	// Lookups counts the entities whose features were looked up (once per
	// request however many records name them), and LookupLoads those of
	// them that [FeatureLookup.Load] fetched: the others were cached.
	Lookups     int64 `json:"lookups,omitempty"`
	LookupLoads int64 `json:"lookup_loads,omitempty"`
}

// Handler returns an HTTP handler serving predictions of p (see
// [PredictHandler]). It returns an error for a nil pipeline, one whose
// artifact cannot be encoded, or a Lookup without Key or Load.
func Handler(p *Fitted, opts ServeOptions) (*PredictHandler, error) {
	if p == nil || p.Predictor == nil {
		return nil, errors.New("serve: no fitted pipeline")
	}
	if l := opts.Lookup; l != nil && (l.Key == "" || l.Load == nil) {
		return nil, errors.New("serve: a feature lookup needs a Key and a Load")
	}
	b, err := p.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	sum := sha256.Sum256(append(b, '\n'))
	h := &PredictHandler{p: p, opts: opts, log: opts.Logger, artifact: hex.EncodeToString(sum[:]), classes: p.Classes()}
	h.prefix = "mlpipe:pred:" + h.artifact[:16] + ":"
	h.opts.TTL = cmp.Or(opts.TTL, DefaultPredictionTTL)
	h.opts.MaxBodyBytes = cmp.Or(opts.MaxBodyBytes, DefaultMaxBodyBytes)
	h.opts.MaxRecords = cmp.Or(opts.MaxRecords, DefaultMaxRecords)
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// Stats returns the handler's counters so far.
func (h *PredictHandler) Stats() ServeStats {
	s := &h.stats
	return ServeStats{Requests: s.requests.Load(), Records: s.records.Load(), Errors: s.errors.Load(),
		CacheHits: s.cacheHits.Load(), CacheMisses: s.cacheMisses.Load(), CacheErrors: s.cacheFailures.Load(),
		Lookups: s.lookups.Load(), LookupLoads: s.lookupLoads.Load()}
}

// ArtifactSHA256 returns the hex SHA-256 of the served artifact (the bytes
// [Fitted.Save] writes), which names it in cache keys and /healthz.
func (h *PredictHandler) ArtifactSHA256() string { return h.artifact }

// ServeHTTP routes /predict and /healthz.
func (h *PredictHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/predict":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			h.fail(w, http.StatusMethodNotAllowed, errors.New("use POST"))
			return
		}
		h.predict(w, r)
	case "/drift":
		switch r.Method {
		case http.MethodPost:
			h.drift(w, r)
		case http.MethodGet:
			h.recentDrift(w)
		default:
			w.Header().Set("Allow", "GET, POST")
			h.fail(w, http.StatusMethodNotAllowed, errors.New("use GET or POST"))
		}
	case "/healthz":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			h.fail(w, http.StatusMethodNotAllowed, errors.New("use GET"))
			return
		}
		inputs := make([]map[string]string, len(h.p.Schema))
		for i, c := range h.p.Schema {
			inputs[i] = map[string]string{"name": c.Name, "kind": c.Kind.String()}
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"status": "ok", "target": h.p.Target, "inputs": inputs, "features": len(h.p.Features),
			"artifact_sha256": h.artifact, "stats": h.Stats(),
		})
	default:
		h.fail(w, http.StatusNotFound, fmt.Errorf("no route %s (POST /predict, POST /drift, GET /healthz)", r.URL.Path))
	}
}

type predictResponse struct {
	Predictions []json.RawMessage `json:"predictions"`
	Classes     []float64         `json:"classes,omitempty"`
}

func (h *PredictHandler) predict(w http.ResponseWriter, r *http.Request) {
	h.stats.requests.Add(1)
	ctx := r.Context()
	records, _, err := DecodeRecords(http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes", h.opts.MaxBodyBytes))
			return
		}
		h.fail(w, http.StatusBadRequest, err)
		return
	}
	if len(records) == 0 {
		h.fail(w, http.StatusBadRequest, errors.New("no records"))
		return
	}
	if len(records) > h.opts.MaxRecords {
		h.fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("%d records, at most %d per request", len(records), h.opts.MaxRecords))
		return
	}
	if h.opts.Lookup != nil {
		if status, err := h.complete(ctx, records); err != nil {
			h.fail(w, status, err)
			return
		}
	}
	out := make([]json.RawMessage, len(records))
	keys := make([]string, len(records))
	if h.opts.Cache != nil {
		for i, rec := range records {
			keys[i] = h.key(rec)
		}
		hits, err := cache.GetMany(ctx, h.opts.Cache, keys)
		if err != nil {
			h.stats.cacheFailures.Add(1)
			h.log.Warn("prediction cache read failed; predicting", "err", err)
		}
		for i, k := range keys {
			if b, ok := hits[k]; ok {
				out[i] = json.RawMessage(b)
			}
		}
	}
	// Predict the misses, each distinct record once.
	var missRecs []map[string]any
	var missIdx []int // index in records of each predicted record
	first := map[string]int{}
	for i, rec := range records {
		if out[i] != nil {
			continue
		}
		if k := keys[i]; k != "" {
			if _, dup := first[k]; dup {
				continue
			}
			first[k] = len(missRecs)
		}
		missRecs = append(missRecs, rec)
		missIdx = append(missIdx, i)
	}
	hits := 0
	for _, b := range out {
		if b != nil {
			hits++
		}
	}
	if len(missRecs) > 0 {
		preds, err := h.p.PredictRecords(ctx, missRecs)
		if err != nil {
			if re, ok := errors.AsType[*RecordError](err); ok {
				re.Record = missIdx[re.Record]
			}
			status := http.StatusInternalServerError
			if errors.Is(err, ErrSchema) || errors.Is(err, frame.ErrEmpty) || errors.Is(err, preprocess.ErrUnknownCategory) {
				status = http.StatusBadRequest
			}
			h.fail(w, status, err)
			return
		}
		toCache := make(map[string][]byte, len(preds))
		for j, pr := range preds {
			b, err := json.Marshal(pr)
			if err != nil {
				h.fail(w, http.StatusInternalServerError, fmt.Errorf("encode prediction: %w", err))
				return
			}
			out[missIdx[j]] = b
			if keys[missIdx[j]] != "" {
				toCache[keys[missIdx[j]]] = b
			}
		}
		if h.opts.Cache != nil {
			// Duplicates of a predicted record share its answer.
			for i, k := range keys {
				if out[i] == nil {
					out[i] = out[missIdx[first[k]]]
				}
			}
			if err := cache.SetMany(ctx, h.opts.Cache, toCache, h.opts.TTL); err != nil {
				h.stats.cacheFailures.Add(1)
				h.log.Warn("prediction cache write failed", "err", err)
			}
		}
	}
	if h.opts.Cache != nil {
		h.stats.cacheHits.Add(int64(hits))
		h.stats.cacheMisses.Add(int64(len(records) - hits))
		w.Header().Set("X-Cache-Hits", fmt.Sprint(hits))
	}
	h.stats.records.Add(int64(len(records)))
	h.remember(records)
	writeJSON(w, http.StatusOK, predictResponse{Predictions: out, Classes: h.classes})
}

// complete adds to each record the looked-up features of its entity, the
// record's own fields winning. It returns the HTTP status of a failure.
func (h *PredictHandler) complete(ctx context.Context, records []map[string]any) (int, error) {
	l := h.opts.Lookup
	ids := make([]string, len(records))
	seen := map[string]bool{}
	var keys []string
	for i, rec := range records {
		switch v := rec[l.Key].(type) {
		case string:
			ids[i] = v
		case json.Number:
			ids[i] = v.String()
		default:
			if v == nil {
				return http.StatusBadRequest, fmt.Errorf("record %d column %q: missing: %w", i, l.Key, ErrNoFeatures)
			}
			return http.StatusBadRequest, fmt.Errorf("record %d column %q: got %s, want a string or a number: %w", i, l.Key, describe(v), ErrNoFeatures)
		}
		if !seen[ids[i]] {
			seen[ids[i]] = true
			keys = append(keys, h.featureKey(ids[i]))
		}
	}
	load := func(ctx context.Context, missing []string) (map[string]map[string]any, error) {
		h.stats.lookupLoads.Add(int64(len(missing)))
		names := make([]string, len(missing))
		for i, k := range missing {
			names[i] = k[len(h.featureKey("")):]
		}
		got, err := l.Load(ctx, names)
		if err != nil {
			return nil, err
		}
		out := make(map[string]map[string]any, len(got))
		for id, f := range got {
			out[h.featureKey(id)] = f
		}
		return out, nil
	}
	h.stats.lookups.Add(int64(len(keys)))
	var found map[string]map[string]any
	var err error
	if l.Cache != nil {
		found, err = cache.GetOrLoadMany(ctx, l.Cache, keys, cmp.Or(l.TTL, DefaultFeatureTTL), load)
	} else {
		found, err = load(ctx, keys)
	}
	if err != nil {
		return http.StatusBadGateway, fmt.Errorf("feature lookup: %w", err)
	}
	for i, rec := range records {
		feats, ok := found[h.featureKey(ids[i])]
		if !ok {
			return http.StatusBadRequest, fmt.Errorf("record %d column %q: %q: %w", i, l.Key, ids[i], ErrNoFeatures)
		}
		for k, v := range feats {
			if _, own := rec[k]; !own {
				rec[k] = v
			}
		}
	}
	return 0, nil
}

// featureKey is the cache key of an entity's features.
func (h *PredictHandler) featureKey(id string) string {
	return "mlpipe:features:" + h.opts.Lookup.Key + ":" + id
}

// remember keeps records in the drift window.
func (h *PredictHandler) remember(records []map[string]any) {
	n := h.opts.DriftWindow
	if n <= 0 {
		return
	}
	h.window.Lock()
	defer h.window.Unlock()
	for _, rec := range records {
		if len(h.window.recs) < n {
			h.window.recs = append(h.window.recs, rec)
			continue
		}
		h.window.recs[h.window.next] = rec
		h.window.next = (h.window.next + 1) % n
	}
}

// recentDrift answers the drift report of the records in the window.
func (h *PredictHandler) recentDrift(w http.ResponseWriter) {
	if h.p.Profile == nil {
		h.fail(w, http.StatusConflict, fmt.Errorf("drift check: %w", ErrNoProfile))
		return
	}
	h.window.Lock()
	recs := slices.Clone(h.window.recs)
	h.window.Unlock()
	if len(recs) == 0 {
		h.fail(w, http.StatusConflict, errors.New("drift check: no records in the window yet (see ServeOptions.DriftWindow)"))
		return
	}
	f, err := h.p.FrameFromRecords(recs)
	if err != nil {
		h.fail(w, http.StatusInternalServerError, err)
		return
	}
	rep, err := h.p.Drift(f, DriftOptions{})
	if err != nil {
		h.fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// drift answers the drift report of a batch of records.
func (h *PredictHandler) drift(w http.ResponseWriter, r *http.Request) {
	if h.p.Profile == nil {
		h.fail(w, http.StatusConflict, fmt.Errorf("drift check: %w", ErrNoProfile))
		return
	}
	limit := h.opts.MaxBodyBytes * 100 // a batch for statistics is larger than a prediction request
	records, _, err := DecodeRecords(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes", limit))
			return
		}
		h.fail(w, http.StatusBadRequest, err)
		return
	}
	f, err := h.p.FrameFromRecords(records)
	if err != nil {
		h.fail(w, http.StatusBadRequest, err)
		return
	}
	rep, err := h.p.Drift(f, DriftOptions{})
	if err != nil {
		h.fail(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// key is the cache key of a record: the artifact and the record's values
// of the schema columns, in schema order, each tagged with its JSON type
// and length so that no two records share a key. A value of a type
// DecodeRecords does not produce (a lookup's own) is hashed as its JSON;
// "" when it has none, and the record is not cached.
func (h *PredictHandler) key(rec map[string]any) string {
	d := sha256.New()
	var stack [128]byte
	buf := stack[:0]
	text := func(tag byte, s string) {
		buf = append(buf, tag)
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	for _, s := range h.p.Schema {
		v, ok := rec[s.Name]
		switch v := v.(type) {
		case nil:
			if ok {
				buf = append(buf, 'z') // null
			} else {
				buf = append(buf, 'a') // absent
			}
		case string:
			text('s', v)
		case json.Number:
			text('n', string(v))
		case bool:
			if v {
				buf = append(buf, 't')
			} else {
				buf = append(buf, 'f')
			}
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return ""
			}
			text('j', string(b))
		}
		if len(buf) > len(stack)/2 {
			d.Write(buf)
			buf = buf[:0]
		}
	}
	d.Write(buf)
	var sum [sha256.Size]byte
	return h.prefix + hex.EncodeToString(d.Sum(sum[:0]))
}

func (h *PredictHandler) fail(w http.ResponseWriter, status int, err error) {
	h.stats.errors.Add(1)
	h.log.Warn("request failed", "status", status, "err", err)
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
