package etl

import (
	"context"
	"slices"
	"sync"
)

// Slice is an in-memory [Extractor]: its Extract emits the slice's items in
// order. Write etl.Slice[T]{a, b, c}, or convert a slice you hold,
// etl.Slice[*frame.Frame](batches). The items are emitted as they are, not
// copied. A Slice may be extracted any number of times, concurrently too, as
// long as nobody modifies it meanwhile.
type Slice[T any] []T

var _ Extractor[int] = Slice[int](nil)

// Extract emits the items in order. It returns nil once all are emitted, the
// first error emit returns, or ctx.Err() if ctx is done before an item is
// emitted.
func (s Slice[T]) Extract(ctx context.Context, emit func(T) error) error {
	for _, v := range s {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(v); err != nil {
			return err
		}
	}
	return nil
}

// Memory is an in-memory [Loader] that collects the values loaded into it,
// in order, and an [Extractor] that emits what it holds. Its zero value is
// an empty Memory ready to use: pass new(etl.Memory[T]) as the sink of a
// pipeline and read [Memory.Items] after the run. All its methods are safe
// for concurrent use, so Items may be read while a run is still loading,
// giving a snapshot. Values are stored as they are, not copied.
type Memory[T any] struct {
	mu    sync.Mutex
	items []T
}

var (
	_ Loader[int]    = (*Memory[int])(nil)
	_ Extractor[int] = (*Memory[int])(nil)
)

// Load appends v. It returns ctx.Err() without appending if ctx is done.
func (m *Memory[T]) Load(ctx context.Context, v T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	m.items = append(m.items, v)
	m.mu.Unlock()
	return nil
}

// Items returns a copy of the values loaded so far, in order: a new slice
// the caller may keep and modify (the values in it are shared).
func (m *Memory[T]) Items() []T {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.items)
}

// Len returns how many values have been loaded.
func (m *Memory[T]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Reset removes every value, so the Memory may collect another run.
func (m *Memory[T]) Reset() {
	m.mu.Lock()
	m.items = nil
	m.mu.Unlock()
}

// Extract emits the values held when it is called, in load order, as
// [Slice.Extract] does; values loaded meanwhile are not emitted. So one
// pipeline's sink can be the next pipeline's source.
func (m *Memory[T]) Extract(ctx context.Context, emit func(T) error) error {
	return Slice[T](m.Items()).Extract(ctx, emit)
}
