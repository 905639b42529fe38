//! PostgreSQL databases, against a real server that `.ci/run` starts once per run
//! (`scripts/test-servers.sh`; the URL and password come in `SHROUD_TEST_PG_URL` and
//! `SHROUD_TEST_PG_PASSWORD`). Without a server the tests say SKIPPED, and fail when
//! `SHROUD_STORE_TESTS=require` (as CI sets it).
//!
//! Each test seeds its own schema, so the tests run in parallel on one server.

use crate::util::*;
use arrow_array::Array;
use serde_json::Value;
use std::path::Path;

/// The server's URL (no password) and password, or `None` (SKIPPED) without a server.
fn server(test: &str) -> Option<(String, String)> {
    match (
        std::env::var("SHROUD_TEST_PG_URL"),
        std::env::var("SHROUD_TEST_PG_PASSWORD"),
    ) {
        (Ok(url), Ok(pw)) => Some((url, pw)),
        _ => {
            assert_ne!(
                std::env::var("SHROUD_STORE_TESTS").as_deref(),
                Ok("require"),
                "{test}: no PostgreSQL server (run `eval \"$(bash scripts/test-servers.sh start)\"`)"
            );
            eprintln!("SKIPPED {test}: no PostgreSQL server (scripts/test-servers.sh)");
            None
        }
    }
}

fn client(url: &str, pw: &str) -> postgres::Client {
    use std::str::FromStr;
    let mut config = postgres::Config::from_str(url).unwrap();
    config.password(pw);
    config.connect(postgres::NoTls).unwrap()
}

/// A fresh schema `name` holding `customers.csv` as a table of text columns
/// (`customers`), a table of typed columns (`typed`) and a view.
fn seed(c: &mut postgres::Client, schema: &str) {
    use std::io::Write;
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
    ))
    .unwrap();
    let csv = std::fs::read_to_string(fixture("csv/customers.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    let cols: Vec<String> = header.split(',').map(|h| format!("{h} text")).collect();
    c.batch_execute(&format!(
        "CREATE TABLE {schema}.customers ({});",
        cols.join(", ")
    ))
    .unwrap();
    let mut w = c
        .copy_in(&format!(
            "COPY {schema}.customers FROM STDIN WITH (FORMAT csv, HEADER true)"
        ))
        .unwrap();
    w.write_all(csv.as_bytes()).unwrap();
    w.finish().unwrap();
    c.batch_execute(&format!(
        "CREATE TABLE {schema}.typed (id serial PRIMARY KEY, email text, phone varchar(40),
            born date, balance numeric(12,2), seen timestamptz, ip inet, tags text[],
            profile jsonb, photo bytea, active boolean, version text);
         INSERT INTO {schema}.typed (email, phone, born, balance, seen, ip, tags, profile,
                                     photo, active, version)
         SELECT 'user' || g || '@example.com', '+44 20 7946 ' || lpad((g % 10000)::text, 4, '0'),
                date '1950-01-01' + (g * 7) % 20000, g * 1.25,
                timestamptz '2024-01-01 10:00+00' + g * interval '1 minute',
                ('10.' || (g % 200) || '.' || (g % 250) || '.' || (g % 199 + 1))::inet,
                ARRAY['vip', 'tier' || (g % 3)],
                jsonb_build_object('contact', jsonb_build_object('email', 'j' || g || '@example.org'), 'city', 'Paris'),
                convert_to('thumbnail ' || g, 'UTF8'), g % 2 = 0, '2.' || (g % 20) || '.' || (g % 7)
         FROM generate_series(1, 3000) g;
         CREATE VIEW {schema}.emails AS SELECT email FROM {schema}.typed;
         ANALYZE {schema}.customers; ANALYZE {schema}.typed;"
    ))
    .unwrap();
}

/// A fresh schema `name` holding a table `t` of ten e-mail addresses.
fn emails(c: &mut postgres::Client, schema: &str) {
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
         CREATE TABLE {schema}.t AS SELECT 'ann' || g || '@example.com' AS email FROM generate_series(1, 10) g;"
    ))
    .unwrap();
}

