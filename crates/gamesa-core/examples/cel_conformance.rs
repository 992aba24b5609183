//! Runs cel-spec's own conformance cases that fall inside our CEL subset against
//! `gamesa_core::expr`.
//!
//! ```text
//! cargo run -p gamesa-core --example cel_conformance -- /path/to/cel-spec [-v]
//! ```
//!
//! It reads `tests/simple/testdata/{basic,integer_math,fp_math,comparisons,logic,parse}.textproto`
//! from the checkout given on the command line (nothing from cel-spec is part of this project),
//! selects the cases inside the subset by the explicit rule printed at start-up ([`RULE`]),
//! runs them and prints pass / fail / skipped per section. Exit status 1 on any failure, 2 on a
//! usage or input problem. `-v` also lists every skipped case with its reason.

use gamesa_core::expr::{Env, Program, Type, Value};
use std::process::ExitCode;

const FILES: [&str; 6] = [
    "basic",
    "integer_math",
    "fp_math",
    "comparisons",
    "logic",
    "parse",
];

/// The selection rule, printed so that a reader of the output knows what "skipped" means.
const RULE: &str = "\
A case is in the subset when all of these hold; otherwise it is skipped with the first reason:
  1. its result matcher is `value` holding one of int64_value, uint64_value, double_value,
     bool_value, or `eval_error` (typed_result, unknown, any_* and other kinds are skipped);
  2. it is not `check_only`;
  3. every type_env entry is an identifier of primitive type INT64, UINT64, DOUBLE or BOOL
     (function declarations, messages, lists, maps, strings... are skipped);
  4. every binding is an int64, uint64, double or bool value;
  5. the expression has no string or bytes literal, list, map or message construction, index,
     receiver-style call (`x.f()`), leading-dot name, or `?.`/`.?` optional syntax, and
     uses none of the CEL names outside the subset: null, in, has, size, string, bytes, type,
     list, map, timestamp, duration, null_type, optional, google, all, exists, exists_one,
     map, filter, matches, contains, startsWith, endsWith;
  6. every name called as a function is one of ours: int, uint, double, dyn, math.least,
     math.greatest, min, max, abs, clamp, sqrt, exp, ln, sin, cos, tanh, floor, ceil, round
     (a plain unknown name is allowed when the case expects an error or sets disable_check:
     it must then be rejected, or fail at evaluation).
