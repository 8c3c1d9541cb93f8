package frame_test

import (
	"fmt"
	"math"

	"github.com/mlpipe/mlpipe/frame"
)

func Example() {
	f, err := frame.New(
		frame.Floats("age", []float64{34, math.NaN(), 51, 29}),
		frame.Categories("country", []string{"US", "DE", "US", ""}, []bool{true, true, true, false}),
		frame.Bools("mobile", []bool{true, false, true, true}, nil),
	)
	if err != nil {
		panic(err)
	}
	fmt.Print(f)
	// Output:
	// age    country      mobile
	// float  categorical  bool
	// 34     US           true
	// NA     DE           false
	// 51     US           true
	// 29     NA           true
	// [4 rows × 3 columns]
}

func ExampleFrame_Describe() {
	f, _ := frame.New(
		frame.Floats("income", []float64{10, 20, 30, math.NaN(), 40}),
		frame.Categories("plan", []string{"basic", "pro", "basic", "basic", "pro"}, nil),
	)
	d := f.Describe()
	fmt.Printf("%s: count %d missing %d mean %.1f median %.1f\n", d[0].Name, d[0].Count, d[0].Missing, d[0].Mean, d[0].Q50)
	fmt.Printf("%s: unique %d top %s freq %d\n", d[1].Name, d[1].Unique, d[1].Top, d[1].Freq)
	// Output:
	// income: count 4 missing 1 mean 25.0 median 25.0
	// plan: unique 2 top basic freq 3
}

func ExampleFrame_Matrix() {
	f, _ := frame.New(
		frame.Floats("x1", []float64{1, 2, 3}),
		frame.Bools("x2", []bool{true, false, true}, nil),
		frame.Categories("city", []string{"a", "b", "a"}, nil),
	)
	X, names, err := f.Matrix("x1", "x2")
	if err != nil {
		panic(err)
	}
	fmt.Println(names, X.RawMatrix().Data)
	_, _, err = f.Matrix("city")
	fmt.Println(err)
	// Output:
	// [x1 x2] [1 1 2 0 3 1]
	// matrix column "city" is categorical; only float and bool columns go into a matrix (encode it first): wrong column kind
}

func ExampleFrame_Take() {
	f, _ := frame.New(frame.Floats("x", []float64{10, 11, 12, 13}))
	g, _ := f.Take([]int{3, 0})
	x, _ := g.Float("x")
	fmt.Println(x)
	// Output: [13 10]
}

func ExampleConcat() {
	a, _ := frame.New(frame.Categories("c", []string{"x", "y"}, nil))
	b, _ := frame.New(frame.Categories("c", []string{"z", "x"}, nil))
	f, _ := frame.Concat(a, b)
	c, _ := f.Categorical("c")
	fmt.Println(c.Codes(), c.Dict())
	// Output: [0 1 2 0] [x y z]
}
