//! The object store client (feature `cloud`): listing, reading and uploading through the
//! `object_store` crate.

use super::UploadError;
use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("shroud-io")
            .enable_all()
            .build()
            .expect("the I/O runtime starts")
    })
}

/// Runs `f` to completion on the I/O runtime (from any thread that is not one of its own).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    runtime().block_on(f)
}

/// An object store and a path in it.
#[derive(Debug, Clone)]
pub struct Location {
    store: Arc<dyn ObjectStore>,
    path: ObjectPath,
}

/// An object store URL split as it is written: the store's root (`s3://bucket`) and the
/// object key. The key is the canonical form every comparison and every request uses: each
/// `/`-separated segment of the URL is percent-decoded on its own and never resolved, so
/// `%2e%2e` is a segment named `..`, which is refused, as are `.`, an empty segment (`//`)
/// and a segment that decodes to a `/`. A raw `?` or `#` is refused too (a URL parser would
/// take a shorter key), except over HTTP, where they start the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectUrl {
    /// `scheme://host[:port]`, scheme and host in lower case.
    pub root: String,
    /// The key, segments joined by `/`, no leading or trailing `/`.
    pub key: String,
}

/// Characters a key's segment is written with as `%xx` in the URLs shroud builds: the escape
/// itself, what would end the path, and control characters.
const KEY_ESCAPES: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b'%').add(b'?').add(b'#');

/// `url` split into root and key (see [`ObjectUrl`]).
pub fn split_url(url: &str) -> Result<ObjectUrl, String> {
    let scheme_end = url.find("://").ok_or("not a URL")? + 3;
    let after = &url[scheme_end..];
    let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
    let parsed = url::Url::parse(&format!("{}{authority}/", &url[..scheme_end]))
        .map_err(|e| format!("not a valid URL: {e}"))?;
    let scheme = parsed.scheme().to_ascii_lowercase();
    // Bucket, container and host names are case-blind (buckets are lower case).
    let mut root = format!(
        "{scheme}://{}",
        parsed.host_str().unwrap_or("").to_ascii_lowercase()
    );
    if let Some(p) = parsed.port() {
        root = format!("{root}:{p}");
    }
    let path = if scheme == "http" || scheme == "https" {
        path.split(['?', '#']).next().unwrap_or("")
    } else if path.contains(['?', '#']) {
        return Err(
            "the object URL holds a raw '?' or '#' (a store would read a shorter key): write them as %3F and %23".into(),
        );
    } else {
        path
    };
    let body = path.strip_prefix('/').unwrap_or(path);
    let body = body.strip_suffix('/').unwrap_or(body);
    let mut segments = Vec::new();
    if !body.is_empty() {
        for seg in body.split('/') {
            let decoded = percent_encoding::percent_decode_str(seg)
                .decode_utf8()
                .map_err(|_| format!("the segment {seg:?} does not decode to UTF-8"))?;
            match decoded.as_ref() {
                "" => return Err("the object URL holds an empty segment ('//'): a key is refused rather than read as another one".into()),
                "." | ".." => {
                    return Err(format!(
                        "the object URL holds a '{decoded}' segment (written {seg:?}): a key must not leave its prefix"
                    ));
                }
                d if d.contains('/') || d.chars().any(char::is_control) => {
                    return Err(format!(
                        "the segment {seg:?} decodes to a '/' or a control character: refused"
                    ));
                }
                _ => segments.push(decoded.into_owned()),
            }
        }
    }
    let key = segments.join("/");
    ObjectPath::parse(&key).map_err(|e| e.to_string())?;
    Ok(ObjectUrl { root, key })
}

/// The URL of `key` under `root`, written so that [`split_url`] gives `key` back.
pub fn key_url(root: &str, key: &str) -> String {
    let mut out = root.to_string();
    for seg in key.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.extend(percent_encoding::utf8_percent_encode(seg, KEY_ESCAPES));
    }
    out
}

