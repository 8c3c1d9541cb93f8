package etl_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/mlpipe/mlpipe/etl"
)

func collect[T any](t *testing.T, ctx context.Context, e etl.Extractor[T], stopAfter int) ([]T, error) {
	t.Helper()
	var got []T
	errStop := errors.New("stop")
	err := e.Extract(ctx, func(v T) error {
		if stopAfter >= 0 && len(got) == stopAfter {
			return errStop
		}
		got = append(got, v)
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return got, err
}

func TestSliceExtract(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		src       etl.Slice[string]
		ctx       context.Context
		stopAfter int
		want      string
		wantErr   error
	}{
		{"all in order", etl.Slice[string]{"a", "b", "c"}, context.Background(), -1, "[a b c]", nil},
		{"empty", nil, context.Background(), -1, "[]", nil},
		{"emit error stops", etl.Slice[string]{"a", "b", "c"}, context.Background(), 2, "[a b]", nil},
		{"cancelled context", etl.Slice[string]{"a"}, cancelled, -1, "[]", context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, tt.ctx, tt.src, tt.stopAfter)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Extract error = %v, want %v", err, tt.wantErr)
			}
			if fmt.Sprint(got) != tt.want {
				t.Errorf("emitted %v, want %s", got, tt.want)
			}
		})
	}
}

func TestSliceEmitErrorReturned(t *testing.T) {
	errEmit := errors.New("downstream closed")
	calls := 0
	err := etl.Slice[int]{1, 2, 3}.Extract(context.Background(), func(int) error { calls++; return errEmit })
	if !errors.Is(err, errEmit) || calls != 1 {
		t.Fatalf("Extract = %v after %d emits, want %v after 1", err, calls, errEmit)
	}
}

func TestMemoryLoadItemsReset(t *testing.T) {
	var m etl.Memory[int] // the zero value is ready
	if m.Len() != 0 || len(m.Items()) != 0 {
		t.Fatalf("zero Memory holds %v", m.Items())
	}
	for i := range 4 {
		if err := m.Load(context.Background(), i*i); err != nil {
			t.Fatal(err)
		}
	}
	items := m.Items()
	if fmt.Sprint(items) != "[0 1 4 9]" || m.Len() != 4 {
		t.Fatalf("Items = %v, Len = %d, want [0 1 4 9] and 4", items, m.Len())
	}
	items[0] = 100 // a copy: the Memory is unchanged
	if m.Items()[0] != 0 {
		t.Error("Items returned the Memory's own slice")
	}

	got, err := collect[int](t, context.Background(), &m, -1)
	if err != nil || fmt.Sprint(got) != "[0 1 4 9]" {
		t.Errorf("Extract emitted %v, %v; want [0 1 4 9]", got, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Load(ctx, 5); !errors.Is(err, context.Canceled) || m.Len() != 4 {
		t.Errorf("Load on a cancelled context = %v and Len %d, want context.Canceled and 4", err, m.Len())
	}

	m.Reset()
	if m.Len() != 0 {
		t.Errorf("Len after Reset = %d", m.Len())
	}
}

// Loads and reads from many goroutines at once (run with -race).
func TestMemoryConcurrent(t *testing.T) {
	var m etl.Memory[int]
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				if err := m.Load(context.Background(), g*100+i); err != nil {
					t.Error(err)
					return
				}
				_ = m.Items()
				_ = m.Len()
			}
		})
	}
	wg.Wait()
	items := m.Items()
	if len(items) != 400 {
		t.Fatalf("loaded %d items, want 400", len(items))
	}
	seen := make(map[int]bool)
	for _, v := range items {
		seen[v] = true
	}
	if len(seen) != 400 {
		t.Errorf("%d distinct items, want 400", len(seen))
	}
}
