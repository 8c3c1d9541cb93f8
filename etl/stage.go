package etl

import "context"

// An Extractor produces values of type T, usually batches of rows as
// *frame.Frame, by calling emit once per value in order. Extract returns when
// the source is exhausted (nil), when emit returns an error (that error,
// possibly wrapped), or when ctx is cancelled (ctx.Err(), possibly wrapped).
// An Extractor that holds a file or connection also implements io.Closer.
type Extractor[T any] interface {
	Extract(ctx context.Context, emit func(T) error) error
}

// ExtractorFunc adapts an ordinary function to the [Extractor] interface.
type ExtractorFunc[T any] func(ctx context.Context, emit func(T) error) error

// Extract calls f(ctx, emit).
func (f ExtractorFunc[T]) Extract(ctx context.Context, emit func(T) error) error { return f(ctx, emit) }

// A Transformer turns one value into another: a batch of rows into a cleaned
// batch, a frame into a matrix. Implementations used with more than one
// worker must be safe for concurrent use.
type Transformer[In, Out any] interface {
	Transform(ctx context.Context, in In) (Out, error)
}

// TransformerFunc adapts an ordinary function to the [Transformer] interface.
type TransformerFunc[In, Out any] func(ctx context.Context, in In) (Out, error)

// Transform calls f(ctx, in).
func (f TransformerFunc[In, Out]) Transform(ctx context.Context, in In) (Out, error) {
	return f(ctx, in)
}

// A Loader writes values of type T to their destination: a file, a table, memory.
// Load is called once per value, in order, from one goroutine at a time.
// A Loader that must flush or commit at the end also implements io.Closer;
// its Close is called once after the last Load of a run that succeeded, and
// of a failed run too unless the loader is also an [Aborter].
type Loader[T any] interface {
	Load(ctx context.Context, batch T) error
}

// An Aborter is a loader that can discard what a failed or cancelled run
// wrote: the file writers remove their temporary file and leave the final
// path untouched, the SQL writer rolls its transaction back. A runner that
// knows its run failed calls Abort instead of Close; Abort returns the error
// of the discarding itself (removing a file, a rollback), if any.
type Aborter interface {
	Abort() error
}

// LoaderFunc adapts an ordinary function to the [Loader] interface.
type LoaderFunc[T any] func(ctx context.Context, batch T) error

// Load calls f(ctx, batch).
func (f LoaderFunc[T]) Load(ctx context.Context, batch T) error { return f(ctx, batch) }
