package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// weatherAPI is the local API the example extracts from: hourly
// observations of a list of cities, paginated by page number, slow by a
// fixed latency per request, and refusing some pages once with 429 Too Many
// Requests and a Retry-After header, as a rate-limited upstream does.
//
//	GET /v1/cities                                  {"cities": [...], "per_page": 50, "pages": 4}
//	GET /v1/cities/{city}/observations?page=N&per_page=M
//	                                                {"city": "oslo", "page": 1, "data": [{...}, ...]}
//
// Each city has pages×per_page observations; a page past the last is empty.
// The values are a deterministic function of the city and the hour, so
// every run serves the same rows.
type weatherAPI struct {
	cities     []string
	perPage    int
	pages      int
	latency    time.Duration
	throttle   int           // every throttle-th page is refused once; 0: none
	retryAfter time.Duration // the Retry-After of a refusal, in whole seconds

	requests, refused atomic.Int64
	inFlight, peak    atomic.Int64 // requests being answered, and their most since reset
	mu                sync.Mutex
	done              map[string]bool // pages refused once already
}

// cityNames are the cities the API knows, in catalogue order; more are
// numbered.
var cityNames = []string{"oslo", "lima", "pune", "kyiv", "rome", "nuuk", "baku", "suva",
	"accra", "hanoi", "quito", "perth", "cairo", "dakar", "minsk", "osaka"}

func newWeatherAPI(cities, pages, perPage int, latency time.Duration, throttle int, retryAfter time.Duration) *weatherAPI {
	a := &weatherAPI{perPage: perPage, pages: pages, latency: latency, throttle: throttle, retryAfter: retryAfter}
	for i := range cities {
		name := fmt.Sprintf("city%03d", i)
		if i < len(cityNames) {
			name = cityNames[i]
		}
		a.cities = append(a.cities, name)
	}
	a.reset()
	return a
}

// reset forgets which pages were refused, so that the next run meets the
// same refusals as the first, and the peak of requests in flight.
func (a *weatherAPI) reset() {
	a.mu.Lock()
	a.done = map[string]bool{}
	a.mu.Unlock()
	a.peak.Store(0)
}

// handler routes the API.
func (a *weatherAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/cities", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"cities": a.cities, "per_page": a.perPage, "pages": a.pages})
	})
	mux.HandleFunc("GET /v1/cities/{city}/observations", a.observations)
	return mux
}

type observation struct {
	City     string  `json:"city"`
	Time     string  `json:"time"`
	TempC    float64 `json:"temp_c"`
	WindKmh  float64 `json:"wind_kmh"`
	Humidity float64 `json:"humidity"`
}

// epoch is the hour of the first observation of every city.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (a *weatherAPI) observations(w http.ResponseWriter, r *http.Request) {
	a.requests.Add(1)
	n := a.inFlight.Add(1)
	defer a.inFlight.Add(-1)
	for p := a.peak.Load(); n > p && !a.peak.CompareAndSwap(p, n); p = a.peak.Load() {
	}
	// The upstream's latency: what makes concurrent requests pay.
	t := time.NewTimer(a.latency)
	select {
	case <-t.C:
	case <-r.Context().Done():
		t.Stop()
		return
	}
	city := r.PathValue("city")
	ci := -1
	for i, c := range a.cities {
		if c == city {
			ci = i
		}
	}
	if ci < 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no city " + city})
		return
	}
	q := r.URL.Query()
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "page must be a number from 1"})
		return
	}
	per := a.perPage
	if s := q.Get("per_page"); s != "" {
		if per, err = strconv.Atoi(s); err != nil || per < 1 || per > 1000 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "per_page must be 1 to 1000"})
			return
		}
	}
	if a.refuse(ci, page) {
		a.refused.Add(1)
		w.Header().Set("Retry-After", strconv.Itoa(int(a.retryAfter/time.Second)))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "slow down"})
		return
	}
	total := a.pages * a.perPage
	data := []observation{}
	for k := (page - 1) * per; k < min(page*per, total); k++ {
		data = append(data, observe(city, ci, k))
	}
	writeJSON(w, http.StatusOK, map[string]any{"city": city, "page": page, "data": data})
}

// refuse reports whether this request for page of city ci is to be
// answered 429: the first request of every throttle-th page.
func (a *weatherAPI) refuse(ci, page int) bool {
	if a.throttle <= 0 || page > a.pages || (ci*a.pages+page)%a.throttle != 0 {
		return false
	}
	key := fmt.Sprint(ci, "/", page)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done[key] {
		return false
	}
	a.done[key] = true
	return true
}

// observe returns hour k of city ci: a daily temperature cycle around a
// city's own mean, with deterministic noise.
func observe(city string, ci, k int) observation {
	rng := rand.New(rand.NewPCG(uint64(ci), uint64(k)))
	day := 2 * math.Pi * float64(k%24) / 24
	round := func(v float64) float64 { return math.Round(v*10) / 10 }
	return observation{
		City:     city,
		Time:     epoch.Add(time.Duration(k) * time.Hour).Format(time.RFC3339),
		TempC:    round(5 + float64(ci%7)*3 - 6*math.Cos(day) + rng.NormFloat64()),
		WindKmh:  round(10 + 8*rng.Float64()),
		Humidity: round(50 + 30*rng.Float64()),
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
