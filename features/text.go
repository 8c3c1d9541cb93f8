package features

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
	"github.com/mlpipe/mlpipe/preprocess"
)

// ErrEmptyVocabulary is returned by a vectoriser's Fit when no term is left:
// the documents hold only stop words, or the document-frequency bounds
// removed every term.
var ErrEmptyVocabulary = errors.New("empty vocabulary")

// TermSep separates the text column's name from a term in the names of
// dense text columns: column "notes" and term "refund" give "notes:refund";
// hashed column 17 gives "notes:#17". The names are part of a fitted
// pipeline's saved feature names, so this will not change.
const TermSep = ":"

// DefaultMaxDense is the largest number of dense columns a text
// vectoriser's Transform makes unless told otherwise. Wider outputs are
// meant for the sparse form (the vectorisers' Sparse method).
const DefaultMaxDense = 1000

// Norm is the row normalisation of a TF-IDF or hashing vectoriser. It is
// saved by name ("l2", "l1", "none").
type Norm uint8

// The row normalisations.
const (
	// L2 divides each row by its Euclidean length (the default).
	L2 Norm = iota
	// L1 divides each row by the sum of its absolute values.
	L1
	// NoNorm leaves rows as they are.
	NoNorm
)

var normNames = [...]string{"l2", "l1", "none"}

// String returns "l2", "l1" or "none".
func (n Norm) String() string {
	if int(n) < len(normNames) {
		return normNames[n]
	}
	return fmt.Sprintf("Norm(%d)", uint8(n))
}

// MarshalText returns the norm's name; it fails for an unknown norm.
func (n Norm) MarshalText() ([]byte, error) {
	if int(n) >= len(normNames) {
		return nil, fmt.Errorf("norm %d: %w", uint8(n), ErrParam)
	}
	return []byte(normNames[n]), nil
}

// UnmarshalText reads a norm's name; it fails with an error wrapping
// [ErrParam] for an unknown one.
func (n *Norm) UnmarshalText(b []byte) error {
	i := slices.Index(normNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("norm %q (want l2, l1 or none): %w", b, ErrParam)
	}
	*n = Norm(i)
	return nil
}

// VocabOptions are the options shared by [CountSpec] and [TfidfSpec]: how
// text is split and which terms make the vocabulary. The zero value is
// scikit-learn's default (min_df=1, max_df=1.0, no max_features).
type VocabOptions struct {
	// Tokenizer splits documents into terms.
	Tokenizer Tokenizer
	// MinDocs drops terms found in fewer documents (scikit-learn's
	// integer min_df); 0 means 1.
	MinDocs int
	// MinDocFrac drops terms found in a smaller proportion of documents
	// (scikit-learn's float min_df); 0 means no bound.
	MinDocFrac float64
	// MaxDocs drops terms found in more documents (integer max_df); 0
	// means no bound.
	MaxDocs int
	// MaxDocFrac drops terms found in a greater proportion of documents
	// (float max_df); 0 means 1.0, no bound.
	MaxDocFrac float64
	// MaxFeatures keeps only the most frequent terms (by total count over
	// the corpus; ties go to the alphabetically first term, where
	// scikit-learn's order is unspecified); 0 keeps all.
	MaxFeatures int
	// Binary counts a term once per document however often it occurs.
	Binary bool
	// MaxDense bounds the number of dense columns Transform makes: 0 means
	// [DefaultMaxDense], a negative value no bound. Sparse is not bounded.
	MaxDense int
}

func (o VocabOptions) validate(step string) error {
	if err := o.Tokenizer.Validate(); err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	if o.MinDocs < 0 || o.MaxDocs < 0 || o.MaxFeatures < 0 ||
		!(o.MinDocFrac >= 0 && o.MinDocFrac <= 1) || !(o.MaxDocFrac >= 0 && o.MaxDocFrac <= 1) {
		return fmt.Errorf("%s: document bounds min %d/%v max %d/%v, max features %d: negative or a fraction outside [0, 1]: %w",
			step, o.MinDocs, o.MinDocFrac, o.MaxDocs, o.MaxDocFrac, o.MaxFeatures, ErrParam)
	}
	return nil
}

// textColumn is a text column as documents: for a string column each row
// is a document; for a categorical column each dictionary entry is, and
// rows point at them by code (so repeated texts are tokenised once).
type textColumn struct {
	docs  []string
	codes []int32 // nil for a string column
	rows  int
}

