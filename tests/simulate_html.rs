//! `nurture simulate --html FILE`: the page holds every step of every
//! program and their charts, loads nothing from the network, is the same
//! bytes for the same run, reads for a marketer (plain headings, one
//! labelled "converted", every arrow's count, no blank cells, every term
//! explained, `scope`d tables, SVG titles), and opens in a real browser
//! (headless Chromium) without a console error and without scrolling
//! sideways at 390 and 1366 pixels, a screenshot of each kept in
//! `target/tmp/simulate_html/`. Without `/usr/bin/chromium` the browser
//! tests say they were skipped and pass; `.ci/run` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::root;

const CHROMIUM: &str = "/usr/bin/chromium";
const PROGRAMS: [&str; 2] = [
    "programs/wake_up_dormant.nurture",
    "programs/upsell_premium.nurture",
];

fn nurture(args: &[&str]) -> (i32, String, String) {
    support::outcome(args, root())
}

/// Writes the page for the two sample programs into `dir`.
fn page(dir: &Path) -> (PathBuf, String) {
    let out = dir.join("report.html");
    let out_text = out.display().to_string();
    let mut args = vec!["simulate", "--compare"];
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

#[test]
fn the_page_reads_for_a_marketer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, html) = page(dir.path());
    // Plain-language headings, with the numbers in them.
    for heading in [
        "<h1>What the simulation says</h1>",
        "<h3>Who got in</h3>",
        "<h3>What happened to the 358 customers who started</h3>",
        "<h3>Step by step</h3>",
        "<h3>Did it work?</h3>",
        "<h4>Messages per day, as the sending system will see them</h4>",
        "<h4>How long it took to reach the goal</h4>",
        "<h2>What the words mean</h2>",
    ] {
        assert!(html.contains(heading), "no {heading}");
    }
    // One definition of converted, labelled, and the outcome told apart.
    assert_eq!(html.matches(" here means: did <code>purchase</code> within 60 days of entering, whether or not still in the program then.").count(), 1);
    assert!(html.contains("Of the 39 treated journeys that converted, 12 were still in the program and ended there at the goal"), "two counts of converted, explained");
    assert!(html.contains("<code>converted</code>: reached the goal while still in the program"));
    // The goal is reached from the steps, every arrow has its count, 0 too.
    assert!(html.contains("goal · 2"), "arrows into the goal");
    assert!(html.contains("click · 0"), "a count of 0 is written");
    assert!(
        html.contains("unsubscribed · 1"),
        "a rule's exit has its arrow"
    );
    assert!(html.contains("Every arrow of the chart, with its count"));
    // No blank cells, headers with scope, a title in every picture.
    assert!(
        !html.contains("<td></td>") && !html.contains("<td> </td>") && !html.contains("<th></th>")
    );
    assert!(!html.contains("<th>"), "a header cell without a scope");
    assert_eq!(
        html.matches("<th ").count(),
        html.matches("<th scope=\"").count(),
        "every header cell has a scope"
    );
    let svgs = html.matches("<svg").count();
    assert!(svgs >= 6, "{svgs} pictures: charts, intervals, timelines");
    for (at, _) in html.match_indices("<svg") {
        let rest = &html[at..];
        let close = rest.find('>').expect("an svg tag");
        assert!(
            rest[close + 1..].trim_start().starts_with("<title>"),
            "an SVG without a title: {}",
            &rest[..close.min(200)]
        );
    }
    // Every term used is in the glossary.
    for word in [
        "treated",
        "holdout",
        "journey",
        "lift",
        "p95",
        "p90",
        "95% interval",
        "converted",
        "trigger",
        "audience",
        "consent",
        "still in",
        "median",
    ] {
        assert!(
            html.contains(&format!("<dfn>{word}</dfn>")),
            "{word} is not explained"
        );
    }
    assert!(
        html.contains("class=\"term\" href=\"#term-holdout\" title=\"A share of the customers")
    );
    // The charts over time.
    assert!(
        html.contains(
            "<title>Messages sent per day of the simulation, one line per channel</title>"
        )
    );
    assert!(
        html.contains(
            "<title>Treated journeys that reached the goal, by days after entering</title>"
        )
    );
    // The entry funnel.
    assert!(html.contains("by <code>no purchase for 180d</code>"));
}