/// Whether the objects under `a` and under `b` overlap (one is the other or inside it),
/// compared in the canonical form: same root, and one key a prefix of the other by whole
/// segments. An error when either URL is refused by [`split_url`].
pub fn overlaps(a: &str, b: &str) -> Result<bool, String> {
    let (a, b) = (split_url(a)?, split_url(b)?);
    if a.root != b.root {
        return Ok(false);
    }
    let inside = |x: &str, y: &str| y.is_empty() || x == y || x.starts_with(&format!("{y}/"));
    Ok(inside(&a.key, &b.key) || inside(&b.key, &a.key))
}

/// The store of `url` (built once per scheme and bucket, from the environment).
pub fn locate(url: &str) -> Result<Location, String> {
    static STORES: OnceLock<Mutex<HashMap<String, Arc<dyn ObjectStore>>>> = OnceLock::new();
    let ObjectUrl { root, key } = split_url(url)?;
    let scheme = root[..root.find("://").unwrap_or(0)].to_string();
    let mut stores = STORES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let store = match stores.get(&root) {
        Some(s) => Arc::clone(s),
        None => {
            let store: Arc<dyn ObjectStore> = match scheme.as_str() {
                "s3" | "s3a" => Arc::new(
                    with_aws_profile(object_store::aws::AmazonS3Builder::from_env())
                        .with_url(&root)
                        .build()
                        .map_err(|e| e.to_string())?,
                ),
                "gs" => Arc::new(
                    object_store::gcp::GoogleCloudStorageBuilder::from_env()
                        .with_url(&root)
                        .build()
                        .map_err(|e| e.to_string())?,
                ),
                "az" | "abfs" | "abfss" | "azure" => Arc::new(
                    object_store::azure::MicrosoftAzureBuilder::from_env()
                        .with_url(url)
                        .build()
                        .map_err(|e| e.to_string())?,
                ),
                "http" | "https" => Arc::new(
                    object_store::http::HttpBuilder::new()
                        .with_url(&root)
                        .build()
                        .map_err(|e| e.to_string())?,
                ),
                s => return Err(format!("unknown scheme {s:?}")),
            };
            stores.insert(root, Arc::clone(&store));
            store
        }
    };
    Ok(Location {
        store,
        path: ObjectPath::parse(&key).map_err(|e| e.to_string())?,
    })
}

/// The AWS shared files' credentials and region for `AWS_PROFILE` (else `default`), where
/// the environment gives none: `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`) and
/// `~/.aws/config` (`AWS_CONFIG_FILE`, sections `[profile NAME]`). Static keys only: a
/// profile that assumes a role or uses SSO is not followed.
fn with_aws_profile(
    builder: object_store::aws::AmazonS3Builder,
) -> object_store::aws::AmazonS3Builder {
    use object_store::aws::AmazonS3ConfigKey as K;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let home = env("HOME").map(PathBuf::from);
    let file = |var: &str, name: &str| {
        env(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(name)))
            .and_then(|p| std::fs::read_to_string(p).ok())
    };
    let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".into());
    let mut builder = builder;
    if env("AWS_ACCESS_KEY_ID").is_none()
        && let Some(text) = file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
    {
        let section = ini_section(&text, &profile);
        if let (Some(id), Some(secret)) = (
            section.get("aws_access_key_id"),
            section.get("aws_secret_access_key"),
        ) {
            builder = builder
                .with_config(K::AccessKeyId, id)
                .with_config(K::SecretAccessKey, secret);
            if let Some(t) = section.get("aws_session_token") {
                builder = builder.with_config(K::Token, t);
            }
        }
    }
    if env("AWS_REGION").is_none()
        && env("AWS_DEFAULT_REGION").is_none()
        && let Some(text) = file("AWS_CONFIG_FILE", "config")
    {
        let name = if profile == "default" {
            profile
        } else {
            format!("profile {profile}")
        };
        if let Some(region) = ini_section(&text, &name).get("region") {
            builder = builder.with_config(K::Region, region);
        }
    }
    builder
}

/// The `key = value` pairs of section `[name]` of an INI text.
fn ini_section(text: &str, name: &str) -> HashMap<String, String> {
    let mut inside = false;
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = section.trim() == name;
            continue;
        }
        if inside && let Some((k, v)) = line.split_once('=') {
            out.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    out
}

