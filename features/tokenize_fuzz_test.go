package features

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// referenceTokens is the token pattern (?u)\b\w\w+\b written another way:
// the fields between non-word characters, kept when two runes or longer.
func referenceTokens(doc string, lower bool) []string {
	if lower {
		doc = strings.ToLower(doc)
	}
	var out []string
	for _, w := range strings.FieldsFunc(doc, func(r rune) bool { return !isWordRune(r) }) {
		if utf8.RuneCountInString(w) >= 2 {
			out = append(out, w)
		}
	}
	return out
}

func FuzzTokenizer(f *testing.F) {
	for _, s := range []string{"", "a", "ab", "Hello, World!", "café naïve", "x² ①② Ⅻ", "don't stop-words", "日本語 テキスト",
		"cafe\u0301", "\xff\xfe broken utf8", "ÜBER straße İstanbul", "a_b __ 3.14"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, lower := range []bool{false, true} {
			got := Tokenizer{KeepCase: !lower}.Tokens(doc)
			want := referenceTokens(doc, lower)
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Tokens(%q, lower %v) = %q, want %q", doc, lower, got, want)
			}
		}
		// Bigrams: every unigram, then each adjacent pair.
		uni := referenceTokens(doc, true)
		got := Tokenizer{NGramMax: 2}.Tokens(doc)
		if len(got) != len(uni)+max(len(uni)-1, 0) {
			t.Fatalf("%d terms with bigrams from %d tokens", len(got), len(uni))
		}
	})
}
