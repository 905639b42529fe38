//! Atomic output files: written to a temporary file beside the target and renamed into place
//! when complete, so an interrupted run leaves either the old file or the whole new one.
//!
//! Every temporary file shroud makes is a [`TempFile`]: it is removed when dropped, and also
//! when the process is interrupted (SIGINT, SIGTERM: [`remove_temp_files_on_interrupt`]). A run
//! killed with SIGKILL cannot clean up; its temporary files carry its process id
//! (`.shroud-tmp-<pid>-…`) and a lock while they live, and the next run that writes into the
//! same folder removes those whose process is gone and whose lock is free.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Paths of the temporary files not yet persisted or removed.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Prefix of every temporary file shroud writes beside an output.
pub const TEMP_PREFIX: &str = ".shroud-tmp-";

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A temporary file, removed unless persisted (on drop, and on SIGINT/SIGTERM).
#[derive(Debug)]
pub struct TempFile {
    inner: Option<tempfile::NamedTempFile>,
}

impl TempFile {
    /// A new temporary file in `dir` (beside the output it will become), creating `dir`
    /// if it is missing.
    pub fn new_in(dir: &Path) -> io::Result<TempFile> {
        std::fs::create_dir_all(dir)?;
        remove_stale(dir);
        TempFile::create(dir)
    }

    /// A new temporary file in the system's temporary folder (spooled standard input). That
    /// folder is shared with other programs and machines' runs: it is never swept.
    pub fn new() -> io::Result<TempFile> {
        TempFile::create(&std::env::temp_dir())
    }

    fn create(dir: &Path) -> io::Result<TempFile> {
        let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
        // Created and registered under the lock: an interrupt sees it or it does not exist.
        let mut list = pending();
        let inner = tempfile::Builder::new().prefix(&prefix).tempfile_in(dir)?;
        // Held while the file lives: a sweep by another run (another PID namespace, another
        // host on a shared folder) sees the lock and leaves the file alone.
        let _ = inner.as_file().try_lock();
        list.push(inner.path().to_path_buf());
        Ok(TempFile { inner: Some(inner) })
    }

    fn file(&self) -> &tempfile::NamedTempFile {
        self.inner
            .as_ref()
            .expect("present until persisted or dropped")
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.file().path()
    }

    /// The open file.
    pub fn as_file(&self) -> &File {
        self.file().as_file()
    }

    /// The open file, for writing.
    pub fn as_file_mut(&mut self) -> &mut File {
        self.inner
            .as_mut()
            .expect("present until persisted or dropped")
            .as_file_mut()
    }

    /// A second handle on the file, reading from the start.
    pub fn reopen(&self) -> io::Result<File> {
        self.file().reopen()
    }

    /// Renames the file to `target` (replacing it). An interrupt either comes before (the
    /// file is removed, `target` untouched) or after (`target` is complete).
    pub fn persist(mut self, target: &Path) -> io::Result<()> {
        let inner = self.inner.take().expect("persisted once");
        let path = inner.path().to_path_buf();
        let mut list = pending();
        let result = inner.persist(target).map(drop).map_err(|e| e.error);
        list.retain(|p| p != &path);
        result
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            let mut list = pending();
            list.retain(|p| p != inner.path());
            drop(inner);
        }
    }
}

/// Removes the pending temporary files whose path `select` accepts; returns how many.
#[cfg(test)]
fn remove_pending(select: impl Fn(&Path) -> bool) -> usize {
    let mut list = pending();
    let before = list.len();
    list.retain(|p| {
        if select(p) {
            let _ = std::fs::remove_file(p);
            false
        } else {
            true
        }
    });
    before - list.len()
}

/// Installs a SIGINT/SIGTERM handler that removes pending temporary files and exits with
/// status 130: an interrupted run leaves the previous outputs, never a partial one.
pub fn remove_temp_files_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        // Uploads to an object store first: the one in flight aborts, completed ones go.
        crate::source::remote::undo_on_interrupt();
        // One critical section from the sweep to the exit: no thread can create or persist
        // a file after the sweep (they block on the registry; exit runs no destructors).
        let mut list = pending();
        for p in list.drain(..) {
            let _ = std::fs::remove_file(&p);
        }
        let _ = writeln!(
            io::stderr(),
            "shroud: interrupted; unfinished outputs removed, finished ones kept"
        );
        std::process::exit(130);
    });
}

