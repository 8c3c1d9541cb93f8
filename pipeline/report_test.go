package pipeline_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/pipeline"
)

func sampleReport() *pipeline.Report {
	return &pipeline.Report{
		Stages: []pipeline.StageReport{
			{Name: "read", Kind: "extract", Workers: 1, BatchesOut: 12, RowsOut: 120_000,
				Busy: 812345678 * time.Nanosecond, Wall: 1534567890 * time.Nanosecond},
			{Name: "clean", Kind: "transform", Workers: 4, BatchesIn: 12, BatchesOut: 12, RowsIn: 120_000, RowsOut: 119_850,
				Busy: 2345678 * time.Microsecond, Wall: 1498765 * time.Microsecond},
			{Name: "save", Kind: "load", Workers: 1, BatchesIn: 12, RowsIn: 119_850,
				Busy: 45678 * time.Nanosecond, Wall: 1500 * time.Millisecond},
		},
		BatchesIn: 12, BatchesOut: 12, RowsIn: 120_000, RowsOut: 119_850,
		Busy: 3158069356 * time.Nanosecond, Wall: 1541 * time.Millisecond,
	}
}

func TestReportString(t *testing.T) {
	want := `stage  kind       workers  batches in  batches out  rows in  rows out    busy   wall
read   extract          1           0           12        0    120000   812ms  1.53s
clean  transform        4          12           12   120000    119850   2.35s   1.5s
save   load             1          12            0   119850         0  45.7µs   1.5s
total                              12           12   120000    119850   3.16s  1.54s
`
	if got := sampleReport().String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	empty := (&pipeline.Report{}).String()
	if want := "stage  kind  workers  batches in  batches out  rows in  rows out  busy  wall\ntotal                          0            0        0         0    0s    0s\n"; empty != want {
		t.Errorf("empty report String() =\n%q\nwant\n%q", empty, want)
	}
}

func TestReportJSONAndStage(t *testing.T) {
	r := sampleReport()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	const wantPrefix = `{"stages":[{"name":"read","kind":"extract","workers":1,"batches_in":0,"batches_out":12,"rows_in":0,"rows_out":120000,"busy_ns":812345678,"wall_ns":1534567890},`
	if string(data[:len(wantPrefix)]) != wantPrefix {
		t.Errorf("JSON starts %s\nwant %s", data[:len(wantPrefix)], wantPrefix)
	}
	var back pipeline.Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.String() != r.String() {
		t.Errorf("JSON round trip changed the report:\n%s\nwas\n%s", back.String(), r)
	}

	tests := []struct {
		name    string
		ok      bool
		batches int64
	}{
		{"clean", true, 12},
		{"save", true, 0},
		{"missing", false, 0},
	}
	for _, tt := range tests {
		s, ok := r.Stage(tt.name)
		if ok != tt.ok || s.BatchesOut != tt.batches {
			t.Errorf("Stage(%q) = %+v, %v; want ok %v, %d batches out", tt.name, s, ok, tt.ok, tt.batches)
		}
	}
}
