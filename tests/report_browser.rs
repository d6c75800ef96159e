//! The HTML access review in a real browser: headless Chromium (Debian's `chromium`, which
//! `.ci/install-chromium` installs) loads the report of the sample tenant with hostile display
//! names injected, runs the page's own self-test (`#selftest`: sort a column, filter, measure the
//! charts) and dumps the DOM. The test checks that nothing errored on the console, the charts have
//! a size, the sort orders the rows both ways, and the hostile names stayed text. It saves a
//! screenshot to target/artifacts/access-review.png. Without a chromium binary it skips, saying so.

use serde_json::Value;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SAMPLE: &str = "fixtures/sample-tenant.json";
const NOW: &str = "2026-11-15T00:00:00Z";
/// Markup that runs script if it reaches the page unescaped, in a principal's display name ...
const HOSTILE_PRINCIPAL: &str = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";
/// ... and in the tenant's, which is also the page title.
const HOSTILE_TENANT: &str = "Contoso</title><script>document.title='pwned'</script>";

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KVSCAN_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs chromium headless on `url`; returns (stdout, stderr). Flags: env/machines/rust.md (no
/// background networking on this closed network, a fresh profile, no sandbox as root).
fn run_chromium(binary: &Path, profile: &Path, extra: &[&str], url: &str) -> (String, String) {
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let (mut out, mut err) = (child.stdout.take().expect("stdout"), child.stderr.take().expect("stderr"));
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let error_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (reader.join().expect("stdout reader"), error_reader.join().expect("stderr reader"))
}

fn hostile_report(dir: &Path) -> PathBuf {
    let sample = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)).expect("sample");
    let mut inventory: Value = serde_json::from_str(&sample).expect("sample parses");
    for principal in inventory["principals"].as_array_mut().expect("principals") {
        if principal["displayName"] == "sp-github-actions-deploy" {
            principal["displayName"] = HOSTILE_PRINCIPAL.into();
        }
    }
    inventory["tenants"][0]["displayName"] = HOSTILE_TENANT.into();
    let input = dir.join("hostile-tenant.json");
    std::fs::write(&input, inventory.to_string()).expect("write");
    let page = dir.join("access-review.html");
    let output = Command::new(env!("CARGO_BIN_EXE_kvscan"))
        .args(["report", "access", "--now", NOW, "--format", "html", "--output"])
        .arg(&page)
        .arg(&input)
        .output()
        .expect("kvscan runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    page
}

/// The text of `<pre id="selftest">` in a dumped DOM, unescaped.
fn selftest(dom: &str) -> Value {
    let start = dom.rfind("<pre id=\"selftest\">").map(|i| i + "<pre id=\"selftest\">".len());
    let text = start.and_then(|s| dom[s..].find("</pre>").map(|e| &dom[s..s + e]));
    let text = text
        .unwrap_or_else(|| panic!("the page wrote no self-test result; DOM starts: {}", &dom[..dom.len().min(600)]));
    let json = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("self-test result is not JSON ({e}): {json}"))
}

#[test]
fn html_report_works_in_headless_chromium_and_hostile_names_stay_inert() {
    let Some(binary) = chromium() else {
        eprintln!("skipping the browser test: no chromium on PATH (install it with .ci/install-chromium, or set KVSCAN_CHROMIUM)");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let page = hostile_report(dir.path());
    let url = format!("file://{}", page.display());
    let started = Instant::now();
    let (dom, log) =
        run_chromium(&binary, &dir.path().join("profile-dom"), &["--dump-dom"], &format!("{url}#selftest"));
    let result = selftest(&dom);

    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert_eq!(result["errors"], serde_json::json!([]), "errors in the page: {result}");

    // Sorting: the principal column, ascending then descending, really reordered the rows.
    let sort = &result["sort"];
    assert_eq!(sort["rows"], 88, "{result}");
    assert_eq!(
        (&sort["changedOrder"], &sort["ascending"], &sort["descending"]),
        (&Value::Bool(true), &Value::Bool(true), &Value::Bool(true)),
        "{result}"
    );
    let filter = &result["filter"];
    assert_eq!(filter["allMatch"], true, "{result}");
    assert!(filter["shown"].as_u64().is_some_and(|n| n > 0 && n < 88), "{result}");

    // Charts: five SVGs with a size and bars drawn.
    let charts = result["charts"].as_array().expect("charts");
    assert_eq!(charts.len(), 5, "{result}");
    for chart in charts {
        let (width, height) = (chart["width"].as_f64().unwrap_or(0.0), chart["height"].as_f64().unwrap_or(0.0));
        assert!(width > 100.0 && height > 50.0, "chart {} has no size: {chart}", chart["id"]);
        assert!(chart["bars"].as_u64().is_some_and(|n| n > 0), "chart {} drew no bars: {chart}", chart["id"]);
    }

    // The hostile names: the title is the escaped text, and no element came from them.
    let title = result["title"].as_str().expect("title");
    assert_ne!(title, "pwned");
    assert!(title.starts_with("Key Vault access review: Contoso</title><script>"), "{title}");
    assert_eq!(
        (&result["images"], &result["scripts"], &result["injected"]),
        (&Value::from(0), &Value::from(1), &Value::from(0)),
        "{result}"
    );
    assert!(!dom.contains("<img"), "an <img> element was created");
    assert!(
        dom.contains("&lt;img src=x onerror=\"document.title='pwned'\"&gt;&lt;script&gt;"),
        "the name shows as text"
    );

    // The screenshot, kept as a CI artifact.
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let shot = artifacts.join("access-review.png");
    let _ = std::fs::remove_file(&shot);
    let screenshot = format!("--screenshot={}", shot.display());
    run_chromium(&binary, &dir.path().join("profile-shot"), &[&screenshot, "--window-size=1280,2000"], &url);
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot ({} bytes)", png.len());
    eprintln!("browser test: {:.1} s; screenshot {}", started.elapsed().as_secs_f64(), shot.display());
}
