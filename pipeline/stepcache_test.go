package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/testredis"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
	"github.com/redis/go-redis/v9"
	"gonum.org/v1/gonum/mat"
)

// fits counts the fits of countStep (by column) and countModel ("model").
var fits = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

func countFit(name string) {
	fits.Lock()
	fits.n[name]++
	fits.Unlock()
}

// takeFits returns the fits counted since the last call, and resets them.
func takeFits() map[string]int {
	fits.Lock()
	defer fits.Unlock()
	n := fits.n
	fits.n = map[string]int{}
	return n
}

// countStep is a test step that counts its fits: it shifts Col by its
// training mean plus Add.
type countStep struct {
	Col string
	Add float64
}

type countFitted struct {
	Col   string  `json:"col"`
	Shift float64 `json:"shift"`
}

func (c countStep) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	countFit(c.Col)
	fs, err := center{c.Col}.Fit(ctx, f)
	if err != nil {
		return nil, err
	}
	return &countFitted{Col: c.Col, Shift: fs.(*centered).Mean + c.Add}, nil
}

func (c *countFitted) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return (&centered{Col: c.Col, Mean: c.Shift}).Transform(ctx, f)
}

// countModel is the slope model, counting its fits.
type countModel struct{ Ridge float64 }

func (m countModel) Fit(ctx context.Context, X mat.Matrix, y []float64) (model.Predictor, error) {
	countFit("model")
	return slope{}.Fit(ctx, X, y)
}

func init() {
	preprocess.Register[*countFitted]("test.count", 1)
}

func countFrame(t testing.TB, n int, seed float64) *frame.Frame {
	t.Helper()
	a, b, c, y := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		x := float64(i) + seed
		a[i], b[i], c[i], y[i] = x, 2*x+1, float64(i%7), 3*x-2
	}
	f, err := frame.New(frame.Floats("a", a), frame.Floats("b", b), frame.Floats("c", c), frame.Floats("y", y))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func countSpec(c cache.Cache) ML {
	return ML{
		Steps:  []preprocess.Step{countStep{Col: "a"}, countStep{Col: "b", Add: 1}, countStep{Col: "c"}},
		Model:  countModel{},
		Target: "y",
		Cache:  c,
	}
}

