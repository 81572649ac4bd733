//! `nurture graph`: the chart of every bundled program, in all three
//! formats, labels that cannot break the chart, and SVG that is well-formed
//! XML with no box drawn over another.

use nurture::render::layout::Rect;
use nurture::render::{chart, svg};
use std::path::Path;

fn charts(text: &str) -> (String, String) {
    let drawn = chart_of(text);
    (chart::mermaid(&drawn), chart::dot(&drawn))
}

fn chart_of(text: &str) -> chart::Chart {
    let program = nurture::syntax::parse(text).program.expect("a program");
    chart::chart(&program, text)
}

/// The chart as SVG; every chart here is small enough to draw.
#[track_caller]
fn svg_of(drawn: &chart::Chart) -> String {
    svg::svg(drawn).expect("a chart small enough to draw")
}

#[track_caller]
fn layout_of(drawn: &chart::Chart) -> nurture::render::layout::Layout {
    svg::layout(drawn).expect("a chart small enough to lay out")
}

/// The bundled programs as (name, text), sorted.
fn bundled() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("programs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nurture") && !p.ends_with("schema.nurture"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            (name, std::fs::read_to_string(&path).expect("readable"))
        })
        .collect()
}

/// Parses the SVG as XML and checks that every given name is the whole text
/// of some `<text>` element.
#[track_caller]
fn assert_svg_shows(svg: &str, names: &[String]) {
    let document = roxmltree::Document::parse(svg)
        .unwrap_or_else(|error| panic!("not well-formed XML: {error}\n{svg}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    for attribute in ["width", "height", "viewBox"] {
        assert!(root.attribute(attribute).is_some(), "no {attribute}");
    }
    let texts: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    for name in names {
        assert!(
            texts.contains(&name.as_str()),
            "`{name}` is not shown: {texts:?}"
        );
    }
}

/// No two boxes, and no label and box or two labels, share any space.
#[track_caller]
fn assert_nothing_overlaps(drawn: &chart::Chart) {
    let layout = layout_of(drawn);
    let mut things: Vec<(String, Rect)> = drawn
        .nodes
        .iter()
        .zip(&layout.boxes)
        .map(|((id, _, _), rect)| (id.clone(), *rect))
        .collect();
    for ((from, to, _), route) in drawn.edges.iter().zip(&layout.routes) {
        if let Some(label) = route.label {
            things.push((format!("label {from}->{to}"), label));
        }
    }
    for (i, (a, ra)) in things.iter().enumerate() {
        assert!(
            ra.x >= 0.0
                && ra.y >= 0.0
                && ra.x + ra.w <= layout.width
                && ra.y + ra.h <= layout.height,
            "{a} is outside the drawing: {ra:?}"
        );
        for (b, rb) in &things[i + 1..] {
            assert!(!ra.overlaps(rb), "{a} {ra:?} overlaps {b} {rb:?}");
        }
    }
}

fn step_names(text: &str) -> Vec<String> {
    let program = nurture::syntax::parse(text).program.expect("a program");
    program.steps.iter().map(|s| s.name.value.clone()).collect()
}

#[test]
fn bundled_programs() {
    for (name, text) in bundled() {
        let drawn = chart_of(&text);
        insta::assert_snapshot!(format!("{name}.mermaid"), chart::mermaid(&drawn));
        insta::assert_snapshot!(format!("{name}.dot"), chart::dot(&drawn));
        insta::assert_snapshot!(format!("{name}.svg"), svg_of(&drawn));
    }
}

#[test]
fn every_svg_is_xml_showing_every_step() {
    for (name, text) in bundled() {
        let drawn = chart_of(&text);
        let picture = svg_of(&drawn);
        assert_svg_shows(&picture, &step_names(&text));
        assert!(
            !picture.contains("NaN") && !picture.contains("inf"),
            "{name}"
        );
    }
}

#[test]
fn no_two_boxes_overlap() {
    for (_, text) in bundled() {
        assert_nothing_overlaps(&chart_of(&text));
    }
}

/// Loops back to an earlier step, a step that waits for itself, two arrows
/// between the same steps, and a step no arrow reaches: each is drawn, and
/// nothing lands on anything else.
#[test]
fn loops_and_parallel_arrows_are_drawn_apart() {
    let text = r#"program loops {
  kind welcome
  trigger event signup
  step a {
    wait up to 3d for click or open {
      click   -> b
      open    -> b
      timeout -> a
    }
  }
  step b {
    branch {
      when score > 10 -> exit done
      else            -> c
    }
  }
  step c {
    wait up to 2d for reply {
      reply   -> a
      timeout -> exit gone
    }
  }
  step orphan {
    exit gone
  }
}"#;
    let drawn = chart_of(text);
    assert_nothing_overlaps(&drawn);
    let picture = svg_of(&drawn);
    assert_svg_shows(&picture, &step_names(text));
    // The loop back from c to a is dashed, so it reads as going back.
    assert!(picture.contains("stroke-dasharray"), "{picture}");
    let layout = layout_of(&drawn);
    for ((from, to, _), route) in drawn.edges.iter().zip(&layout.routes) {
        assert!(!route.segments.is_empty(), "{from} -> {to} is not drawn");
    }
}

