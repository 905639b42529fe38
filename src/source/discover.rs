//! Input discovery: expands files and folders (recursively) into a sorted list of
//! [`Input`]s, filtered by `--include` / `--exclude` globs, formats from extensions (or sniffed
//! for files named explicitly). Symlinked folders are followed once: a directory loop is
//! detected and skipped, never walked forever.

use super::{Compression, Format, Input, format_from_path};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Errors while discovering inputs.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// A path could not be read.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// A glob is invalid.
    #[error("invalid glob {glob:?}: {message}")]
    Glob {
        /// The glob.
        glob: String,
        /// Cause.
        message: String,
    },
    /// A file named on the command line has no recognisable format.
    #[error(
        "{path}: unknown format (name it .csv, .tsv, .json, .jsonl, .parquet, optionally .gz/.zst, or name the format)"
    )]
    UnknownFormat {
        /// Path.
        path: String,
    },
    /// An object store's objects could not be listed.
    #[error("{url}: cannot list the objects: {message}")]
    Store {
        /// The URL.
        url: String,
        /// Cause.
        message: String,
    },
    /// A database file could not be opened or its tables listed.
    #[error("{path}: cannot list the database's tables: {message}")]
    Database {
        /// Path.
        path: String,
        /// Cause.
        message: String,
    },
}

/// What to look for.
#[derive(Debug, Default, Clone)]
pub struct DiscoverOptions {
    /// Globs a file must match (any); empty = all.
    pub include: Vec<String>,
    /// Globs that exclude a file.
    pub exclude: Vec<String>,
    /// Format forced by `--input-format` (needed for stdin).
    pub format: Option<Format>,
    /// Every file under a folder: hidden ones too, and files of no data format as plain
    /// text (`check` vouches for everything it is shown). shroud's own manifests are left
    /// out (recognised by name and content).
    pub all: bool,
    /// Globs a database table must match (any; `schema.table` for PostgreSQL, the table's
    /// name for SQLite); empty = all. Files are not filtered by it.
    pub tables: Vec<String>,
}

/// Whether `path` is a manifest written by `shroud pseudonymize` (its name, and JSON whose
/// `tool` is shroud's).
pub fn is_shroud_manifest(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name != crate::pseudo::job::MANIFEST && name != crate::pseudo::job::LEGACY_MANIFEST {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    serde_json::from_str::<crate::pseudo::Manifest>(&text)
        .is_ok_and(|m| m.tool.starts_with("shroud "))
}

/// One glob, compiled.
fn matcher(glob: &str) -> Result<globset::GlobMatcher, DiscoverError> {
    Glob::new(glob)
        .map(|g| g.compile_matcher())
        .map_err(|e| DiscoverError::Glob {
            glob: glob.to_string(),
            message: e.to_string(),
        })
}

fn globset(globs: &[String]) -> Result<Option<GlobSet>, DiscoverError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| DiscoverError::Glob {
            glob: g.clone(),
            message: e.to_string(),
        })?);
    }
    b.build().map(Some).map_err(|e| DiscoverError::Glob {
        glob: globs.join(","),
        message: e.to_string(),
    })
}

/// Guesses a format from the first bytes of a file.
fn sniff(path: &Path) -> Option<(Format, Compression)> {
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .ok()?;
    let head = &head[..n];
    if head.starts_with(b"PAR1") {
        return Some((Format::Parquet, Compression::None));
    }
    let first = head.iter().find(|b| !b.is_ascii_whitespace())?;
    match first {
        b'[' => Some((Format::Json, Compression::None)),
        b'{' => Some((Format::Jsonl, Compression::None)),
        _ => Some((Format::Csv, Compression::None)),
    }
}

