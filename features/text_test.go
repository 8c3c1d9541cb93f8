package features

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

type textFixture struct {
	Train          []string   `json:"train"`
	Test           []string   `json:"test"`
	Tokens         [][]string `json:"tokens"`
	TokensBigram   [][]string `json:"tokens_bigram"`
	TokensKeepCase [][]string `json:"tokens_keepcase"`
	TokensEnglish  [][]string `json:"tokens_english"`
	EnglishStop    []string   `json:"english_stop_words"`
	Cases          []struct {
		Name   string `json:"name"`
		Params struct {
			NGramMin        int      `json:"ngram_min"`
			NGramMax        int      `json:"ngram_max"`
			StopWords       []string `json:"stop_words"`
			KeepCase        bool     `json:"keep_case"`
			MinDocs         int      `json:"min_docs"`
			MinDocFrac      float64  `json:"min_doc_frac"`
			MaxDocs         int      `json:"max_docs"`
			MaxDocFrac      float64  `json:"max_doc_frac"`
			MaxFeatures     int      `json:"max_features"`
			Binary          bool     `json:"binary"`
			Sublinear       bool     `json:"sublinear"`
			Norm            string   `json:"norm"`
			NoSmooth        bool     `json:"no_smooth"`
			NoIDF           bool     `json:"no_idf"`
			NFeatures       int      `json:"n_features"`
			NoAlternateSign bool     `json:"no_alternate_sign"`
		} `json:"params"`
		Train      [][]float64 `json:"train"`
		Test       [][]float64 `json:"test"`
		Vocabulary []string    `json:"vocabulary"`
		IDF        []float64   `json:"idf"`
	} `json:"cases"`
	Murmur struct {
		Terms  []string `json:"terms"`
		Hash   []int32  `json:"hash"`
		Seeded []int32  `json:"seeded"`
	} `json:"murmur"`
}

func TestTokenizerParity(t *testing.T) {
	var fx textFixture
	loadFixtures(t).section(t, "text", &fx)
	tests := []struct {
		name string
		tok  Tokenizer
		want [][]string
	}{
		{"default", Tokenizer{}, fx.Tokens},
		{"1-3 grams with stop words", Tokenizer{NGramMin: 1, NGramMax: 3, StopWords: []string{"great", "the"}}, fx.TokensBigram},
		{"keep case", Tokenizer{KeepCase: true}, fx.TokensKeepCase},
		{"english stop words", Tokenizer{StopWords: EnglishStopWords()}, fx.TokensEnglish},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, doc := range fx.Train {
				got := tc.tok.Tokens(doc)
				if len(got) == 0 && len(tc.want[i]) == 0 {
					continue
				}
				if !reflect.DeepEqual(got, tc.want[i]) {
					t.Errorf("Tokens(%q) = %q, want %q", doc, got, tc.want[i])
				}
			}
		})
	}
	if !reflect.DeepEqual(EnglishStopWords(), fx.EnglishStop) {
		t.Errorf("English stop words differ from scikit-learn's")
	}
	if got := (Tokenizer{NGramMin: 3, NGramMax: 2}).Tokens("a b c"); got != nil {
		t.Errorf("invalid range gave %q, want nil", got)
	}
}

func TestMurmur3Parity(t *testing.T) {
	var fx textFixture
	loadFixtures(t).section(t, "text", &fx)
	for i, term := range fx.Murmur.Terms {
		if got := murmur3([]byte(term), 0); got != fx.Murmur.Hash[i] {
			t.Errorf("murmur3(%q, 0) = %d, want %d", term, got, fx.Murmur.Hash[i])
		}
		if got := murmur3([]byte(term), 42); got != fx.Murmur.Seeded[i] {
			t.Errorf("murmur3(%q, 42) = %d, want %d", term, got, fx.Murmur.Seeded[i])
		}
	}
}

// textFrames returns the corpus as a string column and as a categorical one.
func textFrames(t *testing.T, docs []string) map[string]*frame.Frame {
	return map[string]*frame.Frame{
		"string":      mustFrame(t, frame.Floats("id", make([]float64, len(docs))), frame.Strings("notes", docs, nil)),
		"categorical": mustFrame(t, frame.Floats("id", make([]float64, len(docs))), frame.Categories("notes", docs, nil)),
	}
}

