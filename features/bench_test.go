package features

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// noteWords are the words of the churn data's notes column.
var noteWords = []string{"slow", "great", "price", "support", "bug", "love", "cancel", "upgrade", "crash",
	"refund", "fast", "easy", "confusing", "billing", "feature", "mobile", "login"}

// splitmix64 is the generator testdata/bench_tfidf.py reproduces, so both
// benchmarks see the same documents.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// benchNotes returns n notes-style documents: 0 to 6 words of noteWords,
// with the first letter of some capitalised and some punctuation.
func benchNotes(n int) []string {
	r := splitmix64(1)
	docs := make([]string, n)
	var b strings.Builder
	for i := range docs {
		b.Reset()
		k := int(r.next() % 7)
		for w := range k {
			if w > 0 {
				b.WriteByte(' ')
			}
			x := r.next()
			word := noteWords[x%uint64(len(noteWords))]
			if x>>32%5 == 0 {
				word = strings.ToUpper(word[:1]) + word[1:] + ","
			}
			b.WriteString(word)
		}
		docs[i] = b.String()
	}
	return docs
}

// benchWide returns n documents of 8 words each from a skewed vocabulary
// of 100,000 words w0 … w99999 (the smaller of two uniform draws).
func benchWide(n int) []string {
	r := splitmix64(2)
	docs := make([]string, n)
	var b strings.Builder
	for i := range docs {
		b.Reset()
		for w := range 8 {
			if w > 0 {
				b.WriteByte(' ')
			}
			x := r.next()
			idx := min(x%100000, x>>20%100000) // skewed: small indices are common
			b.WriteString("w")
			b.WriteString(strconv.FormatUint(idx, 10))
		}
		docs[i] = b.String()
	}
	return docs
}

var benchCorpora = struct {
	sync.Once
	notes, wide []string
}{}

func corpora() ([]string, []string) {
	benchCorpora.Do(func() {
		benchCorpora.notes = benchNotes(1_000_000)
		benchCorpora.wide = benchWide(1_000_000)
	})
	return benchCorpora.notes, benchCorpora.wide
}

// benchTfidf fits TF-IDF on the frame's notes column and returns the
// sparse matrix of the same documents, tokenising once, as
// scikit-learn's TfidfVectorizer.fit_transform.
func benchTfidf(b *testing.B, f *frame.Frame) {
	ctx := context.Background()
	var nnz, vocab int
	cpu := processCPU()
	for b.Loop() {
		fitted, m, err := Tfidf("notes").FitSparse(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		nnz, vocab = m.NNZ(), len(fitted.Vocabulary)
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(nnz), "nnz")
	b.ReportMetric(float64(vocab), "terms")
}

// BenchmarkTfidfTransformNotes1M: transforming 1,000,000 notes with a
// fitted vectoriser (serving), as scikit-learn's transform.
func BenchmarkTfidfTransformNotes1M(b *testing.B) {
	notes, _ := corpora()
	f := mustFrame(b, frame.Strings("notes", notes, nil))
	ctx := context.Background()
	fitted, err := Tfidf("notes").Fit(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	v := fitted.(*TfidfVectorizer)
	cpu := processCPU()
	for b.Loop() {
		if _, err := v.Sparse(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkTfidfNotes1M: 1,000,000 notes-style documents as free text.
func BenchmarkTfidfNotes1M(b *testing.B) {
	notes, _ := corpora()
	f := mustFrame(b, frame.Strings("notes", notes, nil))
	benchTfidf(b, f)
}

// BenchmarkTfidfNotes1MCategorical: the same documents as a categorical
// column (as a CSV reader may give them): each distinct text is tokenised once.
func BenchmarkTfidfNotes1MCategorical(b *testing.B) {
	notes, _ := corpora()
	f := mustFrame(b, frame.Categories("notes", notes, nil))
	benchTfidf(b, f)
}

// BenchmarkTfidfWide1M: 1,000,000 documents of 8 words from a vocabulary
// of 100,000: the output stays sparse.
func BenchmarkTfidfWide1M(b *testing.B) {
	_, wide := corpora()
	f := mustFrame(b, frame.Strings("notes", wide, nil))
	benchTfidf(b, f)
}

// TestBenchCorpusMatchesPython checks the benchmark documents are those
// testdata/bench_tfidf.py times scikit-learn on (it prints these).
func TestBenchCorpusMatchesPython(t *testing.T) {
	if got, want := benchNotes(3), []string{"slow Slow,", "", "slow crash cancel price great"}; !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}
	if got, want := benchWide(1)[0], "w48110 w13823 w43127 w39236 w54225 w59219 w20612 w12992"; got != want {
		t.Errorf("wide %q, want %q", got, want)
	}
}
