package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
)

// DefaultTestFraction is the share of rows [Evaluation] holds out by default.
const DefaultTestFraction = 0.2

// Training is the whole road of an ML pipeline as one value: get the data
// from Source, fit the ML pipeline (every cleaning and feature step, then
// the model), evaluate it on held-out rows and by cross-validation, and
// deploy the fitted artifact with its manifest. [Training.Run] runs these
// steps in order, the same way every time, and returns a [RunReport].
//
// A Training is a spec: Run does not modify it, and one Training may be run
// many times, concurrently too when its Source, Deploy and Progress allow.
type Training struct {
	// Name labels the run in its report and log lines.
	Name string
	// Source gives the data in batches; they are gathered in memory.
	// An io.Closer source is closed when the extraction ends.
	Source etl.Extractor[*frame.Frame]
	// ML is the pipeline to fit. Run always records a training profile
	// (as with ML.Profile set), for drift checks when serving.
	ML ML
	// Eval says how the pipeline is evaluated. The zero value holds out
	// 20% of the rows and does not cross-validate.
	Eval Evaluation
	// Deploy receives the fitted artifact and its manifest; nil keeps them
	// in the report only. An io.Closer Deploy is closed after the load. A
	// Deploy with a Location() string method names where the artifact went
	// in the report ([FileDestination] and [CacheDestination] do).
	Deploy etl.Loader[*Deployment]
	// Cache, when set, keeps fitted pipelines keyed by a fingerprint of the
	// training rows, the parameters and the library version, so a re-run
	// on the same data skips fitting. A cache error is logged and counted,
	// and the pipeline is fitted as if the cache were absent. Pipelines
	// whose parameters cannot be recorded (a step made with a func adapter)
	// are never cached.
	Cache cache.Cache
	// CacheTTL is the time to live of cached fitted pipelines; 0 means no
	// expiry.
	CacheTTL time.Duration
	// Progress, when set, is called as batches are extracted and as each
	// step starts, from the goroutine that called Run.
	Progress func(RunProgress)
	// Logger receives a line per step; nil means silence.
	Logger *slog.Logger
}

// Evaluation configures how a [Training] evaluates its pipeline. The zero
// value holds out 20% of the rows (not stratified, seed 0) and does not
// cross-validate.
type Evaluation struct {
	// TestFraction is the share of rows held out for testing; 0 means
	// [DefaultTestFraction]; negative means no hold-out (the pipeline is
	// fitted on every row and scored by cross-validation only).
	TestFraction float64
	// Stratify keeps the class proportions of the target in the hold-out
	// split (for classification).
	Stratify bool
	// Seed seeds the hold-out split.
	Seed uint64
	// CV makes the cross-validation folds of all rows; nil means no
	// cross-validation. Each fold fits the whole pipeline.
	CV evaluate.Splitter
	// Scorers score the hold-out rows and the folds. Default: accuracy and,
	// with two classes, ROC AUC for a classifier; R² and RMSE (negated) for
	// a regressor.
	Scorers []evaluate.Scorer
	// Workers bounds the folds fitted at once; 0 means GOMAXPROCS. Results
	// do not depend on it.
	Workers int
	// RefitAll fits the deployed pipeline on every row once evaluation is
	// done; by default the deployed pipeline is the one fitted on the
	// training rows and scored on the held-out ones.
	RefitAll bool
}

// evalParams is the recorded form of an Evaluation.
type evalParams struct {
	TestFraction float64  `json:"test_fraction"`
	Stratify     bool     `json:"stratify"`
	Seed         uint64   `json:"seed"`
	CV           *Param   `json:"cv"`
	Scorers      []string `json:"scorers"`
	RefitAll     bool     `json:"refit_all"`
}

// Deployment is what a [Training] deploys: the fitted pipeline, its saved
// bytes (what [Fitted.Save] writes) and its manifest.
type Deployment struct {
	Fitted   *Fitted
	Artifact []byte
	Manifest *Manifest
}

// RunProgress is what a [Training.Progress] callback receives.
type RunProgress struct {
	// Step is the step under way: "extract", "split", "fit", "evaluate",
	// "cross-validate", "refit", "deploy".
	Step string
	// Rows is the number of rows extracted so far; Bytes the input bytes
	// read, or -1 when the source does not tell.
	Rows  int64
	Bytes int64
	// Elapsed is the time since Run started.
	Elapsed time.Duration
}

