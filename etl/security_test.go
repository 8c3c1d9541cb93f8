package etl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

// hostileNames are table and column names that break SQL built by string
// concatenation: quotes of both kinds, statement separators, comments,
// placeholders, keywords, spaces and non-ASCII letters (each under
// PostgreSQL's 63-byte identifier limit).
var hostileNames = []string{
	`a"b`, `x; DROP TABLE canary; --`, `'); DROP TABLE canary; --`, `select`, `v)`, `$1`, `?`, `with space`, `tä"b"le`, `--`, `/*`,
}

// TestSQLHostileIdentifiers writes and reads back a frame whose table and
// column names and values are hostile, through SQLite and PostgreSQL, the
// INSERT (upsert) and COPY paths: every name is quoted, every value a
// parameter, so the data round-trips and the canary table survives.
func TestSQLHostileIdentifiers(t *testing.T) {
	ctx := context.Background()
	values := []string{`'); DROP TABLE canary; --`, `" OR 1=1 --`, `$1`, `?;`, `\`, "line\nbreak"}
	series := []frame.Series{frame.Floats(`k"ey`, []float64{1, 2, 3, 4, 5, 6})}
	for i, n := range hostileNames {
		vals := make([]string, len(values))
		for r := range vals {
			vals[r] = values[(r+i)%len(values)]
		}
		series = append(series, frame.Strings(n, vals, nil))
	}
	f := mustFrame(t, series...)
	for _, be := range sqlBackends {
		for _, key := range [][]string{{`k"ey`}, nil} {
			t.Run(fmt.Sprintf("%s/key=%v", be.name, key != nil), func(t *testing.T) {
				db := be.db(t)
				canary := tableName(t, db)
				if _, err := db.Exec(fmt.Sprintf(`CREATE TABLE %s (x TEXT)`, quoteIdent(canary))); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(fmt.Sprintf(`INSERT INTO %s VALUES ('alive')`, quoteIdent(canary))); err != nil {
					t.Fatal(err)
				}
				for _, table := range []string{`evil"; DROP TABLE ` + canary + `; --`, `o'brien ` + canary[len(canary)-8:]} {
					t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS " + quoteIdent(table)) })
					w, err := NewSQLWriter(db, SQLWriterOptions{Table: table, Create: true, Key: key, RowsPerStatement: 4})
					if err != nil {
						t.Fatal(err)
					}
					if err := w.Load(ctx, f); err != nil {
						t.Fatalf("load into %q: %v", table, err)
					}
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
					schema := map[string]frame.Kind{}
					for _, n := range hostileNames {
						schema[n] = frame.String
					}
					got, err := readSQL(t, SQL(db, "SELECT * FROM "+quoteIdent(table)+" ORDER BY "+quoteIdent(`k"ey`), nil, SQLOptions{Schema: schema}), 0)
					if err != nil {
						t.Fatal(err)
					}
					if dump(got) != dump(f) {
						t.Fatalf("read back from %q\n%s\nwant\n%s", table, dump(got), dump(f))
					}
				}
				var alive string
				if err := db.QueryRow(fmt.Sprintf(`SELECT x FROM %s`, quoteIdent(canary))).Scan(&alive); err != nil || alive != "alive" {
					t.Fatalf("canary table: %q, %v", alive, err)
				}
			})
		}
	}
}

// TestSecretsNotInErrors: connection strings and URLs carrying a password
// that fail (unreachable server, malformed string, bad scheme, HTTP
// failure) give errors that name the target but not the password.
func TestSecretsNotInErrors(t *testing.T) {
	const secret = "s3cr3t-PW"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, dsn := range []string{
		"postgres://postgres:" + secret + "@127.0.0.1:1/test?sslmode=disable",
		"host=127.0.0.1 port=1 user=postgres password=" + secret + " dbname=test sslmode=disable",
		"postgres://postgres:" + secret + "@127.0.0.1:notaport/test",
		"postgres://postgres:" + secret + "@127.0.0.1:1/test?sslmode=bogus",
	} {
		_, err := OpenPostgres(ctx, dsn)
		if err == nil {
			t.Fatalf("%s: connected", dsn)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows the password: %v", err)
		}
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusNotFound)
	}))
	defer srv.Close()
	withSecret := strings.Replace(srv.URL, "http://", "http://user:"+secret+"@", 1) + "/items"
	for _, u := range []string{
		withSecret, // 404
		"http://user:" + secret + "@127.0.0.1:1/x", // refused
		"ftp://user:" + secret + "@host/x",         // bad scheme
	} {
		x, err := HTTPJSON(HTTPOptions{Retries: -1, Timeout: 2 * time.Second}, u)
		if err == nil {
			_, err = extractAll(x)
		}
		if err == nil {
			t.Fatalf("%s: no error", u)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows the password: %v", err)
		}
		var he *HTTPError
		if errors.As(err, &he) && strings.Contains(he.URL, secret) {
			t.Errorf("HTTPError.URL shows the password: %s", he.URL)
		}
	}
}