func TestVectorizerParity(t *testing.T) {
	var fx textFixture
	loadFixtures(t).section(t, "text", &fx)
	ctx := context.Background()
	defer func(n, c int) { chunkRows, countChunks = n, c }(chunkRows, countChunks)
	chunkRows, countChunks = 7, 5 // several chunks, merged
	for _, c := range fx.Cases {
		p := c.Params
		tok := Tokenizer{KeepCase: p.KeepCase, NGramMin: p.NGramMin, NGramMax: p.NGramMax, StopWords: p.StopWords}
		opts := VocabOptions{Tokenizer: tok, MinDocs: p.MinDocs, MinDocFrac: p.MinDocFrac, MaxDocs: p.MaxDocs,
			MaxDocFrac: p.MaxDocFrac, MaxFeatures: p.MaxFeatures, Binary: p.Binary, MaxDense: -1}
		var norm Norm
		if p.Norm != "" {
			if err := norm.UnmarshalText([]byte(p.Norm)); err != nil {
				t.Fatal(err)
			}
		}
		var spec preprocess.Step
		switch {
		case strings.HasPrefix(c.Name, "count"):
			spec = CountSpec{Column: "notes", VocabOptions: opts}
		case strings.HasPrefix(c.Name, "tfidf"):
			spec = TfidfSpec{Column: "notes", VocabOptions: opts, Norm: norm, NoIDF: p.NoIDF, NoSmooth: p.NoSmooth, Sublinear: p.Sublinear}
		default:
			spec = HashingSpec{Column: "notes", Tokenizer: tok, NFeatures: p.NFeatures, NoAlternateSign: p.NoAlternateSign,
				Binary: p.Binary, Norm: norm, MaxDense: -1}
		}
		train, test := textFrames(t, fx.Train), textFrames(t, fx.Test)
		for kind, trainF := range train {
			t.Run(c.Name+"/"+kind, func(t *testing.T) {
				fitted, err := spec.Fit(ctx, trainF)
				if err != nil {
					t.Fatal(err)
				}
				switch v := fitted.(type) {
				case *CountVectorizer:
					if !reflect.DeepEqual(v.Vocabulary, c.Vocabulary) {
						t.Fatalf("vocabulary %q\nwant %q", v.Vocabulary, c.Vocabulary)
					}
				case *TfidfVectorizer:
					if !reflect.DeepEqual(v.Vocabulary, c.Vocabulary) {
						t.Fatalf("vocabulary %q\nwant %q", v.Vocabulary, c.Vocabulary)
					}
					if c.IDF != nil || v.IDF != nil {
						assertClose(t, "idf", v.IDF, c.IDF, 1e-12)
					}
				}
				for _, part := range []struct {
					f    *frame.Frame
					want [][]float64
				}{{trainF, c.Train}, {test[kind], c.Test}} {
					m, err := fitted.(interface {
						Sparse(context.Context, *frame.Frame) (*CSR, error)
					}).Sparse(ctx, part.f)
					if err != nil {
						t.Fatal(err)
					}
					checkCSR(t, m)
					for i, row := range part.want {
						got := make([]float64, len(row))
						m.DoRowNonZero(i, func(_, j int, v float64) { got[j] = v })
						assertClose(t, fmt.Sprintf("row %d", i), got, row, 1e-9)
					}
					out, err := fitted.Transform(ctx, part.f)
					if err != nil {
						t.Fatal(err)
					}
					assertNamesOut(t, fitted, part.f, out)
					X, _, err := out.Matrix(out.Names()[1:]...)
					if err != nil {
						t.Fatal(err)
					}
					for i, row := range part.want {
						assertClose(t, fmt.Sprintf("dense row %d", i), X.RawRowView(i), row, 1e-9)
					}
				}
				roundTrip(t, fitted, test[kind])

				// Fitting and transforming in one pass gives the same vocabulary and matrix.
				var m *CSR
				var again preprocess.Fitted
				switch s := spec.(type) {
				case CountSpec:
					again, m, err = s.FitSparse(ctx, trainF)
				case TfidfSpec:
					again, m, err = s.FitSparse(ctx, trainF)
				default:
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if a, b := normalise(again), normalise(fitted); a != b {
					t.Errorf("FitSparse state %v, Fit state %v", a, b)
				}
				checkCSR(t, m)
				for i, row := range c.Train {
					got := make([]float64, len(row))
					m.DoRowNonZero(i, func(_, j int, v float64) { got[j] = v })
					assertClose(t, fmt.Sprintf("FitSparse row %d", i), got, row, 1e-9)
				}
			})
		}
	}
}

// checkCSR checks the matrix's invariants through NewCSR.
func checkCSR(t *testing.T, m *CSR) {
	t.Helper()
	r, c := m.Dims()
	ptr, idx, data := m.Raw()
	if _, err := NewCSR(r, c, ptr, idx, data); err != nil {
		t.Fatalf("invalid CSR: %v", err)
	}
}

func TestVectorizerErrors(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t, frame.Strings("notes", []string{"a b", "refund please"}, nil), frame.Floats("x", []float64{1, 2}))
	tests := []struct {
		name string
		spec preprocess.Step
		want error
	}{
		{"only stop words", CountSpec{Column: "notes", VocabOptions: VocabOptions{Tokenizer: Tokenizer{StopWords: []string{"refund", "please"}}}}, ErrEmptyVocabulary},
		{"bounds cross", CountSpec{Column: "notes", VocabOptions: VocabOptions{MinDocs: 2, MaxDocs: 1}}, ErrParam},
		{"fraction above one", Tfidf("notes"), nil},
		{"bad fraction", CountSpec{Column: "notes", VocabOptions: VocabOptions{MaxDocFrac: 1.5}}, ErrParam},
		{"bad ngram", CountSpec{Column: "notes", VocabOptions: VocabOptions{Tokenizer: Tokenizer{NGramMin: 2, NGramMax: 1}}}, ErrParam},
		{"bad norm", TfidfSpec{Column: "notes", Norm: 9}, ErrParam},
		{"float column", CountVectorize("x"), frame.ErrKind},
		{"no column", Tfidf("nope"), frame.ErrNoColumn},
		{"hash negative", Hashing("notes", -1), ErrParam},
		{"hash float", Hashing("x", 8), frame.ErrKind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.spec.Fit(ctx, f)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Fit error %v, want %v", err, tc.want)
			}
		})
	}
	// A cancelled context stops fitting and transforming.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Tfidf("notes").Fit(cancelled, f); !errors.Is(err, context.Canceled) {
		t.Errorf("fit on a cancelled context: %v", err)
	}
	// A hashing vectoriser with the default 2^20 columns has no dense form.
	h, err := Hashing("notes", 0).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Transform(ctx, f); !errors.Is(err, ErrTooWide) {
		t.Errorf("dense 2^20 columns: %v, want ErrTooWide", err)
	}
	m, err := h.(*HashingVectorizer).Sparse(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 2 || c != 1<<20 || m.NNZ() != 2 {
		t.Errorf("sparse %d×%d with %d values, want 2×1048576 with 2", r, c, m.NNZ())
	}
	// A corrupt saved vocabulary.
	for _, state := range []string{
		`{"kind":"features.count_vectorizer","version":1,"state":{"column":"notes","vocabulary":["b","a"]}}`,
		`{"kind":"features.tfidf_vectorizer","version":1,"state":{"column":"notes","vocabulary":["a","b"],"idf":[1],"norm":"l2"}}`,
		`{"kind":"features.tfidf_vectorizer","version":1,"state":{"column":"notes","vocabulary":["a"],"norm":"l3"}}`,
		`{"kind":"features.hashing_vectorizer","version":1,"state":{"column":"notes","n_features":0,"norm":"l2"}}`,
	} {
		if _, err := preprocess.UnmarshalFitted([]byte(state)); !errors.Is(err, ErrState) && !errors.Is(err, ErrParam) {
			t.Errorf("load %s: %v, want ErrState", state, err)
		}
	}
}

