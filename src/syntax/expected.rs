//! Parse errors in words: what the grammar expected, what the file has
//! instead, and an example of the construct being written.

use super::grammar::Rule;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use pest::error::{ErrorVariant, InputLocation};

/// What a rule is called in an error message.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::program_head | Rule::kw_program => "`program NAME {`",
        Rule::program_name => "a program name",
        Rule::clause => "a header clause",
        Rule::step | Rule::step_head | Rule::kw_step => "`step`",
        Rule::statement => "a statement",
        Rule::kind_name => "a kind of program like `wake_up`",
        Rule::step_name => "a step name",
        Rule::was => "`(was OLD_NAME)`",
        Rule::old_step_name => "the step's old name",
        Rule::event_name => "an event name like `purchase`",
        Rule::segment_name => "a segment name",
        Rule::channel => "a channel like `email`",
        Rule::outcome => "an outcome name like `converted`",
        Rule::tag_name => "a tag name",
        Rule::phase_name => "a phase like `develop`",
        Rule::recipient => "who to notify, like `owner` or `sales`",
        Rule::template | Rule::message | Rule::text => "a text in double quotes",
        Rule::attribute => "an attribute name",
        Rule::name => "a name",
        Rule::duration => "a duration like `3d`",
        Rule::percentage => "a percentage like `10%`",
        Rule::count => "a number like `3`",
        Rule::points => "points like `+10` or `-5`",
        Rule::clock => "a time of day like `21:00`",
        Rule::quantity => "a number",
        Rule::cond | Rule::conj | Rule::negation | Rule::comparison => "a condition",
        Rule::group => "a condition in parentheses",
        Rule::operand | Rule::value | Rule::literal => "a value",
        Rule::relative_time => "a time like `30d ago`",
        Rule::compare_op => "a comparison like `==` or `>`",
        Rule::list => "a list like `[gold, silver]`",
        Rule::target => "a step name or `exit OUTCOME`",
        Rule::exit_target => "`exit OUTCOME`",
        Rule::wait_arm | Rule::event_arm => "an event and `->`",
        Rule::timeout_arm => "`timeout ->`",
        Rule::branch_arm | Rule::when_arm => "`when CONDITION ->`",
        Rule::else_arm => "`else ->`",
        Rule::split_arm => "a share like `50% ->`",
        Rule::trigger_event => "`event`",
        Rule::trigger_inactive => "`no`",
        Rule::trigger_segment => "`segment`",
        Rule::trigger_date => "a duration like `30d`",
        Rule::trigger_phase => "`phase becomes`",
        Rule::trigger_tag => "`tag added` or `tag removed`",
        Rule::in_group => "`group`",
        Rule::group_name => "a group name",
        Rule::priority => "`priority`",
        Rule::arrow => "`->`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::equals => "`=`",
        Rule::dotdot => "`..`",
        Rule::EOI => "the end of the file",
        Rule::kw_title => "`title`",
        Rule::kw_kind => "`kind`",
        Rule::kw_owner => "`owner`",
        Rule::kw_trigger => "`trigger`",
        Rule::kw_event => "`event`",
        Rule::kw_no => "`no`",
        Rule::kw_for => "`for`",
        Rule::kw_segment => "`segment`",
        Rule::kw_entered => "`entered`",
        Rule::kw_left => "`left`",
        Rule::kw_becomes => "`becomes`",
        Rule::kw_added => "`added`",
        Rule::kw_removed => "`removed`",
        Rule::kw_group => "`group`",
        Rule::kw_priority => "`priority`",
        Rule::kw_before => "`before`",
        Rule::kw_after => "`after`",
        Rule::kw_audience => "`audience`",
        Rule::kw_consent => "`consent`",
        Rule::kw_goal => "`goal`",
        Rule::kw_within => "`within`",
        Rule::kw_ends => "`ends`",
        Rule::kw_on => "`on`",
        Rule::kw_until => "`until`",
        Rule::kw_entry => "`entry`",
        Rule::kw_answer => "`answer`",
        Rule::trigger_data => "`trigger.PROPERTY`",
        Rule::answer_data => "`answer.PROPERTY`",
        Rule::property_path => "a property name",
        Rule::data_test => "`has trigger.PROPERTY`",
        Rule::kw_exit => "`exit`",
        Rule::kw_when => "`when`",
        Rule::kw_as => "`as`",
        Rule::kw_reentry => "`reentry`",
        Rule::kw_never => "`never`",
        Rule::kw_cap => "`cap`",
        Rule::kw_messages => "`messages`",
        Rule::kw_per => "`per`",
        Rule::kw_quiet => "`quiet`",
        Rule::kw_holdout => "`holdout`",
        Rule::kw_window => "`window`",
        Rule::day_set | Rule::day_range | Rule::day_name => "days like `mon..fri`",
        Rule::fallback => "`or CHANNEL \"TEMPLATE\"`",
        Rule::kw_start => "`start`",
        Rule::kw_was => "`was`",
        Rule::kw_send => "`send`",
        Rule::kw_if => "`if`",
        Rule::kw_wait => "`wait`",
        Rule::kw_up => "`up`",
        Rule::kw_to => "`to`",
        Rule::kw_or => "`or`",
        Rule::kw_and => "`and`",
        Rule::kw_not => "`not`",
        Rule::kw_in => "`in`",
        Rule::kw_has => "`has`",
        Rule::kw_timeout => "`timeout`",
        Rule::kw_branch => "`branch`",
        Rule::kw_else => "`else`",
        Rule::kw_split => "`split`",
        Rule::kw_score => "`score`",
        Rule::kw_tag => "`tag`",
        Rule::kw_untag => "`untag`",
        Rule::kw_set => "`set`",
        Rule::kw_phase => "`phase`",
        Rule::kw_notify => "`notify`",
        Rule::kw_where => "`where`",
        Rule::kw_ago => "`ago`",
        Rule::kw_from => "`from`",
        Rule::kw_now => "`now`",
        Rule::kw_true => "`true`",
        Rule::kw_false => "`false`",
        Rule::schema | Rule::schema_head | Rule::kw_schema => "`schema {`",
        Rule::schema_entry | Rule::schema_line => "a schema entry",
        Rule::line_end => "the end of the line",
        Rule::attribute_decl | Rule::kw_attribute => "`attribute`",
        Rule::event_decl => "`event`",
        Rule::property_decl => "a property like `amount: number`",
        Rule::channel_decl | Rule::kw_channel => "`channel`",
        Rule::team_decl | Rule::kw_team => "`team`",
        Rule::segment_decl => "`segment`",
        Rule::tag_decl => "`tag`",
        Rule::value_type | Rule::type_words | Rule::type_word | Rule::list_type => {
            "a type like `text`, `number` or `gold | silver`"
        }
        Rule::kw_needs => "`needs no consent`",
        Rule::kw_list => "`list of text`",
        Rule::kw_of => "`of`",
        Rule::colon => "`:`",
        Rule::bar => "`|`",
        _ => return None,
    })
}