// RunReport is what a [Training] run did: a summary of the data, each
// step's rows and time, the evaluation's metrics, the cache's hits and
// where the artifact went. It prints as a text table ([RunReport.String])
// and marshals to JSON (durations in nanoseconds).
type RunReport struct {
	Name     string         `json:"name,omitempty"`
	Data     DataSummary    `json:"data"`
	Steps    []RunStep      `json:"steps"`
	Metrics  []Metric       `json:"metrics"`
	CV       []CVMetric     `json:"cv,omitempty"`
	Cache    CacheSummary   `json:"cache"`
	Artifact ArtifactReport `json:"artifact"`
	Manifest *Manifest      `json:"manifest"`
	Wall     time.Duration  `json:"wall_ns"`
	// Fitted is the deployed pipeline (not part of the JSON form).
	Fitted *Fitted `json:"-"`
	// Test holds the held-out rows the run scored, target included, or nil
	// without a hold-out: for plots and further checks of the same rows
	// (not part of the JSON form).
	Test *frame.Frame `json:"-"`
}

// DataSummary describes the extracted data.
type DataSummary struct {
	Rows    int   `json:"rows"`
	Columns int   `json:"columns"`
	Batches int   `json:"batches"`
	Bytes   int64 `json:"bytes"` // -1 when the source does not tell
	// Rejected counts the records the source sent to its rejects loader
	// (a CSV source under the etl.Reject policy); 0 when it does not tell.
	Rejected int64  `json:"rejected"`
	SHA256   string `json:"sha256"`
	// Missing lists every column with its count and share of missing values.
	Missing []ColumnMissing `json:"missing"`
}

// ColumnMissing is the missing values of one column.
type ColumnMissing struct {
	Name    string  `json:"name"`
	Kind    string  `json:"kind"`
	Missing int     `json:"missing"`
	Rate    float64 `json:"rate"`
}

// RunStep is one step of a run.
type RunStep struct {
	Name    string        `json:"name"`
	RowsIn  int           `json:"rows_in"`
	RowsOut int           `json:"rows_out"`
	Time    time.Duration `json:"time_ns"`
	// Cache is "hit" or "miss" for a step looked up in the cache, "" else.
	Cache string `json:"cache,omitempty"`
}

// Metric is one score on the held-out rows.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// CVMetric is one score across the cross-validation folds.
type CVMetric struct {
	Name  string    `json:"name"`
	Mean  float64   `json:"mean"`
	Std   float64   `json:"std"`
	Folds []float64 `json:"folds"`
}

// CacheSummary counts the run's cache lookups.
type CacheSummary struct {
	Used   bool `json:"used"`
	Hits   int  `json:"hits"`
	Misses int  `json:"misses"`
	// Errors counts cache calls that failed; the run went on without them.
	Errors int `json:"errors"`
}

// ArtifactReport says where the artifact went.
type ArtifactReport struct {
	// Location is the destination's own description (a path, a cache
	// key), "" when it gives none, "not deployed" without a Deploy.
	Location string `json:"location"`
	SHA256   string `json:"sha256"`
	Bytes    int    `json:"bytes"`
}

// ErrNoSource is returned by [Training.Run] without a Source, or when the
// source gives no rows.
var ErrNoSource = errors.New("training has no data")

// sourceStats is what the CSV sources of package etl offer.
type sourceStats interface{ Stats() etl.Stats }

// locator is what a deploy destination offers to name where it put the
// artifact.
type locator interface{ Location() string }

// run holds the state of one Training.Run.
type run struct {
	t      *Training
	start  time.Time
	log    *slog.Logger
	report *RunReport
	rows   int64
	bytes  int64
}

func (r *run) progress(step string) {
	if r.t.Progress != nil {
		r.t.Progress(RunProgress{Step: step, Rows: r.rows, Bytes: r.bytes, Elapsed: time.Since(r.start)})
	}
}

func (r *run) step(name string, in, out int, took time.Duration, cacheState string) {
	r.report.Steps = append(r.report.Steps, RunStep{name, in, out, took, cacheState})
	r.log.Info("step", "run", r.t.Name, "step", name, "rows_in", in, "rows_out", out, "time", took, "cache", cacheState)
}

