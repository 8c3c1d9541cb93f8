package etl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

// postgresDB connects to the PostgreSQL at MLPIPE_POSTGRES_DSN (default a
// local server, database test). Without one the test is skipped, except
// under CI=true, where it fails.
func postgresDB(t *testing.T) *sql.DB {
	t.Helper()
	dsn := os.Getenv("MLPIPE_POSTGRES_DSN")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	db, err := OpenPostgres(ctx, dsn)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s: %v", dsn, err)
		}
		t.Skipf("PostgreSQL not reachable at %s (set MLPIPE_POSTGRES_DSN): %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sqliteDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := OpenSQLite(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type sqlBackend struct {
	name string
	db   func(*testing.T) *sql.DB
	ph   func(int) string // placeholder n
}

var sqlBackends = []sqlBackend{
	{"sqlite", sqliteDB, func(int) string { return "?" }},
	{"postgres", postgresDB, func(n int) string { return fmt.Sprintf("$%d", n) }},
}

func tableName(t *testing.T, db *sql.DB) string {
	name := fmt.Sprintf("etl_test_%d", time.Now().UnixNano())
	t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS " + quoteIdent(name)) })
	return name
}

func sqlFixture(t *testing.T) *frame.Frame {
	t0 := time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC)
	return mustFrame(t,
		frame.Floats("id", []float64{1, 2, 3}),
		frame.Floats("x", []float64{1.5, math.NaN(), -2}),
		frame.Categories("c", []string{"a", "", "b"}, []bool{true, false, true}),
		frame.Strings("s", []string{"it's", "say \"hi\"", "x"}, nil),
		frame.Times("t", []time.Time{t0, t0.Add(time.Hour), {}}, nil),
		frame.Bools("b", []bool{true, false, true}, []bool{true, true, false}),
	)
}

var sqlFixtureSchema = map[string]frame.Kind{"c": frame.Categorical, "s": frame.String}

func readSQL(t *testing.T, x *SQLExtractor, limit int) (*frame.Frame, error) {
	t.Helper()
	var frames []*frame.Frame
	err := x.Extract(context.Background(), func(f *frame.Frame) error {
		if limit > 0 && f.NumRows() > limit {
			t.Errorf("batch of %d rows, limit %d", f.NumRows(), limit)
		}
		frames = append(frames, f)
		return nil
	})
	if err != nil || len(frames) == 0 {
		return nil, err
	}
	return frame.Concat(frames...)
}