/// How each construct is written, keyed by its first word.
pub(super) const EXAMPLES: &[(&str, &str)] = &[
    ("program", "program wake_up { … }"),
    ("title", "title \"Wake up dormant customers\""),
    ("kind", "kind wake_up"),
    ("owner", "owner \"crm-team@example.com\""),
    (
        "trigger",
        "trigger event purchase, trigger no purchase for 180d, trigger segment vip entered or trigger 30d before contract_end",
    ),
    (
        "audience",
        "audience tier in [gold, silver] and country == \"DE\"",
    ),
    ("consent", "consent email, sms"),
    ("goal", "goal purchase within 30d"),
    ("ends", "ends after 30d as welcome_done"),
    ("on", "on cancel_requested -> ask_why"),
    ("reentry", "reentry never or reentry after 365d"),
    ("cap", "cap 3 messages per 14d or cap 1 sms per 7d"),
    ("quiet", "quiet 21:00..08:00"),
    ("holdout", "holdout 10%"),
    ("window", "window mon..fri 08:00..18:00"),
    ("start", "start hello"),
    (
        "step",
        "step hello { … } or step welcome_call (was first_call) { … }",
    ),
    (
        "send",
        "send email \"we-miss-you\" if consent email or send push \"app-offer\" or email \"mail-offer\"",
    ),
    (
        "wait",
        "wait 3d, wait until 30d after entry or wait up to 5d for click { click -> offer  timeout -> exit no_response }",
    ),
    (
        "branch",
        "branch { when tier == gold -> vip  else -> standard }",
    ),
    ("split", "split { 50% -> a  50% -> b }"),
    ("score", "score +10 or score -5"),
    ("tag", "tag vip"),
    ("untag", "untag vip"),
    ("set", "set preferred_channel = \"sms\""),
    ("phase", "phase develop"),
    ("notify", "notify owner \"Asked for a quote\""),
    (
        "exit",
        "exit converted (in a step) or exit when unsubscribe (in the header)",
    ),
    ("->", "-> offer"),
    ("schema", "schema { … }"),
    (
        "attribute",
        "attribute tier: gold | silver | bronze or attribute lifetime_value: number",
    ),
    (
        "event",
        "event purchase { amount: number, category: text } or event open",
    ),
    (
        "channel",
        "channel email or channel letter needs no consent",
    ),
    ("team", "team sales, service_team"),
    ("segment", "segment power_users, active_buyers"),
];

