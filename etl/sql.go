package etl

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"           // registers the "sqlite" driver

	"github.com/mlpipe/mlpipe/frame"
)

// OpenSQLite opens the SQLite database at path (created if missing; ":memory:"
// for a private in-memory one) with the pure-Go modernc.org/sqlite driver,
// the embedded default that needs no server. It returns the driver's error
// for a path that cannot be opened. The *sql.DB is safe for concurrent use;
// close it when done.
func OpenSQLite(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if path == ":memory:" {
		db.SetMaxOpenConns(1) // each connection would get its own database
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// OpenPostgres opens a PostgreSQL database through pgx's database/sql driver
// with a connection string such as
// "postgres://user@127.0.0.1:5432/db?sslmode=disable", and pings it, so an
// unreachable server is an error at once (bounded by ctx). Close the *sql.DB
// when done.
func OpenPostgres(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return db, nil
}

// SQLOptions configures [SQL]. The zero value maps column kinds from the
// database types, samples the first 1,000 rows for text columns, emits
// batches of 65,536 rows, and fails on a value that does not convert.
//
// Kinds: integer, real, numeric and decimal types → [frame.Float]; boolean
// → [frame.Bool]; date and timestamp types → [frame.Time]; text → a
// [frame.String] when more than half of at least 20 sampled values are
// distinct, else [frame.Categorical]; a column without a declared type (an
// SQLite expression) by the Go type of its sampled values. NULL is missing.
type SQLOptions struct {
	// Name names the source in errors. Default "sql".
	Name string
	// Schema fixes the kind of the named columns.
	Schema map[string]frame.Kind
	// Strings lists text columns to keep as free text.
	Strings []string
	// InferRows is how many leading rows inference samples. Default 1000.
	InferRows int
	// BatchRows is the most rows one emitted frame holds. Default 65,536.
	BatchRows int
	// OnError is the policy for a row with a value that does not convert
	// to its column's kind. Default [Fail].
	OnError Policy
	// Rejects receives rejected rows under [Reject] (Raw holds the row's
	// values as text, tab-separated; Record its 1-based index).
	Rejects Loader[Rejected]
}

// SQLExtractor streams the rows of a query as [*frame.Frame] batches. Make
// one with [SQL]. Each Extract runs the query again; Stats counts the last
// run. Extract may be called by one goroutine at a time.
type SQLExtractor struct {
	db    *sql.DB
	query string
	args  []any
	opts  SQLOptions
	stats statCounters

	mu     sync.Mutex
	schema []Field
	busy   atomic.Bool
}

var _ Extractor[*frame.Frame] = (*SQLExtractor)(nil)

// SQL returns an extractor of the rows of query run with args on db. Values
// are always passed as args, never spliced into the query.
func SQL(db *sql.DB, query string, args []any, opts SQLOptions) *SQLExtractor {
	if opts.Name == "" {
		opts.Name = "sql"
	}
	return &SQLExtractor{db: db, query: query, args: args, opts: opts}
}

// Stats returns the counts of the current or last run.
func (x *SQLExtractor) Stats() Stats { return x.stats.snapshot() }

// Schema returns the columns and kinds of the frames, known once Extract
// has sampled the first rows.
func (x *SQLExtractor) Schema() []Field {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]Field(nil), x.schema...)
}

func sqlKind(dbType string) (frame.Kind, bool) {
	t := strings.ToUpper(dbType)
	switch {
	case t == "":
		return 0, false
	case strings.Contains(t, "INT"), strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"),
		strings.Contains(t, "DOUB"), strings.Contains(t, "NUMERIC"), strings.Contains(t, "DECIMAL"), t == "SERIAL", t == "BIGSERIAL":
		return frame.Float, true
	case strings.HasPrefix(t, "BOOL"):
		return frame.Bool, true
	case strings.Contains(t, "DATE"), strings.Contains(t, "TIME"):
		return frame.Time, true
	}
	return frame.Categorical, true // text, varchar, char, uuid, json, …
}

