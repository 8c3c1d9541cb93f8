package preprocess

import "testing"

// BenchmarkIQRFit fits the quartile fences of four float columns of
// 1,000,000 rows (exact quantiles).
func BenchmarkIQRFit(b *testing.B) {
	benchStep(b, IQR("x0", "x1", "x2", "x3"), false)
}

// BenchmarkWinsorizeFit fits the 1st and 99th percentiles of four float
// columns of 1,000,000 rows (exact quantiles).
func BenchmarkWinsorizeFit(b *testing.B) {
	benchStep(b, Winsorize(0.01, 0.99, "x0", "x1", "x2", "x3"), false)
}