pub(crate) fn example(keyword: &str) -> Option<&'static str> {
    EXAMPLES
        .iter()
        .find(|(word, _)| *word == keyword)
        .map(|(_, example)| *example)
}

/// Words that start a header clause or a statement.
pub(super) const CLAUSE_WORDS: &[&str] = &[
    "title", "kind", "owner", "trigger", "audience", "consent", "goal", "ends", "exit", "on",
    "reentry", "cap", "quiet", "holdout", "start", "window",
];
/// Words that start an entry of the customer schema.
pub(super) const SCHEMA_WORDS: &[&str] = &[
    "attribute",
    "event",
    "channel",
    "team",
    "segment",
    "tag",
    "cap",
];
pub(super) const STATEMENT_WORDS: &[&str] = &[
    "send", "wait", "branch", "split", "score", "tag", "untag", "set", "phase", "notify", "exit",
];

/// What the text has at `offset`, for "found …".
pub(super) fn found(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return "the end of the file".into();
    };
    if first == '\n' || first == '\r' {
        return "the end of the line".into();
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '%';
    let token: String = if is_word(first) {
        rest.chars().take_while(|c| is_word(*c)).take(24).collect()
    } else if first == '"' {
        return "a text".into();
    } else if first.is_control() || first == '\u{FFFD}' {
        return "an unreadable character".into();
    } else {
        let two: String = rest.chars().take(2).collect();
        if ["->", "==", "!=", "<=", ">=", ".."].contains(&two.as_str()) {
            two
        } else {
            first.to_string()
        }
    };
    format!("`{token}`")
}

/// How many bytes the token at `offset` takes (0 at a line's or file's end),
/// so a label underlines what was found.
pub(super) fn token_len(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '%';
    match rest.chars().next() {
        None | Some('\n' | '\r') => 0,
        Some(c) if is_word(c) => rest
            .char_indices()
            .take_while(|(_, c)| is_word(*c))
            .take(24)
            .last()
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0),
        Some(c) => c.len_utf8(),
    }
}

