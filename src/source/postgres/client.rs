//! The PostgreSQL client (feature `postgres`): connections (TLS, password file), the table
//! list, and the reader of one table through a cursor in a read-only snapshot.

use super::{passwords, scrub};
use crate::source::Progress;
use crate::source::{Batch, BatchBuilder, BatchReader, Input, ReadOptions, ReadStats, SourceError};
use postgres::{Client, Config, NoTls, SimpleQueryMessage};
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::Duration;
use zeroize::Zeroizing;

/// The password for `config` from the password file (`PGPASSFILE`, else `~/.pgpass`):
/// `host:port:database:user:password` lines, `*` matching anything, `\` escaping.
fn pgpass(config: &Config) -> Option<Zeroizing<String>> {
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = Zeroizing::new(std::fs::read_to_string(file).ok()?);
    let host = match config.get_hosts().first()? {
        postgres::config::Host::Tcp(h) => h.clone(),
        postgres::config::Host::Unix(_) => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or("");
    let user = config.get_user().unwrap_or("");
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::with_capacity(5);
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => cur.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() != 5 {
            continue;
        }
        let ok = |f: &str, v: &str| f == "*" || f == v;
        if ok(&fields[0], &host)
            && ok(&fields[1], &port)
            && ok(&fields[2], db)
            && ok(&fields[3], user)
        {
            return Some(Zeroizing::new(fields.swap_remove(4)));
        }
    }
    None
}

/// Connects to the database of `url` (a URL without its password, as [`super::parse_url`] gives).
pub fn connect(url: &str) -> Result<Client, String> {
    let (config_url, tls) = tls_settings(url);
    let mut config = Config::from_str(&config_url).map_err(|e| scrub(url, e.to_string()))?;
    if config.get_hosts().is_empty() {
        let host = std::env::var("PGHOST").unwrap_or_else(|_| "localhost".into());
        config.host(&host);
    }
    if config.get_ports().is_empty()
        && let Some(port) = std::env::var("PGPORT").ok().and_then(|p| p.parse().ok())
    {
        config.port(port);
    }
    if config.get_user().is_none()
        && let Ok(user) = std::env::var("PGUSER")
    {
        config.user(&user);
    }
    if config.get_dbname().is_none()
        && let Ok(db) = std::env::var("PGDATABASE")
    {
        config.dbname(&db);
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(15));
    }
    config.application_name("shroud");
    let password = passwords()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(url)
        .cloned()
        .or_else(|| {
            // An empty PGPASSWORD is none (as libpq takes it): the password file is read.
            std::env::var("PGPASSWORD")
                .ok()
                .filter(|p| !p.is_empty())
                .map(Zeroizing::new)
        })
        .or_else(|| pgpass(&config));
    if let Some(pw) = &password {
        config.password(pw.as_bytes());
    }
    let connected = match &tls {
        Some(root) => {
            config.ssl_mode(postgres::config::SslMode::Require);
            let tls = tls_connector(root.as_deref()).map_err(|e| scrub(url, e))?;
            config.connect(tls)
        }
        None => {
            config.ssl_mode(postgres::config::SslMode::Disable);
            config.connect(NoTls)
        }
    };
    let mut client = connected.map_err(|e| scrub(url, error_text(&e)))?;
    // Text forms that do not depend on the server's settings, and rows in the same order
    // in both passes of a pseudonymize run (no scan joining another one midway, no
    // parallel workers).
    client
        .batch_execute(
            "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'; \
             SET extra_float_digits = 1; SET synchronize_seqscans = off; \
             SET max_parallel_workers_per_gather = 0",
        )
        .map_err(|e| scrub(url, error_text(&e)))?;
    Ok(client)
}