// Extract runs the query and calls emit with each batch of rows, in the
// order the database returns them. It returns nil after the last row, the
// query's or the scan's error, the first [*ParseError] under [Fail], emit's
// or the rejects loader's error, or ctx.Err() (the query is cancelled with
// ctx).
func (x *SQLExtractor) Extract(ctx context.Context, emit func(*frame.Frame) error) error {
	o := &x.opts
	if o.OnError == Reject && o.Rejects == nil {
		return fmt.Errorf("sql options: the Reject policy needs a Rejects loader: %w", ErrOptions)
	}
	if o.BatchRows < 0 || o.InferRows < 0 {
		return fmt.Errorf("sql options: negative BatchRows or InferRows: %w", ErrOptions)
	}
	if !x.busy.CompareAndSwap(false, true) {
		return fmt.Errorf("read %s: Extract already running", o.Name)
	}
	defer x.busy.Store(false)
	x.stats.reset()
	rows, err := x.db.QueryContext(ctx, x.query, x.args...)
	if err != nil {
		return fmt.Errorf("read %s: %w", o.Name, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return fmt.Errorf("read %s: %w", o.Name, err)
	}
	n := len(types)
	names := make([]string, n)
	for i, t := range types {
		names[i] = t.Name()
	}
	scan := func() ([]any, error) {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read %s: %w", o.Name, err)
		}
		return vals, nil
	}
	inferRows := o.InferRows
	if inferRows == 0 {
		inferRows = DefaultInferRows
	}
	batchRows := o.BatchRows
	if batchRows == 0 {
		batchRows = DefaultBatchRows
	}
	var sample [][]any
	for len(sample) < inferRows && rows.Next() {
		vals, err := scan()
		if err != nil {
			return err
		}
		sample = append(sample, vals)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", o.Name, err)
	}
	// Database values are typed: NULL is the only missing value, and a text
	// "?", "NA" or "" is data.
	ro := &RecordOptions{Name: o.Name, Schema: o.Schema, Strings: o.Strings, NoDefaultNA: true}
	plan, err := newRecordPlan(ro, nil)
	if err != nil {
		return err
	}
	plan.names = names
	plan.kinds = make([]frame.Kind, n)
	strs := make(map[string]bool)
	for _, s := range o.Strings {
		strs[s] = true
	}
	for i, t := range types {
		if k, ok := o.Schema[names[i]]; ok {
			plan.kinds[i] = k
			continue
		}
		k, ok := sqlKind(t.DatabaseTypeName())
		if !ok || k == frame.Categorical {
			var vals []any
			for _, r := range sample {
				vals = append(vals, sqlJSONish(r[i]))
			}
			if ok { // declared text: stays text, by cardinality
				k = frame.Categorical
				if kk := inferValues(plan.text.na, textOnly(vals), strs[names[i]]); kk == frame.String {
					k = frame.String
				}
			} else {
				k = inferValues(plan.text.na, vals, strs[names[i]])
			}
		}
		plan.kinds[i] = k
	}
	x.mu.Lock()
	x.schema = make([]Field, n)
	for i := range names {
		x.schema[i] = Field{names[i], plan.kinds[i]}
	}
	x.mu.Unlock()

	out := &sink{name: o.Name, rejects: o.Rejects, stats: &x.stats, emit: emit}
	b := newSQLBatch(plan, min(batchRows, 4096))
	var res chunkResult
	index := 0
	flush := func() error {
		f, err := b.frame()
		if err == nil {
			res.frame = f
			err = out.handle(ctx, res)
		}
		res = chunkResult{}
		b = newSQLBatch(plan, min(batchRows, 4096))
		return err
	}
	add := func(vals []any) error {
		index++
		res.records++
		if perr := b.add(vals); perr != nil {
			perr.Record = index
			if o.OnError == Fail {
				res.err = perr
				return out.handle(ctx, res)
			}
			res.rejects = append(res.rejects, Rejected{Source: o.Name, Record: index, Raw: rowText(vals), Err: perr})
		}
		if b.rb.rows >= batchRows {
			return flush()
		}
		return nil
	}
	for _, vals := range sample {
		if err := add(vals); err != nil {
			return err
		}
	}
	for rows.Next() {
		vals, err := scan()
		if err != nil {
			return err
		}
		if err := add(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("read %s: %w", o.Name, err)
	}
	return flush()
}

func textOnly(vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		if v != nil {
			out[i] = jsonText(v)
		}
	}
	return out
}

