// Package etl moves data into and out of mlpipe: the stage interfaces
// ([Extractor], [Transformer], [Loader]) and the sources and sinks that
// implement them, in bounded batches of [*frame.Frame].
//
// # Sources
//
// [CSV] and [OpenCSV] read delimited text (CSV, TSV, gzip by file name) as a
// stream of frames of at most [CSVOptions].BatchRows rows. The input is cut
// at record boundaries into pieces that are parsed concurrently straight from
// bytes into typed columns — numbers into float64, text into
// dictionary-encoded categories — and emitted in input order, so memory
// holds a few batches whatever the file's size. Column kinds come from a
// given schema or are inferred from a sample of the first records (see
// [CSVOptions]). [CSVFiles] and [GlobCSV] read many files as one stream,
// a bounded number at once.
//
// [JSON], [JSONLines], [OpenJSON] and [OpenJSONLines] read records, nested
// objects flattened to dotted column names (see [RecordOptions]); JSON
// Lines parse in parallel like CSV.
//
// [SQL] streams a query's rows through database/sql; [OpenSQLite] opens the
// embedded default (modernc.org/sqlite, pure Go, no server) and
// [OpenPostgres] a PostgreSQL server through pgx.
//
// [OpenParquet] reads Parquet files (github.com/parquet-go/parquet-go),
// row groups in order.
//
// [HTTPJSON] fetches JSON APIs: page-number, offset, cursor and Link-header
// pagination, a bound on concurrent requests, a rate limit, retries with
// exponential backoff and jitter on 429, 5xx and network errors honouring
// Retry-After, a timeout per request, a cap on body size, and an optional
// [ResponseCache] in front (cache-aside by URL).
//
// # Sinks
//
// [NewCSVWriter] writes frames to any io.Writer; [CreateCSV] writes a file
// atomically: to a temporary file renamed into place by a successful Close,
// removed by Abort, by a write error, or when the run's context was
// cancelled. A failed run never leaves a half-written file under the final
// name. [NewJSONLinesWriter] and [CreateJSONLines] do the same for JSON
// Lines, [NewParquetWriter] and [CreateParquet] for Parquet (one row group
// per batch, the frame's column order and kinds kept in the metadata). [NewSQLWriter] loads a table in one transaction — created from the
// frame's schema when asked, multi-row INSERTs with every value a
// parameter, upsert on a key — committed by Close and rolled back by an
// error, Abort or a failed run.
//
// A runner that knows its run failed or was cancelled calls Abort (the
// file and SQL sinks all have it) rather than Close. Close also discards the
// output when the context of the last Load was cancelled with a cause other
// than context.Canceled (errgroup's record of a failing run's first error)
// or passed its deadline — but not on a plain cancellation, which is how
// errgroup ends a successful run.
//
// # Bad records
//
// A record that cannot be read — a wrong number of fields, broken quoting,
// invalid UTF-8, a value that does not fit its column's kind — is never
// dropped silently. Under the default [Fail] policy the source stops with a
// [*ParseError] naming the source, line, column and raw text:
//
//	read churn.csv line 1042 column age: "abc": not a number
//
// Under [Reject] it sends the record to a rejects [Loader] of [Rejected]
// (its raw text, line and reason) — a [RejectsWriter] keeps them as JSON
// Lines, a [Memory] in memory — and goes on; [Stats] counts records read,
// rows emitted and records rejected, and after a successful run
// Records == Rows + Rejected.
//
// # Concurrency
//
// Sources run their own bounded set of goroutines, all stopped before
// Extract returns; emit and the rejects loader are called from the goroutine
// that called Extract, one call at a time, in input order.
package etl
