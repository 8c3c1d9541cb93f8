// Command serve loads a saved mlpipe pipeline and serves its predictions
// over HTTP:
//
//	POST /predict   one JSON record or an array of records → {"predictions": [...], "classes": [...]}
//	POST /drift     an array of serving records → the drift report against the training profile
//	GET  /drift     the same for the last -drift-window records predicted
//	GET  /healthz   status, input columns, artifact SHA-256 and counters
//
// Predictions are cached per record: in memory by default, in Redis with
// -redis. A cache outage never fails a request: the prediction is computed
// and the failure counted. SIGINT or SIGTERM shuts the server down
// gracefully: it stops accepting connections and lets requests in flight
// finish (up to -grace).
//
// Save a pipeline with the churn example, then serve it:
//
//	go run ./examples/churn -data churn.csv -save /tmp/churn.json
//	go run ./examples/serve -model /tmp/churn.json
//	curl -s localhost:8080/predict -d '{"signup_date": "2021-03-04", "age": 40, "income": 52000,
//	  "country": "US", "plan": "basic", "monthly_spend": 30.5, "support_tickets": 4,
//	  "last_login_days": 20, "is_mobile": "yes"}'
//
// With -features, records need not carry every input: each names an
// entity in its -features-key field, and the features stored for it in a
// SQLite table (-features-table, a row per entity, a column per feature)
// complete it. A request's entities are looked up together: in the cache
// first (one MGET on Redis), then in one query for the rest, which are
// cached for -features-ttl. A record's own fields win over stored ones.
//
//	go run ./examples/serve -model /tmp/churn.json -features customers.db -features-key customer_id
//	curl -s localhost:8080/predict -d '{"customer_id": 42, "plan": "pro"}'
//
// examples/serve/loadgen is a bounded load test of a running server.
//
// When a manifest lies beside the model (model.manifest.json, as Training
// and the churn example write), it is checked against the artifact.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	model, addr, redis string
	ttl, grace         time.Duration
	maxRecords, window int
	quiet              bool

	features, featuresTable, featuresKey string
	featuresTTL                          time.Duration
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.model, "model", "", "saved pipeline to serve (required)")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.redis, "redis", "", "Redis address for the prediction cache (default: in memory)")
	fs.DurationVar(&c.ttl, "ttl", pipeline.DefaultPredictionTTL, "time to live of cached predictions")
	fs.DurationVar(&c.grace, "grace", 10*time.Second, "how long shutdown waits for requests in flight")
	fs.IntVar(&c.maxRecords, "max-records", pipeline.DefaultMaxRecords, "most records per request")
	fs.IntVar(&c.window, "drift-window", 1000, "recent records GET /drift compares with the training profile (0: none)")
	fs.BoolVar(&c.quiet, "quiet", false, "log nothing but errors")
	fs.StringVar(&c.features, "features", "", "SQLite database of stored features, looked up by -features-key (default: none)")
	fs.StringVar(&c.featuresTable, "features-table", "features", "table of stored features, a row per entity")
	fs.StringVar(&c.featuresKey, "features-key", "id", "record field and table column naming the entity")
	fs.DurationVar(&c.featuresTTL, "features-ttl", pipeline.DefaultFeatureTTL, "time to live of cached features")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.model == "" {
		return c, errors.New("-model is required")
	}
	return c, nil
}

// run serves until ctx is cancelled. ready, when not nil, receives the
// listening address once the server accepts connections.
func run(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if c.quiet {
		level = slog.LevelError
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	fitted, err := load(c.model)
	if err != nil {
		return err
	}
	store, closeStore, err := openCache(c.redis)
	if err != nil {
		return err
	}
	defer closeStore()
	var lookup *pipeline.FeatureLookup
	if c.features != "" {
		db, err := etl.OpenSQLite(c.features)
		if err != nil {
			return err
		}
		defer db.Close()
		lookup = &pipeline.FeatureLookup{Key: c.featuresKey, Load: sqlFeatures(db, c.featuresTable, c.featuresKey),
			Cache: store, TTL: c.featuresTTL}
	}
	h, err := pipeline.Handler(fitted, pipeline.ServeOptions{Cache: store, TTL: c.ttl, MaxRecords: c.maxRecords,
		DriftWindow: c.window, Logger: log, Lookup: lookup})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	cacheName := "memory"
	if c.redis != "" {
		cacheName = "redis " + c.redis
	}
	log.Info("serving", "addr", ln.Addr().String(), "model", c.model, "artifact", h.ArtifactSHA256()[:12],
		"features", len(fitted.Features), "cache", cacheName)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down", "grace", c.grace)
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.grace)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	err = g.Wait()
	st := h.Stats()
	log.Info("stopped", "requests", st.Requests, "records", st.Records, "errors", st.Errors,
		"cache_hits", st.CacheHits, "cache_misses", st.CacheMisses, "cache_errors", st.CacheErrors,
		"lookups", st.Lookups, "lookup_loads", st.LookupLoads)
	return err
}

// load reads the pipeline, checking it against its manifest when one lies
// beside it.
func load(path string) (*pipeline.Fitted, error) {
	if _, err := os.Stat(pipeline.ManifestPath(path)); err == nil {
		f, _, err := pipeline.LoadFileWithManifest(path)
		return f, err
	}
	return pipeline.LoadFile(path)
}

// sqlFeatures returns a FeatureLookup.Load reading the rows of table whose
// key column holds one of the keys, in one query; the other columns are
// the features. Keys are sent as text; SQLite compares them with an
// INTEGER key column as numbers (the column's affinity), so the key's
// index serves.
func sqlFeatures(db *sql.DB, table, key string) func(context.Context, []string) (map[string]map[string]any, error) {
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	return func(ctx context.Context, keys []string) (map[string]map[string]any, error) {
		args := make([]any, len(keys))
		for i, k := range keys {
			args[i] = k
		}
		q := fmt.Sprintf(`SELECT * FROM %s WHERE %s IN (?%s)`, quote(table), quote(key), strings.Repeat(", ?", len(keys)-1))
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		out := make(map[string]map[string]any, len(keys))
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return nil, err
			}
			rec := make(map[string]any, len(cols))
			id := ""
			for i, c := range cols {
				v := vals[i]
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				if c == key {
					id = fmt.Sprint(v)
					continue
				}
				rec[c] = v
			}
			out[id] = rec
		}
		return out, rows.Err()
	}
}

// openCache returns the prediction cache: Redis at addr, or memory.
func openCache(addr string) (cache.Cache, func(), error) {
	if addr == "" {
		m, err := cache.NewMemory(cache.MemoryOptions{})
		if err != nil {
			return nil, nil, err
		}
		return m, func() { m.Close() }, nil
	}
	client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true,
		DialTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	r, err := cache.NewRedis(client, cache.RedisOptions{Prefix: "mlpipe-serve:"})
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return r, func() { client.Close() }, nil
}