// sqlJSONish maps a scanned value to the types inference knows: float64,
// bool, string, or nil; times become RFC 3339 text.
func sqlJSONish(v any) any {
	switch v := v.(type) {
	case nil, float64, bool, string:
		return v
	case int64:
		return float64(v)
	case int32:
		return float64(v)
	case float32:
		return float64(v)
	case []byte:
		return string(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

func rowText(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			parts[i] = "NULL"
		} else {
			parts[i] = jsonText(sqlJSONish(v))
		}
	}
	return strings.Join(parts, "\t")
}

// sqlBatch accumulates scanned rows into columns.
type sqlBatch struct {
	rb *recordBatch
}

func newSQLBatch(p *recordPlan, capacity int) *sqlBatch {
	return &sqlBatch{rb: newRecordBatch(p, capacity)}
}

func (b *sqlBatch) add(vals []any) *ParseError {
	rb := b.rb
	for i, v := range vals {
		if err := sqlValue(rb, &rb.cols[i], v); err != nil {
			for k := range rb.cols {
				rb.cols[k].truncate(rb.rows)
			}
			return &ParseError{Source: rb.p.source, Column: i + 1, ColumnName: rb.p.names[i], Raw: jsonText(sqlJSONish(v)), Err: err}
		}
	}
	rb.rows++
	return nil
}

func (b *sqlBatch) frame() (*frame.Frame, error) { return b.rb.frame(0) }

func sqlValue(rb *recordBatch, c *colBuilder, v any) error {
	switch v := v.(type) {
	case time.Time:
		switch c.kind {
		case frame.Time:
			c.nanos = append(c.nanos, v.UnixNano())
			c.markOK()
			c.n++
			return nil
		case frame.Categorical, frame.String:
			return rb.cp.value(c, []byte(v.UTC().Format(time.RFC3339Nano)))
		}
		return fmt.Errorf("%w: time value for a %v column", ErrKind, c.kind)
	case int64:
		if c.kind == frame.Bool && (v == 0 || v == 1) {
			c.bools = append(c.bools, v == 1)
			c.markOK()
			c.n++
			return nil
		}
		if c.kind == frame.Categorical || c.kind == frame.String {
			return rb.cp.value(c, strconv.AppendInt(nil, v, 10))
		}
		return rb.value(c, float64(v))
	case []byte:
		return rb.cp.value(c, v)
	}
	return rb.value(c, sqlJSONish(v))
}

// SQLWriterOptions configures [NewSQLWriter].
type SQLWriterOptions struct {
	// Table is the table to write to. Required. It is quoted as one
	// identifier.
	Table string
	// Create creates the table from the first frame's columns if it does
	// not exist, with Key as its primary key.
	Create bool
	// Key names the columns that identify a row. With Key, rows are
	// upserted (INSERT … ON CONFLICT (key) DO UPDATE), so a re-run does not
	// duplicate them; the table needs a unique constraint on Key (Create
	// makes it the primary key).
	Key []string
	// Dialect is "sqlite" or "postgres". Default: from the driver.
	Dialect string
	// RowsPerStatement is how many rows one INSERT carries. Default: as
	// many as fit 30,000 parameters, at most 1,000.
	RowsPerStatement int
	// NoCopy makes PostgreSQL loads use INSERT even without Key. By
	// default a PostgreSQL load without Key goes through COPY (pgx's
	// CopyFrom), in the same transaction, many times faster.
	NoCopy bool
}

// SQLWriter loads frames into a database table: a [Loader] of
// [*frame.Frame]. Everything it writes is one transaction, begun by the
// first Load and committed by Close; a failed Load, Abort, or a failed run
// (as for [CreateCSV]: the last Load's context cancelled with a cause other
// than context.Canceled, or past its deadline) rolls it back, so a failed
// run leaves the table as it was. Rows go in multi-row INSERT statements with
// every value a parameter and every identifier quoted, or, into PostgreSQL
// without Key, through COPY. Floats that are NaN are written as NULL.
//
// Load, Close and Abort serialise on a lock.
type SQLWriter struct {
	mu      sync.Mutex
	db      *sql.DB
	opts    SQLWriterOptions
	pg      bool
	tx      *sql.Tx
	conn    *sql.Conn // COPY mode: a pinned connection in a manual transaction
	names   []string
	kinds   []frame.Kind
	err     error
	closed  bool
	ctx     context.Context
	written int64
}

var _ Loader[*frame.Frame] = (*SQLWriter)(nil)

// NewSQLWriter returns a writer into opts.Table of db. It returns an error
// wrapping [ErrOptions] for a missing table name or an unknown dialect.
func NewSQLWriter(db *sql.DB, opts SQLWriterOptions) (*SQLWriter, error) {
	if opts.Table == "" {
		return nil, fmt.Errorf("sql writer: no table: %w", ErrOptions)
	}
	w := &SQLWriter{db: db, opts: opts}
	switch opts.Dialect {
	case "":
		w.pg = strings.Contains(strings.ToLower(fmt.Sprintf("%T", db.Driver())), "stdlib") ||
			strings.Contains(strings.ToLower(fmt.Sprintf("%T", db.Driver())), "pq")
	case "postgres":
		w.pg = true
	case "sqlite":
	default:
		return nil, fmt.Errorf("sql writer: unknown dialect %q: %w", opts.Dialect, ErrOptions)
	}
	return w, nil
}

// Rows returns how many rows Load has written (committed or not).
func (w *SQLWriter) Rows() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (w *SQLWriter) sqlType(k frame.Kind) string {
	switch k {
	case frame.Float:
		if w.pg {
			return "DOUBLE PRECISION"
		}
		return "REAL"
	case frame.Bool:
		return "BOOLEAN"
	case frame.Time:
		if w.pg {
			return "TIMESTAMPTZ"
		}
		return "TIMESTAMP"
	}
	return "TEXT"
}

// Load writes the rows of f inside the writer's transaction. It returns an
// error wrapping [ErrSchema] if f's columns differ from the first frame's or
// lack a Key column, [ErrClosed] after Close or Abort, ctx.Err(), or the
// database's error. After an error other than ErrClosed or ctx.Err(), every
// call returns it and Close rolls back.
func (w *SQLWriter) Load(ctx context.Context, f *frame.Frame) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ctx = ctx
	if w.closed {
		return fmt.Errorf("write table %s: %w", w.opts.Table, ErrClosed)
	}
	if w.err != nil {
		return w.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if w.tx == nil && w.conn == nil {
		if err := w.begin(ctx, f); err != nil {
			w.err = err
			return err
		}
	} else if !equalNames(f.Names(), w.names) {
		w.err = fmt.Errorf("write table %s: frame has columns %v, the first had %v: %w", w.opts.Table, f.Names(), w.names, ErrSchema)
		return w.err
	}
	if err := w.insert(ctx, f); err != nil {
		w.err = fmt.Errorf("write table %s: %w", w.opts.Table, err)
		return w.err
	}
	return nil
}

func (w *SQLWriter) begin(ctx context.Context, f *frame.Frame) error {
	w.names = f.Names()
	w.kinds = make([]frame.Kind, len(w.names))
	for i := range w.names {
		_, c := f.ColAt(i)
		w.kinds[i] = c.Kind()
	}
	for _, k := range w.opts.Key {
		if !f.Has(k) {
			return fmt.Errorf("write table %s: key column %q is not in the frame: %w", w.opts.Table, k, ErrSchema)
		}
	}
	exec := func(ctx context.Context, q string) error {
		_, err := w.tx.ExecContext(ctx, q)
		return err
	}
	if w.pg && len(w.opts.Key) == 0 && !w.opts.NoCopy {
		conn, err := w.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("write table %s: %w", w.opts.Table, err)
		}
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			conn.Close()
			return fmt.Errorf("write table %s: %w", w.opts.Table, err)
		}
		w.conn = conn
		exec = func(ctx context.Context, q string) error {
			_, err := w.conn.ExecContext(ctx, q)
			return err
		}
	} else {
		// Not ctx: database/sql rolls a transaction back when its context
		// ends, and a runner's context ends with the run, before Close.
		tx, err := w.db.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			return fmt.Errorf("write table %s: %w", w.opts.Table, err)
		}
		w.tx = tx
	}
	if w.opts.Create {
		var b strings.Builder
		fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (", quoteIdent(w.opts.Table))
		for i, n := range w.names {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %s", quoteIdent(n), w.sqlType(w.kinds[i]))
		}
		if len(w.opts.Key) > 0 {
			keys := make([]string, len(w.opts.Key))
			for i, k := range w.opts.Key {
				keys[i] = quoteIdent(k)
			}
			fmt.Fprintf(&b, ", PRIMARY KEY (%s)", strings.Join(keys, ", "))
		}
		b.WriteString(")")
		if err := exec(ctx, b.String()); err != nil {
			return fmt.Errorf("write table %s: create: %w", w.opts.Table, err)
		}
	}
	return nil
}

