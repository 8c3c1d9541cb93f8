package mlbeam_test

import (
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/databaseio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	mlbeam "github.com/mlpipe/mlpipe/beam"
	"github.com/mlpipe/mlpipe/preprocess"
	_ "modernc.org/sqlite"
)

// customer is a row of the customers table, as databaseio reads it.
type customer struct {
	ID     string  `mlpipe:"id"`
	Age    *int64  `mlpipe:"age"`
	Income float64 `mlpipe:"income"`
	Plan   sql.NullString
}

// scaled is a row written back: the key and the scaled income.
type scaled struct {
	ID     string  `mlpipe:"id"`
	Income float64 `mlpipe:"income"`
}

func init() {
	beam.RegisterType(reflect.TypeFor[customer]())
	beam.RegisterType(reflect.TypeFor[scaled]())
	beam.RegisterFunction(scaledLine)
}

func scaledLine(s scaled) string { return fmt.Sprintf("%s %.6f", s.ID, s.Income) }

// TestDatabaseRecords reads a table through Beam's databaseio into frames,
// fits a scaler on them, and turns the scaled frames back into structs.
func TestDatabaseRecords(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "customers.db")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE customers (id TEXT, age INTEGER, income REAL, plan TEXT)`); err != nil {
		t.Fatal(err)
	}
	const n = 300
	var sum, sumSq float64
	for i := range n {
		var age any = 20 + i%50
		if i%7 == 0 {
			age = nil
		}
		var plan any = []string{"basic", "pro"}[i%2]
		if i%5 == 0 {
			plan = nil
		}
		income := 1000 + float64(i*i%977)
		sum += income
		sumSq += income * income
		if _, err := db.Exec(`INSERT INTO customers VALUES (?, ?, ?, ?)`, fmt.Sprintf("c%03d", i), age, income, plan); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out := filepath.Join(dir, "scaled.txt")
	p, s := beam.NewPipelineWithRoot()
	rows := databaseio.Query(s, "sqlite", dsn, "SELECT id, age, income, plan FROM customers", reflect.TypeFor[customer]())
	frames, err := mlbeam.FromRecords(s, rows, mlbeam.RecordOptions{BatchRows: 64})
	if err != nil {
		t.Fatal(err)
	}
	steps, transformed, err := mlbeam.FitSteps(s, []preprocess.Incremental{
		preprocess.Impute(preprocess.Median, "age"),
		preprocess.Impute(preprocess.MostFrequent, "Plan"),
		preprocess.StandardScale("income"),
	}, frames)
	if err != nil {
		t.Fatal(err)
	}
	_ = steps
	recs, err := mlbeam.ToRecords(s, transformed, reflect.TypeFor[scaled]())
	if err != nil {
		t.Fatal(err)
	}
	textio.Write(s, out, beam.ParDo(s, scaledLine, recs))
	res := run(t, p)
	if got := mlbeam.Counter(res, "rows"); got != n {
		t.Errorf("rows counter %d, want %d", got, n)
	}
	mean := sum / n
	sd := math.Sqrt(sumSq/n - mean*mean)
	lines := readLines(t, out)
	if len(lines) != n {
		t.Fatalf("%d records written, want %d", len(lines), n)
	}
	for _, l := range lines {
		var id string
		var z float64
		if _, err := fmt.Sscanf(l, "%s %f", &id, &z); err != nil {
			t.Fatal(err)
		}
		var i int
		fmt.Sscanf(id, "c%d", &i)
		want := (1000 + float64(i*i%977) - mean) / sd
		if math.Abs(z-want) > 1e-5 {
			t.Errorf("%s: scaled income %v, want %v", id, z, want)
		}
	}
}

func TestRecordsErrors(t *testing.T) {
	_, s := beam.NewPipelineWithRoot()
	ints := beam.Create(s, 1, 2, 3)
	if _, err := mlbeam.FromRecords(s, ints, mlbeam.RecordOptions{}); err == nil {
		t.Error("FromRecords of ints: no error")
	}
	type bad struct{ C chan int }
	if _, err := mlbeam.ToRecords(s, ints, reflect.TypeFor[bad]()); err == nil {
		t.Error("ToRecords of a struct with a channel: no error")
	}
}
