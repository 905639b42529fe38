//! The HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched)
//! that a privacy team opens from a ticket and reads at a glance.
//!
//! It is rendered from the same model as the JSON report ([`Report`]), plus what other
//! commands add: the verdict of `check`, the before/after counts of `pseudonymize`, the
//! class-size distribution of `risk`. Every value shown comes from those models, whose
//! samples are already masked; text is escaped, and a Content-Security-Policy forbids any
//! request, so the page works offline and cannot leak by loading anything.

use super::{ColumnReport, Report};
use crate::aggregate::Risk;
use crate::check::FileCheck;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

const TEMPLATE: &str = include_str!("template.html");
/// Rows drawn in the heat map; the table below it lists every column.
const HEATMAP_ROWS: usize = 400;
/// Columns drawn in the per-column share chart.
const SHARE_BARS: usize = 40;

/// Everything one page shows; each part is optional.
#[derive(Debug, Default)]
pub struct Page<'a> {
    /// The page title.
    pub title: String,
    /// The scan report (summary, heat map, charts, column table, errors).
    pub report: Option<&'a Report>,
    /// Wall time of the run, when known.
    pub elapsed: Option<Duration>,
    /// The `check` verdict per file.
    pub check: Option<&'a [FileCheck]>,
    /// Per-column before/after of a `pseudonymize` run.
    pub pseudonymized: Option<&'a [PseudoColumn]>,
    /// The `risk` result.
    pub risk: Option<RiskView<'a>>,
    /// Samples are raw values (`--show-values`): the page says so in a warning.
    pub show_values: bool,
}

/// One column of a pseudonymized release: what pass 1 found and what a rescan of the output
/// still finds.
#[derive(Debug, Clone)]
pub struct PseudoColumn {
    /// Input path.
    pub file: String,
    /// Column path.
    pub column: String,
    /// Verdict of pass 1.
    pub verdict: Option<String>,
    /// Operator applied.
    pub operator: String,
    /// Cells with findings in the input.
    pub before: u64,
    /// Cells with findings in the output (`None`: the column was dropped).
    pub after: Option<u64>,
    /// Of `after`, the cells that hold what the policy does not keep: left by mistake. The
    /// others were kept on purpose (kept, generalized or allowed by the policy).
    pub left: u64,
    /// Cells whose value changed.
    pub cells_changed: u64,
}

/// A `risk` result and its bounds.
#[derive(Debug, Clone)]
pub struct RiskView<'a> {
    /// The result.
    pub risk: &'a Risk,
    /// Quasi-identifiers.
    pub quasi_identifiers: &'a [String],
    /// The k bound, if one was set.
    pub k_min: Option<u64>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Renders the page.
pub fn render(page: &Page) -> String {
    let mut body = String::new();
    let entities = entity_colors(page);
    summary(&mut body, page, &entities);
    if let Some(report) = page.report {
        heatmap(&mut body, report, &entities);
        entity_bars(&mut body, report, &entities);
        share_bars(&mut body, report, &entities);
    }
    if let Some(cols) = page.pseudonymized {
        pseudo_section(&mut body, cols);
    }
    if let Some(r) = &page.risk {
        risk_section(&mut body, r);
    }
    if let Some(check) = page.check {
        check_section(&mut body, check);
    }
    if let Some(report) = page.report {
        column_table(&mut body, report);
    }
    errors_section(&mut body, page);
    let tool = page.report.map_or_else(
        || format!("shroud {}", env!("CARGO_PKG_VERSION")),
        |r| r.tool.clone(),
    );
    let subtitle = if page.show_values {
        "Raw values shown (--show-values): this page holds personal data.".to_string()
    } else {
        "Samples are masked; no raw value is in this file.".to_string()
    };
    let footer = format!(
        "Made by {} · self-contained: no script, no network request.",
        escape(&tool)
    );
    fill(
        TEMPLATE,
        &[
            ("TITLE", &escape(&page.title)),
            ("TOOL", &escape(&tool)),
            ("SUBTITLE", &escape(&subtitle)),
            ("FOOTER", &footer),
            ("BODY", &body),
        ],
    )
}

