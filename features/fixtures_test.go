package features

import (
	"encoding/json"
	"math"
	"os"
	"sync"
	"testing"
)

// fixtures holds the parity cases written by testdata/gen_fixtures.py.
type fixtures struct {
	SklearnVersion string `json:"sklearn_version"`
	Dates          struct {
		Nanos          []*int64   `json:"nanos"`
		Year           []*float64 `json:"year"`
		Quarter        []*float64 `json:"quarter"`
		Month          []*float64 `json:"month"`
		Day            []*float64 `json:"day"`
		Weekday        []*float64 `json:"weekday"`
		Hour           []*float64 `json:"hour"`
		Minute         []*float64 `json:"minute"`
		DayOfYear      []*float64 `json:"dayofyear"`
		Weekend        []*float64 `json:"weekend"`
		RefNanos       int64      `json:"ref_nanos"`
		ElapsedDays    []*float64 `json:"elapsed_days"`
		ElapsedMinDays []*float64 `json:"elapsed_min_days"`
		MonthSin       []*float64 `json:"month_sin"`
		MonthCos       []*float64 `json:"month_cos"`
	} `json:"dates"`
	raw map[string]json.RawMessage
}

var (
	fixOnce sync.Once
	fix     fixtures
	fixErr  error
)

func loadFixtures(t testing.TB) *fixtures {
	t.Helper()
	fixOnce.Do(func() {
		var b []byte
		if b, fixErr = os.ReadFile("testdata/fixtures.json"); fixErr != nil {
			return
		}
		if fixErr = json.Unmarshal(b, &fix); fixErr != nil {
			return
		}
		fixErr = json.Unmarshal(b, &fix.raw)
	})
	if fixErr != nil {
		t.Fatalf("read fixtures: %v", fixErr)
	}
	return &fix
}

// nullable turns JSON nulls into NaN.
func nullable(v []*float64) []float64 {
	out := make([]float64, len(v))
	for i, p := range v {
		if p == nil {
			out[i] = math.NaN()
		} else {
			out[i] = *p
		}
	}
	return out
}

// closeTo reports whether got and want agree to rel relative tolerance
// (absolute near zero), NaN matching NaN.
func closeTo(got, want, rel float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if got == want {
		return true
	}
	return math.Abs(got-want) <= rel*math.Max(1, math.Max(math.Abs(got), math.Abs(want)))
}

func assertClose(t *testing.T, what string, got, want []float64, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if !closeTo(got[i], want[i], rel) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
}

// section decodes one top-level fixture section into v.
func (f *fixtures) section(t testing.TB, name string, v any) {
	t.Helper()
	raw, ok := f.raw[name]
	if !ok {
		t.Fatalf("fixtures have no section %q (re-run testdata/gen_fixtures.py)", name)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("fixture section %q: %v", name, err)
	}
}