/// The URL the client parses, and whether to connect with TLS (`Some`, with the
/// `sslrootcert` file if any). libpq's `sslmode` (or `PGSSLMODE`): `require`, `verify-ca` and
/// `verify-full` connect with TLS and always verify the server's certificate and name
/// (against `sslrootcert` / `PGSSLROOTCERT`, else the system's roots); `disable`, `allow` and
/// `prefer` (the default) connect without TLS. The client knows neither `sslrootcert` nor
/// the `verify-*` modes, so they are taken out of the URL here.
fn tls_settings(url: &str) -> (String, Option<Option<String>>) {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut mode = env("PGSSLMODE");
    let mut root = env("PGSSLROOTCERT");
    let clean = match url.split_once('?') {
        Some((base, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    match k {
                        "sslmode" => mode = Some(crate::source::percent_decode(v)),
                        "sslrootcert" => root = Some(crate::source::percent_decode(v)),
                        _ => return true,
                    }
                    false
                })
                .collect();
            if kept.is_empty() {
                base.to_string()
            } else {
                format!("{base}?{}", kept.join("&"))
            }
        }
        None => url.to_string(),
    };
    let tls = matches!(
        mode.as_deref(),
        Some("require" | "verify-ca" | "verify-full")
    );
    (clean, tls.then(|| root.filter(|r| r != "system")))
}

/// A TLS connector trusting the certificates of the PEM file `root`, or the system's roots.
fn tls_connector(root: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match root {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("sslrootcert {path}: {e}"))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("sslrootcert {path}: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("sslrootcert {path}: {e}"))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
        }
    }
    if roots.is_empty() {
        return Err("no root certificate to verify the server with (set sslrootcert)".into());
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The client's error with its cause (the client's own text stops at "error connecting").
fn error_text(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    crate::source::error_chain(e)
}

/// Quotes an identifier (`"a""b"`).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The tables, partitioned tables, views, materialized views and foreign tables of the
/// database that the user may see, outside the system schemas, as `(schema.table, bytes)`
/// sorted by name. Partitions are read through their parent.
pub fn tables(url: &str) -> Result<Vec<(String, String, u64)>, String> {
    let mut client = connect(url)?;
    let rows = client
        .query(
            "SELECT n.nspname::text, c.relname::text, \
                    COALESCE(pg_total_relation_size(c.oid), 0)::int8 \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition \
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' \
             ORDER BY 1, 2",
            &[],
        )
        .map_err(|e| scrub(url, error_text(&e)))?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get::<_, i64>(2).max(0) as u64))
        .collect())
}

/// Splits `schema.table` as [`tables`] named it (the schema is the part before the first dot
/// that names an existing schema; names are otherwise taken as written).
fn split_name(name: &str) -> (&str, &str) {
    name.split_once('.').unwrap_or(("public", name))
}

/// The reader of one table, as [`crate::source::open`] takes it.
pub fn reader(
    input: &Input,
    opts: &ReadOptions,
    counter: Progress,
) -> Result<Box<dyn BatchReader>, SourceError> {
    Ok(Box::new(PostgresReader::new(input, opts, counter)?))
}

/// Reads one table in batches through a cursor.
pub struct PostgresReader {
    display: String,
    url: String,
    client: Client,
    relation: String,
    /// The table's columns, then the paths found inside its JSON columns.
    columns: Vec<String>,
    /// How many of `columns` are the table's.
    base: usize,
    /// Column ids by name (the table's, then JSON paths).
    ids: std::collections::HashMap<String, u32>,
    /// Column ids holding `bytea` (their text is hex, decoded to bytes).
    bytea: Vec<bool>,
    /// Column ids holding `json` or `jsonb`: read as a document, each leaf a cell under
    /// `column.path`.
    json: Vec<bool>,
    keys: crate::source::json::KeyClass,
    keep_raw: bool,
    rows: u64,
    max_rows: Option<u64>,
    /// Rows were sampled (TABLESAMPLE): no closing count.
    sampled: bool,
    done: bool,
    counter: Progress,
    cell: Vec<u8>,
    /// A long-format value column's virtual columns ([`crate::source::eav`]).
    long: Option<crate::source::eav::Split>,
}

