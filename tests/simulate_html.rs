//! `nurture simulate --html FILE`: the page holds every step of every
//! program and their charts, loads nothing from the network, is the same
//! bytes for the same run, and opens in a real browser (headless Chromium)
//! without a console error. Without `/usr/bin/chromium` the browser tests
//! say they were skipped and pass; `.ci/run` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const PROGRAMS: [&str; 2] = [
    "programs/wake_up_dormant.nurture",
    "programs/upsell_premium.nurture",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn nurture(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run nurture");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Writes the page for the two sample programs into `dir`.
fn page(dir: &Path) -> (PathBuf, String) {
    let out = dir.join("report.html");
    let out_text = out.display().to_string();
    let mut args = vec!["simulate"];
    args.extend(PROGRAMS);
    args.extend(["--html", &out_text]);
    let (code, stdout, stderr) = nurture(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("side by side"),
        "the terminal report is still printed: {stdout}"
    );
    let html = std::fs::read_to_string(&out).expect("the page was written");
    (out, html)
}

/// Every step name of a program, read from its text: `step NAME {`.
fn step_names(program: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(program)).expect("read program");
    let names: Vec<String> = text
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("step "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(names.len() > 1, "{program} has steps");
    names
}

fn assert_has_every_step(html: &str) {
    for program in PROGRAMS {
        for step in step_names(program) {
            assert!(html.contains(&step), "`{step}` of {program} is missing");
        }
    }
}

#[test]
fn the_page_holds_every_step_and_chart_and_loads_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, html) = page(dir.path());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_has_every_step(&html);
    assert!(html.matches("<svg").count() >= 2, "a chart per program");
    assert!(html.contains("wake_up_dormant") && html.contains("upsell_premium"));
    assert!(html.contains("Side by side"));
    assert!(html.contains("95% interval"));
    let lower = html.to_lowercase();
    for load in [
        "src=\"http",
        "src='http",
        "href=\"http",
        "href='http",
        "@import",
        "url(",
        "<link",
        "<script",
        "<img",
        "<iframe",
    ] {
        assert!(!lower.contains(load), "the page has `{load}`");
    }
    // `http` appears only as the SVG namespace, which loads nothing.
    let without_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_namespace.contains("http://"));
    assert!(!without_namespace.contains("https://"));
}

#[test]
fn the_same_run_gives_the_same_bytes() {
    let (one, two) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    assert_eq!(page(one.path()).1, page(two.path()).1);
}

#[test]
fn a_page_that_cannot_be_written_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no/such/folder/report.html");
    let missing = missing.display().to_string();
    let (code, stdout, stderr) = nurture(&["simulate", PROGRAMS[0], "--html", &missing]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "nothing is simulated: {stdout}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(stderr.contains("report.html"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let folder = dir.path().display().to_string();
    let (code, _, stderr) = nurture(&["simulate", PROGRAMS[0], "--html", &folder]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
}

#[test]
fn html_goes_with_the_report_not_with_a_trace() {
    let (code, _, stderr) = nurture(&[
        "simulate",
        PROGRAMS[0],
        "--trace",
        "c0000001",
        "--html",
        "x.html",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!root().join("x.html").exists());
}

/// What headless Chromium made of a page: the DOM after loading, and the
/// console messages it logged.
struct Opened {
    dom: String,
    console: Vec<String>,
}

/// Opens `file` in headless Chromium, or `None` when there is none here.
fn open_in_chromium(file: &Path) -> Option<Opened> {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("skipped: {CHROMIUM} is not installed (.ci/run installs it)");
        return None;
    }
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("file://{}", file.display());
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom", &url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Read both pipes on threads, so a full pipe never stalls the browser.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let read_out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let read_err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took over two minutes on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = read_out.join().expect("stdout");
    let log = read_err.join().expect("stderr");
    Some(Opened {
        dom,
        console: console_messages(&log),
    })
}

/// Chromium with `--enable-logging=stderr` logs every console message (an
/// error, a warning, a resource that failed to load, an uncaught exception)
/// as `[…:INFO:CONSOLE:1] "message", source: URL (1)`; older versions wrote
/// `CONSOLE(1)`. Its other lines (D-Bus, GPU) are about the machine, not
/// the page. The page has no script, so any console message is a fault.
fn console_messages(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| line.contains(":CONSOLE") || line.contains("Uncaught"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_page_opens_in_a_browser_without_a_console_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (file, _) = page(dir.path());
    let Some(opened) = open_in_chromium(&file) else {
        return;
    };
    assert!(opened.dom.contains("<svg"), "{}", opened.dom);
    assert_has_every_step(&opened.dom);
    assert!(
        opened.console.is_empty(),
        "the browser logged:\n{}",
        opened.console.join("\n")
    );
}

/// The check above would pass if Chromium logged console messages some
/// other way; a page that errors on purpose shows that it does not.
#[test]
fn a_console_error_is_seen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("broken.html");
    std::fs::write(
        &file,
        "<!DOCTYPE html><html><body><p>step_a</p><script>console.error(\"on purpose\"); no_such_function();</script></body></html>\n",
    )
    .expect("write page");
    let Some(opened) = open_in_chromium(&file) else {
        return;
    };
    assert!(opened.dom.contains("step_a"), "{}", opened.dom);
    let console = opened.console.join("\n");
    assert!(console.contains("on purpose"), "{console}");
    assert!(console.contains("Uncaught ReferenceError"), "{console}");
}