func artifactOf(t *testing.T, f *Fitted) []byte {
	t.Helper()
	b, err := f.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newMemory(t testing.TB) *cache.Memory {
	t.Helper()
	m, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestStepCacheSecondFit: a second Fit of the same pipeline on the same
// rows fits nothing and gives the same fitted pipeline.
func TestStepCacheSecondFit(t *testing.T) {
	ctx := context.Background()
	store := cache.NewAside(newMemory(t), cache.AsideOptions{})
	spec, data := countSpec(store), countFrame(t, 50, 0)
	takeFits()
	first, err := spec.Fit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := takeFits(); fmt.Sprint(got) != "map[a:1 b:1 c:1 model:1]" {
		t.Fatalf("first fit: fits %v", got)
	}
	var traced []string
	second, err := spec.fit(ctx, data, func(s stepTrace) { traced = append(traced, s.name) })
	if err != nil {
		t.Fatal(err)
	}
	if got := takeFits(); len(got) != 0 {
		t.Errorf("second fit fitted %v, want nothing", got)
	}
	if fmt.Sprint(traced) != "[steps and model from the cache]" {
		t.Errorf("second fit traced %q", traced)
	}
	if a, b := artifactOf(t, first), artifactOf(t, second); !bytes.Equal(a, b) {
		t.Errorf("fitted pipelines differ:\n%s\n%s", a, b)
	}
	// One batch read of 4 entries per Fit (the memory cache has GetMany,
	// the Aside layer reads key by key): 4 misses, then 4 hits.
	if st := store.Stats(); st.Hits != 4 || st.Misses != 4 {
		t.Errorf("cache stats %+v, want 4 hits and 4 misses", st)
	}
	// The cached pipeline predicts as the one fitted.
	p1, _ := first.Predict(ctx, data)
	p2, _ := second.Predict(ctx, data)
	if fmt.Sprint(p1) != fmt.Sprint(p2) {
		t.Error("predictions differ")
	}
}

// TestStepCacheInvalidation: changing a parameter refits that step and the
// steps after it (their input changed) and the model, and reads the steps
// before it; changing the model refits the model alone; other rows refit
// everything.
func TestStepCacheInvalidation(t *testing.T) {
	ctx := context.Background()
	spec, data := countSpec(newMemory(t)), countFrame(t, 50, 0)
	if _, err := spec.Fit(ctx, data); err != nil {
		t.Fatal(err)
	}
	takeFits()
	for _, tc := range []struct {
		name string
		edit func(ML, *frame.Frame) (ML, *frame.Frame)
		want string
	}{
		{"step 1 parameter", func(m ML, f *frame.Frame) (ML, *frame.Frame) {
			m.Steps = []preprocess.Step{m.Steps[0], countStep{Col: "b", Add: 2}, m.Steps[2]}
			return m, f
		}, "map[b:1 c:1 model:1]"},
		{"step 2 parameter", func(m ML, f *frame.Frame) (ML, *frame.Frame) {
			m.Steps = []preprocess.Step{m.Steps[0], m.Steps[1], countStep{Col: "c", Add: 5}}
			return m, f
		}, "map[c:1 model:1]"},
		{"model parameter", func(m ML, f *frame.Frame) (ML, *frame.Frame) {
			m.Model = countModel{Ridge: 1}
			return m, f
		}, "map[model:1]"},
		{"features", func(m ML, f *frame.Frame) (ML, *frame.Frame) {
			m.Features = []string{"b", "a"}
			return m, f
		}, "map[model:1]"},
		{"other rows", func(m ML, f *frame.Frame) (ML, *frame.Frame) {
			return m, countFrame(t, 50, 1)
		}, "map[a:1 b:1 c:1 model:1]"},
		{"another target", func(m ML, f *frame.Frame) (ML, *frame.Frame) {
			m.Target = "c"
			m.Steps = m.Steps[:2]
			return m, f
		}, "map[a:1 b:1 model:1]"},
		{"nothing changed", func(m ML, f *frame.Frame) (ML, *frame.Frame) { return m, f }, "map[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, f := tc.edit(spec, data)
			want, err := ML{Steps: m.Steps, Model: m.Model, Target: m.Target, Features: m.Features}.Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			takeFits()
			got, err := m.Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if fits := takeFits(); fmt.Sprint(fits) != tc.want {
				t.Errorf("fits %v, want %s", fits, tc.want)
			}
			if a, b := artifactOf(t, want), artifactOf(t, got); !bytes.Equal(a, b) {
				t.Errorf("cached fit differs from a fit without cache:\n%s\n%s", b, a)
			}
			// The same edit again is read whole.
			if _, err := m.Fit(ctx, f); err != nil {
				t.Fatal(err)
			}
			if fits := takeFits(); len(fits) != 0 {
				t.Errorf("repeated fit fitted %v", fits)
			}
		})
	}
}

// TestStepCacheUnrecorded: a step whose parameters cannot be recorded (a
// func adapter) is fitted every time, and so are the steps after it; the
// steps before it are cached.
func TestStepCacheUnrecorded(t *testing.T) {
	ctx := context.Background()
	spec, data := countSpec(newMemory(t)), countFrame(t, 30, 0)
	spec.Steps = []preprocess.Step{spec.Steps[0], preprocess.StepFunc(func(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
		return countStep{Col: "b"}.Fit(ctx, f)
	}), spec.Steps[2]}
	for range 2 {
		if _, err := spec.Fit(ctx, data); err != nil {
			t.Fatal(err)
		}
	}
	if got := takeFits(); fmt.Sprint(got) != "map[a:1 b:2 c:2 model:2]" {
		t.Errorf("fits %v", got)
	}
}

// brokenCache fails every call, or (corrupt) answers every read with junk.
type brokenCache struct {
	corrupt bool
	mu      sync.Mutex
	sets    int
}

func (c *brokenCache) Get(context.Context, string) ([]byte, bool, error) {
	if c.corrupt {
		return []byte(`{"kind": "test.count", "version": 1, "state": {"col": 7}}`), true, nil
	}
	return nil, false, errors.New("connection refused")
}

func (c *brokenCache) Set(context.Context, string, []byte, time.Duration) error {
	c.mu.Lock()
	c.sets++
	c.mu.Unlock()
	if c.corrupt {
		return nil
	}
	return errors.New("connection refused")
}

func (c *brokenCache) Delete(context.Context, ...string) error { return nil }

// TestStepCacheFaults: a cache that fails, or holds entries that do not
// decode, costs fits, never an error or a wrong pipeline.
func TestStepCacheFaults(t *testing.T) {
	ctx := context.Background()
	data := countFrame(t, 30, 0)
	want, err := countSpec(nil).Fit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*brokenCache{{}, {corrupt: true}} {
		takeFits()
		got, err := countSpec(c).Fit(ctx, data)
		if err != nil {
			t.Fatalf("corrupt=%v: %v", c.corrupt, err)
		}
		if fits := takeFits(); fmt.Sprint(fits) != "map[a:1 b:1 c:1 model:1]" {
			t.Errorf("corrupt=%v: fits %v", c.corrupt, fits)
		}
		if !bytes.Equal(artifactOf(t, want), artifactOf(t, got)) {
			t.Errorf("corrupt=%v: pipeline differs", c.corrupt)
		}
		if c.sets != 4 {
			t.Errorf("corrupt=%v: %d writes, want 4", c.corrupt, c.sets)
		}
	}
}

// TestStepCacheChurn: the library's own steps — imputation, scaling and a
// trailing one-hot encoder — and logistic regression are read back whole,
// through Redis, and predict exactly as fitted; repeated cross-validation
// reads every fold's pipeline.
func TestStepCacheChurn(t *testing.T) {
	ctx := context.Background()
	srv := testredis.Start(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer client.Close()
	prefix := fmt.Sprintf("test-stepcache-%d:", time.Now().UnixNano())
	rc, err := cache.NewRedis(client, cache.RedisOptions{Prefix: prefix, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var batches []*frame.Frame
	if err := etl.CSV(bytes.NewReader(churnCSV(500, 3)), etl.CSVOptions{}).Extract(ctx, func(f *frame.Frame) error {
		batches = append(batches, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	data, _ := frame.Concat(batches...)
	spec := churnSpec(1)
	spec.Cache, spec.CacheTTL = rc, time.Minute
	first, err := spec.Fit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	var traced []string
	second, err := spec.fit(ctx, data, func(s stepTrace) { traced = append(traced, s.name) })
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(traced) != "[steps and model from the cache]" {
		t.Errorf("second fit traced %q", traced)
	}
	if a, b := artifactOf(t, first), artifactOf(t, second); !bytes.Equal(a, b) {
		t.Errorf("fitted pipelines differ:\n%s\n%s", a, b)
	}
	p1, _ := first.PredictProba(ctx, data)
	p2, _ := second.PredictProba(ctx, data)
	if !mat.Equal(p1, p2) {
		t.Error("probabilities differ")
	}
	if ttl := client.TTL(ctx, prefix+firstKey(t, spec, data)).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("entry TTL %v, want up to a minute", ttl)
	}

	// Repeated cross-validation reads every fold's pipeline: 3 folds of
	// 3 steps and a model, all hits the second time.
	counted := cache.NewAside(rc, cache.AsideOptions{})
	spec.Cache = counted
	cv := func() []float64 {
		res, err := evaluate.CrossValidate(ctx, spec.Learner(), data, "churned", evaluate.CVOptions{
			Splitter: evaluate.KFold{K: 3, Shuffle: true, Seed: 4}, Scorers: []evaluate.Scorer{evaluate.ScoreROCAUC}})
		if err != nil {
			t.Fatal(err)
		}
		return res.TestScores("roc_auc")
	}
	s1 := cv()
	before := counted.Stats()
	s2 := cv()
	if fmt.Sprint(s1) != fmt.Sprint(s2) {
		t.Errorf("repeated cross-validation scores %v, then %v", s1, s2)
	}
	if after := counted.Stats(); after.Hits-before.Hits != 12 || after.Misses != before.Misses {
		t.Errorf("second cross-validation: %d hits, %d misses; want 12 hits only", after.Hits-before.Hits, after.Misses-before.Misses)
	}
}

// firstKey returns the key of the first step of spec fitted on data.
func firstKey(t *testing.T, spec ML, data *frame.Frame) string {
	sc := spec.newStepCache(context.Background(), data)
	if sc == nil || !strings.HasPrefix(sc.keys[0], StepCacheKeyPrefix) {
		t.Fatalf("no step cache key")
	}
	return sc.keys[0]
}
