package features

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokenizer splits text into terms the way scikit-learn's default word
// analyzer does: lowercase (unless KeepCase), take the tokens of the
// pattern (?u)\b\w\w+\b — runs of two or more word characters, where a word
// character is a Unicode letter or number or the underscore — drop stop
// words, then form word n-grams (joined by a space) of every length in
// [NGramMin, NGramMax]: all unigrams first, then all bigrams, and so on.
//
// Lowercasing uses Go's strings.ToLower, which agrees with Python's
// str.lower except for a few special cases (Python lowers "İ" to two code
// points). The zero Tokenizer is scikit-learn's default. A Tokenizer is a
// value, safe for concurrent use; it is saved with the fitted vectorisers.
type Tokenizer struct {
	// KeepCase keeps letter case (scikit-learn's lowercase=False).
	KeepCase bool `json:"keep_case,omitempty"`
	// NGramMin and NGramMax bound the n-gram lengths; zero means 1.
	NGramMin int `json:"ngram_min,omitempty"`
	NGramMax int `json:"ngram_max,omitempty"`
	// StopWords are removed after lowercasing and before n-grams are
	// formed; they are compared as given (scikit-learn does not lowercase
	// them either).
	StopWords []string `json:"stop_words,omitempty"`
}

// Tokens returns the terms of doc. It returns nil for a Tokenizer with an
// invalid n-gram range (see [Tokenizer.Validate]).
func (t Tokenizer) Tokens(doc string) []string {
	c, err := t.compile()
	if err != nil {
		return nil
	}
	var out []string
	var sc tokScratch
	c.each(doc, &sc, func(term []byte) { out = append(out, string(term)) })
	return out
}

// Validate reports whether the n-gram range is valid: 0 <= NGramMin <=
// NGramMax (after zeros are read as 1). It returns an error wrapping
// [ErrParam] otherwise.
func (t Tokenizer) Validate() error {
	_, err := t.compile()
	return err
}

// tokenizer is a Tokenizer ready to run.
type tokenizer struct {
	lower      bool
	nmin, nmax int
	stop       map[string]struct{}
}

func (t Tokenizer) compile() (*tokenizer, error) {
	c := &tokenizer{lower: !t.KeepCase, nmin: max(t.NGramMin, 1), nmax: max(t.NGramMax, 1)}
	if t.NGramMin < 0 || t.NGramMax < 0 || c.nmin > c.nmax {
		return nil, fmt.Errorf("tokenizer: n-gram range [%d, %d]: %w", t.NGramMin, t.NGramMax, ErrParam)
	}
	if len(t.StopWords) > 0 {
		c.stop = make(map[string]struct{}, len(t.StopWords))
		for _, w := range t.StopWords {
			c.stop[w] = struct{}{}
		}
	}
	return c, nil
}

// tokScratch holds buffers one goroutine reuses across documents.
type tokScratch struct {
	text  []byte   // the document, lowercased
	words [][2]int // [start, end) of each kept word in text
	buf   []byte   // the n-gram being built
}

// asciiWord marks the ASCII word characters: letters, digits, underscore.
var asciiWord = func() (t [128]bool) {
	for c := range 128 {
		t[c] = c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	return t
}()

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// lowerInto copies doc into dst, lowercased if lower, without allocating
// for ASCII text.
func lowerInto(dst []byte, doc string, lower bool) []byte {
	dst = append(dst[:0], doc...)
	if !lower {
		return dst
	}
	for i, c := range dst {
		if c >= utf8.RuneSelf {
			// Non-ASCII: let the strings package apply Unicode case rules.
			return append(dst[:0], strings.ToLower(doc)...)
		}
		if 'A' <= c && c <= 'Z' {
			dst[i] = c + 'a' - 'A'
		}
	}
	return dst
}

// each calls fn with each term of doc, in scikit-learn's order. The bytes
// given to fn are only valid during the call (they are scratch memory):
// copy them to keep them.
func (t *tokenizer) each(doc string, sc *tokScratch, fn func(term []byte)) {
	text := lowerInto(sc.text, doc, t.lower)
	sc.text = text
	words := sc.words[:0]
	start, runes := -1, 0
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(text[i:])
		}
		if isWordRune(r) {
			if start < 0 {
				start, runes = i, 0
			}
			runes++
		} else if start >= 0 {
			if runes >= 2 {
				words = t.keep(words, text, start, i)
			}
			start = -1
		}
		i += size
	}
	if start >= 0 && runes >= 2 {
		words = t.keep(words, text, start, len(text))
	}
	sc.words = words
	if t.nmin == 1 {
		for _, w := range words {
			fn(text[w[0]:w[1]:w[1]])
		}
	}
	for n := max(t.nmin, 2); n <= t.nmax && n <= len(words); n++ {
		for i := 0; i+n <= len(words); i++ {
			b := sc.buf[:0]
			for k, w := range words[i : i+n] {
				if k > 0 {
					b = append(b, ' ')
				}
				b = append(b, text[w[0]:w[1]]...)
			}
			sc.buf = b
			fn(b)
		}
	}
}

func (t *tokenizer) keep(words [][2]int, text []byte, start, end int) [][2]int {
	if t.stop != nil {
		if _, ok := t.stop[string(text[start:end])]; ok {
			return words
		}
	}
	return append(words, [2]int{start, end})
}

// murmur3 returns MurmurHash3 (x86, 32-bit) of data with the given seed as
// a signed integer, as scikit-learn's murmurhash3_32(positive=False).
func murmur3(data []byte, seed uint32) int32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data)
	i := 0
	for ; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= c1
		k = k<<15 | k>>17
		k *= c2
		h ^= k
		h = h<<13 | h>>19
		h = h*5 + 0xe6546b64
	}
	var k uint32
	switch n - i {
	case 3:
		k ^= uint32(data[i+2]) << 16
		fallthrough
	case 2:
		k ^= uint32(data[i+1]) << 8
		fallthrough
	case 1:
		k ^= uint32(data[i])
		k *= c1
		k = k<<15 | k>>17
		k *= c2
		h ^= k
	}
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return int32(h)
}

// sortedUnique reports whether s is strictly increasing.
func sortedUnique(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] <= s[i-1] {
			return false
		}
	}
	return true
}
