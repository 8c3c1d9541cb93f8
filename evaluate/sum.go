package evaluate

// Summation that reproduces numpy's float64 np.sum bit for bit on contiguous
// 1-D data: pairwise summation (unrolled by 8, leaves of at most 128
// elements) inside blocks of 8192 elements (numpy's buffer size), the blocks
// added in order. Matching the reference's rounding is what lets the metrics
// agree with scikit-learn to the last bit rather than to 1e-12 only.

const (
	pairwiseBlock = 128
	numpyBufSize  = 8192
)

// sum returns numpy's np.sum(v).
func sum(v []float64) float64 {
	var s float64
	for i := 0; i < len(v); i += numpyBufSize {
		j := min(i+numpyBufSize, len(v))
		s += pairwise(v[i:j])
	}
	return s
}

// mean returns numpy's np.mean(v); v must not be empty.
func mean(v []float64) float64 { return sum(v) / float64(len(v)) }

func pairwise(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		var s float64
		for _, x := range a {
			s += x
		}
		return s
	case n <= pairwiseBlock:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += a[i]
			r[1] += a[i+1]
			r[2] += a[i+2]
			r[3] += a[i+3]
			r[4] += a[i+4]
			r[5] += a[i+5]
			r[6] += a[i+6]
			r[7] += a[i+7]
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += a[i]
		}
		return s
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwise(a[:n2]) + pairwise(a[n2:])
	}
}