#[test]
fn svg_text_is_escaped() {
    let text = r#"program p {
  kind welcome
  trigger event signup where source == "ad <\"spring\">"
  step a {
    notify owner "say \"hi\" & <b>bye</b> 'now'"
    exit done
  }
}"#;
    let picture = svg_of(&chart_of(text));
    // The text's escapes show as the characters they stand for.
    assert_svg_shows(
        &picture,
        &[r#"notify owner "say "hi" & <b>bye</b> 'now'""#.to_string()],
    );
    assert!(!picture.contains("<b>"), "{picture}");
}

#[test]
fn the_same_chart_gives_the_same_bytes() {
    for (_, text) in bundled() {
        assert_eq!(svg_of(&chart_of(&text)), svg_of(&chart_of(&text)));
    }
}

#[test]
fn quotes_and_brackets_in_labels_are_escaped() {
    let text = r#"program p {
  kind welcome
  trigger event signup where source == "ad <\"spring\">"
  step a {
    notify owner "say \"hi\" & <b>bye</b>"
    exit done
  }
}"#;
    let (mermaid, dot) = charts(text);
    // `\"` in a text is a quote, and shows as one.
    assert!(
        mermaid.contains(r#"source == #quot;ad #lt;#quot;spring#quot;#gt;#quot;"#),
        "{mermaid}"
    );
    assert!(mermaid.contains("#amp;"), "{mermaid}");
    assert!(!mermaid.contains("<b>"), "{mermaid}");
    assert!(
        dot.contains(r#"notify owner \"say \"hi\" & <b>bye</b>\""#),
        "{dot}"
    );
}

/// Mermaid's entities read back: what a label shows. Between entities,
/// only characters with no meaning to Mermaid may stand.
fn mermaid_shows(label: &str) -> String {
    let mut out = String::new();
    let mut rest = label;
    while let Some(at) = rest.find(['#', '<']) {
        let raw = &rest[..at];
        assert!(
            raw.chars()
                .all(|c| c.is_alphanumeric() || " _-.,:/()=!?+*@[]%".contains(c)),
            "a character with a meaning to Mermaid in {raw:?}"
        );
        out.push_str(raw);
        rest = &rest[at..];
        let named = [
            ("#quot;", '"'),
            ("#amp;", '&'),
            ("#lt;", '<'),
            ("#gt;", '>'),
            ("<br/>", '\n'),
        ];
        if let Some((entity, c)) = named.iter().find(|(e, _)| rest.starts_with(e)) {
            out.push(*c);
            rest = &rest[entity.len()..];
        } else if let Some(end) = rest.find(';').filter(|_| rest.starts_with('#')) {
            let code: u32 = rest[1..end].parse().expect("a numeric entity");
            out.push(char::from_u32(code).expect("a character"));
            rest = &rest[end + 1..];
        } else {
            panic!("a raw `{}` in a Mermaid label: {label}", &rest[..1]);
        }
    }
    out.push_str(rest);
    out
}

/// A text can say anything; in Mermaid it stays a label: no directive
/// (`%%{init: …}%%` changes the theme and CSS of the whole chart in Mermaid
/// 11), no comment, no `click`, no `style`, no Markdown string. Every line
/// of the chart is a box or an arrow of the program, and each label shows
/// exactly the text, its escapes as the characters they stand for, in
/// Mermaid, DOT and SVG.
#[test]
fn a_label_cannot_add_to_a_mermaid_chart() {
    let said = r#"%%{init: {'theme':'dark', 'themeCSS': 'body {display:none}'}}%% "; click s0 call alert(1) ; style s0 fill:#f00 `**x**` #quot; 100%% \ done"#;
    let written = said.replace('\\', "\\\\").replace('"', "\\\"");
    let text = format!(
        "program p {{\n  kind welcome\n  trigger event signup\n  step a {{\n    notify owner \"{written}\"\n    exit done\n  }}\n}}\n"
    );
    let (mermaid, dot) = charts(&text);
    let lines: Vec<&str> = mermaid.lines().collect();
    assert_eq!(lines[0], "flowchart TD");
    for line in &lines[1..] {
        let trimmed = line.trim_start();
        assert!(
            ["entry[", "s0[", "x0(", "entry --> s0", "s0 --> x0"]
                .iter()
                .any(|p| trimmed.starts_with(p)),
            "a line that is no box or arrow of the program: {line}"
        );
        assert!(!line.contains("%%") && !line.contains('`'), "{line}");
    }
    let step = lines
        .iter()
        .find(|l| l.trim_start().starts_with("s0["))
        .expect("the step");
    let label = step
        .trim_start()
        .strip_prefix("s0[\"")
        .and_then(|l| l.strip_suffix("\"]"))
        .expect("a quoted label");
    assert!(!label.contains('"'), "{label}");
    assert_eq!(mermaid_shows(label), format!("a\nnotify owner \"{said}\""));

    let dot_label = format!(
        "notify owner \\\"{}\\\"",
        said.replace('\\', "\\\\").replace('"', "\\\"")
    );
    assert!(dot.contains(&dot_label), "{dot}");
    // The SVG wraps the line at blanks; read back whole, it is the text.
    let picture = svg_of(&chart_of(&text));
    assert_svg_shows(&picture, &[]);
    let document = roxmltree::Document::parse(&picture).expect("XML");
    let shown: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        shown
            .join(" ")
            .contains(&format!("notify owner \"{said}\"")),
        "{shown:?}"
    );
}