A selected case passes when:
  - it compiles against the declared names (slot order = type_env order) with
    Program::compile, or with Program::compile_unchecked when the case sets disable_check
    (CEL's unchecked evaluation: type errors and unknown names fail at evaluation instead);
  - value expected: eval_named with the bindings returns the same type and value (doubles:
    NaN matches NaN, otherwise ==, and a zero must have the expected sign);
  - eval_error expected: eval returns an error; for a disable_check case a compile-time
    rejection also counts (e.g. `f_unknown(17)`, whose result has no type).";

const OUTSIDE: [&str; 23] = [
    "null",
    "in",
    "has",
    "size",
    "string",
    "bytes",
    "type",
    "list",
    "map",
    "timestamp",
    "duration",
    "null_type",
    "optional",
    "google",
    "all",
    "exists",
    "exists_one",
    "filter",
    "matches",
    "contains",
    "startsWith",
    "endsWith",
    "bool",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let Some(root) = args.iter().find(|a| *a != "-v") else {
        eprintln!("usage: cel_conformance <path to a cel-spec checkout> [-v]");
        return ExitCode::from(2);
    };
    println!("Selection rule:\n{RULE}\n");
    let mut totals = Counts::default();
    for file in FILES {
        let path = format!("{root}/tests/simple/testdata/{file}.textproto");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        let doc = match textproto::parse(&text) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        for section in doc.all("section") {
            let name = format!("{file}/{}", section.str("name").unwrap_or("?"));
            let mut counts = Counts::default();
            for test in section.all("test") {
                let test_name = test.str("name").unwrap_or("?");
                match run_case(test) {
                    Outcome::Pass => counts.pass += 1,
                    Outcome::Skip(why) => {
                        counts.skip += 1;
                        if verbose {
                            println!("  skip {name}/{test_name}: {why}");
                        }
                    }
                    Outcome::Fail(why) => {
                        counts.fail += 1;
                        let expr = test.str("expr").unwrap_or("");
                        println!("  FAIL {name}/{test_name}: `{expr}`: {why}");
                    }
                }
            }
            println!(
                "{name:40} pass {:4}  fail {:4}  skipped {:4}",
                counts.pass, counts.fail, counts.skip
            );
            totals.add(&counts);
        }
    }
    println!(
        "{:40} pass {:4}  fail {:4}  skipped {:4}",
        "TOTAL", totals.pass, totals.fail, totals.skip
    );
    if totals.fail > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[derive(Default)]
struct Counts {
    pass: usize,
    fail: usize,
    skip: usize,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.skip += other.skip;
    }
}

enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

enum Expected {
    Value(Value),
    Error,
}

fn run_case(test: &textproto::Message) -> Outcome {
    let case = match select(test) {
        Ok(c) => c,
        Err(why) => return Outcome::Skip(why),
    };
    let mut env = Env::new();
    for (name, ty) in &case.decls {
        env = env.declare(name, *ty);
    }
    let compiled = if case.disable_check {
        Program::compile_unchecked(&case.expr, &env)
    } else {
        Program::compile(&case.expr, &env)
    };
    let program = match compiled {
        Ok(p) => p,
        Err(e) => {
            return match case.expected {
                Expected::Error if case.disable_check => Outcome::Pass,
                _ => Outcome::Fail(format!("compile error: {e}")),
            };
        }
    };
    let bindings: Vec<(&str, Value)> = case
        .bindings
        .iter()
        .map(|(n, v)| (n.as_str(), *v))
        .collect();
    let got = program.eval_named(&bindings);
    match (&case.expected, got) {
        (Expected::Value(want), Ok(got)) if same(want, &got) => Outcome::Pass,
        (Expected::Value(want), Ok(got)) => {
            Outcome::Fail(format!("expected {want:?}, got {got:?}"))
        }
        (Expected::Value(want), Err(e)) => {
            Outcome::Fail(format!("expected {want:?}, got error {e:?}"))
        }
        (Expected::Error, Err(_)) => Outcome::Pass,
        (Expected::Error, Ok(got)) => Outcome::Fail(format!("expected an error, got {got:?}")),
    }
}

/// Same type and value; NaN matches NaN; a zero must carry the expected sign.
fn same(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Double(a), Value::Double(b)) => {
            (a.is_nan() && b.is_nan()) || (a == b && a.is_sign_negative() == b.is_sign_negative())
        }
        _ => want == got,
    }
}

struct Case {
    expr: String,
    decls: Vec<(String, Type)>,
    bindings: Vec<(String, Value)>,
    expected: Expected,
    disable_check: bool,
}

/// Applies [`RULE`]: the case in our terms, or the reason it is outside the subset.
fn select(test: &textproto::Message) -> Result<Case, String> {
    let expr = test.str("expr").ok_or("no expr")?.to_string();
    let expected = if let Some(v) = test.msg("value") {
        Expected::Value(scalar(v).map_err(|k| format!("rule 1: expects a {k}"))?)
    } else if test.msg("eval_error").is_some() {
        Expected::Error
    } else {
        let kind = test.fields.iter().map(|(k, _)| k.as_str()).find(|k| {
            !matches!(
                *k,
                "name"
                    | "description"
                    | "expr"
                    | "type_env"
                    | "bindings"
                    | "disable_check"
                    | "disable_macros"
                    | "container"
                    | "check_only"
            )
        });
        return Err(format!(
            "rule 1: result matcher {}",
            kind.unwrap_or("absent")
        ));
    };
    if test.scalar("check_only") == Some("true") {
        return Err("rule 2: check_only".into());
    }
    let mut decls = Vec::new();
    for decl in test.all("type_env") {
        let name = decl.str("name").ok_or("type_env without a name")?;
        let primitive = decl
            .msg("ident")
            .and_then(|i| i.msg("type"))
            .and_then(|t| t.scalar("primitive"))
            .ok_or_else(|| format!("rule 3: `{name}` is not a primitive identifier"))?;
        let ty = match primitive {
            "INT64" => Type::Int,
            "UINT64" => Type::Uint,
            "DOUBLE" => Type::Double,
            "BOOL" => Type::Bool,
            other => return Err(format!("rule 3: `{name}` has type {other}")),
        };
        decls.push((name.to_string(), ty));
    }
    let mut bindings = Vec::new();
    for b in test.all("bindings") {
        let key = b.str("key").ok_or("binding without a key")?;
        let value = b
            .msg("value")
            .and_then(|v| v.msg("value"))
            .ok_or_else(|| format!("rule 4: binding `{key}` is not a plain value"))?;
        let value = scalar(value).map_err(|k| format!("rule 4: binding `{key}` is a {k}"))?;
        bindings.push((key.to_string(), value));
    }
    let disable_check = test.scalar("disable_check") == Some("true");
    lexical_check(&expr, disable_check || matches!(expected, Expected::Error))?;
    Ok(Case {
        expr,
        decls,
        bindings,
        expected,
        disable_check,
    })
}

