package preprocess

import "testing"

// TestFoldCherokee: the upper and lower case of a Cherokee letter fold to
// one label, and folding is idempotent (found by FuzzNormalizeText:
// golang.org/x/text/cases.Fold swaps the two forms).
func TestFoldCherokee(t *testing.T) {
	n := &TextNormalizer{Fold: true}
	upper, _ := n.Normalize("00Ꮬ ᏸ")
	lower, _ := n.Normalize("00ꮬ Ᏸ")
	again, _ := n.Normalize(upper)
	if upper != lower || again != upper || upper != "00Ꮬ Ᏸ" {
		t.Fatalf("upper %q, lower %q, again %q", upper, lower, again)
	}
}
