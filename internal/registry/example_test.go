package registry_test

import (
	"fmt"

	"github.com/mlpipe/mlpipe/internal/registry"
)

type shape interface{ Area() float64 }

type square struct {
	Side float64 `json:"side"`
}

func (s *square) Area() float64 { return s.Side * s.Side }

// Save a value of an interface type and read it back as its own type.
func Example() {
	shapes := registry.New[shape]("shape")
	registry.Register[shape, *square](shapes, "square", 1)

	b, err := shapes.Marshal(&square{Side: 3})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	back, err := shapes.Unmarshal(b)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%T %v\n", back, back.Area())

	_, err = shapes.Unmarshal([]byte(`{"kind":"circle","version":1,"state":{}}`))
	fmt.Println(err)
	// Output:
	// {"kind":"square","version":1,"state":{"side":3}}
	// *registry_test.square 9
	// load shape "circle": unknown kind
}