func textOf(step string, f *frame.Frame, name string) (*textColumn, error) {
	c, err := f.Col(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	switch c := c.(type) {
	case *frame.StringColumn:
		return &textColumn{docs: c.Values(), rows: c.Len()}, nil // missing rows hold ""
	case *frame.CategoricalColumn:
		return &textColumn{docs: c.Dict(), codes: c.Codes(), rows: c.Len()}, nil
	}
	return nil, fmt.Errorf("%s: column %q is %v, want string or categorical: %w", step, name, c.Kind(), frame.ErrKind)
}

// weights returns how many rows each document stands for.
func (tc *textColumn) weights() []int64 {
	w := make([]int64, len(tc.docs))
	if tc.codes == nil {
		for i := range w {
			w[i] = 1
		}
		return w
	}
	for _, c := range tc.codes {
		if c >= 0 {
			w[c]++
		}
	}
	return w
}

// termCounts are the corpus statistics of each term seen.
type termCounts struct {
	terms  []string
	df, tf []int64
}

// countChunks is the number of chunks scanTerms cuts documents into; 0
// means one per worker (GOMAXPROCS). Each chunk keeps a map of every term
// it meets, so more chunks repeat work on large vocabularies; the counts
// are integers and the terms are sorted afterwards, so the result does not
// depend on the chunking. (A variable so that tests can force several.)
var countChunks = 0

// chunkScan is one chunk of tokenised documents: its terms under local
// ids with their counts and, when rows are kept, its rows of (local id,
// count), columns in increasing local id.
type chunkScan struct {
	termCounts
	m *CSR
}

// scanTerms tokenises the documents in parallel chunks and returns each
// chunk's term statistics, rows weighted by weights (a document of weight
// 0 is skipped, and has an empty row).
func scanTerms(ctx context.Context, tok *tokenizer, docs []string, weights []int64, keepRows bool) ([]chunkScan, error) {
	n := countChunks
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = max(min(n, len(docs)), 1)
	parts := make([]chunkScan, n)
	err := parallel.For(ctx, n, 0, func(ctx context.Context, p int) error {
		lo, hi := p*len(docs)/n, (p+1)*len(docs)/n
		cs := &parts[p]
		index := make(map[string]int32)
		var last []int32
		var m *CSR
		if keepRows {
			m = &CSR{rows: hi - lo, indptr: make([]int, 1, hi-lo+1)}
			m.reserve(docs[lo:hi])
		}
		var sc tokScratch
		var ents []entry
		for d := lo; d < hi; d++ {
			if (d-lo)%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			w := weights[d]
			if w > 0 {
				stamp := int32(d - lo + 1)
				ents = ents[:0]
				tok.each(docs[d], &sc, func(b []byte) {
					id, ok := index[string(b)]
					if !ok {
						id = int32(len(cs.terms))
						term := string(b)
						index[term] = id
						cs.terms = append(cs.terms, term)
						cs.df = append(cs.df, 0)
						cs.tf = append(cs.tf, 0)
						last = append(last, 0)
					}
					cs.tf[id] += w
					if last[id] != stamp {
						last[id] = stamp
						cs.df[id] += w
					}
					if m != nil {
						ents = append(ents, entry{id, 1})
					}
				})
				if m != nil {
					m.appendRow(ents)
				}
			}
			if m != nil {
				m.indptr = append(m.indptr, len(m.data))
			}
		}
		cs.m = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return parts, nil
}

// reserve sizes the value arrays for the terms docs probably hold (one
// per six bytes of text), so that building the rows copies little.
func (m *CSR) reserve(docs []string) {
	n := 0
	for _, d := range docs {
		n += len(d)
	}
	m.indices = make([]int32, 0, n/6+1)
	m.data = make([]float64, 0, n/6+1)
}

// appendRow sorts ents by column, sums repeated columns, and appends them
// to the row being built (the caller closes the row in indptr).
func (m *CSR) appendRow(ents []entry) {
	slices.SortFunc(ents, func(a, b entry) int { return cmp.Compare(a.j, b.j) })
	start := len(m.data)
	for _, e := range ents {
		if len(m.data) > start && e.j == m.indices[len(m.indices)-1] {
			m.data[len(m.data)-1] += e.v
			continue
		}
		m.indices = append(m.indices, e.j)
		m.data = append(m.data, e.v)
	}
}

// mergeCounts merges the chunks' statistics, returning the corpus's and,
// for each chunk, the map from its local ids to the merged ones.
func mergeCounts(parts []chunkScan) (*termCounts, [][]int32) {
	out := &termCounts{}
	remap := make([][]int32, len(parts))
	index := make(map[string]int32, len(parts[0].terms))
	for p := range parts {
		cs := &parts[p]
		remap[p] = make([]int32, len(cs.terms))
		for i, t := range cs.terms {
			id, ok := index[t]
			if !ok {
				id = int32(len(out.terms))
				index[t] = id
				out.terms = append(out.terms, t)
				out.df = append(out.df, 0)
				out.tf = append(out.tf, 0)
			}
			out.df[id] += cs.df[i]
			out.tf[id] += cs.tf[i]
			remap[p][i] = id
		}
	}
	return out, remap
}

// selectTerms applies the document-frequency bounds and MaxFeatures of o
// to the statistics of ndocs documents, and returns the indices of the
// kept terms in term order.
func selectTerms(step, name string, o VocabOptions, counts *termCounts, ndocs int64) ([]int, error) {
	n := float64(ndocs)
	low := math.Max(float64(max(o.MinDocs, 1)), o.MinDocFrac*n)
	high := math.Inf(1)
	if o.MaxDocs > 0 {
		high = float64(o.MaxDocs)
	}
	if o.MaxDocFrac > 0 {
		high = math.Min(high, o.MaxDocFrac*n)
	}
	if high < low {
		return nil, fmt.Errorf("%s: at most %v documents is fewer than at least %v: %w", step, high, low, ErrParam)
	}
	keep := make([]int, 0, len(counts.terms))
	for i, df := range counts.df {
		if d := float64(df); d >= low && d <= high {
			keep = append(keep, i)
		}
	}
	if o.MaxFeatures > 0 && len(keep) > o.MaxFeatures {
		slices.SortFunc(keep, func(a, b int) int {
			if c := cmp.Compare(counts.tf[b], counts.tf[a]); c != 0 {
				return c
			}
			return strings.Compare(counts.terms[a], counts.terms[b])
		})
		keep = keep[:o.MaxFeatures]
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("%s: column %q: %d terms seen, none kept (stop words only, or document bounds [%v, %v] too tight): %w",
			step, name, len(counts.terms), low, high, ErrEmptyVocabulary)
	}
	slices.SortFunc(keep, func(a, b int) int { return strings.Compare(counts.terms[a], counts.terms[b]) })
	return keep, nil
}

// vocabulary is what fitting a vectoriser learns: the sorted terms and
// their document frequencies, and with rows kept, the count matrix of the
// training documents (one row per document of the text column).
type vocabulary struct {
	terms []string
	df    []int64
	rows  *CSR
	text  *textColumn
}

// learnVocabulary fits the vocabulary of column name of f under o; with
// keepRows it also returns the training count matrix, from the same
// single pass of tokenising (scikit-learn's fit_transform).
func learnVocabulary(ctx context.Context, step string, o VocabOptions, f *frame.Frame, name string, keepRows bool) (*vocabulary, error) {
	if err := o.validate(step); err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("%s: %w", step, frame.ErrEmpty)
	}
	tc, err := textOf(step, f, name)
	if err != nil {
		return nil, err
	}
	tok, _ := o.Tokenizer.compile()
	parts, err := scanTerms(ctx, tok, tc.docs, tc.weights(), keepRows)
	if err != nil {
		return nil, err
	}
	counts, remap := mergeCounts(parts)
	keep, err := selectTerms(step, name, o, counts, int64(tc.rows))
	if err != nil {
		return nil, err
	}
	v := &vocabulary{terms: make([]string, len(keep)), df: make([]int64, len(keep)), text: tc}
	for k, i := range keep {
		v.terms[k], v.df[k] = counts.terms[i], counts.df[i]
	}
	if !keepRows {
		return v, nil
	}
	// Renumber each chunk's rows from local ids to vocabulary columns.
	col := make([]int32, len(counts.terms))
	for i := range col {
		col[i] = -1
	}
	for k, i := range keep {
		col[i] = int32(k)
	}
	mats := make([]*CSR, len(parts))
	err = parallel.For(ctx, len(parts), 0, func(_ context.Context, p int) error {
		src := parts[p].m
		dst := &CSR{rows: src.rows, cols: len(keep), indptr: make([]int, 1, src.rows+1),
			indices: make([]int32, 0, len(src.indices)), data: make([]float64, 0, len(src.data))}
		var ents []entry
		for r := range src.rows {
			ents = ents[:0]
			idx, val := src.Row(r)
			for k, j := range idx {
				if c := col[remap[p][j]]; c >= 0 {
					ents = append(ents, entry{c, val[k]})
				}
			}
			dst.appendRow(ents)
			dst.indptr = append(dst.indptr, len(dst.data))
		}
		mats[p] = dst
		return nil
	})
	if err != nil {
		return nil, err
	}
	v.rows = vstackCSR(len(keep), mats)
	return v, nil
}

// finish applies binary and weight to each row of the counts of the
// column's documents, in parallel, and returns the matrix of its rows.
func (tc *textColumn) finish(ctx context.Context, m *CSR, binary bool, weight func([]int32, []float64)) (*CSR, error) {
	bounds := chunks(m.rows)
	err := parallel.For(ctx, len(bounds), 0, func(_ context.Context, p int) error {
		for r := bounds[p][0]; r < bounds[p][1]; r++ {
			idx, v := m.Row(r)
			if binary {
				for k := range v {
					v[k] = 1
				}
			}
			if weight != nil {
				weight(idx, v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tc.rowsOf(m), nil
}

// entry is one term occurrence on its way into a CSR row.
type entry struct {
	j int32
	v float64
}

// lookupFunc maps a term to a column and the value it adds there.
type lookupFunc func(term []byte) (int32, float64, bool)

// termMatrix builds the documents × cols matrix of summed term values, in
// parallel chunks of documents, with each row's columns sorted. binary
// sets every stored value to 1. weight, when not nil, rewrites each row's
// values in place.
func termMatrix(ctx context.Context, tok *tokenizer, docs []string, cols int, lookup lookupFunc, binary bool, weight func(idx []int32, v []float64)) (*CSR, error) {
	bounds := chunks(len(docs))
	parts := make([]*CSR, len(bounds))
	err := parallel.For(ctx, len(bounds), 0, func(ctx context.Context, p int) error {
		lo, hi := bounds[p][0], bounds[p][1]
		m := &CSR{rows: hi - lo, cols: cols, indptr: make([]int, 1, hi-lo+1)}
		m.reserve(docs[lo:hi])
		var sc tokScratch
		var ents []entry
		for d := lo; d < hi; d++ {
			if (d-lo)%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			ents = ents[:0]
			tok.each(docs[d], &sc, func(term []byte) {
				if j, v, ok := lookup(term); ok {
					ents = append(ents, entry{j, v})
				}
			})
			start := len(m.data)
			m.appendRow(ents)
			if binary {
				for k := start; k < len(m.data); k++ {
					m.data[k] = 1
				}
			}
			if weight != nil {
				weight(m.indices[start:], m.data[start:])
			}
			m.indptr = append(m.indptr, len(m.data))
		}
		parts[p] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return vstackCSR(cols, parts), nil
}

// rowsOf returns the matrix of a text column: its documents' rows, or for
// a categorical column the dictionary's rows repeated by code (a missing
// code gives an empty row).
func (tc *textColumn) rowsOf(m *CSR) *CSR {
	if tc.codes == nil {
		return m
	}
	nnz := 0
	for _, c := range tc.codes {
		if c >= 0 {
			nnz += m.indptr[c+1] - m.indptr[c]
		}
	}
	out := &CSR{rows: len(tc.codes), cols: m.cols, indptr: make([]int, 1, len(tc.codes)+1),
		indices: make([]int32, 0, nnz), data: make([]float64, 0, nnz)}
	for _, c := range tc.codes {
		if c >= 0 {
			idx, v := m.Row(int(c))
			out.indices = append(out.indices, idx...)
			out.data = append(out.data, v...)
		}
		out.indptr = append(out.indptr, len(out.data))
	}
	return out
}

// normaliseRow divides v by its norm (L1 or L2); a zero row is left alone.
func normaliseRow(n Norm, v []float64) {
	var s float64
	switch n {
	case L1:
		for _, x := range v {
			s += math.Abs(x)
		}
	case L2:
		for _, x := range v {
			s += x * x
		}
		s = math.Sqrt(s)
	default:
		return
	}
	if s == 0 {
		return
	}
	for k := range v {
		v[k] /= s
	}
}

// denseColumns turns the matrix of column source into float columns named
// source:name, placed where source stood (which is dropped).
func denseColumns(step string, f *frame.Frame, source string, m *CSR, names []string, maxDense int) (*frame.Frame, error) {
	limit := maxDense
	if limit == 0 {
		limit = DefaultMaxDense
	}
	if limit > 0 && m.cols > limit {
		return nil, fmt.Errorf("%s: column %q would make %d dense columns, more than %d (use Sparse, or set MaxDense): %w",
			step, source, m.cols, limit, ErrTooWide)
	}
	vals := make([][]float64, m.cols)
	for j := range vals {
		vals[j] = make([]float64, m.rows)
	}
	m.DoNonZero(func(i, j int, v float64) { vals[j][i] = v })
	add := make([]frame.Series, m.cols)
	for j := range add {
		add[j] = frame.Floats(names[j], vals[j])
	}
	return replace(step, f, []replacement{{source: source, drop: true, add: add}})
}

func termNames(source string, terms []string) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = source + TermSep + t
	}
	return out
}

// vocabState is the saved state shared by the fitted count and TF-IDF
// vectorisers, with the lookup index built on first use.
type vocabState struct {
	Column     string    `json:"column"`
	Tokenizer  Tokenizer `json:"tokenizer"`
	Vocabulary []string  `json:"vocabulary"`
	Binary     bool      `json:"binary,omitempty"`
	MaxDense   int       `json:"max_dense,omitempty"`

	once  sync.Once
	index map[string]int32
	tok   *tokenizer
}

func (s *vocabState) prepare() {
	s.once.Do(func() {
		s.tok, _ = s.Tokenizer.compile() // validated on Fit and on load
		s.index = make(map[string]int32, len(s.Vocabulary))
		for i, t := range s.Vocabulary {
			s.index[t] = int32(i)
		}
	})
}

func (s *vocabState) validate(step string) error {
	if s.Column == "" {
		return fmt.Errorf("%s: no column: %w", step, ErrState)
	}
	if err := s.Tokenizer.Validate(); err != nil {
		return fmt.Errorf("%s: %w: %w", step, err, ErrState)
	}
	if len(s.Vocabulary) == 0 || !sortedUnique(s.Vocabulary) {
		return fmt.Errorf("%s: vocabulary of %d terms empty or not sorted and distinct: %w", step, len(s.Vocabulary), ErrState)
	}
	return nil
}

// matrix returns the term matrix of f's text column, each row rewritten by weight.
func (s *vocabState) matrix(ctx context.Context, step string, f *frame.Frame, weight func([]int32, []float64)) (*CSR, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tc, err := textOf(step, f, s.Column)
	if err != nil {
		return nil, err
	}
	s.prepare()
	lookup := func(term []byte) (int32, float64, bool) {
		j, ok := s.index[string(term)]
		return j, 1, ok
	}
	m, err := termMatrix(ctx, s.tok, tc.docs, len(s.Vocabulary), lookup, s.Binary, weight)
	if err != nil {
		return nil, err
	}
	return tc.rowsOf(m), nil
}

// TermNames returns the names of the columns of Sparse, column:term for
// each vocabulary term.
func (s *vocabState) TermNames() []string { return termNames(s.Column, s.Vocabulary) }

func (s *vocabState) namesOut(step string, in []string) ([]string, error) {
	return replaceNames(step, in, map[string][]string{s.Column: termNames(s.Column, s.Vocabulary)}, map[string]bool{s.Column: true})
}

// CountSpec is the specification of a count vectoriser, scikit-learn's
// CountVectorizer: Fit learns a vocabulary from a string or categorical
// column; the fitted [CountVectorizer] turns each document into the count
// of each vocabulary term, as a sparse matrix ([CountVectorizer.Sparse])
// or, for small vocabularies, as float columns column:term in place of the
// text column (Transform). A missing text is an empty document.
//
// A categorical column is tokenised once per distinct text, so a column of
// repeated notes is cheap. It is a value, safe for concurrent use.
type CountSpec struct {
	// Column is the string or categorical column holding the documents.
	Column string
	VocabOptions
}

// CountVectorize returns the specification of a count vectoriser of column
// col with scikit-learn's defaults; set the fields of its [VocabOptions] to change them.
func CountVectorize(col string) CountSpec { return CountSpec{Column: col} }

// Fit learns the vocabulary, tokenising chunks of documents in parallel,
// and returns a [*CountVectorizer]. It returns an error wrapping [ErrParam]
// for bad options, [ErrEmptyVocabulary] when no term is kept,
// frame.ErrEmpty, frame.ErrNoColumn or frame.ErrKind for a bad frame, and
// ctx.Err() when ctx is cancelled.
func (s CountSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	v, _, err := s.fit(ctx, f, false)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// FitSparse fits as Fit and also returns the matrix the fitted
// vectoriser's Sparse would return for f, tokenising f once, as
// scikit-learn's fit_transform does. It returns the errors of Fit.
func (s CountSpec) FitSparse(ctx context.Context, f *frame.Frame) (*CountVectorizer, *CSR, error) {
	return s.fit(ctx, f, true)
}

func (s CountSpec) fit(ctx context.Context, f *frame.Frame, rows bool) (*CountVectorizer, *CSR, error) {
	voc, err := learnVocabulary(ctx, "count vectorizer", s.VocabOptions, f, s.Column, rows)
	if err != nil {
		return nil, nil, err
	}
	v := &CountVectorizer{vocabState: vocabState{Column: s.Column, Tokenizer: s.Tokenizer,
		Vocabulary: voc.terms, Binary: s.Binary, MaxDense: s.MaxDense}}
	if !rows {
		return v, nil, nil
	}
	m, err := voc.text.finish(ctx, voc.rows, s.Binary, nil)
	return v, m, err
}

// CountVectorizer is a fitted [CountSpec]: the sorted vocabulary. Its
// exported fields are its saved state. It is immutable and safe for
// concurrent use.
type CountVectorizer struct {
	vocabState
}

// Sparse returns the documents × vocabulary matrix of term counts of f's
// text column, column j counting Vocabulary[j]. It returns an error
// wrapping frame.ErrNoColumn or frame.ErrKind when f lacks the column.
func (v *CountVectorizer) Sparse(ctx context.Context, f *frame.Frame) (*CSR, error) {
	return v.matrix(ctx, "count vectorizer", f, nil)
}

// Transform returns f with the text column replaced by one float column
// per vocabulary term, named column:term. It returns an error wrapping
// [ErrTooWide] when the vocabulary is wider than MaxDense, and the errors
// of Sparse.
func (v *CountVectorizer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "count vectorizer"
	m, err := v.Sparse(ctx, f)
	if err != nil {
		return nil, err
	}
	return denseColumns(step, f, v.Column, m, termNames(v.Column, v.Vocabulary), v.MaxDense)
}

// FeatureNamesOut returns in with the text column replaced by column:term
// for each vocabulary term.
func (v *CountVectorizer) FeatureNamesOut(in []string) ([]string, error) {
	return v.namesOut("count vectorizer", in)
}

// Validate reports whether the state is usable: a column, a valid
// tokenizer, a sorted vocabulary of distinct terms. It returns an error
// wrapping [ErrState] otherwise.
func (v *CountVectorizer) Validate() error { return v.validate("count vectorizer") }

// TfidfSpec is the specification of a TF-IDF vectoriser, scikit-learn's
// TfidfVectorizer: counts as [CountSpec], then each count tf of term t is
// weighted to tf·idf(t), with idf(t) = ln((1+n)/(1+df(t))) + 1 for n
// documents of which df(t) hold t (ln(n/df(t)) + 1 with NoSmooth), tf
// replaced by 1 + ln(tf) when Sublinear, and each row divided by its norm.
// The zero options are scikit-learn's defaults: smooth idf, raw tf, L2.
//
// It is a value, safe for concurrent use.
type TfidfSpec struct {
	// Column is the string or categorical column holding the documents.
	Column string
	VocabOptions
	// Norm normalises each row (default [L2]).
	Norm Norm
	// NoIDF leaves out the idf weight (scikit-learn's use_idf=False).
	NoIDF bool
	// NoSmooth drops the +1 smoothing of idf (smooth_idf=False).
	NoSmooth bool
	// Sublinear replaces tf by 1 + ln(tf) (sublinear_tf=True).
	Sublinear bool
}

// Tfidf returns the specification of a TF-IDF vectoriser of column col
// with scikit-learn's defaults.
func Tfidf(col string) TfidfSpec { return TfidfSpec{Column: col} }

// Fit learns the vocabulary and each term's idf, tokenising chunks of
// documents in parallel, and returns a [*TfidfVectorizer]. It returns the
// errors of [CountSpec.Fit], and one wrapping [ErrParam] for an unknown norm.
func (s TfidfSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	v, _, err := s.fit(ctx, f, false)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// FitSparse fits as Fit and also returns the matrix the fitted
// vectoriser's Sparse would return for f, tokenising f once, as
// scikit-learn's fit_transform does. It returns the errors of Fit.
func (s TfidfSpec) FitSparse(ctx context.Context, f *frame.Frame) (*TfidfVectorizer, *CSR, error) {
	return s.fit(ctx, f, true)
}

func (s TfidfSpec) fit(ctx context.Context, f *frame.Frame, rows bool) (*TfidfVectorizer, *CSR, error) {
	const step = "tf-idf vectorizer"
	if int(s.Norm) >= len(normNames) {
		return nil, nil, fmt.Errorf("%s: norm %d: %w", step, s.Norm, ErrParam)
	}
	voc, err := learnVocabulary(ctx, step, s.VocabOptions, f, s.Column, rows)
	if err != nil {
		return nil, nil, err
	}
	v := s.vectorizer(voc.terms, voc.df, int64(f.NumRows()))
	if !rows {
		return v, nil, nil
	}
	m, err := voc.text.finish(ctx, voc.rows, s.Binary, v.weight)
	return v, m, err
}

// vectorizer returns the fitted vectoriser of the given vocabulary, with
// document frequencies df among ndocs documents.
func (s TfidfSpec) vectorizer(terms []string, df []int64, ndocs int64) *TfidfVectorizer {
	v := &TfidfVectorizer{vocabState: vocabState{Column: s.Column, Tokenizer: s.Tokenizer,
		Vocabulary: terms, Binary: s.Binary, MaxDense: s.MaxDense}, Norm: s.Norm, Sublinear: s.Sublinear}
	if !s.NoIDF {
		smooth := 1.0
		if s.NoSmooth {
			smooth = 0
		}
		n := float64(ndocs) + smooth
		v.IDF = make([]float64, len(df))
		for j, d := range df {
			v.IDF[j] = math.Log(n/(float64(d)+smooth)) + 1
		}
	}
	return v
}

// TfidfVectorizer is a fitted [TfidfSpec]: the sorted vocabulary and each
// term's idf (nil when idf is not used). Its exported fields are its saved
// state. It is immutable and safe for concurrent use.
type TfidfVectorizer struct {
	vocabState
	IDF       []float64 `json:"idf,omitempty"`
	Norm      Norm      `json:"norm"`
	Sublinear bool      `json:"sublinear_tf,omitempty"`
}

func (v *TfidfVectorizer) weight(idx []int32, x []float64) {
	for k := range x {
		if v.Sublinear {
			x[k] = math.Log(x[k]) + 1
		}
		if v.IDF != nil {
			x[k] *= v.IDF[idx[k]]
		}
	}
	normaliseRow(v.Norm, x)
}

// Sparse returns the documents × vocabulary matrix of TF-IDF weights of f's
// text column, column j for Vocabulary[j]. It returns an error wrapping
// frame.ErrNoColumn or frame.ErrKind when f lacks the column.
func (v *TfidfVectorizer) Sparse(ctx context.Context, f *frame.Frame) (*CSR, error) {
	return v.matrix(ctx, "tf-idf vectorizer", f, v.weight)
}

// Transform returns f with the text column replaced by one float column
// per vocabulary term, named column:term. It returns an error wrapping
// [ErrTooWide] when the vocabulary is wider than MaxDense, and the errors
// of Sparse.
func (v *TfidfVectorizer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "tf-idf vectorizer"
	m, err := v.Sparse(ctx, f)
	if err != nil {
		return nil, err
	}
	return denseColumns(step, f, v.Column, m, termNames(v.Column, v.Vocabulary), v.MaxDense)
}

// FeatureNamesOut returns in with the text column replaced by column:term
// for each vocabulary term.
func (v *TfidfVectorizer) FeatureNamesOut(in []string) ([]string, error) {
	return v.namesOut("tf-idf vectorizer", in)
}

// Validate reports whether the state is usable: the checks of
// [CountVectorizer.Validate], a known norm, and one positive finite idf per
// term when idf is used. It returns an error wrapping [ErrState] otherwise.
func (v *TfidfVectorizer) Validate() error {
	const step = "tf-idf vectorizer"
	if err := v.validate(step); err != nil {
		return err
	}
	if int(v.Norm) >= len(normNames) {
		return fmt.Errorf("%s: norm %d: %w", step, v.Norm, ErrState)
	}
	if v.IDF != nil {
		if len(v.IDF) != len(v.Vocabulary) {
			return fmt.Errorf("%s: %d idf values for %d terms: %w", step, len(v.IDF), len(v.Vocabulary), ErrState)
		}
		for j, x := range v.IDF {
			if !(x > 0) || math.IsInf(x, 0) {
				return fmt.Errorf("%s: idf of %q is %v: %w", step, v.Vocabulary[j], x, ErrState)
			}
		}
	}
	return nil
}

// DefaultHashFeatures is the number of columns of a [HashingSpec] with
// NFeatures zero: 2²⁰, scikit-learn's default.
const DefaultHashFeatures = 1 << 20

// HashingSpec is the specification of a hashing vectoriser, scikit-learn's
// HashingVectorizer: each term goes to column |h| mod NFeatures, where h is
// the signed 32-bit MurmurHash3 of its UTF-8 bytes with seed 0, adding +1
// (or, with alternating signs, the sign of h), so no vocabulary is kept and
// any text can be encoded; rows are then normalised. It learns nothing: it
// is the same before and after Fit, and a value safe for concurrent use.
type HashingSpec struct {
	// Column is the string or categorical column holding the documents.
	Column string
	// Tokenizer splits documents into terms.
	Tokenizer Tokenizer
	// NFeatures is the number of columns; 0 means [DefaultHashFeatures].
	NFeatures int
	// NoAlternateSign adds +1 for every term (alternate_sign=False);
	// by default the sign of the hash is added, so collisions tend to cancel.
	NoAlternateSign bool
	// Binary sets every non-zero value to 1 before normalising.
	Binary bool
	// Norm normalises each row (default [L2]).
	Norm Norm
	// MaxDense bounds the number of dense columns Transform makes: 0 means
	// [DefaultMaxDense], a negative value no bound.
	MaxDense int
}

// Hashing returns the specification of a hashing vectoriser of column col
// into n columns (0 for [DefaultHashFeatures]), with scikit-learn's defaults.
func Hashing(col string, n int) HashingSpec { return HashingSpec{Column: col, NFeatures: n} }

// Fit checks the options and the column and returns a [*HashingVectorizer].
// It returns an error wrapping [ErrParam] for a negative or too large
// NFeatures, a bad tokenizer or an unknown norm, and frame.ErrEmpty,
// frame.ErrNoColumn or frame.ErrKind for a bad frame.
func (s HashingSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	const step = "hashing vectorizer"
	v := &HashingVectorizer{Column: s.Column, Tokenizer: s.Tokenizer, NFeatures: s.NFeatures,
		NoAlternateSign: s.NoAlternateSign, Binary: s.Binary, Norm: s.Norm, MaxDense: s.MaxDense}
	if v.NFeatures == 0 {
		v.NFeatures = DefaultHashFeatures
	}
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("%s: %w", step, frame.ErrEmpty)
	}
	if _, err := textOf(step, f, s.Column); err != nil {
		return nil, err
	}
	return v, nil
}

// HashingVectorizer is a fitted [HashingSpec]. Its fields are its saved
// state. It is immutable and safe for concurrent use.
type HashingVectorizer struct {
	Column          string    `json:"column"`
	Tokenizer       Tokenizer `json:"tokenizer"`
	NFeatures       int       `json:"n_features"`
	NoAlternateSign bool      `json:"no_alternate_sign,omitempty"`
	Binary          bool      `json:"binary,omitempty"`
	Norm            Norm      `json:"norm"`
	MaxDense        int       `json:"max_dense,omitempty"`
}

// hash returns the column a term hashes to and the value it adds there.
func (v *HashingVectorizer) hash(term []byte) (int32, float64, bool) {
	h := murmur3(term, 0)
	var j int64
	if h == math.MinInt32 {
		// |h| overflows int32; scikit-learn maps it this way.
		j = (math.MaxInt32 - int64(v.NFeatures-1)) % int64(v.NFeatures)
	} else {
		j = int64(h)
		if j < 0 {
			j = -j
		}
		j %= int64(v.NFeatures)
	}
	val := 1.0
	if !v.NoAlternateSign && h < 0 {
		val = -1
	}
	return int32(j), val, true
}

// Sparse returns the documents × NFeatures matrix of hashed, normalised
// term values of f's text column. It returns an error wrapping
// frame.ErrNoColumn or frame.ErrKind when f lacks the column.
func (v *HashingVectorizer) Sparse(ctx context.Context, f *frame.Frame) (*CSR, error) {
	const step = "hashing vectorizer"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tc, err := textOf(step, f, v.Column)
	if err != nil {
		return nil, err
	}
	tok, err := v.Tokenizer.compile()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	m, err := termMatrix(ctx, tok, tc.docs, v.NFeatures, v.hash, v.Binary, func(_ []int32, x []float64) { normaliseRow(v.Norm, x) })
	if err != nil {
		return nil, err
	}
	return tc.rowsOf(m), nil
}

// TermNames returns the names of the columns of Sparse, column:#j.
func (v *HashingVectorizer) TermNames() []string { return v.names() }

func (v *HashingVectorizer) names() []string {
	out := make([]string, v.NFeatures)
	for j := range out {
		out[j] = v.Column + TermSep + "#" + strconv.Itoa(j)
	}
	return out
}

// Transform returns f with the text column replaced by NFeatures float
// columns named column:#j. It returns an error wrapping [ErrTooWide] when
// NFeatures is more than MaxDense, and the errors of Sparse.
func (v *HashingVectorizer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "hashing vectorizer"
	limit := v.MaxDense
	if limit == 0 {
		limit = DefaultMaxDense
	}
	if limit > 0 && v.NFeatures > limit {
		return nil, fmt.Errorf("%s: column %q would make %d dense columns, more than %d (use Sparse, or set MaxDense): %w",
			step, v.Column, v.NFeatures, limit, ErrTooWide)
	}
	m, err := v.Sparse(ctx, f)
	if err != nil {
		return nil, err
	}
	return denseColumns(step, f, v.Column, m, v.names(), v.MaxDense)
}

// FeatureNamesOut returns in with the text column replaced by column:#j
// for j in [0, NFeatures).
func (v *HashingVectorizer) FeatureNamesOut(in []string) ([]string, error) {
	return replaceNames("hashing vectorizer", in, map[string][]string{v.Column: v.names()}, map[string]bool{v.Column: true})
}

// Validate reports whether the state is usable: a column, a valid
// tokenizer, NFeatures in [1, 2³¹−1] and a known norm. It returns an error
// wrapping [ErrState] otherwise.
func (v *HashingVectorizer) Validate() error {
	const step = "hashing vectorizer"
	if v.Column == "" {
		return fmt.Errorf("%s: no column: %w", step, ErrState)
	}
	if err := v.Tokenizer.Validate(); err != nil {
		return fmt.Errorf("%s: %w: %w", step, err, ErrState)
	}
	if v.NFeatures < 1 || v.NFeatures > math.MaxInt32 {
		return fmt.Errorf("%s: %d features: %w", step, v.NFeatures, ErrState)
	}
	if int(v.Norm) >= len(normNames) {
		return fmt.Errorf("%s: norm %d: %w", step, v.Norm, ErrState)
	}
	return nil
}

func init() {
	preprocess.Register[*CountVectorizer]("features.count_vectorizer", 1)
	preprocess.Register[*TfidfVectorizer]("features.tfidf_vectorizer", 1)
	preprocess.Register[*HashingVectorizer]("features.hashing_vectorizer", 1)
}