func TestCSR(t *testing.T) {
	m, err := NewCSR(3, 4, []int{0, 2, 2, 3}, []int32{0, 3, 1}, []float64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	d, err := m.Dense(0)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0}
	if !reflect.DeepEqual(d.RawMatrix().Data, want) {
		t.Errorf("dense %v, want %v", d.RawMatrix().Data, want)
	}
	if m.At(0, 3) != 2 || m.At(1, 1) != 0 || m.T().At(1, 2) != 3 {
		t.Errorf("At disagrees with the dense form")
	}
	if _, err := m.Dense(5); !errors.Is(err, ErrTooWide) {
		t.Errorf("Dense over the limit: %v", err)
	}
	bad := []struct {
		name string
		r, c int
		ptr  []int
		idx  []int32
		data []float64
	}{
		{"short indptr", 2, 2, []int{0, 1}, []int32{0}, []float64{1}},
		{"unsorted row", 1, 3, []int{0, 2}, []int32{2, 1}, []float64{1, 1}},
		{"column out of range", 1, 2, []int{0, 1}, []int32{2}, []float64{1}},
		{"decreasing indptr", 2, 2, []int{0, 1, 0}, []int32{0}, []float64{1}},
		{"values and indices differ", 1, 2, []int{0, 1}, []int32{0}, []float64{1, 2}},
	}
	for _, tc := range bad {
		if _, err := NewCSR(tc.r, tc.c, tc.ptr, tc.idx, tc.data); !errors.Is(err, ErrParam) {
			t.Errorf("%s: %v, want ErrParam", tc.name, err)
		}
	}
}