/// Replaces each `{{KEY}}` of `template` in one pass: text put in (a title that contains
/// `{{BODY}}`) is never expanded again.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find("}}").and_then(|j| {
            values
                .iter()
                .find(|(k, _)| *k == &after[..j])
                .map(|v| (j, v.1))
        }) {
            Some((j, v)) => {
                out.push_str(v);
                rest = &after[j + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Entities in the page, sorted, each with its colour. An entity's colour depends on its name
/// alone (its place in the entity registry; a user rule's entity, on a digest of its name), so
/// it is the same on every page and in every legend.
fn entity_colors(page: &Page) -> BTreeMap<String, String> {
    let mut names: Vec<&str> = Vec::new();
    if let Some(r) = page.report {
        for c in r.files.iter().flat_map(|f| &f.columns) {
            names.extend(c.matches.keys().map(String::as_str));
            names.extend(c.entity.as_deref());
        }
    }
    for c in page.pseudonymized.unwrap_or_default() {
        names.extend(c.verdict.as_deref());
    }
    for f in page.check.unwrap_or_default() {
        names.extend(f.findings.iter().map(|f| f.entity.as_str()));
    }
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|n| (n.to_string(), entity_color(n)))
        .collect()
}

/// The colour of `entity`: hues a golden angle apart by registry place, so that neighbours in
/// the registry differ most.
pub fn entity_color(entity: &str) -> String {
    let place = match crate::entity::ENTITIES
        .iter()
        .position(|e| e.name == entity)
    {
        Some(i) => i as u64,
        None => entity.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }),
    };
    let hue = (place as f64 * 137.507_764) % 360.0;
    let light = [42, 52, 34][(place % 3) as usize];
    format!("hsl({hue:.0},62%,{light}%)")
}

fn card(out: &mut String, key: &str, value: &str, shown: &str, label: &str, class: &str) {
    let _ = write!(
        out,
        r#"<div class="card {class}" data-k="{key}" data-v="{}"><b>{}</b><span>{}</span></div>"#,
        escape(value),
        escape(shown),
        escape(label)
    );
}

/// Columns with a verdict or any finding.
fn at_risk(c: &ColumnReport) -> bool {
    c.entity.is_some() || !c.matches.is_empty()
}