/// Expands `paths` into inputs, sorted by path. `-` is standard input (needs a format).
pub fn discover(paths: &[PathBuf], opts: &DiscoverOptions) -> Result<Vec<Input>, DiscoverError> {
    let include = globset(&opts.include)?;
    let exclude = globset(&opts.exclude)?;
    let mut out = Vec::new();
    let mut visited = HashSet::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input {
                path: p.clone(),
                format: opts.format.unwrap_or(Format::Csv),
                compression: Compression::None,
                size: 0,
                handle: None,
                table: None,
            });
            continue;
        }
        if let Some(tables) = postgres_tables(p)? {
            out.extend(tables);
            continue;
        }
        if let Some(objects) = objects(p, &include, &exclude, opts)? {
            out.extend(objects);
            continue;
        }
        // `sqlite:///path/to.db` is the file `/path/to.db` (`#table` kept).
        let sqlite_url = p
            .to_str()
            .and_then(|t| t.strip_prefix("sqlite://"))
            .map(PathBuf::from);
        let p = sqlite_url.as_ref().unwrap_or(p);
        if let Some(tables) = named_tables(p)? {
            out.extend(tables);
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|source| DiscoverError::Io {
            path: p.display().to_string(),
            source,
        })?;
        if meta.is_dir() {
            walk(p, &include, &exclude, opts, &mut visited, &mut out)?;
        } else {
            let (format, compression) = match (opts.format, format_from_path(p)) {
                (Some(f), Some((_, c))) => (f, c),
                (Some(f), None) => (f, Compression::None),
                (None, Some(fc)) => fc,
                (None, None) if opts.all => match sniff(p) {
                    Some((Format::Csv, _)) | None => (
                        Format::Text,
                        compression_from_name(
                            &p.file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default(),
                        ),
                    ),
                    Some(fc) => fc,
                },
                (None, None) => sniff(p).ok_or_else(|| DiscoverError::UnknownFormat {
                    path: p.display().to_string(),
                })?,
            };
            out.push(Input {
                path: p.clone(),
                format,
                compression,
                size: meta.len(),
                handle: None,
                table: None,
            });
        }
    }
    out.sort_by(|a, b| (&a.path, &a.table).cmp(&(&b.path, &b.table)));
    out.dedup_by(|a, b| a.path == b.path && a.table == b.table);
    let out = expand_tables(out)?;
    filter_tables(out, &opts.tables)
}

/// The file or folder an input argument names: itself, the file of a `sqlite:///path` URL
/// (a `#table` suffix removed), or `None` for a database server's URL.
pub fn local_path(arg: &Path) -> Option<PathBuf> {
    let text = arg.to_str();
    if text.is_some_and(|t| super::postgres::is_url(t) || super::remote::is_url(t)) {
        return None;
    }
    match text.and_then(|t| t.strip_prefix("sqlite://")) {
        Some(rest) => Some(PathBuf::from(rest.split_once('#').map_or(rest, |(f, _)| f))),
        None => Some(arg.to_path_buf()),
    }
}

/// Keeps the database tables that match one of the `--table` globs (every file is kept).
/// A glob that matches no table is an error: a misspelt name must not pass as "nothing found".
fn filter_tables(inputs: Vec<Input>, globs: &[String]) -> Result<Vec<Input>, DiscoverError> {
    if globs.is_empty() {
        return Ok(inputs);
    }
    let matchers = globs
        .iter()
        .map(|g| matcher(g))
        .collect::<Result<Vec<_>, _>>()?;
    let mut used = vec![false; globs.len()];
    let out: Vec<Input> = inputs
        .into_iter()
        .filter(|i| match &i.table {
            None => true,
            Some(t) => {
                let mut keep = false;
                for (m, u) in matchers.iter().zip(used.iter_mut()) {
                    if m.is_match(t) {
                        *u = true;
                        keep = true;
                    }
                }
                keep
            }
        })
        .collect();
    if let Some(g) = globs.iter().zip(&used).find(|(_, u)| !**u).map(|(g, _)| g) {
        return Err(DiscoverError::Database {
            path: "--table".into(),
            message: format!("no table matches {g:?}"),
        });
    }
    Ok(out)
}