/// The error text of the store, with the cause chain (the crate's own text can stop at
/// "Generic S3 error").
fn error_text(e: &object_store::Error) -> String {
    let mut text = crate::source::error_chain(e);
    // An S3-style XML error body: its code and message say it; the rest is noise.
    if let Some(start) = text.find("<?xml").or_else(|| text.find("<Error>")) {
        let tag = |t: &str| {
            let open = format!("<{t}>");
            let from = text[start..].find(&open)? + start + open.len();
            let to = text[from..].find('<')? + from;
            Some(text[from..to].to_string())
        };
        let said = match (tag("Code"), tag("Message")) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (Some(c), None) => c,
            _ => return text,
        };
        let end = text
            .rfind("</Error>")
            .map_or(text.len(), |e| e + "</Error>".len());
        text = format!("{}{said}{}", &text[..start], &text[end..]);
    }
    text
}

/// The objects that `url` names: the object itself, or every object under it when it ends
/// with `/` or names no object (a prefix), as `(url, size)` sorted by key.
pub fn list(url: &str) -> Result<Vec<(String, u64)>, String> {
    let loc = locate(url)?;
    let base = url.trim_end_matches('/');
    if !url.ends_with('/') && !loc.path.as_ref().is_empty() {
        match block_on(loc.store.head(&loc.path)) {
            Ok(meta) => return Ok(vec![(url.to_string(), meta.size)]),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(error_text(&e)),
        }
    }
    let prefix = (!loc.path.as_ref().is_empty()).then_some(&loc.path);
    let metas: Vec<object_store::ObjectMeta> = block_on(async {
        let mut out = Vec::new();
        let mut stream = loc.store.list(prefix);
        while let Some(m) = stream.next().await {
            out.push(m?);
        }
        Ok::<_, object_store::Error>(out)
    })
    .map_err(|e| error_text(&e))?;
    let prefix_len = loc.path.as_ref().len();
    let mut out: Vec<(String, u64)> = metas
        .into_iter()
        .map(|m| {
            let key = m.location.as_ref();
            let rel = key[prefix_len.min(key.len())..].trim_start_matches('/');
            // Written so that reading the URL back gives this very key (a key segment
            // `%2e%2e` stays that, and does not become `..`).
            let rel = key_url("", rel);
            (format!("{base}{rel}"), m.size)
        })
        .collect();
    out.sort();
    if out.is_empty() {
        return Err("no object at or under this URL".into());
    }
    Ok(out)
}

/// Whether an object exists at `url`; an error when its bucket cannot be listed (it does
/// not exist, or the credentials do not reach it), so that a run fails before its work.
pub fn exists(url: &str) -> Result<bool, UploadError> {
    let err = |message: String| UploadError::Store {
        url: url.to_string(),
        message,
    };
    let loc = locate(url).map_err(err)?;
    let parent = loc.path.parts().count().saturating_sub(1);
    let prefix: ObjectPath = loc.path.parts().take(parent).collect();
    block_on(loc.store.list_with_delimiter(Some(&prefix))).map_err(|e| err(error_text(&e)))?;
    match block_on(loc.store.head(&loc.path)) {
        Ok(_) => Ok(true),
        Err(object_store::Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(err(error_text(&e))),
    }
}

/// An object read as a stream (CSV, JSON): fetched as it is read, so a sampled read stops
/// the transfer early.
pub struct ObjectReader {
    stream: futures_util::stream::BoxStream<'static, object_store::Result<bytes::Bytes>>,
    buf: bytes::Bytes,
}

impl ObjectReader {
    /// Starts reading the object at `url`.
    pub fn open(url: &str) -> std::io::Result<Self> {
        let loc = locate(url).map_err(std::io::Error::other)?;
        let result = block_on(loc.store.get(&loc.path)).map_err(io_error)?;
        Ok(ObjectReader {
            stream: result.into_stream(),
            buf: bytes::Bytes::new(),
        })
    }
}

fn io_error(e: object_store::Error) -> std::io::Error {
    let kind = match e {
        object_store::Error::NotFound { .. } => std::io::ErrorKind::NotFound,
        _ => std::io::ErrorKind::Other,
    };
    std::io::Error::new(kind, error_text(&e))
}

impl Read for ObjectReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.buf.is_empty() {
            match block_on(self.stream.next()) {
                Some(Ok(b)) => self.buf = b,
                Some(Err(e)) => return Err(io_error(e)),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len());
        out[..n].copy_from_slice(&self.buf[..n]);
        self.buf = self.buf.slice(n..);
        Ok(n)
    }
}