// Run extracts the data, splits it, fits the pipeline, evaluates it,
// cross-validates it, and deploys the artifact with its manifest, in that
// order, and returns the report. It returns an error naming the step that
// failed: wrapping [ErrNoSource] without data, the extractor's, the
// pipeline's, the evaluation's or the destination's error, or ctx.Err()
// when ctx is cancelled. Cache errors are not failures (see
// [Training.Cache]).
func (t *Training) Run(ctx context.Context) (*RunReport, error) {
	r := &run{t: t, start: time.Now(), log: t.Logger, bytes: -1,
		report: &RunReport{Name: t.Name, Metrics: []Metric{}, Steps: []RunStep{}}}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if t.Source == nil {
		return nil, fmt.Errorf("training %s: %w", t.Name, ErrNoSource)
	}
	if t.ML.Model == nil {
		return nil, fmt.Errorf("training %s: ml pipeline: no model", t.Name)
	}
	data, err := r.extract(ctx)
	if err != nil {
		return nil, err
	}
	rep := r.report
	manifest := newManifest()
	rep.Manifest = manifest

	// Summary and fingerprint.
	start := time.Now()
	rep.Data.Rows, rep.Data.Columns = data.NumRows(), data.NumCols()
	rep.Data.Bytes = r.bytes
	for i := range data.NumCols() {
		name, c := data.ColAt(i)
		m := frame.Missing(c)
		rep.Data.Missing = append(rep.Data.Missing, ColumnMissing{name, c.Kind().String(), m, float64(m) / float64(max(c.Len(), 1))})
	}
	rep.Data.SHA256 = Fingerprint(data)
	manifest.Data = DataInfo{SHA256: rep.Data.SHA256, Rows: data.NumRows(), Columns: schemaOf(data, "")}
	r.step("fingerprint", data.NumRows(), data.NumRows(), time.Since(start), "")

	// Split.
	r.progress("split")
	start = time.Now()
	train, test, testIdx, err := t.split(data)
	if err != nil {
		return nil, fmt.Errorf("training %s split: %w", t.Name, err)
	}
	manifest.Data.TrainRows = train.NumRows()
	if test != nil {
		manifest.Data.TestRows = test.NumRows()
	}
	r.step("split", data.NumRows(), train.NumRows(), time.Since(start), "")

	// Fit (through the cache).
	spec := t.ML
	spec.Profile = true
	params := ParamsOf(t.ML)
	if params.Evaluation, err = json.Marshal(t.evalParams()); err != nil {
		return nil, fmt.Errorf("training %s: record evaluation: %w", t.Name, err)
	}
	manifest.Params = params
	fitted, err := r.fit(ctx, spec, train, "fit", fitKey(rep.Data.SHA256, testIdx, params))
	if err != nil {
		return nil, err
	}

	// Evaluate on the held-out rows.
	scorers := t.Eval.Scorers
	if len(scorers) == 0 {
		if scorers, err = defaultScorers(fitted); err != nil {
			return nil, fmt.Errorf("training %s: %w", t.Name, err)
		}
	}
	rep.Test = test
	if test != nil {
		r.progress("evaluate")
		start = time.Now()
		yTest, err := evaluate.Target(test, t.ML.Target)
		if err != nil {
			return nil, fmt.Errorf("training %s evaluate: %w", t.Name, err)
		}
		xTest, err := test.Drop(t.ML.Target)
		if err != nil {
			return nil, fmt.Errorf("training %s evaluate: %w", t.Name, err)
		}
		for _, s := range scorers {
			v, err := s.Score(ctx, fitted, xTest, yTest)
			if err != nil {
				return nil, fmt.Errorf("training %s evaluate %s: %w", t.Name, s.Name, err)
			}
			rep.Metrics = append(rep.Metrics, Metric{s.Name, v})
			manifest.Metrics["test_"+s.Name] = v
		}
		r.step("evaluate", test.NumRows(), test.NumRows(), time.Since(start), "")
	}

	// Cross-validate.
	if t.Eval.CV != nil {
		r.progress("cross-validate")
		start = time.Now()
		res, err := evaluate.CrossValidate(ctx, t.ML.Learner(), data, t.ML.Target,
			evaluate.CVOptions{Splitter: t.Eval.CV, Scorers: scorers, Workers: t.Eval.Workers})
		if err != nil {
			return nil, fmt.Errorf("training %s cross-validate: %w", t.Name, err)
		}
		for _, name := range res.Scorers {
			m := CVMetric{Name: name, Mean: res.Mean(name), Std: res.Std(name), Folds: res.TestScores(name)}
			rep.CV = append(rep.CV, m)
			manifest.Metrics["cv_"+name+"_mean"] = m.Mean
			manifest.Metrics["cv_"+name+"_std"] = m.Std
		}
		r.step(fmt.Sprintf("cross-validate (%d folds)", len(res.Folds)), data.NumRows(), data.NumRows(), time.Since(start), "")
	}

	// Refit on every row.
	if t.Eval.RefitAll && test != nil {
		if fitted, err = r.fit(ctx, spec, data, "refit", fitKey(rep.Data.SHA256, nil, params)); err != nil {
			return nil, err
		}
		manifest.Data.TrainRows = data.NumRows()
	}
	rep.Fitted = fitted

	// Deploy.
	if err := r.deploy(ctx, fitted, manifest); err != nil {
		return nil, err
	}
	rep.Wall = time.Since(r.start)
	r.log.Info("done", "run", t.Name, "wall", rep.Wall, "artifact", rep.Artifact.Location)
	return rep, nil
}

