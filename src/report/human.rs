//! The human summary: one line per column that holds personal data, aligned.

use super::Report;
use std::io::{self, Write};

/// Writes the summary table for `report` to `w`.
pub fn write_summary(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut rows: Vec<[String; 6]> = Vec::new();
    for f in &report.files {
        for c in &f.columns {
            if c.entity.is_none() && c.matches.is_empty() {
                continue;
            }
            let (entity, matched) = match &c.entity {
                Some(e) => (e.clone(), c.matches.get(e).copied().unwrap_or(0)),
                None => {
                    let mut list: Vec<(&String, &u64)> = c.matches.iter().collect();
                    list.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                    let mut names: Vec<&str> =
                        list.iter().take(3).map(|(e, _)| e.as_str()).collect();
                    let more = format!("+{}", list.len().saturating_sub(3));
                    if list.len() > 3 {
                        names.push(&more);
                    }
                    let label = if c.free_text { "free text" } else { "mixed" };
                    (
                        format!("{label}: {}", names.join(",")),
                        list.first().map_or(0, |(_, n)| **n),
                    )
                }
            };
            rows.push([
                f.path.clone(),
                c.column.clone(),
                entity,
                format!("{matched}/{}", c.non_empty),
                format!("{:.2}", c.confidence),
                c.samples.first().cloned().unwrap_or_default(),
            ]);
        }
    }
    let header = ["FILE", "COLUMN", "ENTITY", "MATCHED", "CONF", "SAMPLE"];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (i, cell) in r.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |w: &mut dyn Write, cells: [&str; 6]| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 5 {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        writeln!(w, "{}", s.trim_end())
    };
    if !rows.is_empty() {
        line(w, header)?;
        for r in &rows {
            line(w, [&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]])?;
        }
    }
    let files = report.files.len();
    let personal: usize = report
        .files
        .iter()
        .flat_map(|f| &f.columns)
        .filter(|c| c.entity.is_some())
        .count();
    let free: usize = report
        .files
        .iter()
        .flat_map(|f| &f.columns)
        .filter(|c| c.entity.is_none() && !c.matches.is_empty())
        .count();
    let rows_total: u64 = report.files.iter().map(|f| f.rows).sum();
    let errors: usize = report.files.iter().map(|f| f.errors.len()).sum();
    writeln!(
        w,
        "{files} file(s), {rows_total} row(s): {personal} personal column(s), {free} other column(s) with findings, {errors} error(s)"
    )
}