/// `s3://bucket/prefix/` (or `gs://`, `az://`, `http(s)://`): the objects at or under it
/// whose names give a data format, filtered like the files of a folder. `None` when `path`
/// is not such a URL.
fn objects(
    path: &Path,
    include: &Option<GlobSet>,
    exclude: &Option<GlobSet>,
    opts: &DiscoverOptions,
) -> Result<Option<Vec<Input>>, DiscoverError> {
    let Some(url) = path.to_str().filter(|t| super::remote::is_url(t)) else {
        return Ok(None);
    };
    let store = |message: String| DiscoverError::Store {
        url: url.to_string(),
        message,
    };
    let listed = super::remote::list(url).map_err(store)?;
    let single = listed.len() == 1 && listed[0].0 == url;
    let mut out = Vec::new();
    for (object, size) in listed {
        let p = PathBuf::from(&object);
        let name = object.rsplit('/').next().unwrap_or("").to_string();
        if !single {
            if !opts.all
                && (name == crate::pseudo::job::MANIFEST
                    || name == crate::pseudo::job::LEGACY_MANIFEST)
            {
                continue;
            }
            if !opts.all && (name.starts_with('.') || name.starts_with("shroud-")) {
                continue;
            }
            let matches = |g: &GlobSet| g.is_match(&p) || g.is_match(&name);
            if include.as_ref().is_some_and(|g| !matches(g))
                || exclude.as_ref().is_some_and(matches)
            {
                continue;
            }
        }
        let (format, compression) = match (opts.format, format_from_path(&p)) {
            (Some(f), fc) => (f, fc.map_or(Compression::None, |(_, c)| c)),
            (None, Some((Format::Sqlite, _))) => {
                // A database file in a bucket is not read (it needs random access).
                if opts.all || single {
                    return Err(store(format!(
                        "{object}: SQLite databases are read from local files only"
                    )));
                }
                continue;
            }
            (None, Some(fc)) => fc,
            (None, None) if opts.all => (Format::Text, compression_from_name(&name)),
            (None, None) if single => {
                return Err(DiscoverError::UnknownFormat { path: object });
            }
            (None, None) => continue,
        };
        out.push(Input {
            path: p,
            format,
            compression,
            size,
            handle: None,
            table: None,
        });
    }
    Ok(Some(out))
}

/// `postgres://user@host/db` (optionally `#schema.glob`): one input per table of the
/// database. `None` when `path` is not such a URL.
fn postgres_tables(path: &Path) -> Result<Option<Vec<Input>>, DiscoverError> {
    let target = match path.to_str().map(super::postgres::parse_url) {
        Some(Ok(Some(t))) => t,
        Some(Err(e)) => {
            return Err(DiscoverError::Database {
                // Nothing of the URL: any of it may be the password.
                path: "postgres://…".into(),
                message: e.to_string(),
            });
        }
        _ => return Ok(None),
    };
    let database = |message: String| DiscoverError::Database {
        path: target.url.clone(),
        message,
    };
    let glob = target.tables.as_deref().map(matcher).transpose()?;
    let tables: Vec<Input> = super::postgres::tables(&target.url)
        .map_err(database)?
        .into_iter()
        .map(|(schema, table, size)| (super::postgres::table_name(&schema, &table), size))
        .filter(|(t, _)| glob.as_ref().is_none_or(|g| g.is_match(t)))
        .map(|(t, size)| {
            Input::database_table(PathBuf::from(&target.url), Format::Postgres, size, t)
        })
        .collect();
    if tables.is_empty() {
        return Err(database(match &target.tables {
            Some(g) => format!("no table matches {g:?}"),
            None => "the database has no table this user can see".into(),
        }));
    }
    Ok(Some(tables))
}

/// `file.db#table` (the table may be a glob: `file.db#sales_*`): the tables of a database
/// named on the command line. `None` when `path` is not of that form.
fn named_tables(path: &Path) -> Result<Option<Vec<Input>>, DiscoverError> {
    // (the `--table` globs apply after, in `filter_tables`)
    let text = path.to_string_lossy();
    let Some((file, pattern)) = text.rsplit_once('#') else {
        return Ok(None);
    };
    let file = PathBuf::from(file);
    if pattern.is_empty() || path.exists() || !file.is_file() || !super::sqlite::is_sqlite(&file) {
        return Ok(None);
    }
    let glob = matcher(pattern)?;
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let database = |message: String| DiscoverError::Database {
        path: file.display().to_string(),
        message,
    };
    let tables: Vec<Input> = super::sqlite::tables(&file)
        .map_err(database)?
        .into_iter()
        .filter(|t| glob.is_match(t))
        .map(|t| Input::database_table(file.clone(), Format::Sqlite, size, t))
        .collect();
    if tables.is_empty() {
        return Err(database(format!("no table matches {pattern:?}")));
    }
    Ok(Some(tables))
}

/// One input per table of each database file. A `.db` file that is not SQLite is no data
/// format (plain text where everything is vouched for, else left out).
fn expand_tables(inputs: Vec<Input>) -> Result<Vec<Input>, DiscoverError> {
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        if input.format != Format::Sqlite || input.table.is_some() {
            out.push(input);
            continue;
        }
        if !super::sqlite::is_sqlite(&input.path) {
            return Err(DiscoverError::Database {
                path: input.path.display().to_string(),
                message: "not a SQLite 3 database".into(),
            });
        }
        let tables =
            super::sqlite::tables(&input.path).map_err(|message| DiscoverError::Database {
                path: input.path.display().to_string(),
                message,
            })?;
        for t in tables {
            out.push(Input {
                table: Some(t),
                ..input.clone()
            });
        }
    }
    Ok(out)
}

