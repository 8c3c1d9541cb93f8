package model

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRankColumns checks the ranks against a plain sort, for columns of
// one value, of 256 and 257 distinct values (the two ranking paths), of
// signed zeros and of many distinct values (16- and 32-bit ranks).
func TestRankColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 70_000
	gens := []func(i int) float64{
		func(int) float64 { return 3.5 },
		func(i int) float64 { return float64(i % 256) },
		func(i int) float64 { return float64(i%257) - 100 },
		func(i int) float64 { return []float64{0, math.Copysign(0, -1), -1, 1e-300}[i%4] },
		func(int) float64 { return float64(r.IntN(1000)) / 7 },
		func(int) float64 { return r.NormFloat64() },
		func(int) float64 { return math.Round(r.NormFloat64()*2) / 2 },
	}
	p := len(gens) + 2 // two columns more, past one batch of rankFew
	x := rowMajor{data: make([]float64, n*p), r: n, c: p, stride: p}
	for i := range n {
		for f := range p {
			x.data[i*p+f] = gens[f%len(gens)](i)
		}
	}
	for _, workers := range []int{1, 3} {
		rk, err := rankColumns(context.Background(), x, workers)
		if err != nil {
			t.Fatal(err)
		}
		for f := range p {
			col := make([]float64, n)
			for i := range n {
				col[i] = x.data[i*p+f]
				if col[i] == 0 {
					col[i] = 0 // -0 ranks as +0
				}
			}
			want := slices.Compact(slices.Sorted(slices.Values(col)))
			c := &rk.cols[f]
			if !slices.Equal(c.vals, want) {
				t.Fatalf("workers %d column %d: %d values, want %d", workers, f, len(c.vals), len(want))
			}
			rows := make([]int32, n)
			for i := range rows {
				rows[i] = int32(i)
			}
			ranks := make([]uint32, n)
			lo, hi := c.gather(rows, ranks)
			if lo != 0 || int(hi) != len(want)-1 {
				t.Errorf("column %d: ranks span [%d, %d], want [0, %d]", f, lo, hi, len(want)-1)
			}
			for i, rank := range ranks {
				if c.vals[rank] != col[i] {
					t.Fatalf("column %d row %d: rank %d is %v, want %v", f, i, rank, c.vals[rank], col[i])
				}
			}
		}
	}
}

func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 47, 48, 1000, 100_000} {
		for _, width := range []int{1, 8, 9, 20, 32} {
			keys, rows := make([]uint32, n), make([]uint32, n)
			for i := range keys {
				keys[i], rows[i] = r.Uint32()>>(32-width), uint32(i)
			}
			type kv struct{ k, r uint32 }
			want := make([]kv, n)
			for i := range want {
				want[i] = kv{keys[i], rows[i]}
			}
			slices.SortStableFunc(want, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
			k, rw := radixSort(keys, rows, make([]uint32, n), make([]uint32, n), width)
			for i := range want {
				if k[i] != want[i].k || rw[i] != want[i].r {
					t.Fatalf("n %d width %d: at %d (%d, row %d), want (%d, row %d)", n, width, i, k[i], rw[i], want[i].k, want[i].r)
				}
			}
		}
	}
}
