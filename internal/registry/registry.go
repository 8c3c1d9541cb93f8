// Package registry maps the concrete types of saved values (fitted steps,
// fitted models) to stable kind names, so that a list of values of many types
// can be written as JSON and read back as the same types.
//
// A saved value is an envelope {"kind": K, "version": V, "state": S}, where S is
// the value's own JSON encoding.
package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// ErrUnknownKind is returned when decoding an envelope whose kind was never registered.
var ErrUnknownKind = errors.New("unknown kind")

// ErrVersion is returned when an envelope's version is newer than the registered one.
var ErrVersion = errors.New("unsupported version")

// Envelope is the saved form of one value.
type Envelope struct {
	Kind    string          `json:"kind"`
	Version int             `json:"version"`
	State   json.RawMessage `json:"state"`
}

type entry struct {
	kind    string
	version int
	typ     reflect.Type
}

// Registry maps Go types to kind names. The zero value is empty and ready to
// use; it is safe for concurrent use.
type Registry[I any] struct {
	what   string // "fitted step", "model": used in error messages
	mu     sync.RWMutex
	byKind map[string]entry
	byType map[reflect.Type]entry
}

// New returns an empty registry whose error messages call its values what.
func New[I any](what string) *Registry[I] {
	return &Registry[I]{what: what, byKind: map[string]entry{}, byType: map[reflect.Type]entry{}}
}

// Register records that values of type T are saved under kind at version.
// T must be a pointer type that implements I; Register panics otherwise, or
// if kind or T is registered twice (both are programmer errors at init time).
func Register[I, T any](r *Registry[I], kind string, version int) {
	typ := reflect.TypeFor[T]()
	if typ.Kind() != reflect.Pointer {
		panic(fmt.Sprintf("registry: %s type %v must be a pointer", r.what, typ))
	}
	if !typ.Implements(reflect.TypeFor[I]()) {
		panic(fmt.Sprintf("registry: %v does not implement %v", typ, reflect.TypeFor[I]()))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byKind[kind]; dup {
		panic("registry: kind " + kind + " registered twice")
	}
	if _, dup := r.byType[typ]; dup {
		panic(fmt.Sprintf("registry: type %v registered twice", typ))
	}
	e := entry{kind: kind, version: version, typ: typ}
	r.byKind[kind] = e
	r.byType[typ] = e
}

// Wrap returns the envelope of v. It fails if v's type is not registered or
// its JSON encoding fails.
func (r *Registry[I]) Wrap(v I) (Envelope, error) {
	typ := reflect.TypeOf(v)
	r.mu.RLock()
	e, ok := r.byType[typ]
	r.mu.RUnlock()
	if !ok {
		return Envelope{}, fmt.Errorf("save %s %v: %w (register it first)", r.what, typ, ErrUnknownKind)
	}
	state, err := json.Marshal(v)
	if err != nil {
		return Envelope{}, fmt.Errorf("save %s %s: %w", r.what, e.kind, err)
	}
	return Envelope{Kind: e.kind, Version: e.version, State: state}, nil
}

// Unwrap decodes an envelope into a new value of its registered type.
// It fails with [ErrUnknownKind] for an unregistered kind, [ErrVersion] for a
// version newer than the registered one, and with the JSON error for a bad state.
func (r *Registry[I]) Unwrap(env Envelope) (I, error) {
	var zero I
	r.mu.RLock()
	e, ok := r.byKind[env.Kind]
	r.mu.RUnlock()
	if !ok {
		return zero, fmt.Errorf("load %s %q: %w", r.what, env.Kind, ErrUnknownKind)
	}
	if env.Version > e.version || env.Version < 1 {
		return zero, fmt.Errorf("load %s %q version %d (this build reads up to %d): %w",
			r.what, env.Kind, env.Version, e.version, ErrVersion)
	}
	ptr := reflect.New(e.typ.Elem())
	if err := json.Unmarshal(env.State, ptr.Interface()); err != nil {
		return zero, fmt.Errorf("load %s %q: %w", r.what, env.Kind, err)
	}
	v, _ := ptr.Interface().(I)
	if vv, ok := ptr.Interface().(interface{ Validate() error }); ok {
		if err := vv.Validate(); err != nil {
			return zero, fmt.Errorf("load %s %q: %w", r.what, env.Kind, err)
		}
	}
	return v, nil
}

// Marshal returns the JSON of v's envelope.
func (r *Registry[I]) Marshal(v I) ([]byte, error) {
	env, err := r.Wrap(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(env)
}

// Unmarshal decodes the JSON of an envelope into a value of its registered type.
func (r *Registry[I]) Unmarshal(data []byte) (I, error) {
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		var zero I
		return zero, fmt.Errorf("load %s: %w", r.what, err)
	}
	return r.Unwrap(env)
}
