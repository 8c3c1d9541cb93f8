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

// TestNormalizeInvalidUTF8Idempotent: text with invalid bytes normalises to
// valid UTF-8 in one pass, so a second pass changes nothing (found by
// FuzzNormalizeText: NFKC left "ٷ" after an invalid byte undecomposed).
func TestNormalizeInvalidUTF8Idempotent(t *testing.T) {
	n := &TextNormalizer{NFKC: true, Trim: true, CollapseSpaces: true, Fold: true}
	once, _ := n.Normalize("0\xea00\xf3\u0677")
	twice, _ := n.Normalize(once)
	if once != twice || once != "0\ufffd00\ufffd\u06c7\u0674" {
		t.Fatalf("once %q, twice %q", once, twice)
	}
}
