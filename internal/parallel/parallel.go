// Package parallel holds the bounded, cancellable fan-out the library's
// packages share, and the fixed chunking that keeps parallel results
// independent of the number of workers.
package parallel

import (
	"context"
	"runtime"

	"golang.org/x/sync/errgroup"
)

// For runs fn(ctx, i) for every i in [0, n) on at most workers goroutines
// at once (GOMAXPROCS when workers < 1). The first error cancels the ctx
// given to the other calls and is returned; no new call starts once ctx or
// that ctx is cancelled, and a cancelled ctx's error is returned. For
// returns when every call it started has returned; with n == 1 it calls fn
// on the caller's goroutine.
func For(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if n == 1 {
		return fn(ctx, 0)
	}
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range n {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return fn(gctx, i)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// Chunks returns the [lo, hi) bounds of n rows cut into pieces of size rows
// (the last one shorter), or the one empty range [0, 0) when n is 0. The
// bounds depend on n and size only, never on the number of workers, so
// results merged in chunk order are the same whatever GOMAXPROCS is.
// size < 1 is taken as 1.
func Chunks(n, size int) [][2]int {
	size = max(size, 1)
	out := make([][2]int, 0, max(1, (n+size-1)/size))
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(lo+size, n)})
	}
	if len(out) == 0 {
		out = append(out, [2]int{0, 0})
	}
	return out
}