/// An object read by ranges (Parquet).
#[derive(Debug)]
pub struct RangedObject {
    loc: Location,
    size: u64,
}

impl RangedObject {
    /// The object at `url` (its size from a `HEAD`).
    pub fn open(url: &str) -> std::io::Result<Self> {
        let loc = locate(url).map_err(std::io::Error::other)?;
        let meta = block_on(loc.store.head(&loc.path)).map_err(io_error)?;
        Ok(RangedObject {
            loc,
            size: meta.size,
        })
    }

    /// The object's size in bytes.
    pub fn len(&self) -> u64 {
        self.size
    }

    /// Whether the object is empty.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Bytes `start..start + len` (fewer at the end of the object).
    pub fn range(&self, start: u64, len: u64) -> std::io::Result<bytes::Bytes> {
        let end = (start + len).min(self.size);
        if start >= end {
            return Ok(bytes::Bytes::new());
        }
        block_on(self.loc.store.get_range(&self.loc.path, start..end)).map_err(io_error)
    }
}

/// What an interrupt must undo: the objects this run completed, and whether an upload is in
/// flight (it aborts itself when it sees `INTERRUPTED`).
struct Uploads {
    completed: Vec<Location>,
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static IN_FLIGHT: AtomicBool = AtomicBool::new(false);

fn uploads() -> &'static Mutex<Uploads> {
    static U: OnceLock<Mutex<Uploads>> = OnceLock::new();
    U.get_or_init(|| {
        Mutex::new(Uploads {
            completed: Vec::new(),
        })
    })
}

/// The local folder a release is written to before its upload: `shroud-upload-<pid>-…` in
/// the temporary folder, locked while the run lives, removed when dropped. An interrupted
/// run's folder cannot be removed by the interrupt handler (the run's threads may still be
/// writing in it), so each new one first removes those of runs that no longer live.
pub struct Staging {
    dir: tempfile::TempDir,
    _lock: std::fs::File,
}

impl Staging {
    /// Creates the folder (after sweeping stale ones).
    pub fn new() -> std::io::Result<Self> {
        let tmp = std::env::temp_dir();
        sweep_staging(&tmp);
        let dir = tempfile::Builder::new()
            .prefix(&format!("shroud-upload-{}-", std::process::id()))
            .tempdir_in(&tmp)?;
        let lock = std::fs::File::open(dir.path())?;
        lock.try_lock().map_err(std::io::Error::other)?;
        Ok(Staging { dir, _lock: lock })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Removes the staging folders in `tmp` of processes that no longer run (and that nobody
/// holds locked), where `/proc` tells which processes run.
fn sweep_staging(tmp: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("shroud-upload-"))
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let unlocked = std::fs::File::open(e.path()).is_ok_and(|f| f.try_lock().is_ok());
        if unlocked {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Called by the interrupt handler: stops the upload in flight (it aborts its multipart
/// upload) and deletes the objects this run completed. Waits at most a few seconds for the
/// upload to stop.
pub fn undo_on_interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while IN_FLIGHT.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let done = std::mem::take(
        &mut uploads()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .completed,
    );
    if !done.is_empty() {
        let _ = std::thread::spawn(move || delete_all(&done)).join();
    }
}

fn delete_all(done: &[Location]) {
    for loc in done {
        let _ = block_on(loc.store.delete(&loc.path));
    }
}

/// The size of an upload's parts (S3 wants at least 5 MiB but for the last).
const PART: usize = 5 << 20;

/// Uploads one local file to `loc` as a multipart upload, completed only when the whole file
/// is sent; aborted on error or interrupt.
fn upload_file(local: &Path, loc: &Location) -> Result<(), String> {
    let mut file = std::fs::File::open(local).map_err(|e| format!("{}: {e}", local.display()))?;
    let size = file
        .metadata()
        .map_err(|e| format!("{}: {e}", local.display()))?
        .len();
    if size < PART as u64 {
        // One part's worth: a single PUT, which is whole or absent by itself (a multipart
        // upload of no part is refused by S3).
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes)
            .map_err(|e| format!("{}: {e}", local.display()))?;
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err("interrupted".to_string());
        }
        return block_on(loc.store.put(&loc.path, bytes.into()))
            .map(|_| ())
            .map_err(|e| error_text(&e));
    }
    block_on(async {
        let upload = loc
            .store
            .put_multipart(&loc.path)
            .await
            .map_err(|e| error_text(&e))?;
        let mut w = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            if INTERRUPTED.load(Ordering::SeqCst) {
                let _ = w.abort().await;
                return Err("interrupted".to_string());
            }
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let _ = w.abort().await;
                    return Err(format!("{}: {e}", local.display()));
                }
            };
            if let Err(e) = w.wait_for_capacity(4).await {
                return Err(error_text(&e));
            }
            w.write(&buf[..n]);
        }
        w.finish().await.map(|_| ()).map_err(|e| error_text(&e))
    })
}