/// `scan URL#schema.* --report`: the report and the output.
fn scan_db(dir: &Path, target: &str, pw: &str, extra: &[&str]) -> (Value, std::process::Output) {
    let report = dir.join("report.json");
    let _ = std::fs::remove_file(&report);
    let mut args = vec!["scan", target, "--report", report.to_str().unwrap(), "-q"];
    args.extend_from_slice(extra);
    let out = shroud_env(dir, &args, &[("PGPASSWORD", pw)]);
    let v = std::fs::read_to_string(&report)
        .map(|s| serde_json::from_str(&s).unwrap())
        .unwrap_or(Value::Null);
    (v, out)
}

fn file<'a>(report: &'a Value, suffix: &str) -> &'a Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} in {report}"))
}

#[test]
fn postgres_verdicts_equal_those_of_the_same_data_as_a_local_file() {
    let Some((url, pw)) = server("postgres_verdicts") else {
        return;
    };
    let mut c = client(&url, &pw);
    seed(&mut c, "s_verdicts");
    let dir = tempfile::tempdir().unwrap();
    let (report, out) = scan_db(dir.path(), &format!("{url}#s_verdicts.*"), &pw, &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let paths: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            format!("{url}#s_verdicts.customers"),
            format!("{url}#s_verdicts.emails"),
            format!("{url}#s_verdicts.typed")
        ],
        "tables and views, by schema.table"
    );
    assert!(
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["format"] == "postgres")
    );
    // The same verdict for every column as the CSV file the table was loaded from.
    let (local, _, out) = scan(&fixture("csv/customers.csv"), &["-q"]);
    assert!(out.status.success());
    let db = file(&report, "#s_verdicts.customers");
    assert_eq!(file_verdicts(db), verdicts(&local));
    assert_eq!(db["rows"], local["files"][0]["rows"]);
    // Typed columns, as PostgreSQL writes them.
    let typed = file_verdicts(file(&report, "#s_verdicts.typed"));
    assert_eq!(typed["email"], "EMAIL_ADDRESS");
    assert_eq!(typed["phone"], "PHONE_NUMBER");
    assert_eq!(typed["born"], "DATE_OF_BIRTH", "date");
    assert_eq!(typed["ip"], "IP_ADDRESS", "inet");
    for not_personal in [
        "id", "balance", "seen", "tags", "photo", "active", "version",
    ] {
        assert_eq!(typed[not_personal], "null", "{not_personal}: {typed:?}");
    }
    // JSONB is read as documents: each leaf a column under its path, as in JSON files.
    assert_eq!(typed["profile.contact.email"], "EMAIL_ADDRESS", "{typed:?}");
    assert_eq!(typed["profile.city"], "LOCATION", "{typed:?}");
    assert_eq!(
        typed["profile"], "null",
        "the document itself is no cell: {typed:?}"
    );
    assert_eq!(file(&report, "#s_verdicts.typed")["rows"], 3000);
    // A sample reads no more rows than asked for, from pages picked at random.
    let (sampled, out) = scan_db(
        dir.path(),
        &url,
        &pw,
        &["--table", "s_verdicts.typed", "--sample-rows", "100"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(sampled["files"].as_array().unwrap().len(), 1);
    assert_eq!(sampled["files"][0]["rows"], 100);
    assert_eq!(sampled["files"][0]["sampled"], true);
    assert_eq!(
        file_verdicts(&sampled["files"][0])["email"],
        "EMAIL_ADDRESS"
    );
    // A table larger than --table-sample-rows is sampled by default; smaller ones are read
    // whole (the customers table has 8 rows).
    let (by_default, out) = scan_db(
        dir.path(),
        &format!("{url}#s_verdicts.[ct]*"),
        &pw,
        &["--table-sample-rows", "500"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let typed = file(&by_default, "#s_verdicts.typed");
    assert_eq!(
        (typed["rows"].as_u64(), typed["sampled"].as_bool()),
        (Some(500), Some(true))
    );
    let customers = file(&by_default, "#s_verdicts.customers");
    assert_eq!(customers["sampled"], false);
    assert_eq!(customers["rows"], db["rows"]);
}

#[test]
fn postgres_pseudonymize_gives_the_local_runs_tokens_and_never_writes_the_database() {
    let Some((url, pw)) = server("postgres_pseudonymize") else {
        return;
    };
    let mut c = client(&url, &pw);
    seed(&mut c, "s_pseudo");
    let digest = |c: &mut postgres::Client| -> String {
        c.query_one(
            "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM s_pseudo.customers t",
            &[],
        )
        .unwrap()
        .get(0)
    };
    let before = digest(&mut c);
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    assert!(
        shroud(dir.path(), &["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let key = key.to_str().unwrap();
    let target = format!("{url}#s_pseudo.customers");
    let out = shroud_env(
        dir.path(),
        &[
            "pseudonymize",
            &target,
            "--out-dir",
            "share",
            "--key-file",
            key,
            "--verify",
        ],
        &[("PGPASSWORD", &pw)],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(digest(&mut c), before, "the database is never written");
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            fixture("csv/customers.csv").to_str().unwrap(),
            "--out-dir",
            "local",
            "--key-file",
            key,
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    // The table's Parquet file holds, cell for cell, what the CSV run wrote.
    let batches = read_parquet(&dir.path().join("share/postgres/s_pseudo.customers.parquet"));
    let mut local = csv::Reader::from_path(dir.path().join("local/customers.csv")).unwrap();
    let headers: Vec<String> = local.headers().unwrap().iter().map(String::from).collect();
    let local_rows: Vec<csv::StringRecord> = local.records().map(Result::unwrap).collect();
    let mut r = 0;
    for b in &batches {
        for i in 0..b.num_rows() {
            for (k, h) in headers.iter().enumerate() {
                let a = b.column_by_name(h).unwrap_or_else(|| panic!("column {h}"));
                let a = a
                    .as_any()
                    .downcast_ref::<arrow_array::StringArray>()
                    .unwrap();
                let db = if a.is_valid(i) { a.value(i) } else { "" };
                assert_eq!(db, &local_rows[r][k], "row {r} column {h}");
            }
            r += 1;
        }
    }
    assert_eq!(r, local_rows.len());
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("share/_shroud_manifest.json")).unwrap(),
    )
    .unwrap();
    // The manifest is shared: the server's address and user are shown masked, if at all.
    let input = manifest["files"][0]["input"].as_str().unwrap();
    assert!(
        input.starts_with("postgres://") && input.ends_with("/postgres#s_pseudo.customers"),
        "{input}"
    );
    assert_eq!(
        manifest["files"][0]["output"],
        "postgres/s_pseudo.customers.parquet"
    );
    assert!(!manifest.to_string().contains(&pw));
    let out = shroud(dir.path(), &["check", "share"]);
    assert!(out.status.success(), "{:?}", text(&out));
    // A JSONB column is written back as its document, leaves replaced in place.
    let out = shroud_env(
        dir.path(),
        &[
            "pseudonymize",
            &format!("{url}#s_pseudo.typed"),
            "--out-dir",
            "typed",
            "--key-file",
            key,
            "--verify",
        ],
        &[("PGPASSWORD", &pw)],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let batches = read_parquet(&dir.path().join("typed/postgres/s_pseudo.typed.parquet"));
    let mut n = 0;
    for b in &batches {
        let a = b
            .column_by_name("profile")
            .expect("the JSONB column is kept");
        let a = a
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        for i in 0..a.len() {
            let doc: Value = serde_json::from_str(a.value(i)).unwrap();
            let email = doc["contact"]["email"].as_str().unwrap();
            assert!(email.ends_with("@pseudo.invalid"), "{doc}");
            assert!(!a.value(i).contains("@example.org"), "{doc}");
            n += 1;
        }
        assert!(b.column_by_name("profile.contact.email").is_none());
    }
    assert_eq!(n, 3000);
    // check reads the database itself too, and fails it: it holds personal data.
    let out = shroud_env(dir.path(), &["check", &target], &[("PGPASSWORD", &pw)]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
}

#[test]
fn postgres_errors_are_clear_exit_2_and_never_show_the_password() {
    let Some((url, pw)) = server("postgres_errors") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let secret = "Wr0ng-Secret-9f2c";
    let check = |out: &std::process::Output, needle: &str| {
        let (stdout, stderr) = text(out);
        assert_eq!(out.status.code(), Some(2), "{stdout} {stderr}");
        assert!(stderr.contains(needle), "{needle:?} in {stderr}");
        for s in [secret, pw.as_str()] {
            assert!(
                !stderr.contains(s) && !stdout.contains(s),
                "a password leaked: {stderr}"
            );
        }
    };
    // A wrong password from the environment.
    let out = shroud_env(dir.path(), &["scan", &url, "-q"], &[("PGPASSWORD", secret)]);
    check(&out, "password authentication failed");
    // A wrong password typed in the URL: the error shows the URL without it.
    let with_pw = url.replacen("shroud@", &format!("shroud:{secret}@"), 1);
    let out = shroud_env(dir.path(), &["scan", &with_pw, "-q"], &[("PGPASSWORD", "")]);
    check(&out, "postgres://shroud@");
    // The right password typed in the URL works, and the report never holds it.
    let report = dir.path().join("r.json");
    let good = url.replacen("shroud@", &format!("shroud:{pw}@"), 1);
    let out = shroud_env(
        dir.path(),
        &["scan", &format!("{good}#pg_catalog_none*"), "-q"],
        &[("PGPASSWORD", "")],
    );
    check(&out, "no table matches");
    let _ = report;
    // A refused connection (nothing listens on that port).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = shroud_env(
        dir.path(),
        &[
            "scan",
            &format!("postgres://shroud@127.0.0.1:{port}/postgres"),
            "-q",
        ],
        &[("PGPASSWORD", &pw)],
    );
    check(&out, "refused");
    // A --table glob that names nothing.
    let out = shroud_env(
        dir.path(),
        &["scan", &url, "--table", "no_such_schema.*", "-q"],
        &[("PGPASSWORD", &pw)],
    );
    check(&out, "no table matches");
}

#[test]
fn postgres_password_file_is_read_as_libpq_reads_it() {
    let Some((url, pw)) = server("postgres_pgpass") else {
        return;
    };
    emails(&mut client(&url, &pw), "s_pass");
    let dir = tempfile::tempdir().unwrap();
    let pgpass = dir.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("# comment\nother:*:*:*:nope\n*:*:*:shroud:{pw}\n"),
    )
    .unwrap();
    let report = dir.path().join("r.json");
    let out = shroud_env(
        dir.path(),
        &[
            "scan",
            &format!("{url}#s_pass.t"),
            "--report",
            report.to_str().unwrap(),
            "-q",
        ],
        &[("PGPASSWORD", ""), ("PGPASSFILE", pgpass.to_str().unwrap())],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(file_verdicts(&report["files"][0])["email"], "EMAIL_ADDRESS");
}

#[test]
fn a_password_typed_in_the_url_reaches_no_report_page_or_manifest() {
    let Some((url, pw)) = server("postgres_url_password") else {
        return;
    };
    emails(&mut client(&url, &pw), "s_urlpw");
    let dir = tempfile::tempdir().unwrap();
    let typed = url.replacen("shroud@", &format!("shroud:{pw}@"), 1);
    let target = format!("{typed}#s_urlpw.t");
    let out = shroud_env(
        dir.path(),
        &[
            "scan",
            &target,
            "--report",
            "r.json",
            "--html",
            "r.html",
            "--findings",
            "f.jsonl",
        ],
        &[("PGPASSWORD", "")],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let key = dir.path().join("k.key");
    assert!(
        shroud(dir.path(), &["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let out = shroud_env(
        dir.path(),
        &[
            "pseudonymize",
            &target,
            "--out-dir",
            "share",
            "--key-file",
            key.to_str().unwrap(),
            "--html",
            "p.html",
        ],
        &[("PGPASSWORD", "")],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    assert!(!stdout.contains(&pw) && !stderr.contains(&pw));
    for f in [
        "r.json",
        "r.html",
        "f.jsonl",
        "p.html",
        "share/_shroud_manifest.json",
    ] {
        let body = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(!body.contains(&pw), "{f} holds the password");
    }
}

#[test]
fn postgres_tls_verifies_the_server_certificate() {
    let Some((url, pw)) = server("postgres_tls") else {
        return;
    };
    let Ok(ca) = std::env::var("SHROUD_TEST_PG_CA") else {
        assert_ne!(
            std::env::var("SHROUD_STORE_TESTS").as_deref(),
            Ok("require"),
            "the test server offers no TLS (openssl missing?)"
        );
        eprintln!("SKIPPED postgres_tls: the test server offers no TLS");
        return;
    };
    emails(&mut client(&url, &pw), "s_tls");
    let dir = tempfile::tempdir().unwrap();
    let scan_with = |target: &str, env: &[(&str, &str)]| {
        let mut all = vec![("PGPASSWORD", pw.as_str())];
        all.extend_from_slice(env);
        shroud_env(
            dir.path(),
            &["scan", target, "-q", "--report", "r.json"],
            &all,
        )
    };
    // Verified against the server's own certificate, from the URL or the environment.
    let root = format!("{url}?sslmode=require&sslrootcert={ca}#s_tls.t");
    let out = scan_with(&root, &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(file_verdicts(&report["files"][0])["email"], "EMAIL_ADDRESS");
    let out = scan_with(
        &format!("{url}#s_tls.t"),
        &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", &ca)],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    // A certificate nobody vouched for is refused, not trusted (exit 2, a clear reason).
    let out = scan_with(&format!("{url}?sslmode=require#s_tls.t"), &[]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let (_, stderr) = text(&out);
    assert!(stderr.contains("certificate"), "{stderr}");
    assert!(!stderr.contains(&pw), "{stderr}");
}

#[test]
fn a_password_of_every_printable_character_connects_and_never_shows() {
    // Base64- and generator-made passwords hold '/', '?', '#', '@', '%', ':', '&' and quotes.
    // Percent-encoded as libpq asks, the URL connects; typed raw, it connects or is refused
    // with exit 2, and in neither case does a piece of it reach an output.
    let Some((url, pw)) = server("postgres_printable_password") else {
        return;
    };
    let mut c = client(&url, &pw);
    emails(&mut c, "s_sympw");
    let nasty: String = (0x21u8..0x7f).map(char::from).collect::<String>() + " end";
    c.batch_execute(&format!(
        "DROP ROLE IF EXISTS shroud_sym; CREATE ROLE shroud_sym LOGIN PASSWORD '{}';
         GRANT USAGE ON SCHEMA s_sympw TO shroud_sym;
         GRANT SELECT ON ALL TABLES IN SCHEMA s_sympw TO shroud_sym;",
        nasty.replace('\'', "''")
    ))
    .unwrap();
    let encoded: String = nasty
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    // Pieces of the password long enough to be telling.
    let pieces: Vec<&str> = ["!\"#$%&'", "/0123", ":;<=>?@", "[\\]^_`", "{|}~ end"].to_vec();
    let leaks = |body: &str| pieces.iter().any(|p| body.contains(p));
    let good = url.replacen("shroud@", &format!("shroud_sym:{encoded}@"), 1);
    let out = shroud_env(
        dir.path(),
        &[
            "scan",
            &format!("{good}#s_sympw.t"),
            "--report",
            "r.json",
            "--html",
            "r.html",
        ],
        &[("PGPASSWORD", "")],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    assert!(!leaks(&stdout) && !leaks(&stderr), "{stdout}{stderr}");
    for f in ["r.json", "r.html"] {
        let body = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(
            !body.contains(&encoded) && !leaks(&body),
            "{f} holds the password"
        );
    }
    let raw = url.replacen("shroud@", &format!("shroud_sym:{nasty}@"), 1);
    let out = shroud_env(
        dir.path(),
        &["scan", &format!("{raw}#s_sympw.t"), "--report", "raw.json"],
        &[("PGPASSWORD", "")],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("%2F"), "{stderr}");
    assert!(!leaks(&stdout) && !leaks(&stderr), "{stdout}{stderr}");
}

#[test]
#[cfg(feature = "sqlite")]
fn a_long_format_table_is_judged_and_written_per_key() {
    let Some((url, pw)) = server("postgres_long_format") else {
        return;
    };
    let mut c = client(&url, &pw);
    c.batch_execute(
        "DROP SCHEMA IF EXISTS s_eav CASCADE; CREATE SCHEMA s_eav;
         CREATE TABLE s_eav.wp_usermeta (umeta_id bigint PRIMARY KEY, user_id bigint, meta_key text, meta_value text);",
    )
    .unwrap();
    let rows = crate::sqlite::usermeta_rows();
    for (id, user, k, v) in &rows {
        c.execute(
            "INSERT INTO s_eav.wp_usermeta VALUES ($1, $2, $3, $4)",
            &[id, user, k, v],
        )
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let target = format!("{url}#s_eav.wp_usermeta");
    let (report, out) = scan_db(dir.path(), &target, &pw, &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        report.to_string().contains("meta_value.billing_email"),
        "{report}"
    );
    assert!(shroud(dir.path(), &["keygen", "k.key"]).status.success());
    let out = shroud_env(
        dir.path(),
        &[
            "pseudonymize",
            &target,
            "--out-dir",
            "out",
            "--key-file",
            "k.key",
            "-q",
        ],
        &[("PGPASSWORD", &pw)],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let written = files_under(&dir.path().join("out"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    let mut values = Vec::new();
    for b in crate::util::read_parquet(&written) {
        let keys =
            arrow_array::cast::AsArray::as_string::<i32>(b.column_by_name("meta_key").unwrap())
                .clone();
        let vals =
            arrow_array::cast::AsArray::as_string::<i32>(b.column_by_name("meta_value").unwrap())
                .clone();
        for i in 0..b.num_rows() {
            values.push((keys.value(i).to_string(), vals.value(i).to_string()));
        }
    }
    values.sort();
    let mut raw: Vec<(String, String)> = rows.iter().map(|r| (r.2.clone(), r.3.clone())).collect();
    raw.sort();
    assert_eq!(values.len(), raw.len());
    for (k, v) in &raw {
        let kept = values.contains(&(k.clone(), v.clone()));
        match k.as_str() {
            "show_admin_bar_front" => assert!(kept, "{k}={v} changed"),
            "billing_email" | "billing_phone" | "first_name" | "last_name" | "iban" => {
                assert!(!kept, "{k}: {v} survives")
            }
            _ => {}
        }
    }
    let out = shroud(dir.path(), &["check", "out"]);
    assert!(out.status.success(), "{:?}", text(&out));
}

#[test]
fn a_key_value_table_whose_values_are_jsonb_is_read_as_documents_not_split() {
    // The value column is a document: its leaves are judged and edited in the document, and
    // the table is never split by key (which would leave the documents' edits nowhere).
    let Some((url, pw)) = server("postgres_kv_jsonb") else {
        return;
    };
    let mut c = client(&url, &pw);
    c.batch_execute(
        "DROP SCHEMA IF EXISTS s_kvj CASCADE; CREATE SCHEMA s_kvj;
         CREATE TABLE s_kvj.attrs (user_id int, key text, value jsonb);
         INSERT INTO s_kvj.attrs SELECT g, (ARRAY['email','plan'])[1 + g % 2],
           CASE WHEN g % 2 = 0 THEN to_jsonb('user' || g || '@example.com') ELSE to_jsonb('gold'::text) END
           FROM generate_series(1, 40) g;",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert!(shroud(dir.path(), &["keygen", "k.key"]).status.success());
    let target = format!("{url}#s_kvj.attrs");
    let out = shroud_env(
        dir.path(),
        &[
            "pseudonymize",
            &target,
            "--out-dir",
            "out",
            "--key-file",
            "k.key",
            "-q",
        ],
        &[("PGPASSWORD", &pw)],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let written = files_under(&dir.path().join("out"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    for b in crate::util::read_parquet(&written) {
        let vals = arrow_array::cast::AsArray::as_string::<i32>(b.column_by_name("value").unwrap())
            .clone();
        for v in vals.iter().flatten() {
            assert!(!v.contains("@example.com"), "raw e-mail left: {v}");
        }
    }
}