/// `--schema`, given as to every other command, is taken without `--sim`
/// too (the chart needs none), and the chart is the same.
#[test]
fn the_cli_takes_a_schema_without_a_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let draw = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_nurture"))
            .args(["graph", "programs/welcome_new_customer.nurture"])
            .args(extra)
            .current_dir(root)
            .output()
            .expect("run nurture")
    };
    let plain = draw(&[]);
    let with_schema = draw(&["--schema", "programs/schema.nurture"]);
    assert_eq!(
        with_schema.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&with_schema.stderr)
    );
    assert_eq!(with_schema.stdout, plain.stdout);
}

#[test]
fn the_cli_draws_and_refuses_what_does_not_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args([
            "graph",
            "programs/welcome_new_customer.nurture",
            "--format",
            "dot",
        ])
        .current_dir(root)
        .output()
        .expect("run nurture");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("digraph program {"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nurture"))
        .args(["graph", "tests/fixtures/err/N001_syntax_error.nurture"])
        .current_dir(root)
        .output()
        .expect("run nurture");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("cannot be drawn until it reads as a program")
    );
}

#[test]
fn programs_readme_shows_every_chart() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let mut programs: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("programs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nurture") && !p.ends_with("schema.nurture"))
        .map(|p| {
            let file = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            (file, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    programs.sort();
    let expected = chart::programs_readme(&programs);
    let path = dir.join("README.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write programs/README.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "programs/README.md is out of date; run `UPDATE_DOCS=1 cargo test --test graph`"
    );
}

/// A chart whose arrows would cross layers in more places than the layout
/// handles is refused in SVG, with what to do instead, and drawn as dot.
/// Laying out this one once took minutes.
#[test]
fn a_chart_too_large_to_draw_is_refused_in_svg_only() {
    let mut text =
        String::from("program dense {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n");
    let steps = 300;
    for i in 0..steps {
        let arms: String = (1..=10)
            .map(|k| {
                format!(
                    "      when lifetime_value > {k} -> s{}\n",
                    (i * 7 + k * 31) % steps
                )
            })
            .collect();
        text.push_str(&format!(
            "  step s{i} {{\n    wait 1d\n    branch {{\n{arms}      else -> exit done\n    }}\n  }}\n"
        ));
    }
    text.push_str("}\n");
    let drawn = chart_of(&text);
    let too_large = svg::svg(&drawn).expect_err("too large to lay out");
    assert!(too_large.places > nurture::render::layout::MAX_PLACES);

    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("dense.nurture"), &text).expect("write");
    let run = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_nurture"))
            .args(["graph", "dense.nurture", "--format", format])
            .current_dir(dir.path())
            .output()
            .expect("run nurture")
    };
    let svg = run("svg");
    assert_eq!(svg.status.code(), Some(1));
    assert!(svg.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&svg.stderr);
    assert!(
        stderr.contains("the chart is too large to draw")
            && stderr.contains("write it with `--format dot` for Graphviz, or `--format mermaid`"),
        "{stderr}"
    );
    let dot = run("dot");
    assert_eq!(dot.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&dot.stdout).starts_with("digraph program {"));
}