/// Removes `.shroud-tmp-<pid>-…` files in `dir` left by a process that no longer runs (a
/// run killed with SIGKILL). Only where `/proc` tells which processes run.
fn remove_stale(dir: &Path) {
    static SWEPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    if !Path::new("/proc/self").exists() {
        return;
    }
    {
        let mut swept = SWEPT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if swept.iter().any(|d| d == dir) {
            return;
        }
        swept.push(dir.to_path_buf());
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        // The pid may name a process elsewhere (another PID namespace or host): only a file
        // nobody holds a lock on is stale.
        let unlocked = File::open(e.path()).is_ok_and(|f| f.try_lock().is_ok());
        if unlocked {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether `path` must be written in place rather than replaced by a rename: it is (or links
/// to) something other than a regular file (`/dev/null`, a FIFO, a terminal), or lives under
/// `/dev` or `/proc` (`/dev/stdout`). Renaming over such a path would replace the device or
/// the link itself.
pub fn write_in_place(path: &Path) -> bool {
    let special = |p: &Path| p.starts_with("/dev") || p.starts_with("/proc");
    if special(path) {
        return true;
    }
    if let Ok(abs) = std::path::absolute(path)
        && special(&abs)
    {
        return true;
    }
    match std::fs::metadata(path) {
        Ok(m) => !m.is_file(),
        Err(_) => false,
    }
}

/// Whether `path` names standard output: `-`, `/dev/stdout`, `/dev/fd/1`.
pub fn is_stdout(path: &Path) -> bool {
    ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
        .iter()
        .any(|n| path == Path::new(n))
}

/// Where an atomic write of `path` goes: the file a symlink points to, so the link stays.
fn resolve_target(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// Writes `path` atomically with the contents produced by `fill`: a temporary file beside it,
/// renamed into place (through a symlink to the file it names). Devices, FIFOs and other
/// non-regular files are written in place: they cannot be replaced. `-` (like `/dev/stdout`)
/// is standard output.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    // The process's own standard streams: written through the handles it has (opening the
    // path again would start a new file position at 0 when they are redirected to a file).
    let named = |names: &[&str]| names.iter().any(|n| path == Path::new(n));
    if is_stdout(path) {
        let mut w = BufWriter::new(io::stdout().lock());
        fill(&mut w)?;
        return w.flush();
    }
    if named(&["/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"]) {
        let mut w = BufWriter::new(io::stderr().lock());
        fill(&mut w)?;
        return w.flush();
    }
    if write_in_place(path) {
        let f = std::fs::OpenOptions::new().write(true).open(path)?;
        let mut w = BufWriter::new(f);
        fill(&mut w)?;
        return w.flush();
    }
    let target = resolve_target(path);
    let path = target.as_path();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = TempFile::new_in(dir)?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path)
}

/// Whether two paths name the same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// A writer that feeds every byte it passes on to a SHA-256 digest: the manifest records
/// each output's digest as it is written, with no second read.
pub struct Hashing<'d, W> {
    inner: W,
    digest: &'d mut sha2::Sha256,
}

impl<'d, W: Write> Hashing<'d, W> {
    /// Writes to `inner`, hashing into `digest`.
    pub fn new(inner: W, digest: &'d mut sha2::Sha256) -> Self {
        Hashing { inner, digest }
    }
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        sha2::Digest::update(self.digest, &buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// SHA-256 of the file at `path` (hex), read in 1 MiB pieces.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    use sha2::Digest;
    let mut f = File::open(path)?;
    let mut d = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = io::Read::read(&mut f, &mut buf)?;
        if n == 0 {
            break;
        }
        d.update(&buf[..n]);
    }
    Ok(hex(&d.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_and_links_to_them_are_written_in_place() {
        write_atomic(Path::new("/dev/null"), |w| w.write_all(b"x")).unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null must stay a device");
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("null-link");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        write_atomic(&link, |w| w.write_all(b"x")).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // A FIFO: written in place while a reader drains it.
        let fifo = dir.path().join("fifo");
        let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
        if ok.is_ok_and(|s| s.success()) {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read(fifo).unwrap())
            };
            write_atomic(&fifo, |w| w.write_all(b"through the pipe")).unwrap();
            assert_eq!(reader.join().unwrap(), b"through the pipe");
            assert!(!std::fs::metadata(&fifo).unwrap().is_file());
        }
        // A symlink to a regular file: the file is replaced, the link stays.
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        let l2 = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &l2).unwrap();
        write_atomic(&l2, |w| w.write_all(b"new")).unwrap();
        assert!(
            std::fs::symlink_metadata(&l2)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let err = write_atomic(&p, |_| Err(io::Error::other("boom")));
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn pending_files_are_removed_on_interrupt_and_stale_ones_swept() {
        let dir = tempfile::tempdir().unwrap();
        // A temporary file of a process that is gone (pid 0 never names a user process),
        // and one that is not shroud's.
        let stale = dir.path().join(format!("{TEMP_PREFIX}0-abc"));
        std::fs::write(&stale, "partial").unwrap();
        let other = dir.path().join(".shroud-tmp-notapid");
        std::fs::write(&other, "x").unwrap();
        // A dead pid here, but a live lock: a run elsewhere (another PID namespace or host).
        let elsewhere = dir.path().join(format!("{TEMP_PREFIX}0-locked"));
        std::fs::write(&elsewhere, "partial").unwrap();
        let held = File::open(&elsewhere).unwrap();
        held.try_lock().unwrap();
        let a = TempFile::new_in(dir.path()).unwrap();
        if Path::new("/proc/self").exists() {
            assert!(!stale.exists(), "stale temp file kept");
        }
        assert!(other.exists(), "only files with a dead pid go");
        assert!(elsewhere.exists(), "a locked file was swept");
        drop(held);
        let path = a.path().to_path_buf();
        assert!(path.exists());
        assert_eq!(remove_pending(|p| p.starts_with(dir.path())), 1);
        assert!(!path.exists(), "pending file not removed");
        drop(a);
        write_atomic(&dir.path().join("out"), |w| w.write_all(b"done")).unwrap();
        assert_eq!(std::fs::read(dir.path().join("out")).unwrap(), b"done");
    }
}
