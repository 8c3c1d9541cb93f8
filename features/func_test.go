package features

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// spendPerTicket adds monthly_spend / (support_tickets + 1).
func spendPerTicket(_ context.Context, f *frame.Frame) (*frame.Frame, error) {
	spend, err := f.Float("spend")
	if err != nil {
		return nil, err
	}
	tickets, err := f.Float("tickets")
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(spend))
	for i := range out {
		out[i] = spend[i] / (tickets[i] + 1)
	}
	return f.With("spend_per_ticket", frame.NewFloat(out))
}

func TestFunc(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t, frame.Floats("spend", []float64{10, 30}), frame.Floats("tickets", []float64{0, 2}))
	fitted, out := fitTransform(t, Func("test.spend_per_ticket", spendPerTicket), f)
	got, _ := out.Float("spend_per_ticket")
	assertClose(t, "spend per ticket", got, []float64{10, 10}, 0)
	roundTrip(t, fitted, f)

	// The same function again is fine; another under the same name is not.
	if _, err := Func("test.spend_per_ticket", spendPerTicket).Fit(ctx, f); err != nil {
		t.Errorf("registering the same function twice: %v", err)
	}
	other := func(_ context.Context, f *frame.Frame) (*frame.Frame, error) { return f, nil }
	if _, err := Func("test.spend_per_ticket", other).Fit(ctx, f); !errors.Is(err, ErrParam) {
		t.Errorf("another function under a taken name: %v, want ErrParam", err)
	}
	// A failing function names the step; a frame without the columns fails.
	if _, err := fitted.Transform(ctx, mustFrame(t, frame.Floats("spend", []float64{1}))); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("transform without tickets: %v, want ErrNoColumn", err)
	}
	if _, err := fitted.(FeatureNamer).FeatureNamesOut([]string{"spend"}); !errors.Is(err, ErrParam) {
		t.Errorf("names for other inputs: %v, want ErrParam", err)
	}
	// Loading a pipeline whose function this program never registered.
	_, err := preprocess.UnmarshalFitted([]byte(`{"kind":"features.func","version":1,"state":{"name":"test.nowhere","in":[],"out":[]}}`))
	if !errors.Is(err, ErrUnknownFunc) {
		t.Errorf("loading an unregistered function: %v, want ErrUnknownFunc", err)
	}
	if err := RegisterFunc("", other); !errors.Is(err, ErrParam) {
		t.Errorf("empty name: %v", err)
	}
	if _, err := Func("test.failing", func(context.Context, *frame.Frame) (*frame.Frame, error) {
		return nil, fmt.Errorf("boom")
	}).Fit(ctx, f); err == nil || err.Error() != `function step "test.failing": boom` {
		t.Errorf("failing function: %v", err)
	}
	if !reflect.DeepEqual(fitted.(*FuncStep).Out, []string{"spend", "tickets", "spend_per_ticket"}) {
		t.Errorf("recorded output names %v", fitted.(*FuncStep).Out)
	}
}