/// The first word at `offset` (a name, or `->`), for choosing an example.
pub(super) fn word_at(text: &str, offset: usize) -> &str {
    let rest = text.get(offset..).unwrap_or("");
    if rest.starts_with("->") {
        return "->";
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// "a, b or c".
fn one_of(words: &[&str]) -> String {
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => "something else".into(),
    }
}

/// Mistakes a marketer makes, each with the message that names the fix:
/// `=` for `==`, a thousands separator, a keyword with a capital letter.
fn slip(text: &str, offset: usize, rules: &[Rule]) -> Option<Diagnostic> {
    let rest = text.get(offset..)?;
    let before = &text[..offset];
    // `when lifetime_value = 100`.
    if rest.starts_with('=') && !rest.starts_with("==") && rules.contains(&Rule::compare_op) {
        let span = Span::new(offset, offset + 1);
        return Some(
            Diagnostic::new(Code::SyntaxError, "`=` is not a comparison: write `==`")
                .label(span, "write `==` here")
                .help("conditions compare with `==` (`lifetime_value == 100`), `!=`, `<`, `<=`, `>` or `>=`; a single `=` only gives a value, in `set`")
                .fix(crate::diagnostic::Fix::replace("write `==`", span, "==")),
        );
    }
    // `1,000`: digits, a comma, three digits.
    let digits_before = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if rest.starts_with(',') && digits_before > 0 {
        let group_len = rest[1..]
            .find(|c: char| !(c.is_ascii_digit() || c == ','))
            .unwrap_or(rest.len() - 1);
        let group = &rest[1..1 + group_len];
        if group
            .split(',')
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
        {
            let start = offset - digits_before;
            let span = Span::new(start, offset + 1 + group_len);
            let written = &text[start..span.end];
            let plain = written.replace(',', "");
            return Some(
                Diagnostic::new(
                    Code::SyntaxError,
                    format!("`{written}` has a thousands separator"),
                )
                .label(span, format!("write `{plain}`"))
                .help(format!(
                    "numbers are written without separators: `{plain}` (a decimal point is `.`, like `12.5`)"
                ))
                .fix(crate::diagnostic::Fix::replace(format!("write `{plain}`"), span, plain)),
            );
        }
    }
    // `Program`, `Step`, `Send`: keywords are lower case.
    let word = word_at(text, offset);
    let lower = word.to_ascii_lowercase();
    if !word.is_empty() && word != lower && super::next::is_keyword(&lower) {
        let span = Span::new(offset, offset + word.len());
        return Some(
            Diagnostic::new(
                Code::SyntaxError,
                format!("`{word}` is written `{lower}`: keywords are lower case"),
            )
            .label(span, format!("write `{lower}`"))
            .help(format!(
                "nurture's words are written in lower case, like `{lower}`; names may use capitals, but the words of the language may not"
            ))
            .fix(crate::diagnostic::Fix::replace(format!("write `{lower}`"), span, lower)),
        );
    }
    None
}

/// Turns a pest error from parsing `text[base..]` into a diagnostic.
/// `keyword` is the first word of the construct being parsed, for the example.
pub(super) fn syntax_error(
    error: &pest::error::Error<Rule>,
    text: &str,
    base: usize,
    keyword: &str,
) -> Diagnostic {
    let offset = base
        + match error.location {
            InputLocation::Pos(pos) => pos,
            InputLocation::Span((start, _)) => start,
        };
    let mut expected: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            for rule in positives {
                rules.push(*rule);
                if let Some(words) = describe(*rule) {
                    if !expected.contains(&words) {
                        expected.push(words);
                    }
                }
            }
        }
        ErrorVariant::CustomError { message } => {
            return Diagnostic::new(
                Code::SyntaxError,
                format!("this file could not be read: {message}"),
            )
            .label(Span::at(offset), "the parser gave up here")
            .help("simplify the construct here; if the file is well-formed, please report it");
        }
    }
    // A `"` whose line holds no closing `"` starts a text that never ends.
    let rest = text.get(offset..).unwrap_or("");
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let unclosed = line.starts_with('"')
        && !line[1..]
            .replace("\\\\", "")
            .replace("\\\"", "")
            .contains('"');
    if unclosed {
        let line_end = text[offset..].find('\n').map_or(text.len(), |n| offset + n);
        return Diagnostic::new(Code::SyntaxError, "this text is not closed")
            .label(
                Span::new(offset, line_end).to(Span::new(offset, offset + 1)),
                "the text starts here and the line ends before its closing `\"`",
            )
            .help(
                "end the text with `\"` on the same line; a `\"` inside a text is written `\\\"`",
            );
    }
    if let Some(slip) = slip(text, offset, &rules) {
        return slip;
    }
    let found = found(text, offset);
    let what = one_of(&expected);
    let help = if rules.contains(&Rule::duration) {
        super::values::DURATION_HELP.to_string()
    } else if rules.contains(&Rule::percentage) {
        "write a number from 0 to 100 and a percent sign, like `10%` or `12.5%`".to_string()
    } else if rules.iter().any(|r| {
        matches!(
            r,
            Rule::cond | Rule::conj | Rule::negation | Rule::comparison
        )
    }) {
        "a condition looks like `tier == gold`, `amount > 500`, `country in [\"DE\", \"AT\"]`, `consent sms` or `has tag vip`".to_string()
    } else if rules.contains(&Rule::clock) {
        "write hours and minutes on the 24-hour clock, like `08:30` or `21:00`".to_string()
    } else if rules.contains(&Rule::text)
        || rules.contains(&Rule::template)
        || rules.contains(&Rule::message)
    {
        "texts are written in double quotes on one line, like \"we-miss-you\"".to_string()
    } else {
        match example(keyword) {
            Some(example) => format!("it is written like this: {example}"),
            None => "see docs/language.md for how each part of a program is written".to_string(),
        }
    };
    Diagnostic::new(Code::SyntaxError, format!("expected {what}, found {found}"))
        .label(
            Span::new(offset, offset + token_len(text, offset)),
            format!("expected {what} here"),
        )
        .help(help)
}