fn summary(out: &mut String, page: &Page, entities: &BTreeMap<String, String>) {
    out.push_str(r#"<section id="summary"><h2>Summary</h2><div class="cards">"#);
    if let Some(r) = page.report {
        let files = r.files.len();
        let rows: u64 = r.files.iter().map(|f| f.rows).sum();
        let bytes: u64 = r.files.iter().map(|f| f.bytes).sum();
        let columns: usize = r.files.iter().map(|f| f.columns.len()).sum();
        let risky = r
            .files
            .iter()
            .flat_map(|f| &f.columns)
            .filter(|c| at_risk(c))
            .count();
        let found: Vec<&String> = {
            let mut v: Vec<&String> = r
                .files
                .iter()
                .flat_map(|f| &f.columns)
                .flat_map(|c| c.matches.keys())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let errors: usize = r.files.iter().map(|f| f.errors.len()).sum();
        card(
            out,
            "files",
            &files.to_string(),
            &files.to_string(),
            "files",
            "",
        );
        card(out, "rows", &rows.to_string(), &group(rows), "rows", "");
        card(
            out,
            "bytes",
            &bytes.to_string(),
            &human_bytes(bytes),
            "bytes",
            "",
        );
        if let Some(t) = page.elapsed {
            let ms = t.as_millis().to_string();
            card(
                out,
                "time",
                &ms,
                &format!("{:.2} s", t.as_secs_f64()),
                "time",
                "",
            );
        }
        card(
            out,
            "entities",
            &found.len().to_string(),
            &found.len().to_string(),
            "entities found",
            "",
        );
        card(
            out,
            "columns_at_risk",
            &risky.to_string(),
            &format!("{risky} / {columns}"),
            "columns at risk",
            if risky > 0 { "fail" } else { "pass" },
        );
        card(
            out,
            "errors",
            &errors.to_string(),
            &errors.to_string(),
            "errors",
            if errors > 0 { "fail" } else { "" },
        );
    }
    if let Some(check) = page.check {
        let fails = check.iter().any(FileCheck::fails);
        let verdict = if fails { "FAIL" } else { "PASS" };
        let class = if fails { "fail" } else { "pass" };
        card(out, "check", verdict, verdict, "check verdict", class);
        if page.report.is_none() {
            let rows: u64 = check.iter().map(|f| f.rows).sum();
            card(
                out,
                "files",
                &check.len().to_string(),
                &check.len().to_string(),
                "files",
                "",
            );
            card(out, "rows", &rows.to_string(), &group(rows), "rows", "");
        }
    }
    if let Some(p) = page.pseudonymized {
        let changed: u64 = p.iter().map(|c| c.cells_changed).sum();
        let flagged: u64 = p.iter().filter_map(|c| c.after).sum();
        let left: u64 = p.iter().map(|c| c.left).sum();
        card(
            out,
            "cells_changed",
            &changed.to_string(),
            &group(changed),
            "cells changed",
            "",
        );
        card(
            out,
            "findings_kept",
            &flagged.saturating_sub(left).to_string(),
            &group(flagged.saturating_sub(left)),
            "cells kept by policy (kept, generalized or allowed)",
            "",
        );
        card(
            out,
            "findings_left",
            &left.to_string(),
            &group(left),
            "cells left that the policy does not keep",
            if left > 0 { "fail" } else { "pass" },
        );
    }
    if let Some(r) = &page.risk {
        card(
            out,
            "risk_rows",
            &r.risk.rows.to_string(),
            &group(r.risk.rows),
            "rows",
            "",
        );
        let class = match r.k_min {
            Some(k) if r.risk.k < k => "fail",
            Some(_) => "pass",
            None => "",
        };
        card(
            out,
            "k",
            &r.risk.k.to_string(),
            &r.risk.k.to_string(),
            "k (smallest class)",
            class,
        );
    }
    out.push_str("</div>");
    if !entities.is_empty() {
        out.push_str(r#"<p class="note">Entities: "#);
        for (e, color) in entities {
            let _ = write!(
                out,
                r#"<span class="tag" style="background:{color}">{}</span> "#,
                escape(e)
            );
        }
        out.push_str("</p>");
    }
    if page.show_values {
        out.push_str(r#"<div class="warning">This report was made with --show-values: samples are raw personal data. Do not share it.</div>"#);
    }
    out.push_str("</section>");
}

fn heatmap(out: &mut String, report: &Report, entities: &BTreeMap<String, String>) {
    let rows: Vec<(&str, &ColumnReport)> = report
        .files
        .iter()
        .flat_map(|f| f.columns.iter().map(move |c| (f.path.as_str(), c)))
        .filter(|(_, c)| at_risk(c))
        .collect();
    out.push_str(r#"<section id="heatmap"><h2>Where personal data is: columns × entities</h2>"#);
    if rows.is_empty() {
        out.push_str(r#"<p class="note">No column holds personal data.</p></section>"#);
        return;
    }
    out.push_str(r#"<p class="note">Colour = entity; strength = confidence of the column's verdict (outlined) or the share of cells with the entity. Hover a cell for counts, masked samples and the rules that fired.</p>"#);
    let ents: Vec<&String> = entities.keys().collect();
    let label = |(file, c): &(&str, &ColumnReport)| format!("{} · {}", file_name(file), c.column);
    let label_w = rows
        .iter()
        .take(HEATMAP_ROWS)
        .map(|r| label(r).chars().count().min(60))
        .max()
        .unwrap_or(10) as u32
        * 7
        + 12;
    let (cw, ch, top) = (34u32, 20u32, 110u32);
    let shown = rows.len().min(HEATMAP_ROWS);
    let width = label_w + cw * ents.len() as u32 + 10;
    let height = top + ch * shown as u32 + 10;
    let _ = write!(
        out,
        r#"<div class="scroll"><svg width="{width}" height="{height}" role="img" aria-label="heat map">"#
    );
    for (j, e) in ents.iter().enumerate() {
        let x = label_w + cw * j as u32 + cw / 2;
        let _ = write!(
            out,
            r#"<text transform="translate({x},{}) rotate(-55)">{}</text>"#,
            top - 6,
            escape(e)
        );
    }
    for (i, row) in rows.iter().take(HEATMAP_ROWS).enumerate() {
        let (file, c) = row;
        let y = top + ch * i as u32;
        let full = label(row);
        let short: String = if full.chars().count() > 60 {
            full.chars().take(59).chain(['…']).collect()
        } else {
            full.clone()
        };
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end"><title>{}</title>{}</text>"#,
            label_w - 8,
            y + ch - 6,
            escape(&format!("{file} · {}", c.column)),
            escape(&short)
        );
        let rules = c
            .rules
            .iter()
            .map(|(r, n)| format!("{r} ({n})"))
            .collect::<Vec<_>>()
            .join(", ");
        let samples = c.samples.join("  ");
        for (j, e) in ents.iter().enumerate() {
            let x = label_w + cw * j as u32;
            let cells = c.matches.get(*e).copied().unwrap_or(0);
            let is_verdict = c.entity.as_deref() == Some(e.as_str());
            if cells == 0 && !is_verdict {
                let _ = write!(
                    out,
                    r##"<rect x="{x}" y="{y}" width="{}" height="{}" fill="#f1f3f6"/>"##,
                    cw - 2,
                    ch - 2
                );
                continue;
            }
            let share = cells as f64 / c.non_empty.max(1) as f64;
            let strength = if is_verdict { c.confidence } else { share };
            let opacity = 0.15 + 0.85 * strength.clamp(0.0, 1.0);
            let stroke = if is_verdict {
                r##" stroke="#000" stroke-width="2""##
            } else {
                ""
            };
            let tip = format!(
                "{file} · {}\n{e}: {cells} of {} non-empty cells ({:.1}%){}\nrules: {}\nsamples (masked): {}",
                c.column,
                c.non_empty,
                share * 100.0,
                if is_verdict {
                    format!("\ncolumn verdict, confidence {:.2}", c.confidence)
                } else {
                    String::new()
                },
                if rules.is_empty() { "-" } else { &rules },
                if samples.is_empty() { "-" } else { &samples },
            );
            let _ = write!(
                out,
                r#"<rect class="cell" x="{x}" y="{y}" width="{}" height="{}" fill="{}" fill-opacity="{opacity:.2}"{stroke}><title>{}</title></rect>"#,
                cw - 2,
                ch - 2,
                entities[e.as_str()],
                escape(&tip)
            );
        }
    }
    out.push_str("</svg></div>");
    if rows.len() > shown {
        let _ = write!(
            out,
            r#"<p class="note">{} more columns with findings are listed in the table below.</p>"#,
            rows.len() - shown
        );
    }
    out.push_str("</section>");
}

/// A horizontal bar chart: `(label, value, colour, note)` per bar.
fn bars(out: &mut String, id: &str, items: &[(String, f64, String, String)], max: f64, unit: &str) {
    let label_w = items
        .iter()
        .map(|b| b.0.chars().count().min(50))
        .max()
        .unwrap_or(8) as u32
        * 7
        + 12;
    let (bar_w, h) = (420u32, 22u32);
    let width = label_w + bar_w + 260;
    let height = h * items.len() as u32 + 8;
    let _ = write!(
        out,
        r#"<div class="scroll"><svg id="{id}" width="{width}" height="{height}" role="img">"#
    );
    for (i, (label, value, color, note)) in items.iter().enumerate() {
        let y = h * i as u32 + 4;
        let len = if max > 0.0 {
            (value / max * f64::from(bar_w)).max(if *value > 0.0 { 1.0 } else { 0.0 })
        } else {
            0.0
        };
        let short: String = if label.chars().count() > 50 {
            label.chars().take(49).chain(['…']).collect()
        } else {
            label.clone()
        };
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><rect class="cell" x="{label_w}" y="{y}" width="{len:.1}" height="{}" fill="{color}"><title>{}: {}{unit}</title></rect><text x="{:.1}" y="{}">{}{unit}{}</text>"#,
            label_w - 8,
            y + h - 8,
            escape(&short),
            h - 6,
            escape(label),
            fmt_num(*value),
            f64::from(label_w) + len + 6.0,
            y + h - 8,
            fmt_num(*value),
            escape(note)
        );
    }
    out.push_str("</svg></div>");
}

fn entity_bars(out: &mut String, report: &Report, entities: &BTreeMap<String, String>) {
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for c in report.files.iter().flat_map(|f| &f.columns) {
        for (e, n) in &c.matches {
            *totals.entry(e).or_default() += n;
        }
    }
    if totals.is_empty() {
        return;
    }
    let mut items: Vec<(String, f64, String, String)> = totals
        .iter()
        .map(|(e, n)| {
            (
                e.to_string(),
                *n as f64,
                entities[*e].to_string(),
                " cells".into(),
            )
        })
        .collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let max = items.first().map_or(0.0, |b| b.1);
    out.push_str(r#"<section id="entities"><h2>Cells per entity</h2>"#);
    bars(out, "entity-bars", &items, max, "");
    out.push_str("</section>");
}

fn share_bars(out: &mut String, report: &Report, entities: &BTreeMap<String, String>) {
    let mut items: Vec<(String, f64, String, String)> = Vec::new();
    for f in &report.files {
        for c in f.columns.iter().filter(|c| at_risk(c)) {
            let (e, n) = c
                .entity
                .as_ref()
                .map(|e| (e.as_str(), c.matches.get(e).copied().unwrap_or(0)))
                .or_else(|| {
                    c.matches
                        .iter()
                        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                        .map(|(e, n)| (e.as_str(), *n))
                })
                .unwrap_or(("", 0));
            let share = 100.0 * n as f64 / c.non_empty.max(1) as f64;
            let color = entities.get(e).cloned().unwrap_or_else(|| "#7f7f7f".into());
            let note = format!(
                " of cells · {e}{}",
                if c.free_text { " (free text)" } else { "" }
            );
            items.push((
                format!("{} · {}", file_name(&f.path), c.column),
                share,
                color,
                note,
            ));
        }
    }
    if items.is_empty() {
        return;
    }
    items.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let more = items.len().saturating_sub(SHARE_BARS);
    items.truncate(SHARE_BARS);
    out.push_str(r#"<section id="shares"><h2>Match share per column</h2><p class="note">Share of a column's non-empty cells holding its main entity.</p>"#);
    bars(out, "share-bars", &items, 100.0, "%");
    if more > 0 {
        let _ = write!(
            out,
            r#"<p class="note">{more} more columns in the table below.</p>"#
        );
    }
    out.push_str("</section>");
}

fn pseudo_section(out: &mut String, cols: &[PseudoColumn]) {
    out.push_str(r#"<section id="pseudonymized"><h2>Pseudonymized release: before and after</h2><p class="note">Before = cells with findings in the input (pass 1); after = cells a rescan of the output still flags. Tokens are built so that a rescan does not flag them: what stays flagged was kept by policy (kept, generalized, allowed; grey) or left although the policy does not keep it (red).</p>"#);
    let (bar_w, h) = (300u32, 20u32);
    let label_w = cols
        .iter()
        .map(|c| (file_name(&c.file).chars().count() + c.column.chars().count() + 3).min(60))
        .max()
        .unwrap_or(10) as u32
        * 7
        + 12;
    let max = cols
        .iter()
        .map(|c| c.before.max(c.after.unwrap_or(0)))
        .max()
        .unwrap_or(0);
    let width = label_w + bar_w + 320;
    let height = (2 * h + 6) * cols.len() as u32 + 30;
    let _ = write!(
        out,
        r##"<div class="scroll"><svg id="pseudo-bars" width="{width}" height="{height}" role="img"><rect x="{label_w}" y="4" width="12" height="10" fill="#90a4ae"/><text x="{}" y="13">before</text><rect x="{}" y="4" width="12" height="10" fill="#607d8b"/><text x="{}" y="13">after: kept by policy</text><rect x="{}" y="4" width="12" height="10" fill="#c62828"/><text x="{}" y="13">after: left</text>"##,
        label_w + 16,
        label_w + 70,
        label_w + 86,
        label_w + 230,
        label_w + 246
    );
    for (i, c) in cols.iter().enumerate() {
        let y = 24 + (2 * h + 6) * i as u32;
        let scale = |v: u64| {
            if max == 0 {
                0.0
            } else {
                (v as f64 / max as f64 * f64::from(bar_w)).max(if v > 0 { 1.0 } else { 0.0 })
            }
        };
        let after_color = if c.left > 0 { "#c62828" } else { "#607d8b" };
        let after_text = c.after.map_or("dropped".to_string(), group);
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" text-anchor="end">{}</text><rect class="cell" x="{label_w}" y="{y}" width="{:.1}" height="{}" fill="#90a4ae"><title>before: {}</title></rect><text x="{:.1}" y="{}">{} · {}</text><rect class="cell" x="{label_w}" y="{}" width="{:.1}" height="{}" fill="{after_color}"><title>after: {}</title></rect><text x="{:.1}" y="{}">{}</text>"##,
            label_w - 8,
            y + h,
            escape(&format!("{} · {}", file_name(&c.file), c.column)),
            scale(c.before),
            h - 4,
            c.before,
            f64::from(label_w) + scale(c.before) + 6.0,
            y + h - 8,
            group(c.before),
            escape(&format!(
                "{} → {}",
                c.verdict.as_deref().unwrap_or("spans"),
                c.operator
            )),
            y + h,
            scale(c.after.unwrap_or(0)),
            h - 4,
            escape(&after_text),
            f64::from(label_w) + scale(c.after.unwrap_or(0)) + 6.0,
            y + 2 * h - 8,
            escape(&after_text),
        );
    }
    out.push_str("</svg></div>");
    out.push_str(r#"<table><thead><tr><th>File</th><th>Column</th><th>Verdict</th><th>Operator</th><th class="num">Before</th><th class="num">Changed</th><th class="num">After</th><th class="num">Left</th></tr></thead><tbody>"#);
    for c in cols {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="mono">{}</td><td>{}</td><td class="mono">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            escape(&c.file),
            escape(&c.column),
            escape(c.verdict.as_deref().unwrap_or("-")),
            escape(&c.operator),
            c.before,
            c.cells_changed,
            c.after.map_or("dropped".into(), |a| a.to_string()),
            c.left
        );
    }
    out.push_str("</tbody></table></section>");
}

fn risk_section(out: &mut String, r: &RiskView) {
    let risk = r.risk;
    let _ = write!(
        out,
        r#"<section id="risk"><h2>Re-identification risk</h2><p class="note">{} rows in {} equivalence classes over <span class="mono">{}</span>. k = {}{}{}.</p>"#,
        risk.rows,
        risk.classes,
        escape(&r.quasi_identifiers.join(", ")),
        risk.k,
        r.k_min.map_or(String::new(), |k| format!(
            " (bound {k}: {})",
            if risk.k >= k { "pass" } else { "FAIL" }
        )),
        risk.l
            .map_or(String::new(), |l| format!(", distinct l-diversity l = {l}")),
    );
    // Bars per class size 1..last, then one bar for everything from `last` up.
    // At most 50 bars, whatever --k-min says.
    let last = r.k_min.unwrap_or(5).clamp(5, 25) * 2;
    let mut counts: Vec<u64> = vec![0; last as usize + 1];
    for (&size, &n) in &risk.class_sizes {
        counts[size.min(last) as usize] += n;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (bw, plot_h, left, top) = (26u64, 160u64, 50u64, 16u64);
    let width = (left + bw * last + 40).max(640);
    let height = top + plot_h + 44;
    let _ = write!(
        out,
        r#"<div class="scroll"><svg id="risk-histogram" width="{width}" height="{height}" role="img"><line class="axis" x1="{left}" y1="{}" x2="{}" y2="{}"/>"#,
        top + plot_h,
        left + bw * last,
        top + plot_h
    );
    for size in 1..=last {
        let n = counts[size as usize];
        let bh = (n as f64 / max as f64 * plot_h as f64).round() as u64;
        let x = left + bw * (size - 1);
        let below = r.k_min.is_some_and(|k| size < k);
        let color = if below { "#c62828" } else { "#1f77b4" };
        let label = if size == last {
            format!("{size}+")
        } else {
            size.to_string()
        };
        let _ = write!(
            out,
            r#"<rect class="cell" x="{}" y="{}" width="{}" height="{bh}" fill="{color}"><title>classes of size {label}: {n}</title></rect><text x="{}" y="{}" text-anchor="middle">{label}</text>"#,
            x + 2,
            top + plot_h - bh,
            bw - 4,
            x + bw / 2,
            top + plot_h + 14
        );
        if n > 0 {
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" text-anchor="middle">{n}</text>"#,
                x + bw / 2,
                top + plot_h - bh - 3
            );
        }
    }
    if let Some(k) = r.k_min.filter(|&k| k <= last) {
        let x = left + bw * (k.max(1) - 1);
        let _ = write!(
            out,
            r##"<line x1="{x}" y1="{top}" x2="{x}" y2="{}" stroke="#c62828" stroke-width="2" stroke-dasharray="5,3"/><text x="{}" y="{}" fill="#c62828">k = {k}</text>"##,
            top + plot_h,
            x + 4,
            top + 10
        );
    }
    let _ = write!(
        out,
        r#"<text x="{left}" y="{}">class size (records sharing the same quasi-identifiers); bar = number of classes</text></svg></div>"#,
        top + plot_h + 34
    );
    if !risk.worst.is_empty() {
        out.push_str(r#"<table><thead><tr><th>Smallest classes (values masked)</th><th class="num">Records</th><th class="num">Distinct sensitive</th></tr></thead><tbody>"#);
        for (key, n, l) in &risk.worst {
            let _ = write!(
                out,
                r#"<tr><td class="mono">{}</td><td class="num">{n}</td><td class="num">{}</td></tr>"#,
                escape(&key.join(" | ")),
                l.map_or("-".into(), |l| l.to_string())
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}

fn check_section(out: &mut String, files: &[FileCheck]) {
    out.push_str(r#"<section id="check"><h2>Share policy check</h2><table><thead><tr><th>File</th><th>Verdict</th><th>Column</th><th>Entity</th><th>Status</th><th class="num">Cells</th><th class="num">First row</th><th>Sample</th><th>Reason / fix</th></tr></thead><tbody>"#);
    for f in files {
        let verdict = if f.fails() {
            r#"<span class="verdict fail">FAIL</span>"#
        } else {
            r#"<span class="verdict pass">PASS</span>"#
        };
        let mut lines: Vec<String> = f
            .findings
            .iter()
            .map(|x| {
                format!(
                    r#"<td class="mono">{}</td><td>{}</td><td class="status-{}">{}</td><td class="num">{}</td><td class="num">{}</td><td class="mono">{}</td><td>{}</td>"#,
                    escape(&x.column),
                    escape(&x.entity),
                    escape(&x.status),
                    escape(&x.status),
                    x.cells,
                    x.first_row,
                    escape(&x.sample),
                    escape(x.reason.as_deref().or(x.fix.as_deref()).unwrap_or(""))
                )
            })
            .collect();
        if let Some(k) = &f.k_anonymity {
            lines.push(format!(
                r#"<td class="mono">{}</td><td>k-anonymity</td><td class="status-{}">{}</td><td class="num">k = {}</td><td class="num"></td><td></td><td>bound {}</td>"#,
                escape(&k.quasi_identifiers.join(",")),
                if k.pass { "allowed" } else { "fail" },
                if k.pass { "pass" } else { "fail" },
                k.k,
                k.k_min
            ));
        }
        if lines.is_empty() {
            lines.push(r#"<td colspan="7">no personal data found</td>"#.into());
        }
        for (i, l) in lines.iter().enumerate() {
            let head = if i == 0 {
                format!("<td>{}</td><td>{verdict}</td>", escape(&f.path))
            } else {
                "<td></td><td></td>".into()
            };
            let _ = write!(out, "<tr>{head}{l}</tr>");
        }
    }
    out.push_str("</tbody></table></section>");
}

fn column_table(out: &mut String, report: &Report) {
    out.push_str(r#"<section id="columns"><h2>Columns with findings</h2><table><thead><tr><th>File</th><th>Column</th><th>Verdict</th><th class="num">Confidence</th><th class="num">Matched / non-empty</th><th>Entities (cells)</th><th>Rules</th><th>Samples (masked)</th></tr></thead><tbody>"#);
    let mut any = false;
    for f in &report.files {
        for c in f.columns.iter().filter(|c| at_risk(c)) {
            any = true;
            let verdict = match (&c.entity, c.free_text) {
                (Some(e), _) => e.clone(),
                (None, true) => "free text".into(),
                (None, false) => "mixed".into(),
            };
            let matched = c
                .entity
                .as_ref()
                .and_then(|e| c.matches.get(e))
                .or_else(|| c.matches.values().max())
                .copied()
                .unwrap_or(0);
            let list = |m: &BTreeMap<String, u64>| {
                m.iter()
                    .map(|(k, v)| format!("{k} ({v})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td class="mono">{}</td><td>{}</td><td class="num">{:.2}</td><td class="num">{matched} / {}</td><td>{}</td><td class="mono">{}</td><td class="mono">{}</td></tr>"#,
                escape(&f.path),
                escape(&c.column),
                escape(&verdict),
                c.confidence,
                c.non_empty,
                escape(&list(&c.matches)),
                escape(&list(&c.rules)),
                escape(&c.samples.join("  "))
            );
        }
    }
    if !any {
        out.push_str(r#"<tr><td colspan="8">none</td></tr>"#);
    }
    out.push_str("</tbody></table></section>");
}

fn errors_section(out: &mut String, page: &Page) {
    let mut rows: Vec<(String, String)> = Vec::new();
    for f in page.report.map(|r| r.files.as_slice()).unwrap_or_default() {
        rows.extend(f.errors.iter().map(|e| (f.path.clone(), e.clone())));
        if f.ragged_rows > 0 {
            rows.push((
                f.path.clone(),
                format!("{} ragged row(s) scanned under --lenient", f.ragged_rows),
            ));
        }
        if f.skipped_records > 0 {
            rows.push((
                f.path.clone(),
                format!(
                    "{} unparsable record(s) skipped under --lenient",
                    f.skipped_records
                ),
            ));
        }
    }
    for f in page.check.unwrap_or_default() {
        rows.extend(f.error.iter().map(|e| (f.path.clone(), e.clone())));
    }
    let waivers: Vec<_> = page
        .check
        .unwrap_or_default()
        .iter()
        .flat_map(|f| f.findings.iter().map(move |x| (f, x)))
        .filter(|(_, x)| x.status != "fail")
        .collect();
    let _ = write!(
        out,
        r#"<section id="errors"><h2>Errors and waivers</h2><p class="note" data-k="error_count" data-v="{}">{} error(s), {} waiver(s).</p>"#,
        rows.len(),
        rows.len(),
        waivers.len()
    );
    if !rows.is_empty() {
        out.push_str(r#"<table><thead><tr><th>File</th><th>Error (with row or offset)</th></tr></thead><tbody>"#);
        for (file, e) in &rows {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td class="mono">{}</td></tr>"#,
                escape(file),
                escape(e)
            );
        }
        out.push_str("</tbody></table>");
    }
    if !waivers.is_empty() {
        out.push_str(r#"<table><thead><tr><th>File</th><th>Column</th><th>Entity</th><th>Status</th><th class="num">First row</th><th>Reason</th></tr></thead><tbody>"#);
        for (f, x) in waivers {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td class="mono">{}</td><td>{}</td><td class="status-{}">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
                escape(&f.path),
                escape(&x.column),
                escape(&x.entity),
                escape(&x.status),
                escape(&x.status),
                x.first_row,
                escape(x.reason.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `1234567` -> `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        group(v as u64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::FileReport;

    #[test]
    fn an_entity_has_one_colour_on_every_page_and_neighbours_differ() {
        let all: Vec<String> = crate::entity::ENTITIES
            .iter()
            .map(|e| entity_color(e.name))
            .collect();
        // The colour is a function of the name alone: pages with other entities agree.
        let mut one = sample();
        let page = Page {
            report: Some(&one),
            ..Default::default()
        };
        let c1 = entity_colors(&page)["EMAIL_ADDRESS"].clone();
        one.files[0].columns[0]
            .matches
            .insert("PHONE_NUMBER".into(), 3);
        let page = Page {
            report: Some(&one),
            ..Default::default()
        };
        assert_eq!(entity_colors(&page)["EMAIL_ADDRESS"], c1);
        assert_eq!(c1, entity_color("EMAIL_ADDRESS"));
        for w in all.windows(2) {
            assert_ne!(w[0], w[1]);
        }
        assert_eq!(entity_color("MY_RULE"), entity_color("MY_RULE"));
        // The page's legend shows each entity in the colour its cells use.
        let html = render(&page);
        for (e, c) in entity_colors(&page) {
            assert!(
                html.contains(&format!(r#"style="background:{c}">{e}<"#)),
                "{e}"
            );
            assert!(html.contains(&format!(r#"fill="{c}""#)), "{e}");
        }
    }

    fn sample() -> Report {
        let mut r = Report::new();
        r.files.push(FileReport {
            path: "data/<users>.csv".into(),
            format: "csv".into(),
            rows: 1234,
            bytes: 56_789,
            sampled: false,
            ragged_rows: 0,
            skipped_records: 0,
            columns: vec![ColumnReport {
                column: "e\"mail".into(),
                entity: Some("EMAIL_ADDRESS".into()),
                confidence: 0.97,
                non_empty: 1200,
                matches: [("EMAIL_ADDRESS".to_string(), 1190)].into(),
                rules: [("pii.email.1".to_string(), 1190)].into(),
                samples: vec!["j***@e***.com".into()],
                free_text: false,
                invalid_utf8: 0,
                header_mismatch: Vec::new(),
            }],
            errors: vec!["data/<users>.csv: line 7: bad quote".into()],
        });
        r
    }

    #[test]
    fn escapes_everything_it_prints() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let html = render(&Page {
            title: "t".into(),
            report: Some(&sample()),
            ..Default::default()
        });
        assert!(!html.contains("<users>"), "file name not escaped");
        assert!(html.contains("data/&lt;users&gt;.csv"));
        assert!(html.contains("e&quot;mail"));
    }

    #[test]
    fn summary_numbers_and_no_scripts() {
        let html = render(&Page {
            title: "t".into(),
            report: Some(&sample()),
            elapsed: Some(Duration::from_millis(1500)),
            ..Default::default()
        });
        assert!(html.contains(r#"data-k="rows" data-v="1234""#));
        assert!(html.contains(r#"data-k="bytes" data-v="56789""#));
        assert!(html.contains(r#"data-k="columns_at_risk" data-v="1""#));
        assert!(html.contains(r#"data-k="time" data-v="1500""#));
        assert!(html.contains("pii.email.1 (1190)"));
        assert!(html.contains("line 7: bad quote"));
        assert!(!html.contains("<script"));
        for fetch in ["http:", "https:", "src=", "url(", "<link"] {
            assert!(
                !html.contains(fetch),
                "{fetch}: nothing may point at the network"
            );
        }
    }

    #[test]
    fn placeholders_fill_in_one_pass() {
        assert_eq!(
            fill("<t>{{A}}</t>{{B}}{{C}}", &[("A", "{{B}}"), ("B", "b")]),
            "<t>{{B}}</t>b{{C}}"
        );
        let html = render(&Page {
            title: "{{BODY}}<script>".into(),
            report: Some(&sample()),
            ..Default::default()
        });
        assert_eq!(html.matches("id=\"summary\"").count(), 1);
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn risk_histogram_is_bounded_whatever_the_bound() {
        let risk = Risk {
            rows: 3,
            classes: 2,
            k: 1,
            records_below: BTreeMap::new(),
            l: None,
            worst: Vec::new(),
            class_sizes: [(1, 1), (2, 1)].into(),
        };
        let html = render(&Page {
            risk: Some(RiskView {
                risk: &risk,
                quasi_identifiers: &["zip".to_string()],
                k_min: Some(u64::MAX),
            }),
            ..Default::default()
        });
        assert!(html.len() < 100_000);
        assert!(html.contains("50+"));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(group(12), "12");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
    }
}
