package registry

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

type thing interface{ Name() string }

type apple struct {
	Size int `json:"size"`
}

func (a *apple) Name() string { return "apple" }

func (a *apple) Validate() error {
	if a.Size < 0 {
		return errors.New("negative size")
	}
	return nil
}

type pear struct{}

func (p *pear) Name() string { return "pear" }

func TestRoundTrip(t *testing.T) {
	r := New[thing]("thing")
	Register[thing, *apple](r, "apple", 2)
	b, err := r.Marshal(&apple{Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"kind":"apple","version":2,"state":{"size":3}}`; string(b) != want {
		t.Fatalf("envelope %s, want %s", b, want)
	}
	v, err := r.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := v.(*apple); !ok || a.Size != 3 {
		t.Fatalf("decoded %#v", v)
	}
	// An older version is read.
	if _, err := r.Unmarshal([]byte(`{"kind":"apple","version":1,"state":{"size":1}}`)); err != nil {
		t.Errorf("older version: %v", err)
	}
}

func TestErrors(t *testing.T) {
	r := New[thing]("thing")
	Register[thing, *apple](r, "apple", 1)
	if _, err := r.Marshal(&pear{}); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("marshal unregistered: %v", err)
	}
	for in, want := range map[string]error{
		`{"kind":"pear","version":1,"state":{}}`:       ErrUnknownKind,
		`{"kind":"apple","version":2,"state":{}}`:      ErrVersion,
		`{"kind":"apple","version":0,"state":{}}`:      ErrVersion,
		`{"kind":"apple","version":1,"state":{"size":`: nil,
		`{"kind":"apple","version":1,"state":[1]}`:     nil,
	} {
		_, err := r.Unmarshal([]byte(in))
		if err == nil || (want != nil && !errors.Is(err, want)) {
			t.Errorf("Unmarshal(%s) = %v, want %v", in, err, want)
		}
	}
	_, err := r.Unmarshal([]byte(`{"kind":"apple","version":1,"state":{"size":-1}}`))
	if err == nil || !strings.Contains(err.Error(), "negative size") {
		t.Errorf("Validate not called: %v", err)
	}
	var env Envelope
	if err := json.Unmarshal([]byte(`{"kind":"apple","version":1,"state":{"size":5}}`), &env); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Unwrap(env); err != nil || v.(*apple).Size != 5 {
		t.Errorf("Unwrap: %v %v", v, err)
	}
}

func TestRegisterPanicsOnProgrammerError(t *testing.T) {
	r := New[thing]("thing")
	Register[thing, *apple](r, "apple", 1)
	for name, f := range map[string]func(){
		"kind twice": func() { Register[thing, *pear](r, "apple", 1) },
		"type twice": func() { Register[thing, *apple](r, "apple2", 1) },
		"not a pointer": func() {
			Register[thing, thing](r, "iface", 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
