package model

// SetHessianSample sets the least number of rows a logistic Hessian is
// estimated on and returns a function restoring the previous value.
func SetHessianSample(n int) (restore func()) {
	old := hessianSample
	hessianSample = n
	return func() { hessianSample = old }
}
