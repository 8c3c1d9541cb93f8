package etl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

// postgresDSN is the test server's connection string.
func postgresDSN() string {
	if dsn := os.Getenv("MLPIPE_POSTGRES_DSN"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// namedPostgres opens a second pool on the test server whose connections
// carry application_name app, so that another connection can find and
// terminate them.
func namedPostgres(t *testing.T, app string) *sql.DB {
	t.Helper()
	postgresDB(t) // skips, or fails under CI, without a server
	u, err := url.Parse(postgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	db, err := OpenPostgres(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// terminate kills the server processes of app's connections from admin's
// connection and returns how many it killed.
func terminate(t *testing.T, admin *sql.DB, app string) int {
	t.Helper()
	var n int
	err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func idFrame(t *testing.T, from, n int) *frame.Frame {
	ids := make([]float64, n)
	vals := make([]string, n)
	for i := range ids {
		ids[i] = float64(from + i)
		vals[i] = fmt.Sprintf("v%d", from+i)
	}
	return mustFrame(t, frame.Floats("id", ids), frame.Strings("v", vals, nil))
}

func countRows(t *testing.T, db *sql.DB, table string) (n, distinct int) {
	t.Helper()
	if err := db.QueryRow(fmt.Sprintf(`SELECT count(*), count(DISTINCT id) FROM %s`, quoteIdent(table))).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	return n, distinct
}

// TestPostgresConnectionDroppedDuringLoad: the server ends the writer's
// connection between two Loads and in the middle of one (pg_terminate_backend
// from a second connection), through both the INSERT and the COPY paths.
// The load fails with the server's error, the table keeps only what was
// committed before, and a re-run with upsert on the key gives exactly the
// expected rows.
func TestPostgresConnectionDroppedDuringLoad(t *testing.T) {
	admin := postgresDB(t)
	for _, tc := range []struct {
		name string
		key  []string
	}{{"insert", []string{"id"}}, {"copy", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			table := tableName(t, admin)
			if _, err := admin.Exec(fmt.Sprintf(`CREATE TABLE %s (id DOUBLE PRECISION PRIMARY KEY, v TEXT)`, quoteIdent(table))); err != nil {
				t.Fatal(err)
			}
			// 100 rows committed before the faulty run.
			w0, _ := NewSQLWriter(admin, SQLWriterOptions{Table: table})
			if err := w0.Load(ctx, idFrame(t, 0, 100)); err != nil {
				t.Fatal(err)
			}
			if err := w0.Close(); err != nil {
				t.Fatal(err)
			}

			// Between Loads: the first batch is in the open transaction
			// when the connection dies.
			app := fmt.Sprintf("mlpipe_fault_%d", time.Now().UnixNano())
			db := namedPostgres(t, app)
			w, _ := NewSQLWriter(db, SQLWriterOptions{Table: table, Key: tc.key, RowsPerStatement: 50})
			if err := w.Load(ctx, idFrame(t, 100, 500)); err != nil {
				t.Fatal(err)
			}
			if n := terminate(t, admin, app); n == 0 {
				t.Fatal("no connection to terminate")
			}
			errLoad := w.Load(ctx, idFrame(t, 600, 500))
			errClose := w.Close()
			if errLoad == nil && errClose == nil {
				t.Fatal("load and close succeeded on a terminated connection")
			}
			if n, _ := countRows(t, admin, table); n != 100 {
				t.Fatalf("table holds %d rows after the failed run, want the 100 committed before", n)
			}

			// In the middle of a Load: a large frame, the connection ended
			// once its statement runs. The run may win the race and commit
			// whole; it must never leave part of it.
			app2 := app + "_mid"
			db2 := namedPostgres(t, app2)
			w2, _ := NewSQLWriter(db2, SQLWriterOptions{Table: table, Key: tc.key, RowsPerStatement: 1000})
			big := idFrame(t, 100, 200_000)
			done := make(chan error, 1)
			go func() {
				err := w2.Load(ctx, big)
				done <- errors.Join(err, w2.Close())
			}()
			killed := 0
			deadline := time.Now().Add(10 * time.Second)
			for killed == 0 && time.Now().Before(deadline) {
				var active int
				admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`, app2).Scan(&active)
				if active > 0 {
					killed = terminate(t, admin, app2)
				}
				select {
				case err := <-done:
					done <- err
					deadline = time.Time{}
				default:
					time.Sleep(time.Millisecond)
				}
			}
			var errMid error
			select {
			case errMid = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the load did not return after its connection was terminated")
			}
			n, _ := countRows(t, admin, table)
			switch {
			case errMid != nil && n != 100:
				t.Fatalf("failed load (%v) left %d rows, want 100", errMid, n)
			case errMid == nil && n != 200_100:
				t.Fatalf("committed load left %d rows, want 200100", n)
			}
			t.Logf("terminated %d connection(s) mid-load: %v; table holds %d rows", killed, errMid, n)

			// The re-run with upsert on the key gives exactly the rows.
			w3, _ := NewSQLWriter(admin, SQLWriterOptions{Table: table, Key: []string{"id"}})
			for _, f := range []*frame.Frame{idFrame(t, 0, 600), idFrame(t, 100, 1000)} {
				if err := w3.Load(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			if err := w3.Close(); err != nil {
				t.Fatal(err)
			}
			want := 1100
			if errMid == nil {
				want = 200_100
			}
			if n, d := countRows(t, admin, table); n != want || d != want {
				t.Fatalf("after the upsert re-run: %d rows, %d distinct ids, want %d", n, d, want)
			}
			var v string
			admin.QueryRow(fmt.Sprintf(`SELECT v FROM %s WHERE id = 1099`, quoteIdent(table))).Scan(&v)
			if v != "v1099" {
				t.Fatalf("row 1099 holds %q", v)
			}
		})
	}
}
