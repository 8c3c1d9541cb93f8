package preprocess

import (
	"context"
	"strings"
	"testing"
)

func TestOneHotInfrequentParity(t *testing.T) {
	loadFixtures(t)
	var fx struct {
		Cases []struct {
			Params struct {
				HandleUnknown string  `json:"handle_unknown"`
				MinFrequency  float64 `json:"min_frequency"`
				MaxCategories int     `json:"max_categories"`
				Drop          string  `json:"drop"`
			} `json:"params"`
			Train        [][]*string  `json:"train"`
			Test         [][]*string  `json:"test"`
			FeatureNames []string     `json:"feature_names"`
			Output       [][]*float64 `json:"output"`
			Inverse      [][]*string  `json:"inverse"`
		} `json:"one_hot_infrequent"`
	}
	readJSON(t, "testdata/fixtures.json", &fx)
	ctx := context.Background()
	names := []string{"c1", "c2"}
	for _, c := range fx.Cases {
		spec := OneHotSpec{MaxCategories: c.Params.MaxCategories}
		// scikit-learn reads an integral min_frequency as a count, a
		// fractional one as a share of the rows.
		if f := c.Params.MinFrequency; f >= 1 {
			spec.MinCount = int64(f)
		} else {
			spec.MinFraction = f
		}
		if err := spec.Unknown.UnmarshalText([]byte(c.Params.HandleUnknown)); err != nil {
			t.Fatal(err)
		}
		switch c.Params.Drop {
		case "first":
			spec.Drop = DropFirst
		case "if_binary":
			spec.Drop = DropIfBinary
		}
		train, test := categoricalFrame(t, names, c.Train), categoricalFrame(t, names, c.Test)
		fitted, err := spec.Fit(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		enc := fitted.(*OneHotEncoder)
		got := enc.FeatureNames()
		if len(got) != len(c.FeatureNames) {
			t.Fatalf("%+v: features %q, want %q", c.Params, got, c.FeatureNames)
		}
		for k, n := range c.FeatureNames {
			want := strings.Replace(strings.Replace(n, "_", OneHotSep, 1), "infrequent_sklearn", InfrequentCategory, 1)
			if got[k] != want {
				t.Errorf("%+v: feature %d = %q, want %q", c.Params, k, got[k], want)
			}
		}
		out, err := fitted.Transform(ctx, test)
		if err != nil {
			t.Fatal(err)
		}
		for k, n := range got {
			v, err := out.Float(n)
			if err != nil {
				t.Fatal(err)
			}
			checkFloats(t, n, v, floatsOf(c.Output[k]))
		}
		back, err := enc.InverseTransform(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		checkLabels(t, back, names, c.Inverse)
		roundTrip(t, fitted, test)
	}
}