impl PostgresReader {
    /// Connects, opens a read-only snapshot and a cursor over the table.
    pub fn new(input: &Input, opts: &ReadOptions, counter: Progress) -> Result<Self, SourceError> {
        let display = input.display();
        let url = input.path.to_string_lossy().into_owned();
        let malformed = |location: &str, message: String| SourceError::Malformed {
            path: display.clone(),
            location: location.into(),
            message: scrub(&url, message),
        };
        let Some(table) = input.table.as_deref() else {
            return Err(malformed(
                "table",
                "a database is read one table at a time: name a table".into(),
            ));
        };
        let (schema, name) = split_name(table);
        let relation = format!("{}.{}", quote(schema), quote(name));
        let mut client = connect(&url).map_err(|m| malformed("connection", m))?;
        client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(|e| malformed("table", error_text(&e)))?;
        let stmt = client
            .prepare(&format!("SELECT * FROM {relation} LIMIT 0"))
            .map_err(|e| malformed("table", error_text(&e)))?;
        let columns: Vec<String> = stmt
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let bytea = stmt
            .columns()
            .iter()
            .map(|c| *c.type_() == postgres::types::Type::BYTEA)
            .collect();
        let json = stmt
            .columns()
            .iter()
            .map(|c| {
                matches!(
                    *c.type_(),
                    postgres::types::Type::JSON | postgres::types::Type::JSONB
                )
            })
            .collect();
        // A sample of a large table: whole pages picked at random (repeatably), enough of
        // them for the rows asked for, then the first rows of those.
        let mut sample = String::new();
        let mut sampled = false;
        let mut max_rows = opts.max_rows;
        if max_rows.is_some() || opts.table_sample_rows.is_some() {
            // The planner's estimate (no scan of the table); -1 when never analyzed.
            let estimate: f64 = client
                .query_one(
                    "SELECT GREATEST(c.reltuples, 0)::float8 FROM pg_class c WHERE c.oid = $1::text::regclass",
                    &[&relation],
                )
                .map(|r| r.get(0))
                .map_err(|e| malformed("table", error_text(&e)))?;
            if max_rows.is_none()
                && let Some(t) = opts.table_sample_rows
                && estimate > t as f64
            {
                max_rows = Some(t);
            }
            if let Some(m) = max_rows {
                // Four times the pages needed: a sample stays near the rows asked for when
                // pages hold fewer rows than the average.
                let percent = 400.0 * m as f64 / estimate.max(1.0);
                if estimate > 0.0 && percent < 100.0 {
                    sample = format!(" TABLESAMPLE SYSTEM ({percent:.6}) REPEATABLE (42)");
                    sampled = true;
                }
            }
        }
        let limit = max_rows.map(|m| format!(" LIMIT {m}")).unwrap_or_default();
        let sql = format!(
            "DECLARE shroud_rows NO SCROLL CURSOR FOR SELECT * FROM {relation}{sample}{limit}"
        );
        if let Err(e) = client.batch_execute(&sql) {
            // Views and foreign tables have no pages to sample: read their first rows.
            if !sampled {
                return Err(malformed("table", error_text(&e)));
            }
            client
                .batch_execute("ROLLBACK; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .map_err(|e| malformed("table", error_text(&e)))?;
            client
                .batch_execute(&format!(
                    "DECLARE shroud_rows NO SCROLL CURSOR FOR SELECT * FROM {relation}{limit}"
                ))
                .map_err(|e| malformed("table", error_text(&e)))?;
            sampled = false;
        }
        let ids = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i as u32))
            .collect();
        let base = columns.len();
        let mut columns = columns;
        let (bytea_cols, json_cols): (&Vec<bool>, &Vec<bool>) = (&bytea, &json);
        // A long-format table: its distinct keys, sorted, in this snapshot (both passes read
        // the same), name virtual columns before any row is read.
        let mut long = None;
        // A JSON or bytea key or value column is read another way (documents, bytes): it is
        // never split into virtual columns.
        let plain = |i: usize| {
            !bytea_cols.get(i).copied().unwrap_or(true)
                && !json_cols.get(i).copied().unwrap_or(true)
        };
        if let Some((k, v)) = crate::source::eav::pair(columns.iter().map(String::as_str))
            .filter(|&(k, v)| plain(k) && plain(v))
        {
            let sql = format!(
                "SELECT DISTINCT {col}::text FROM {relation} WHERE {col} IS NOT NULL ORDER BY 1 LIMIT 100000",
                col = quote(&columns[k])
            );
            let keys: Vec<Vec<u8>> = client
                .simple_query(&sql)
                .map_err(|e| malformed("table", error_text(&e)))?
                .into_iter()
                .filter_map(|m| match m {
                    SimpleQueryMessage::Row(r) => r.get(0).map(|t| t.as_bytes().to_vec()),
                    _ => None,
                })
                .collect();
            let rows: i64 = client
                .query_one(
                    &format!(
                        "SELECT COUNT(*) FROM {relation} WHERE {} IS NOT NULL",
                        quote(&columns[k])
                    ),
                    &[],
                )
                .map(|r| r.get(0))
                .map_err(|e| malformed("table", error_text(&e)))?;
            long = crate::source::eav::Split::learn(
                k as u32,
                v as u32,
                keys.iter().map(Vec::as_slice),
                rows.max(0) as u64,
                &mut columns,
            );
        }
        Ok(PostgresReader {
            display,
            url,
            client,
            relation,
            base,
            columns,
            ids,
            bytea,
            json,
            keys: crate::source::json::KeyClass::new(opts.data_key.clone()),
            keep_raw: opts.keep_raw,
            rows: 0,
            max_rows,
            sampled,
            done: false,
            counter,
            cell: Vec::new(),
            long,
        })
    }

    fn malformed(&self, location: String, message: String) -> SourceError {
        SourceError::Malformed {
            path: self.display.clone(),
            location,
            message: scrub(&self.url, message),
        }
    }

    fn read(&mut self, limit: u64) -> Result<Vec<Batch>, SourceError> {
        let messages = self
            .client
            .simple_query(&format!("FETCH FORWARD {limit} FROM shroud_rows"))
            .map_err(|e| self.malformed(format!("row {}", self.rows), error_text(&e)))?;
        let n_cols = self.base;
        let mut out = Vec::new();
        let mut builder = BatchBuilder::new(self.rows);
        let mut docs: Vec<(u32, u32, serde_json::Value)> = Vec::new();
        let mut path = String::new();
        let mut in_batch = 0usize;
        let mut bytes = 0u64;
        let mut read = 0u64;
        for m in &messages {
            let SimpleQueryMessage::Row(row) = m else {
                continue;
            };
            for c in 0..n_cols {
                let Some(text) = row.get(c) else { continue };
                if self.json[c] {
                    let mut doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                        self.malformed(
                            format!("row {}", self.rows + read),
                            format!("column {}: not JSON: {e}", self.columns[c]),
                        )
                    })?;
                    bytes += text.len() as u64;
                    path.clear();
                    path.push_str(&self.columns[c]);
                    let mut collect = crate::source::json::Collect {
                        columns: &mut self.columns,
                        ids: &mut self.ids,
                        builder: &mut builder,
                    };
                    crate::source::json::walk(&mut doc, &mut path, &self.keys, &mut collect);
                    if self.keep_raw {
                        docs.push((in_batch as u32, c as u32, doc));
                    }
                } else if self.bytea[c]
                    && let Some(hex) = text.strip_prefix("\\x")
                {
                    self.cell.clear();
                    let h = hex.as_bytes();
                    for pair in h.chunks_exact(2) {
                        let v = std::str::from_utf8(pair)
                            .ok()
                            .and_then(|p| u8::from_str_radix(p, 16).ok())
                            .unwrap_or(b'?');
                        self.cell.push(v);
                    }
                    bytes += self.cell.len() as u64;
                    builder.push(c as u32, &self.cell);
                } else {
                    bytes += text.len() as u64;
                    builder.push(c as u32, text.as_bytes());
                }
            }
            builder.end_row();
            read += 1;
            in_batch += 1;
            if in_batch == crate::source::BATCH_ROWS {
                out.push(self.finish_batch(&mut builder, &mut docs));
                in_batch = 0;
            }
        }
        if in_batch > 0 {
            out.push(self.finish_batch(&mut builder, &mut docs));
        }
        self.rows += read;
        self.counter.fetch_add(bytes, Ordering::Relaxed);
        if read < limit {
            self.done = true;
        }
        Ok(out)
    }
}