/// The page at `width` pixels: whether it scrolls sideways (its scroll
/// width against the viewport's), and a screenshot. Headless Chromium will
/// not make a window narrower than 500 px, so the page is shown in a frame
/// of `width` pixels at the window's left edge (media queries then see
/// `width`), measured from the frame by a script of the wrapper (the page
/// itself has none), and the screenshot is cut to `width`.
fn measure_at(file: &Path, width: u32) -> Option<(u64, u64, PathBuf)> {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("skipped: {CHROMIUM} is not installed (.ci/run installs it)");
        return None;
    }
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("report.html");
    let frame = |height: u32, script: &str| {
        format!(
            "<!DOCTYPE html><html><head><style>html,body{{margin:0;padding:0;overflow:hidden}}iframe{{display:block;border:0}}</style></head><body><iframe id=\"page\" src=\"{name}\" width=\"{width}\" height=\"{height}\"></iframe>{script}</body></html>\n"
        )
    };
    let measured = file.with_file_name(format!("measure-{width}.html"));
    std::fs::write(
        &measured,
        frame(
            900,
            "<script>var f=document.getElementById('page');f.onload=function(){var d=f.contentDocument;document.body.setAttribute('data-scroll-width',d.documentElement.scrollWidth);document.body.setAttribute('data-inner-width',f.contentWindow.innerWidth);};</script>",
        ),
    )
    .expect("write the frame");
    let size = format!("--window-size={},900", width.max(500));
    let opened = run_chromium(
        &measured,
        &[
            &size,
            "--allow-file-access-from-files",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ],
    )?;
    let attribute = |name: &str| -> u64 {
        let key = format!("{name}=\"");
        let at = opened
            .dom
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in the DOM: {}", opened.dom));
        opened.dom[at + key.len()..]
            .split('"')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let scroll = attribute("data-scroll-width");
    let inner = attribute("data-inner-width");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("simulate_html");
    std::fs::create_dir_all(&shots).expect("a folder for screenshots");
    let shot = shots.join(format!("report-{width}.png"));
    let _ = std::fs::remove_file(&shot);
    let shown = file.with_file_name(format!("shown-{width}.html"));
    std::fs::write(&shown, frame(6000, "")).expect("write the frame");
    let size = format!("--window-size={width},6000");
    let target = format!("--screenshot={}", shot.display());
    run_chromium(&shown, &[&size, "--hide-scrollbars", &target])?;
    Some((scroll, inner, shot))
}

/// The measure above would pass if the frame hid a page's width; a page
/// wider than the phone shows that it does not.
#[test]
fn a_page_too_wide_for_a_phone_is_seen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("wide.html");
    std::fs::write(
        &file,
        "<!DOCTYPE html><html><body><div style=\"width:1000px\">wide</div></body></html>\n",
    )
    .expect("write page");
    let Some((scroll, inner, _)) = measure_at(&file, 390) else {
        return;
    };
    assert_eq!(inner, 390);
    assert!(scroll > 1000, "{scroll}");
}

/// The width a PNG says it is (its IHDR chunk).
fn png_width(path: &Path) -> u32 {
    let bytes = std::fs::read(path).expect("the screenshot");
    assert_eq!(&bytes[1..4], b"PNG", "{} is a PNG", path.display());
    u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]])
}

#[test]
fn the_page_fits_a_phone_and_a_laptop_without_scrolling_sideways() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (file, _) = page(dir.path());
    for width in [390, 1366] {
        let Some((scroll, inner, shot)) = measure_at(&file, width) else {
            return;
        };
        assert_eq!(inner, u64::from(width), "the viewport is {width} px");
        assert_eq!(scroll, inner, "at {width} px the page is {scroll} px wide");
        assert_eq!(png_width(&shot), width, "{}", shot.display());
        eprintln!("screenshot at {width} px: {}", shot.display());
    }
}

/// What headless Chromium made of a page: the DOM after loading, and the
/// console messages it logged.
struct Opened {
    dom: String,
    console: Vec<String>,
}

/// Opens `file` in headless Chromium, or `None` when there is none here.
fn open_in_chromium(file: &Path) -> Option<Opened> {
    run_chromium(file, &["--dump-dom"])
}

/// Runs headless Chromium on `file` with `extra` flags.
fn run_chromium(file: &Path, extra: &[&str]) -> Option<Opened> {
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
        .args(["--enable-logging=stderr", "--v=0"])
        .args(extra)
        .arg(&url)
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

#[test]
fn programs_run_together_have_the_portfolio_section_before_each_program() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("together.html");
    let out_text = out.display().to_string();
    let (code, _, stderr) = nurture(&["simulate", "programs/", "--html", &out_text]);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(&out).expect("the page");
    let section = html
        .find("<section id=\"portfolio\">")
        .expect("a portfolio section");
    let first_program = html.find("id=\"program-0\"").expect("the first program");
    assert!(section < first_program);
    assert!(html.contains("<h2>The programs together</h2>"));
    assert!(html.contains("<dt>messages per customer per week</dt>"));
    assert!(html.contains("busiest 7 days"));
    assert_has_every_step(&html);
}