/// Uploads every file under `local` to `url/<relative path>`, the file named `last` (the
/// manifest) after all others. All or nothing: on error or interrupt the objects completed
/// so far are deleted. Without `force` an object already there is an error, except `last`
/// when `replace_last` (a release's manifest, merged). Returns the URLs written.
pub fn upload_tree(
    local: &Path,
    url: &str,
    last: &str,
    force: bool,
    replace_last: bool,
) -> Result<Vec<String>, UploadError> {
    let base = url.trim_end_matches('/');
    let mut files = Vec::new();
    collect(local, local, &mut files);
    files.sort_by_key(|rel: &String| (rel == last, rel.clone()));
    let store_err = |url: &str, message: String| UploadError::Store {
        url: url.to_string(),
        message,
    };
    // Keys are built from the prefix's key and the local names, segment by segment, never
    // by parsing a joined URL: a local folder named `%2e%2e` is the key segment `%2e%2e`.
    let root = locate(&format!("{base}/")).map_err(|m| store_err(base, m))?;
    let ObjectUrl {
        root: store_root, ..
    } = split_url(base).map_err(|m| store_err(base, m))?;
    let mut targets: Vec<(PathBuf, String)> = Vec::with_capacity(files.len());
    let mut locs = Vec::with_capacity(files.len());
    for rel in &files {
        let mut key = root.path.clone();
        for seg in rel.split('/') {
            let part = object_store::path::PathPart::parse(seg)
                .ok()
                .filter(|_| !seg.is_empty())
                .ok_or_else(|| {
                    store_err(
                        base,
                        format!("a local name cannot be a key segment: {seg:?}"),
                    )
                })?;
            key = key.join(part);
        }
        let shown = key_url(&store_root, key.as_ref());
        targets.push((local.join(rel), shown));
        locs.push(Location {
            store: Arc::clone(&root.store),
            path: key,
        });
    }
    // What is there already: one listing of the prefix, not a request per file.
    let mut existing = Vec::new();
    if !force && let Some(first) = locs.first() {
        let prefix = (!root.path.as_ref().is_empty()).then_some(&root.path);
        let present: std::collections::HashSet<String> = block_on(async {
            let mut out = std::collections::HashSet::new();
            let mut stream = first.store.list(prefix);
            while let Some(m) = stream.next().await {
                out.insert(m?.location.to_string());
            }
            Ok::<_, object_store::Error>(out)
        })
        .map_err(|e| store_err(base, error_text(&e)))?;
        for (((_, t), loc), rel) in targets.iter().zip(&locs).zip(&files) {
            if present.contains(loc.path.as_ref()) && !(replace_last && rel == last) {
                existing.push(t.clone());
            }
        }
    }
    if !existing.is_empty() {
        return Err(UploadError::Exists(existing.join(", ")));
    }
    IN_FLIGHT.store(true, Ordering::SeqCst);
    let mut result = Ok(());
    for ((file, t), loc) in targets.iter().zip(&locs) {
        if let Err(m) = upload_file(file, loc) {
            result = Err(store_err(t, m));
            break;
        }
        uploads()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .completed
            .push(loc.clone());
    }
    let done = std::mem::take(
        &mut uploads()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .completed,
    );
    if result.is_err() {
        delete_all(&done);
    }
    IN_FLIGHT.store(false, Ordering::SeqCst);
    if result.is_err() && INTERRUPTED.load(Ordering::SeqCst) {
        return Err(UploadError::Interrupted);
    }
    if let Err(UploadError::Store { message, .. }) = &mut result {
        message.push_str(" (no object of this run is left)");
    }
    result.map(|()| targets.into_iter().map(|(_, t)| t).collect())
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            // The output folder's lock is not part of the release.
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !rel
                .rsplit('/')
                .next()
                .is_some_and(|n| n.starts_with(".shroud"))
            {
                out.push(rel);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_profiles_are_read_from_their_sections() {
        let text = "[default]\naws_access_key_id = A1\n# note\n[other]\naws_access_key_id=B2\naws_secret_access_key = s2 \n";
        assert_eq!(ini_section(text, "default")["aws_access_key_id"], "A1");
        let other = ini_section(text, "other");
        assert_eq!(other["aws_secret_access_key"], "s2");
        assert!(ini_section(text, "missing").is_empty());
        let config = "[profile other]\nregion = eu-west-3\n";
        assert_eq!(ini_section(config, "profile other")["region"], "eu-west-3");
    }

    #[test]
    fn keys_are_percent_decoded_segment_by_segment_and_never_resolved() {
        let key = |u: &str| split_url(u).map(|o| o.key);
        assert_eq!(key("s3://bucket/a%20b/c.csv").unwrap(), "a b/c.csv");
        assert_eq!(key("s3://bucket/a b/").unwrap(), "a b");
        assert_eq!(key("S3://bucket").unwrap(), "");
        assert_eq!(split_url("S3://Bucket/x").unwrap().root, "s3://bucket");
        assert_eq!(key("s3://b/x/%252e%252e/y").unwrap(), "x/%2e%2e/y");
        for bad in [
            "s3://b/x/%2e%2e/y",
            "s3://b/x/../y",
            "s3://b/x/%2E/y",
            "s3://b/x/./y",
            "s3://b/x//y",
            "s3://b/x/a%2Fb",
            "s3://b/x/a#b",
            "s3://b/x/a?b",
            "s3://b/x/%0a",
        ] {
            assert!(split_url(bad).is_err(), "{bad}");
        }
        assert_eq!(key("https://h/x.parquet?sig=1").unwrap(), "x.parquet");
    }

    #[test]
    fn urls_built_from_keys_give_the_keys_back() {
        for k in [
            "a",
            "a b/c.csv",
            "x/%2e%2e/y",
            "p/%41?#/q",
            "k=v/part-0.parquet",
            "ü/é",
        ] {
            let u = key_url("s3://b", k);
            assert_eq!(split_url(&u).unwrap().key, k, "{u}");
        }
    }

    #[test]
    fn overlap_is_judged_on_canonical_keys() {
        assert!(overlaps("s3://b/x/in/", "s3://b/x/in/share").unwrap());
        assert!(overlaps("s3://b/x/in", "S3://b/x/%69n/share/").unwrap());
        assert!(!overlaps("s3://b/x/in", "s3://b/x/inbox").unwrap());
        assert!(!overlaps("s3://b/x", "s3://c/x").unwrap());
        assert!(overlaps("s3://b/", "s3://b/anything").unwrap());
        assert!(overlaps("s3://b/x/in", "s3://b/x/%2e%2e/in/share/").is_err());
    }
}