/// The consent asked at entry is in the entry box of every format: it
/// decides who comes in, as the triggers do.
#[test]
fn the_entry_shows_the_consent_in_every_format() {
    let drawn = chart_of(
        "program p {\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  consent email, sms\n  step a { send email \"hi\" exit done }\n}\n",
    );
    let entry = |text: &str| {
        text.lines()
            .find(|line| line.trim_start().starts_with("entry"))
            .unwrap_or_default()
            .to_string()
    };
    assert!(entry(&chart::mermaid(&drawn)).contains("consent email, sms"));
    assert!(entry(&chart::dot(&drawn)).contains("consent email, sms"));
    assert!(svg_of(&drawn).contains(">consent email, sms<"));
}

/// With simulated counts on every way (the HTML report), an interrupt has
/// an arrow from each step it took customers from, with that step's count,
/// and its arrow from the note says its count is the total of them all.
#[test]
fn an_interrupts_counts_are_per_step_and_its_total_says_so() {
    let mut drawn = chart_of(
        "program p {\n  kind retain\n  owner \"x\"\n  trigger event signup\n  consent email\n  on cancel_requested -> ask_why\n  step hello {\n    send email \"hi\"\n    wait 3d\n    -> later\n  }\n  step later {\n    wait 3d\n    exit done\n  }\n  step ask_why {\n    send email \"why\"\n    exit asked\n  }\n}\n",
    );
    let count = |from: &str, to: &str, count: u64| chart::FlowCount {
        from: from.into(),
        to: to.into(),
        count,
    };
    chart::annotate_every_way(
        &mut drawn,
        &[
            count("entry", "hello", 10),
            count("hello", "later", 6),
            count("hello", "ask_why", 3),
            count("later", "ask_why", 1),
        ],
    );
    let label = |from: &str, to: &str| {
        let id = |name: &str| {
            drawn
                .flow_names
                .iter()
                .find(|(_, n)| n.as_str() == name)
                .map(|(id, _)| id.clone())
                .unwrap_or_else(|| name.to_string())
        };
        let (from, to) = (id(from), id(to));
        drawn
            .edges
            .iter()
            .find(|(f, t, _)| *f == from && *t == to)
            .map(|(_, _, label)| label.clone())
            .unwrap_or_else(|| panic!("no arrow {from} → {to}: {:?}", drawn.edges))
    };
    assert_eq!(label("hello", "ask_why"), "on cancel_requested · 3");
    assert_eq!(label("later", "ask_why"), "on cancel_requested · 1");
    assert_eq!(
        label("rules", "ask_why"),
        "on cancel_requested · 4 in all, from every step"
    );
}
