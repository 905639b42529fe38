//! What a SQLite database keeps of rows it no longer shows. A deleted or updated row's bytes
//! stay in the file until `VACUUM`: on free pages (refused by `check`), inside the table's own
//! pages as freeblocks and unallocated space, and in a write-ahead log or rollback journal
//! beside the file. [`residue`] walks every b-tree from the schema's root pages and returns
//! the non-zero bytes of each page's free space, for `check` to judge like free text; page
//! splits leave stale copies of live cells there too, which judge clean when the live data is.
//! [`side_files`] names a non-empty `-wal` or `-journal` file, which `check` refuses.

use super::parquet::read_at;
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Free space of one page that is not all zero: the page number and its bytes.
pub type Residue = (u32, Vec<u8>);

fn read_page(f: &File, page_size: usize, n: u32) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0u8; page_size];
    let off = (u64::from(n) - 1) * page_size as u64;
    let mut got = 0;
    while got < page_size {
        let k = read_at(f, &mut buf[got..], off + got as u64)?;
        if k == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("page {n} is cut short"),
            ));
        }
        got += k;
    }
    Ok(buf)
}

fn u16_at(b: &[u8], i: usize) -> usize {
    usize::from(u16::from_be_bytes([b[i], b[i + 1]]))
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// The free space of every b-tree page reachable from `roots` (root pages from the schema;
/// page 1 is the schema's own) that holds a non-zero byte: unallocated space between the cell
/// pointers and the cell content, and the content of freeblocks.
pub fn residue(path: &Path, roots: &[u32]) -> Result<Vec<Residue>, String> {
    let f = File::open(path).map_err(|e| e.to_string())?;
    let len = f.metadata().map_err(|e| e.to_string())?.len();
    let mut head = [0u8; 100];
    if read_at(&f, &mut head, 0).map_err(|e| e.to_string())? < 100 {
        return Err("the database header is cut short".into());
    }
    let page_size = match u16_at(&head, 16) {
        1 => 65_536,
        n if n >= 512 && n.is_power_of_two() => n,
        n => return Err(format!("invalid page size {n}")),
    };
    let reserved = usize::from(head[20]);
    let usable = page_size - reserved;
    let pages = (len / page_size as u64) as u32;
    let bad = |n: u32, what: &str| format!("page {n}: {what}");
    let mut seen: HashSet<u32> = HashSet::new();
    let mut stack: Vec<u32> = roots.to_vec();
    let mut out = Vec::new();
    while let Some(n) = stack.pop() {
        if n == 0 || n > pages || !seen.insert(n) {
            continue;
        }
        let page = read_page(&f, page_size, n).map_err(|e| e.to_string())?;
        let h = if n == 1 { 100 } else { 0 };
        let kind = page[h];
        let interior = match kind {
            2 | 5 => true,
            10 | 13 => false,
            _ => return Err(bad(n, "not a b-tree page where the schema says one is")),
        };
        let header = if interior { 12 } else { 8 };
        let cells = u16_at(&page, h + 3);
        let content = match u16_at(&page, h + 5) {
            0 => 65_536,
            c => c,
        };
        let pointers_end = h + header + 2 * cells;
        if pointers_end > usable || content > usable || content < pointers_end {
            return Err(bad(n, "its cell layout does not fit the page"));
        }
        if interior {
            stack.push(u32_at(&page, h + 8));
            for i in 0..cells {
                let at = u16_at(&page, h + header + 2 * i);
                if at + 4 > usable {
                    return Err(bad(n, "a cell points outside the page"));
                }
                stack.push(u32_at(&page, at));
            }
        }
        let mut free: Vec<u8> = page[pointers_end..content].to_vec();
        let mut block = u16_at(&page, h + 1);
        let mut hops = 0;
        while block != 0 {
            hops += 1;
            if block + 4 > usable || hops > page_size / 4 {
                return Err(bad(n, "its freeblock chain leaves the page"));
            }
            let size = u16_at(&page, block + 2);
            if size < 4 || block + size > usable {
                return Err(bad(n, "a freeblock does not fit the page"));
            }
            free.extend_from_slice(&page[block + 4..block + size]);
            free.push(0);
            block = u16_at(&page, block);
        }
        if free.iter().any(|&b| b != 0) {
            out.push((n, free));
        }
    }
    Ok(out)
}

/// A write-ahead log or rollback journal beside the database that holds anything: old and
/// uncommitted versions of rows live there.
pub fn side_files(path: &Path) -> Vec<PathBuf> {
    ["-wal", "-journal"]
        .iter()
        .map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        })
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
        .collect()
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;

    fn roots(path: &Path) -> Vec<u32> {
        let c = rusqlite::Connection::open(path).unwrap();
        let mut s = c
            .prepare("SELECT rootpage FROM sqlite_schema WHERE rootpage > 0")
            .unwrap();
        let mut r: Vec<u32> = s
            .query_map([], |r| r.get::<_, u32>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        r.push(1);
        r
    }

    fn text_of(r: &[Residue]) -> String {
        r.iter()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    #[test]
    fn deleted_and_updated_rows_are_found_in_their_pages_and_vacuum_clears_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.db");
        let c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch(
            "PRAGMA secure_delete = OFF;
             CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT);",
        )
        .unwrap();
        for i in 0..2000 {
            c.execute(
                "INSERT INTO t (email) VALUES (?1)",
                [format!("user{i}@example.com")],
            )
            .unwrap();
        }
        let clean = residue(&p, &roots(&p)).unwrap();
        assert!(!text_of(&clean).contains("gone"), "nothing deleted yet");
        c.execute("INSERT INTO t (email) VALUES ('ann.gone@example.com')", [])
            .unwrap();
        c.execute("UPDATE t SET email = 'x' WHERE id = 7", [])
            .unwrap();
        c.execute("DELETE FROM t WHERE email = 'ann.gone@example.com'", [])
            .unwrap();
        let left = text_of(&residue(&p, &roots(&p)).unwrap());
        assert!(
            left.contains("ann.gone@example.com"),
            "deleted row not found"
        );
        assert!(
            left.contains("user6@example.com"),
            "updated row's old value not found"
        );
        c.execute_batch("VACUUM").unwrap();
        let after = text_of(&residue(&p, &roots(&p)).unwrap());
        assert!(!after.contains("ann.gone") && !after.contains("user6@"));
    }
}