fn compression_from_name(name: &str) -> Compression {
    let n = name.to_ascii_lowercase();
    if n.ends_with(".gz") {
        Compression::Gzip
    } else if n.ends_with(".zst") || n.ends_with(".zstd") {
        Compression::Zstd
    } else {
        Compression::None
    }
}

fn walk(
    dir: &Path,
    include: &Option<GlobSet>,
    exclude: &Option<GlobSet>,
    opts: &DiscoverOptions,
    visited: &mut HashSet<PathBuf>,
    out: &mut Vec<Input>,
) -> Result<(), DiscoverError> {
    let io = |source| DiscoverError::Io {
        path: dir.display().to_string(),
        source,
    };
    // A folder reached twice (a symlink loop, or two links to one folder) is walked once.
    let canonical = std::fs::canonicalize(dir).map_err(io)?;
    if !visited.insert(canonical) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        }; // dangling link
        if meta.is_dir() {
            walk(&p, include, exclude, opts, visited, out)?;
            continue;
        }
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // shroud's manifest is not data, except to `check`: the gate reads every byte it
        // vouches for, and a manifest can carry what was put in it (issue 24).
        if !opts.all && is_shroud_manifest(&p) {
            continue;
        }
        // Hidden files are not data, unless everything must be vouched for.
        if !opts.all && (name.starts_with('.') || name.starts_with("shroud-")) {
            continue;
        }
        let matches = |g: &GlobSet| g.is_match(&p) || g.is_match(&name);
        if include.as_ref().is_some_and(|g| !matches(g)) || exclude.as_ref().is_some_and(matches) {
            continue;
        }
        let (format, compression) = match format_from_path(&p) {
            Some((Format::Sqlite, _)) if !super::sqlite::is_sqlite(&p) => {
                if opts.all {
                    (Format::Text, Compression::None)
                } else {
                    continue;
                }
            }
            Some(fc) => fc,
            None if opts.all => (Format::Text, compression_from_name(&name)),
            None => continue,
        };
        out.push(Input {
            path: p,
            format: opts.format.unwrap_or(format),
            compression,
            size: meta.len(),
            handle: None,
            table: None,
        });
    }
    Ok(())
}

/// A build without a store's feature (`cargo test --no-default-features --lib`, run by CI):
/// that store's inputs are refused with the feature's name, never read as local files.
#[cfg(all(
    test,
    not(all(feature = "cloud", feature = "postgres", feature = "sqlite"))
))]
mod left_out {
    use super::*;

    fn refusal(arg: &str) -> String {
        match discover(&[PathBuf::from(arg)], &DiscoverOptions::default()) {
            Err(e) => e.to_string(),
            Ok(found) => panic!("{arg}: read as {found:?}"),
        }
    }

    #[test]
    #[cfg(not(feature = "postgres"))]
    fn postgres_urls_are_refused_without_their_password() {
        let e = refusal("postgres://ann:s3cret@db.example/sales#public.*");
        assert!(e.contains("`postgres` feature"), "{e}");
        assert!(e.contains("postgres://ann@db.example/sales"), "{e}");
        assert!(!e.contains("s3cret"), "{e}");
    }

    #[test]
    #[cfg(not(feature = "cloud"))]
    fn object_store_urls_are_refused() {
        for url in [
            "s3://bucket/exports/",
            "gs://b/x.csv",
            "https://h/x.parquet",
        ] {
            let e = refusal(url);
            assert!(e.contains("`cloud` feature"), "{url}: {e}");
        }
    }

    #[test]
    #[cfg(not(feature = "sqlite"))]
    fn sqlite_files_are_refused() {
        // Under another name the CSV reader refuses the file as a database (any build).
        let dir = tempfile::tempdir().unwrap();
        for name in ["shop.db", "shop.sqlite3", "shop.sqlite"] {
            let p = dir.path().join(name);
            let mut bytes = b"SQLite format 3\0".to_vec();
            bytes.resize(4096, 0);
            std::fs::write(&p, bytes).unwrap();
            let e = refusal(p.to_str().unwrap());
            assert!(e.contains("`sqlite` feature"), "{name}: {e}");
        }
    }
}