// copyRows loads f through COPY on the pinned connection.
func (w *SQLWriter) copyRows(ctx context.Context, f *frame.Frame) error {
	cols := make([]frame.Column, len(w.names))
	for i := range cols {
		_, cols[i] = f.ColAt(i)
	}
	row := make([]any, len(cols))
	return w.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs the pgx driver, not %T (set NoCopy)", dc)
		}
		n, err := sc.Conn().CopyFrom(ctx, pgx.Identifier{w.opts.Table}, w.names,
			pgx.CopyFromSlice(f.NumRows(), func(r int) ([]any, error) {
				for c, col := range cols {
					row[c] = sqlArg(col, r)
				}
				return row, nil
			}))
		w.written += n
		return err
	})
}

func (w *SQLWriter) insert(ctx context.Context, f *frame.Frame) error {
	if w.conn != nil {
		return w.copyRows(ctx, f)
	}
	ncol := len(w.names)
	per := w.opts.RowsPerStatement
	if per <= 0 {
		per = max(1, min(1000, 30000/max(ncol, 1)))
	}
	cols := make([]frame.Column, ncol)
	quoted := make([]string, ncol)
	for i := range cols {
		_, cols[i] = f.ColAt(i)
		quoted[i] = quoteIdent(w.names[i])
	}
	head := fmt.Sprintf("INSERT INTO %s (%s) VALUES ", quoteIdent(w.opts.Table), strings.Join(quoted, ", "))
	var tail string
	if len(w.opts.Key) > 0 {
		keys := make([]string, len(w.opts.Key))
		isKey := make(map[string]bool)
		for i, k := range w.opts.Key {
			keys[i] = quoteIdent(k)
			isKey[k] = true
		}
		var sets []string
		for i, n := range w.names {
			if !isKey[n] {
				sets = append(sets, fmt.Sprintf("%s = excluded.%s", quoted[i], quoted[i]))
			}
		}
		if len(sets) == 0 {
			tail = fmt.Sprintf(" ON CONFLICT (%s) DO NOTHING", strings.Join(keys, ", "))
		} else {
			tail = fmt.Sprintf(" ON CONFLICT (%s) DO UPDATE SET %s", strings.Join(keys, ", "), strings.Join(sets, ", "))
		}
	}
	var stmt *sql.Stmt
	stmtRows := 0
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	args := make([]any, 0, per*ncol)
	n := f.NumRows()
	for start := 0; start < n; start += per {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(n, start+per)
		rowsHere := end - start
		if stmt == nil || stmtRows != rowsHere {
			if stmt != nil {
				stmt.Close()
			}
			var b strings.Builder
			b.WriteString(head)
			p := 1
			for r := range rowsHere {
				if r > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('(')
				for c := range ncol {
					if c > 0 {
						b.WriteString(", ")
					}
					if w.pg {
						b.WriteByte('$')
						b.WriteString(strconv.Itoa(p))
					} else {
						b.WriteByte('?')
					}
					p++
				}
				b.WriteByte(')')
			}
			b.WriteString(tail)
			var err error
			if stmt, err = w.tx.PrepareContext(ctx, b.String()); err != nil {
				return err
			}
			stmtRows = rowsHere
		}
		args = args[:0]
		for r := start; r < end; r++ {
			for _, c := range cols {
				args = append(args, sqlArg(c, r))
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
		w.written += int64(rowsHere)
	}
	return nil
}

func sqlArg(c frame.Column, r int) any {
	if c.IsNA(r) {
		return nil
	}
	switch c := c.(type) {
	case *frame.FloatColumn:
		return c.Values()[r]
	case *frame.TimeColumn:
		t, _ := c.At(r)
		return t
	}
	return c.Value(r)
}

// Close commits the transaction — or rolls it back if a Load failed or the
// run failed (see [SQLWriter]), returning that error. Closing twice returns
// nil.
func (w *SQLWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.err
	if err == nil {
		err = runFailed(w.ctx, "write table "+w.opts.Table)
	}
	switch {
	case w.conn != nil:
		defer w.conn.Close()
		if err != nil {
			w.conn.ExecContext(context.Background(), "ROLLBACK")
			return err
		}
		if _, err := w.conn.ExecContext(context.Background(), "COMMIT"); err != nil {
			return fmt.Errorf("write table %s: commit: %w", w.opts.Table, err)
		}
		return nil
	case w.tx == nil:
		return err
	}
	if err != nil {
		w.tx.Rollback()
		return err
	}
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("write table %s: commit: %w", w.opts.Table, err)
	}
	return nil
}

// Abort rolls the transaction back, leaving the table as it was. Later
// Loads return [ErrClosed].
func (w *SQLWriter) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if w.conn != nil {
		defer w.conn.Close()
		_, err := w.conn.ExecContext(context.Background(), "ROLLBACK")
		return err
	}
	if w.tx == nil {
		return nil
	}
	return w.tx.Rollback()
}