/// Reads a cel-spec `Value` message holding one of our four scalar kinds.
fn scalar(v: &textproto::Message) -> Result<Value, String> {
    let (kind, _) = v.fields.first().ok_or("empty value")?;
    let raw = v.scalar(kind).ok_or_else(|| kind.clone())?;
    let bad = || format!("unreadable {kind} `{raw}`");
    match kind.as_str() {
        "int64_value" => raw.parse().map(Value::Int).map_err(|_| bad()),
        "uint64_value" => raw.parse().map(Value::Uint).map_err(|_| bad()),
        "double_value" => parse_double(raw).map(Value::Double).ok_or_else(bad),
        "bool_value" => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(bad()),
        },
        other => Err(other.to_string()),
    }
}

/// Text-format doubles: decimal, `inf`, `Infinity`, `nan`, with an optional sign.
fn parse_double(raw: &str) -> Option<f64> {
    let (neg, body) = match raw.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, raw),
    };
    let v = match body.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => body.parse().ok()?,
    };
    Some(if neg { -v } else { v })
}

/// Rules 5 and 6 on the expression text.
/// `unknown_calls_allowed`: a call of an unknown plain function is then in the subset (it must
/// be rejected or fail at evaluation), e.g. `f_unknown(17)`.
fn lexical_check(expr: &str, unknown_calls_allowed: bool) -> Result<(), String> {
    if let Some(c) = expr
        .chars()
        .find(|c| matches!(c, '\'' | '"' | '[' | ']' | '{' | '}'))
    {
        return Err(format!("rule 5: uses `{c}`"));
    }
    if expr.contains("?.") || expr.contains(".?") {
        return Err("rule 5: optional syntax".into());
    }
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut prev_significant: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_digit() {
            // Skip a numeric literal whole, so `1e3` or `0x1F` or `1.5` is not read as names.
            let hex = c == '0' && matches!(chars.get(i + 1), Some('x' | 'X'));
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '.'
                    || ((chars[i] == '+' || chars[i] == '-')
                        && matches!(chars[i - 1], 'e' | 'E')
                        && !hex))
            {
                i += 1;
            }
            prev_significant = Some('0');
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            if prev_significant == Some('.') {
                return Err("rule 5: leading-dot name or receiver-style selection".into());
            }
            // A dotted name: identifiers joined by '.', whitespace allowed around the dots.
            let mut segments = Vec::new();
            loop {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                segments.push(chars[start..i].iter().collect::<String>());
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                if j < chars.len() && chars[j] == '.' {
                    let mut k = j + 1;
                    while k < chars.len() && chars[k].is_whitespace() {
                        k += 1;
                    }
                    if k < chars.len() && (chars[k].is_alphabetic() || chars[k] == '_') {
                        i = k;
                        continue;
                    }
                }
                break;
            }
            if let Some(s) = segments.iter().find(|s| OUTSIDE.contains(&s.as_str())) {
                return Err(format!("rule 5: uses `{s}`"));
            }
            let name = segments.join(".");
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let unknown_call = j < chars.len()
                && chars[j] == '('
                && !gamesa_core::expr::functions().contains(&name.as_str());
            if unknown_call && (segments.len() > 1 || !unknown_calls_allowed) {
                return Err(if segments.len() > 1 {
                    format!("rule 5: receiver-style or unknown call `{name}(`")
                } else {
                    format!("rule 6: calls `{name}`")
                });
            }
            prev_significant = Some('a');
            continue;
        }
        if !c.is_whitespace() {
            prev_significant = Some(c);
        }
        i += 1;
    }
    Ok(())
}