impl PostgresReader {
    fn finish_batch(
        &self,
        builder: &mut BatchBuilder,
        docs: &mut Vec<(u32, u32, serde_json::Value)>,
    ) -> Batch {
        let mut batch = builder.take();
        if self.keep_raw {
            batch.raw = Some(crate::source::RawRecords::Documents(std::mem::take(docs)));
        }
        if let Some(split) = &self.long {
            split.apply(&mut batch);
        }
        batch
    }
}

impl BatchReader for PostgresReader {
    fn next_batches(&mut self, n: usize) -> Result<Vec<Batch>, SourceError> {
        if self.done {
            return Ok(Vec::new());
        }
        let mut limit = (n.max(1) * crate::source::BATCH_ROWS) as u64;
        if let Some(m) = self.max_rows {
            limit = limit.min(m.saturating_sub(self.rows));
            if limit == 0 {
                self.done = true;
                return Ok(Vec::new());
            }
        }
        let out = self.read(limit)?;
        // Fail closed: a whole read must have seen every row of the snapshot.
        if self.done && self.max_rows.is_none() && !self.sampled {
            let total: i64 = self
                .client
                .query_one(&format!("SELECT count(*) FROM {}", self.relation), &[])
                .map(|r| r.get(0))
                .map_err(|e| self.malformed("table".into(), error_text(&e)))?;
            if total as u64 != self.rows {
                return Err(self.malformed(
                    "table".into(),
                    format!("read {} rows where the table holds {total}", self.rows),
                ));
            }
        }
        Ok(out)
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn base_columns(&self) -> usize {
        self.base
    }

    fn document_keys(&self) -> Option<&crate::source::json::KeyClass> {
        Some(&self.keys)
    }

    fn long_format(&self) -> Option<&crate::source::eav::Split> {
        self.long.as_ref()
    }

    fn stats(&self) -> ReadStats {
        ReadStats {
            sampled: self.sampled || self.max_rows.is_some_and(|m| self.rows >= m),
            ..ReadStats::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_settings_leave_the_url_the_client_parses() {
        let (url, tls) =
            tls_settings("postgres://u@h/d?sslmode=verify-full&sslrootcert=%2Fca.pem&x=1");
        assert_eq!(url, "postgres://u@h/d?x=1");
        assert_eq!(tls, Some(Some("/ca.pem".to_string())));
        let (url, tls) = tls_settings("postgres://u@h/d?sslmode=require&sslrootcert=system");
        assert_eq!((url.as_str(), tls), ("postgres://u@h/d", Some(None)));
        let (_, tls) = tls_settings("postgres://u@h/d?sslmode=prefer");
        assert_eq!(tls, None);
    }

    #[test]
    fn names_split_at_the_schema() {
        assert_eq!(split_name("sales.orders"), ("sales", "orders"));
        assert_eq!(split_name("orders"), ("public", "orders"));
        assert_eq!(split_name("s.a.b"), ("s", "a.b"));
    }
}
