package features

import (
	"context"
	"errors"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// TestTextStatsMerge fits TF-IDF on the whole frame, on 8 chunks merged,
// and on a stream of batches, and gets the same state.
func TestTextStatsMerge(t *testing.T) {
	ctx := context.Background()
	docs := benchNotes(2000)
	for _, kind := range []string{"string", "categorical"} {
		f := textFrames(t, docs)[kind]
		spec := Tfidf("notes")
		spec.MinDocs, spec.MaxDocFrac, spec.Tokenizer = 3, 0.9, Tokenizer{NGramMax: 2}
		whole, err := spec.Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := preprocess.MarshalFitted(whole)

		// 8 shards, each in its own accumulator, merged.
		var shards []*TextStats
		for k := range 8 {
			part, _ := f.Slice(k*len(docs)/8, (k+1)*len(docs)/8)
			st, err := NewTextStats("notes", spec.Tokenizer)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Add(ctx, part); err != nil {
				t.Fatal(err)
			}
			shards = append(shards, st)
		}
		for _, st := range shards[1:] {
			if err := shards[0].Merge(st); err != nil {
				t.Fatal(err)
			}
		}
		merged, err := spec.FitStats(shards[0])
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := preprocess.MarshalFitted(merged); string(got) != string(want) {
			t.Errorf("%s: merged state differs:\n got %s\nwant %s", kind, got, want)
		}

		// A stream of uneven batches into one accumulator.
		st, _ := NewTextStats("notes", spec.Tokenizer)
		for lo := 0; lo < len(docs); lo += 317 {
			batch, _ := f.Slice(lo, min(lo+317, len(docs)))
			if err := st.Add(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		streamed, err := spec.FitStats(st)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := preprocess.MarshalFitted(streamed); string(got) != string(want) {
			t.Errorf("%s: streamed state differs", kind)
		}
		if st.Docs() != int64(len(docs)) {
			t.Errorf("Docs = %d, want %d", st.Docs(), len(docs))
		}
		cv, err := CountSpec{Column: "notes", VocabOptions: spec.VocabOptions}.FitStats(st)
		if err != nil {
			t.Fatal(err)
		}
		if len(cv.Vocabulary) != len(whole.(*TfidfVectorizer).Vocabulary) {
			t.Errorf("count vocabulary of %d terms, tf-idf of %d", len(cv.Vocabulary), len(whole.(*TfidfVectorizer).Vocabulary))
		}
	}

	a, _ := NewTextStats("notes", Tokenizer{})
	b, _ := NewTextStats("notes", Tokenizer{KeepCase: true})
	if err := a.Merge(b); !errors.Is(err, ErrParam) {
		t.Errorf("merging another tokenizer: %v", err)
	}
	if _, err := Tfidf("notes").FitStats(a); !errors.Is(err, frame.ErrEmpty) {
		t.Errorf("fitting empty stats: %v", err)
	}
	if _, err := Tfidf("other").FitStats(a); !errors.Is(err, ErrParam) {
		t.Errorf("fitting stats of another column: %v", err)
	}
	if _, err := NewTextStats("", Tokenizer{}); !errors.Is(err, ErrParam) {
		t.Errorf("no column: %v", err)
	}
	if err := a.Add(ctx, mustFrame(t, frame.Floats("notes", []float64{1}))); !errors.Is(err, frame.ErrKind) {
		t.Errorf("float column: %v", err)
	}
}
