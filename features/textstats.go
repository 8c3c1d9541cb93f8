package features

import (
	"context"
	"fmt"
	"reflect"

	"github.com/mlpipe/mlpipe/frame"
)

// TextStats accumulates what a count or TF-IDF vectoriser learns from a
// text column — the number of documents and each term's document
// frequency and total count — batch by batch: [TextStats.Add] a batch,
// [TextStats.Merge] two accumulators (shards fitted on different machines
// or goroutines), then finalise with [CountSpec.FitStats] or
// [TfidfSpec.FitStats]. The counts are integers, so the result is exactly
// that of fitting on all the rows at once, whatever the batches: a column
// larger than memory can be fitted as a stream.
//
// A TextStats is not safe for concurrent use: Add and Merge modify it.
// Fill one per goroutine and merge them.
type TextStats struct {
	column string
	tok    Tokenizer
	ctok   *tokenizer
	docs   int64
	index  map[string]int32
	counts termCounts
}

// NewTextStats returns an empty accumulator of the statistics of column
// split by tok. It returns an error wrapping [ErrParam] for an empty column
// name or an invalid tokenizer.
func NewTextStats(column string, tok Tokenizer) (*TextStats, error) {
	c, err := tok.compile()
	if err != nil {
		return nil, fmt.Errorf("text stats: %w", err)
	}
	if column == "" {
		return nil, fmt.Errorf("text stats: no column: %w", ErrParam)
	}
	return &TextStats{column: column, tok: tok, ctok: c, index: map[string]int32{}}, nil
}

// Docs returns the number of documents (rows) added.
func (s *TextStats) Docs() int64 { return s.docs }

// Terms returns the number of distinct terms seen.
func (s *TextStats) Terms() int { return len(s.counts.terms) }

// Add tokenises the text column of the batch f, in parallel chunks, and
// adds its statistics. A missing text is an empty document. It returns an
// error wrapping frame.ErrNoColumn or frame.ErrKind when f lacks a string
// or categorical column of that name, and ctx.Err() when ctx is
// cancelled, in which case s is unchanged.
func (s *TextStats) Add(ctx context.Context, f *frame.Frame) error {
	tc, err := textOf("text stats", f, s.column)
	if err != nil {
		return err
	}
	parts, err := scanTerms(ctx, s.ctok, tc.docs, tc.weights(), false)
	if err != nil {
		return err
	}
	counts, _ := mergeCounts(parts)
	s.add(counts, int64(tc.rows))
	return nil
}

func (s *TextStats) add(c *termCounts, docs int64) {
	s.docs += docs
	for i, t := range c.terms {
		id, ok := s.index[t]
		if !ok {
			id = int32(len(s.counts.terms))
			s.index[t] = id
			s.counts.terms = append(s.counts.terms, t)
			s.counts.df = append(s.counts.df, 0)
			s.counts.tf = append(s.counts.tf, 0)
		}
		s.counts.df[id] += c.df[i]
		s.counts.tf[id] += c.tf[i]
	}
}

// Merge adds the statistics of o to s; o is not changed. It returns an
// error wrapping [ErrParam] when o counts another column or splits text
// with another tokenizer.
func (s *TextStats) Merge(o *TextStats) error {
	if o.column != s.column || !reflect.DeepEqual(o.tok, s.tok) {
		return fmt.Errorf("text stats: merging column %q (%+v) into column %q (%+v): %w", o.column, o.tok, s.column, s.tok, ErrParam)
	}
	s.add(&o.counts, o.docs)
	return nil
}

func (s *TextStats) check(step, column string, tok Tokenizer) error {
	if s.column != column || !reflect.DeepEqual(s.tok, tok) {
		return fmt.Errorf("%s: statistics of column %q (%+v) for a step on column %q (%+v): %w", step, s.column, s.tok, column, tok, ErrParam)
	}
	if s.docs == 0 {
		return fmt.Errorf("%s: no documents added: %w", step, frame.ErrEmpty)
	}
	return nil
}

// FitStats returns the count vectoriser learned from accumulated
// statistics, the same as Fit on all the rows added. It returns an error
// wrapping [ErrParam] when st counts another column or uses another
// tokenizer than s, or for bad options; frame.ErrEmpty when st holds no
// documents; and [ErrEmptyVocabulary] when no term is kept.
func (s CountSpec) FitStats(st *TextStats) (*CountVectorizer, error) {
	const step = "count vectorizer"
	if err := s.validate(step); err != nil {
		return nil, err
	}
	if err := st.check(step, s.Column, s.Tokenizer); err != nil {
		return nil, err
	}
	keep, err := selectTerms(step, s.Column, s.VocabOptions, &st.counts, st.docs)
	if err != nil {
		return nil, err
	}
	terms := make([]string, len(keep))
	for k, i := range keep {
		terms[k] = st.counts.terms[i]
	}
	return &CountVectorizer{vocabState: vocabState{Column: s.Column, Tokenizer: s.Tokenizer,
		Vocabulary: terms, Binary: s.Binary, MaxDense: s.MaxDense}}, nil
}

// FitStats returns the TF-IDF vectoriser learned from accumulated
// statistics, the same as Fit on all the rows added. It returns the errors
// of [CountSpec.FitStats], and one wrapping [ErrParam] for an unknown norm.
func (s TfidfSpec) FitStats(st *TextStats) (*TfidfVectorizer, error) {
	const step = "tf-idf vectorizer"
	if int(s.Norm) >= len(normNames) {
		return nil, fmt.Errorf("%s: norm %d: %w", step, s.Norm, ErrParam)
	}
	if err := s.validate(step); err != nil {
		return nil, err
	}
	if err := st.check(step, s.Column, s.Tokenizer); err != nil {
		return nil, err
	}
	keep, err := selectTerms(step, s.Column, s.VocabOptions, &st.counts, st.docs)
	if err != nil {
		return nil, err
	}
	terms := make([]string, len(keep))
	df := make([]int64, len(keep))
	for k, i := range keep {
		terms[k], df[k] = st.counts.terms[i], st.counts.df[i]
	}
	return s.vectorizer(terms, df, st.docs), nil
}