// extract gathers the source's batches into one frame.
func (r *run) extract(ctx context.Context) (_ *frame.Frame, err error) {
	t := r.t
	r.progress("extract")
	start := time.Now()
	var batches []*frame.Frame
	stats, hasStats := t.Source.(sourceStats)
	err = t.Source.Extract(ctx, func(f *frame.Frame) error {
		batches = append(batches, f)
		r.rows += int64(f.NumRows())
		if hasStats {
			r.bytes = stats.Stats().Bytes
		}
		r.progress("extract")
		return nil
	})
	if c, ok := t.Source.(io.Closer); ok {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("training %s extract: %w", t.Name, err)
	}
	if hasStats {
		st := stats.Stats()
		r.bytes, r.report.Data.Rejected = st.Bytes, st.Rejected
	}
	var nonEmpty []*frame.Frame
	for _, b := range batches {
		if b.NumRows() > 0 {
			nonEmpty = append(nonEmpty, b)
		}
	}
	if len(nonEmpty) == 0 {
		return nil, fmt.Errorf("training %s extract: no rows: %w", t.Name, ErrNoSource)
	}
	data, err := frame.Concat(nonEmpty...)
	if err != nil {
		return nil, fmt.Errorf("training %s extract: %w", t.Name, err)
	}
	r.report.Data.Batches = len(batches)
	r.step("extract", 0, data.NumRows(), time.Since(start), "")
	return data, nil
}

// split returns the training and test frames (test nil without hold-out)
// and the test row indices.
func (t *Training) split(data *frame.Frame) (train, test *frame.Frame, testIdx []int, err error) {
	frac := t.Eval.TestFraction
	if frac < 0 {
		return data, nil, nil, nil
	}
	if frac == 0 {
		frac = DefaultTestFraction
	}
	y, err := targetValues(data, t.ML.Target)
	if err != nil {
		return nil, nil, nil, err
	}
	trainIdx, testIdx, err := evaluate.TrainTestSplit(y, frac, t.Eval.Seed, t.Eval.Stratify)
	if err != nil {
		return nil, nil, nil, err
	}
	if train, err = data.Take(trainIdx); err != nil {
		return nil, nil, nil, err
	}
	if test, err = data.Take(testIdx); err != nil {
		return nil, nil, nil, err
	}
	return train, test, testIdx, nil
}

func (t *Training) evalParams() evalParams {
	e := evalParams{TestFraction: t.Eval.TestFraction, Stratify: t.Eval.Stratify, Seed: t.Eval.Seed,
		RefitAll: t.Eval.RefitAll, Scorers: []string{}}
	if e.TestFraction == 0 {
		e.TestFraction = DefaultTestFraction
	}
	if t.Eval.CV != nil {
		p := paramOf(t.Eval.CV)
		e.CV = &p
	}
	for _, s := range t.Eval.Scorers {
		e.Scorers = append(e.Scorers, s.Name)
	}
	return e
}