func TestSQLRoundTrip(t *testing.T) {
	for _, be := range sqlBackends {
		t.Run(be.name, func(t *testing.T) {
			db := be.db(t)
			table := tableName(t, db)
			f := sqlFixture(t)
			w, err := NewSQLWriter(db, SQLWriterOptions{Table: table, Create: true, Key: []string{"id"}, RowsPerStatement: 2})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := w.Load(ctx, must(f.Slice(0, 1))); err != nil {
				t.Fatal(err)
			}
			if err := w.Load(ctx, must(f.Slice(1, 3))); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			x := SQL(db, "SELECT * FROM "+quoteIdent(table)+" ORDER BY id", nil, SQLOptions{Schema: sqlFixtureSchema, BatchRows: 2})
			got, err := readSQL(t, x, 2)
			if err != nil {
				t.Fatal(err)
			}
			if dump(got) != dump(f) {
				t.Errorf("read back\n%s\nwant\n%s", dump(got), dump(f))
			}
			if st := x.Stats(); st.Rows != 3 || st.Batches != 2 || st.Records != 3 {
				t.Errorf("stats %+v", st)
			}
			// Kinds from the declared types, without a schema.
			x = SQL(db, "SELECT id, x, c, t, b FROM "+quoteIdent(table)+" WHERE id >= "+be.ph(1), []any{2}, SQLOptions{})
			got, err = readSQL(t, x, 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := "id:float x:float c:categorical t:time b:bool\n2|<NA>|<NA>|2024-01-31T11:00:00Z|false\n3|-2|\"b\"|<NA>|<NA>\n"; dump(got) != want {
				t.Errorf("query with args\n%s\nwant\n%s", dump(got), want)
			}

			// Upsert: a re-run with changed values does not duplicate rows.
			w, _ = NewSQLWriter(db, SQLWriterOptions{Table: table, Key: []string{"id"}})
			changed := must(f.With("x", frame.NewFloat([]float64{10, 20, 30})))
			if err := w.Load(ctx, changed); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, err = readSQL(t, SQL(db, "SELECT id, x FROM "+quoteIdent(table)+" ORDER BY id", nil, SQLOptions{}), 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := "id:float x:float\n1|10\n2|20\n3|30\n"; dump(got) != want {
				t.Errorf("after upsert\n%s\nwant\n%s", dump(got), want)
			}
		})
	}
}

func TestSQLWriterRollsBack(t *testing.T) {
	for _, be := range sqlBackends {
		t.Run(be.name, func(t *testing.T) {
			db := be.db(t)
			ctx := context.Background()
			count := func(table string) (int, error) {
				var n int
				err := db.QueryRow("SELECT count(*) FROM " + quoteIdent(table)).Scan(&n)
				return n, err
			}
			f := sqlFixture(t)

			// A failed Load: the transaction, table creation included, is undone.
			table := tableName(t, db)
			w, _ := NewSQLWriter(db, SQLWriterOptions{Table: table, Create: true})
			if err := w.Load(ctx, f); err != nil {
				t.Fatal(err)
			}
			if err := w.Load(ctx, must(f.Select("id"))); !errors.Is(err, ErrSchema) {
				t.Errorf("other columns: %v", err)
			}
			bad := must(f.Rename("x", "nope"))
			if err := w.Load(ctx, bad); err == nil {
				t.Error("load of unknown column succeeded")
			}
			if err := w.Close(); err == nil {
				t.Error("close after a failed load returned nil")
			}
			if _, err := count(table); err == nil {
				t.Error("table exists after rollback")
			}

			// Abort and failed runs roll back too.
			table = tableName(t, db)
			if _, err := db.Exec("CREATE TABLE " + quoteIdent(table) + " (id REAL PRIMARY KEY)"); err != nil {
				t.Fatal(err)
			}
			w, _ = NewSQLWriter(db, SQLWriterOptions{Table: table})
			w.Load(ctx, must(f.Select("id")))
			w.Abort()
			stageFailed := errors.New("stage failed")
			for _, noCopy := range []bool{false, true} {
				cctx, cancel := context.WithCancelCause(ctx)
				w, _ = NewSQLWriter(db, SQLWriterOptions{Table: table, NoCopy: noCopy})
				w.Load(cctx, must(f.Select("id")))
				cancel(stageFailed)
				if err := w.Close(); !errors.Is(err, stageFailed) {
					t.Errorf("close after a failed run: %v", err)
				}
			}
			if n, err := count(table); err != nil || n != 0 {
				t.Errorf("%d rows after abort and failed runs (%v), want 0", n, err)
			}
			// A plain cancellation, as errgroup ends a successful run, must
			// not roll back (database/sql would, were the transaction tied
			// to that context).
			for _, noCopy := range []bool{false, true} {
				cctx, cancel := context.WithCancelCause(ctx)
				w, _ = NewSQLWriter(db, SQLWriterOptions{Table: table, NoCopy: noCopy})
				w.Load(cctx, mustFrame(t, frame.Floats("id", []float64{float64(10 + len(fmt.Sprint(noCopy)))})))
				cancel(nil)
				if err := w.Close(); err != nil {
					t.Errorf("close after a successful run: %v", err)
				}
			}
			if n, err := count(table); err != nil || n != 2 {
				t.Errorf("%d rows after two successful runs (%v), want 2", n, err)
			}
			db.Exec("DELETE FROM " + quoteIdent(table))
			// Without Key a duplicate primary key is the database's error.
			w, _ = NewSQLWriter(db, SQLWriterOptions{Table: table})
			dup := mustFrame(t, frame.Floats("id", []float64{1, 1}))
			if err := w.Load(ctx, dup); err == nil {
				t.Error("duplicate key accepted")
			}
			w.Close()
		})
	}
}

func TestSQLExtractErrors(t *testing.T) {
	db := sqliteDB(t)
	ctx := context.Background()
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER, v)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO t VALUES (1, 1.5), (2, 'abc'), (3, 2), (4, NULL)`); err != nil {
		t.Fatal(err)
	}
	// A value that does not fit the schema: Fail names the record.
	_, err := readSQL(t, SQL(db, "SELECT * FROM t ORDER BY id", nil, SQLOptions{Name: "t", Schema: map[string]frame.Kind{"v": frame.Float}}), 0)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Record != 2 || pe.ColumnName != "v" || !errors.Is(err, ErrNotNumber) {
		t.Fatalf("err = %v", err)
	}
	// Reject counts it.
	var rejects Memory[Rejected]
	x := SQL(db, "SELECT * FROM t ORDER BY id", nil, SQLOptions{Schema: map[string]frame.Kind{"v": frame.Float}, OnError: Reject, Rejects: &rejects})
	f, err := readSQL(t, x, 0)
	if err != nil {
		t.Fatal(err)
	}
	st := x.Stats()
	if f.NumRows() != 3 || st.Rejected != 1 || st.Records != st.Rows+st.Rejected || rejects.Items()[0].Raw != "2\tabc" {
		t.Errorf("rows %d, stats %+v, rejects %+v", f.NumRows(), st, rejects.Items())
	}
	// An untyped column is inferred from its values.
	x = SQL(db, "SELECT id, v FROM t WHERE id <> 2 ORDER BY id", nil, SQLOptions{})
	if f, err := readSQL(t, x, 0); err != nil || dump(f) != "id:float v:float\n1|1.5\n3|2\n4|<NA>\n" {
		t.Errorf("inferred: %v\n%s", err, dump(f))
	}
	// A bad query, a missing table: errors at once.
	if _, err := readSQL(t, SQL(db, "SELECT * FROM missing", nil, SQLOptions{}), 0); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing table: %v", err)
	}
	// A cancelled context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := SQL(db, "SELECT * FROM t", nil, SQLOptions{}).Extract(cctx, func(*frame.Frame) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	// An unreachable server is an error, not a hang.
	start := time.Now()
	tctx, tcancel := context.WithTimeout(ctx, 5*time.Second)
	defer tcancel()
	if _, err := OpenPostgres(tctx, "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"); err == nil {
		t.Error("connected to port 1")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("unreachable server took %v", d)
	}
	if _, err := NewSQLWriter(db, SQLWriterOptions{}); !errors.Is(err, ErrOptions) {
		t.Errorf("no table: %v", err)
	}
}

// TestSQLWriterPaths loads the same frame through every write path — INSERT
// on SQLite, COPY and INSERT on PostgreSQL — and reads it back unchanged.
func TestSQLWriterPaths(t *testing.T) {
	for _, be := range sqlBackends {
		for _, noCopy := range []bool{false, true} {
			if be.name == "sqlite" && !noCopy {
				continue
			}
			t.Run(fmt.Sprintf("%s/nocopy=%v", be.name, noCopy), func(t *testing.T) {
				db := be.db(t)
				table := tableName(t, db)
				f := sqlFixture(t)
				w, err := NewSQLWriter(db, SQLWriterOptions{Table: table, Create: true, NoCopy: noCopy})
				if err != nil {
					t.Fatal(err)
				}
				for _, part := range []*frame.Frame{must(f.Slice(0, 2)), must(f.Slice(2, 3))} {
					if err := w.Load(context.Background(), part); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				if w.Rows() != 3 {
					t.Errorf("%d rows written", w.Rows())
				}
				got, err := readSQL(t, SQL(db, "SELECT * FROM "+quoteIdent(table)+" ORDER BY id", nil, SQLOptions{Schema: sqlFixtureSchema}), 0)
				if err != nil {
					t.Fatal(err)
				}
				if dump(got) != dump(f) {
					t.Errorf("read back\n%s\nwant\n%s", dump(got), dump(f))
				}
			})
		}
	}
}

// Database values are typed: only NULL is missing, and text that a CSV
// would read as missing ("?", "NA", "null", "") is kept as data.
func TestSQLTextSpellingsAreData(t *testing.T) {
	for _, b := range sqlBackends {
		t.Run(b.name, func(t *testing.T) {
			db := b.db(t)
			if _, err := db.Exec(`DROP TABLE IF EXISTS spellings`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`CREATE TABLE spellings (id INTEGER, s TEXT)`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`INSERT INTO spellings VALUES (1, '?'), (2, 'NA'), (3, 'null'), (4, ''), (5, NULL)`); err != nil {
				t.Fatal(err)
			}
			f, err := readSQL(t, SQL(db, "SELECT s FROM spellings ORDER BY id", nil, SQLOptions{Name: "spellings"}), 0)
			if err != nil {
				t.Fatal(err)
			}
			c, err := f.Col("s")
			if err != nil {
				t.Fatal(err)
			}
			want := []any{"?", "NA", "null", "", nil}
			for i, w := range want {
				if got := c.Value(i); got != w {
					t.Errorf("row %d: %#v, want %#v", i, got, w)
				}
			}
		})
	}
}