/// A reader for the protobuf text format, enough for cel-spec's test files: nested messages
/// (`{}` or `<>`), scalar fields (numbers, identifiers, quoted strings with C escapes and
/// adjacent-string concatenation), optional `:` before messages, `,`/`;` separators,
/// `[a, b]` lists of scalars or messages, and `#` comments.
mod textproto {
    /// One field's value.
    #[derive(Debug)]
    pub enum Field {
        /// Unquoted token (number, identifier, enum name) or decoded string.
        Scalar(String, bool),
        Message(Message),
    }

    /// A message: its fields in file order (repeated fields appear several times).
    #[derive(Debug, Default)]
    pub struct Message {
        pub fields: Vec<(String, Field)>,
    }

    impl Message {
        /// Every message value of field `name`, in order.
        pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Message> + 'a {
            self.fields.iter().filter_map(move |(k, v)| match v {
                Field::Message(m) if k == name => Some(m),
                _ => None,
            })
        }
        /// The first message value of field `name`.
        pub fn msg(&self, name: &str) -> Option<&Message> {
            self.fields.iter().find_map(|(k, v)| match v {
                Field::Message(m) if k == name => Some(m),
                _ => None,
            })
        }
        /// The first scalar (quoted or not) of field `name`.
        pub fn scalar(&self, name: &str) -> Option<&str> {
            self.fields.iter().find_map(|(k, v)| match v {
                Field::Scalar(s, _) if k == name => Some(s.as_str()),
                _ => None,
            })
        }
        /// The first quoted string of field `name`.
        pub fn str(&self, name: &str) -> Option<&str> {
            self.fields.iter().find_map(|(k, v)| match v {
                Field::Scalar(s, true) if k == name => Some(s.as_str()),
                _ => None,
            })
        }
    }

    pub fn parse(text: &str) -> Result<Message, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let m = p.message(None)?;
        p.skip_ws();
        if p.i < p.s.len() {
            return Err(p.err("unexpected text"));
        }
        Ok(m)
    }

    struct Parser<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn err(&self, what: &str) -> String {
            let line = 1 + self.s[..self.i].iter().filter(|&&b| b == b'\n').count();
            format!("line {line}: {what}")
        }

        fn skip_ws(&mut self) {
            while self.i < self.s.len() {
                match self.s[self.i] {
                    b' ' | b'\t' | b'\r' | b'\n' | 0x0c => self.i += 1,
                    b'#' => {
                        while self.i < self.s.len() && self.s[self.i] != b'\n' {
                            self.i += 1;
                        }
                    }
                    _ => break,
                }
            }
        }

        fn peek(&mut self) -> Option<u8> {
            self.skip_ws();
            self.s.get(self.i).copied()
        }

        fn eat(&mut self, b: u8) -> bool {
            if self.peek() == Some(b) {
                self.i += 1;
                true
            } else {
                false
            }
        }

        /// Fields until `close` (or the end of input for the top level).
        fn message(&mut self, close: Option<u8>) -> Result<Message, String> {
            let mut m = Message::default();
            loop {
                match self.peek() {
                    None if close.is_none() => return Ok(m),
                    None => return Err(self.err("unterminated message")),
                    Some(c) if Some(c) == close => {
                        self.i += 1;
                        return Ok(m);
                    }
                    _ => {}
                }
                let name = if self.eat(b'[') {
                    // An `Any` expansion: `[type.googleapis.com/pkg.Type] { ... }`.
                    let start = self.i;
                    while self.i < self.s.len() && self.s[self.i] != b']' {
                        self.i += 1;
                    }
                    let n = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                    if !self.eat(b']') {
                        return Err(self.err("unterminated `[`"));
                    }
                    n
                } else {
                    self.token()?
                };
                // The `:` is optional before a message and required before a scalar; the
                // files are well-formed, so it is simply skipped.
                self.eat(b':');
                if self.peek() == Some(b'[') {
                    self.i += 1;
                    while !self.eat(b']') {
                        let v = self.value()?;
                        m.fields.push((name.clone(), v));
                        self.eat(b',');
                    }
                } else {
                    let v = self.value()?;
                    m.fields.push((name, v));
                }
                if !self.eat(b',') {
                    self.eat(b';');
                }
            }
        }

        fn value(&mut self) -> Result<Field, String> {
            match self.peek() {
                Some(b'{') => {
                    self.i += 1;
                    Ok(Field::Message(self.message(Some(b'}'))?))
                }
                Some(b'<') => {
                    self.i += 1;
                    Ok(Field::Message(self.message(Some(b'>'))?))
                }
                Some(b'"') | Some(b'\'') => {
                    let mut bytes = Vec::new();
                    while matches!(self.peek(), Some(b'"') | Some(b'\'')) {
                        self.string(&mut bytes)?;
                    }
                    Ok(Field::Scalar(
                        String::from_utf8_lossy(&bytes).into_owned(),
                        true,
                    ))
                }
                Some(b'-') => {
                    self.i += 1;
                    Ok(Field::Scalar(format!("-{}", self.token()?), false))
                }
                Some(_) => Ok(Field::Scalar(self.token()?, false)),
                None => Err(self.err("missing value")),
            }
        }

        /// An identifier or number: letters, digits, `_`, `.`, `+`/`-` after an exponent.
        fn token(&mut self) -> Result<String, String> {
            self.skip_ws();
            let start = self.i;
            while self.i < self.s.len() {
                let b = self.s[self.i];
                let exp_sign = (b == b'+' || b == b'-')
                    && self.i > start
                    && matches!(self.s[self.i - 1], b'e' | b'E')
                    && self.s[start].is_ascii_digit();
                if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || exp_sign {
                    self.i += 1;
                } else {
                    break;
                }
            }
            if start == self.i {
                return Err(self.err("expected a name or a value"));
            }
            Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
        }

        /// One quoted string with C-style escapes, appended as bytes.
        fn string(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
            let quote = self.s[self.i];
            self.i += 1;
            loop {
                let Some(&b) = self.s.get(self.i) else {
                    return Err(self.err("unterminated string"));
                };
                self.i += 1;
                if b == quote {
                    return Ok(());
                }
                if b != b'\\' {
                    out.push(b);
                    continue;
                }
                let Some(&e) = self.s.get(self.i) else {
                    return Err(self.err("unterminated escape"));
                };
                self.i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'f' => out.push(0x0c),
                    b'v' => out.push(0x0b),
                    b'a' => out.push(0x07),
                    b'b' => out.push(0x08),
                    b'x' | b'X' => {
                        let v = self.digits(16, 2)?;
                        out.push(v as u8);
                    }
                    b'u' | b'U' => {
                        let n = if e == b'u' { 4 } else { 8 };
                        let v = self.digits(16, n)?;
                        let c = char::from_u32(v).ok_or_else(|| self.err("bad \\u escape"))?;
                        out.extend_from_slice(c.to_string().as_bytes());
                    }
                    b'0'..=b'7' => {
                        self.i -= 1;
                        let v = self.digits(8, 3)?;
                        out.push(v as u8);
                    }
                    other => out.push(other),
                }
            }
        }

        /// Up to `max` digits in `radix` (at least one).
        fn digits(&mut self, radix: u32, max: usize) -> Result<u32, String> {
            let mut v = 0u32;
            let mut n = 0;
            while n < max {
                let Some(d) = self
                    .s
                    .get(self.i)
                    .and_then(|&b| (b as char).to_digit(radix))
                else {
                    break;
                };
                v = v * radix + d;
                self.i += 1;
                n += 1;
            }
            if n == 0 {
                return Err(self.err("bad escape"));
            }
            Ok(v)
        }
    }
}
