package model

// SetHessianSample sets the least number of rows a logistic Hessian is
// estimated on and returns a function restoring the previous value.
func SetHessianSample(n int) (restore func()) {
	old := hessianSample
	hessianSample = n
	return func() { hessianSample = old }
}

// SetMaxNewtonDim sets the most parameters a logistic regression solves by
// Newton's method (beyond, L-BFGS) and returns a function restoring it.
func SetMaxNewtonDim(n int) (restore func()) {
	old := maxNewtonDim
	maxNewtonDim = n
	return func() { maxNewtonDim = old }
}