// defaultScorers chooses the scorers for a fitted pipeline: accuracy (and
// ROC AUC for two classes) for a classifier, R² and negated RMSE otherwise.
func defaultScorers(p *Fitted) ([]evaluate.Scorer, error) {
	names := []string{"r2", "neg_root_mean_squared_error"}
	if classes := p.Classes(); classes != nil {
		names = []string{"accuracy"}
		if len(classes) == 2 {
			names = append(names, "roc_auc")
		}
	}
	var out []evaluate.Scorer
	for _, n := range names {
		s, err := evaluate.ScorerByName(n)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// fitKey is the cache key of a fitted pipeline: the data's fingerprint,
// the held-out rows, the parameters and the library version; "" when the
// parameters are incomplete, so that nothing is cached.
func fitKey(dataSHA string, testIdx []int, params Params) string {
	if !params.Complete() {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", LibraryVersion(), dataSHA)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(len(testIdx)))
	h.Write(b[:])
	for _, i := range testIdx {
		binary.LittleEndian.PutUint64(b[:], uint64(i))
		h.Write(b[:])
	}
	p, _ := json.Marshal(struct {
		Target   string   `json:"target"`
		Inputs   []string `json:"inputs"`
		Features []string `json:"features"`
		Steps    []Param  `json:"steps"`
		Model    Param    `json:"model"`
	}{params.Target, params.Inputs, params.Features, params.Steps, params.Model})
	h.Write(p)
	return "mlpipe:fit:v1:" + hex.EncodeToString(h.Sum(nil))
}

// fit fits spec on rows, through the cache when there is one and key is set.
func (r *run) fit(ctx context.Context, spec ML, rows *frame.Frame, step, key string) (*Fitted, error) {
	t, rep := r.t, r.report
	r.progress(step)
	start := time.Now()
	useCache := t.Cache != nil && key != ""
	if useCache {
		rep.Cache.Used = true
		b, ok, err := t.Cache.Get(ctx, key)
		switch {
		case err != nil:
			rep.Cache.Errors++
			r.log.Warn("cache get failed; fitting", "run", t.Name, "err", err)
		case ok:
			var f Fitted
			if uerr := f.UnmarshalJSON(b); uerr == nil {
				rep.Cache.Hits++
				r.step(step, rows.NumRows(), rows.NumRows(), time.Since(start), "hit")
				return &f, nil
			} else {
				rep.Cache.Errors++
				r.log.Warn("cached pipeline unreadable; fitting", "run", t.Name, "err", uerr)
			}
		default:
			rep.Cache.Misses++
		}
	}
	fitted, err := spec.fit(ctx, rows, func(s stepTrace) {
		r.step(step+": "+s.name, s.rowsIn, s.rowsOut, s.took, "")
	})
	if err != nil {
		return nil, fmt.Errorf("training %s %s: %w", t.Name, step, err)
	}
	cacheState := ""
	if useCache {
		cacheState = "miss"
		if b, err := fitted.MarshalJSON(); err != nil {
			rep.Cache.Errors++
			r.log.Warn("cache: cannot encode pipeline", "run", t.Name, "err", err)
		} else if err := t.Cache.Set(ctx, key, b, t.CacheTTL); err != nil {
			rep.Cache.Errors++
			r.log.Warn("cache set failed", "run", t.Name, "err", err)
		}
	}
	r.step(step, rows.NumRows(), rows.NumRows(), time.Since(start), cacheState)
	return fitted, nil
}

// deploy saves the artifact, completes the manifest and hands both to the
// destination.
func (r *run) deploy(ctx context.Context, fitted *Fitted, manifest *Manifest) (err error) {
	t, rep := r.t, r.report
	r.progress("deploy")
	start := time.Now()
	b, err := fitted.MarshalJSON()
	if err != nil {
		return fmt.Errorf("training %s deploy: %w", t.Name, err)
	}
	b = append(b, '\n') // the bytes Save writes
	sum := sha256.Sum256(b)
	manifest.Artifact = ArtifactInfo{SHA256: hex.EncodeToString(sum[:]), Bytes: len(b)}
	rep.Artifact = ArtifactReport{Location: "not deployed", SHA256: manifest.Artifact.SHA256, Bytes: len(b)}
	if t.Deploy == nil {
		return nil
	}
	rep.Artifact.Location = ""
	if l, ok := t.Deploy.(locator); ok {
		rep.Artifact.Location = l.Location()
	}
	err = t.Deploy.Load(ctx, &Deployment{Fitted: fitted, Artifact: b, Manifest: manifest})
	if c, ok := t.Deploy.(io.Closer); ok {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("training %s deploy: %w", t.Name, err)
	}
	r.step("deploy", 0, 0, time.Since(start), "")
	return nil
}

// FileDestination deploys an artifact to a file and its manifest beside it
// (see [ManifestPath]), each written atomically. Make one with
// [DeployFile]. It is safe for concurrent use, the last Load winning.
type FileDestination struct {
	path string
}

// DeployFile returns a destination writing the artifact to path and the
// manifest to [ManifestPath](path).
func DeployFile(path string) *FileDestination { return &FileDestination{path} }

// Location returns the artifact's path.
func (d *FileDestination) Location() string { return d.path }

// Load writes the artifact, then the manifest. It returns the write error,
// or ctx.Err() if ctx is done.
func (d *FileDestination) Load(ctx context.Context, dep *Deployment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeFileAtomic(d.path, dep.Artifact); err != nil {
		return err
	}
	return WriteManifestFile(ManifestPath(d.path), dep.Manifest)
}

// CacheDestination deploys an artifact to a [cache.Cache] — Redis for
// servers to share — under a key, and its manifest under the key with
// ":manifest" appended, with no expiry. Make one with [DeployCache]. It is
// safe for concurrent use when the cache is.
type CacheDestination struct {
	c   cache.Cache
	key string
}

// DeployCache returns a destination storing the artifact in c under key.
func DeployCache(c cache.Cache, key string) *CacheDestination { return &CacheDestination{c, key} }

// Location returns "cache key " and the key.
func (d *CacheDestination) Location() string { return "cache key " + d.key }

// Load stores the manifest, then the artifact. It returns the cache's
// error.
func (d *CacheDestination) Load(ctx context.Context, dep *Deployment) error {
	m, err := dep.Manifest.MarshalIndent()
	if err != nil {
		return err
	}
	if err := d.c.Set(ctx, d.key+":manifest", m, 0); err != nil {
		return fmt.Errorf("deploy to cache key %s: %w", d.key, err)
	}
	if err := d.c.Set(ctx, d.key, dep.Artifact, 0); err != nil {
		return fmt.Errorf("deploy to cache key %s: %w", d.key, err)
	}
	return nil
}

// LoadCache reads a pipeline deployed by [DeployCache] under key, with its
// manifest, and checks that they match. It returns an error wrapping
// [ErrArtifact] when the key is absent or the artifact is bad,
// [ErrManifest] for a bad or mismatched manifest, and the cache's error.
func LoadCache(ctx context.Context, c cache.Cache, key string) (*Fitted, *Manifest, error) {
	get := func(k string) ([]byte, error) {
		b, ok, err := c.Get(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("load pipeline from cache key %s: %w", k, err)
		}
		if !ok {
			return nil, fmt.Errorf("load pipeline from cache: %w: no key %s", ErrArtifact, k)
		}
		return b, nil
	}
	mb, err := get(key + ":manifest")
	if err != nil {
		return nil, nil, err
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil || m.Format != manifestFormat || m.Version > ManifestVersion {
		return nil, nil, fmt.Errorf("load pipeline from cache key %s: %w", key, ErrManifest)
	}
	ab, err := get(key)
	if err != nil {
		return nil, nil, err
	}
	if err := m.Verify(ab); err != nil {
		return nil, nil, fmt.Errorf("load pipeline from cache key %s: %w", key, err)
	}
	var f Fitted
	if err := f.UnmarshalJSON(ab); err != nil {
		return nil, nil, fmt.Errorf("load pipeline from cache key %s: %w", key, err)
	}
	return &f, &m, nil
}

var (
	_ etl.Loader[*Deployment] = (*FileDestination)(nil)
	_ etl.Loader[*Deployment] = (*CacheDestination)(nil)
)
