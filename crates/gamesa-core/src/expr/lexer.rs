//! Tokens of the subset, with byte offsets. Follows langdef's lexis: `//` comments, whitespace
//! `[\t\n\f\r ]`, decimal and hex integers with an optional `u`/`U`, floats with a fraction
//! and/or exponent (`1.5`, `.5`, `1e3`; not `1.`), identifiers `[_a-zA-Z][_a-zA-Z0-9]*`.
//! String and bytes literals are recognised only to reject them clearly.

use super::error::{CompileError, CompileErrorKind};

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A decimal or hex integer without suffix; `None` when it does not fit in u64.
    Int(Option<u64>),
    /// An integer with `u`/`U`; `None` when it does not fit in u64.
    Uint(Option<u64>),
    Double(f64),
    Ident(String),
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    AndAnd,
    OrOr,
    Question,
    Colon,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    LParen,
    RParen,
    Comma,
    Dot,
    /// `[`, `]`, `{`, `}`: lists, maps, indexing and messages are outside the subset.
    Bracket(char),
    Eof,
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub offset: usize,
}

/// Splits `src` into tokens (ending with `Eof`), or reports the first lexical error.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, CompileError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |at: usize, msg: String| CompileError::at(CompileErrorKind::Syntax, src, at, msg);
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0C => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'0'..=b'9' => {
                let (tok, end) = number(src, i)?;
                out.push(Token { tok, offset: start });
                i = end;
                continue;
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let (tok, end) = number(src, i)?;
                out.push(Token { tok, offset: start });
                i = end;
                continue;
            }
            b'"' | b'\'' => {
                return Err(err(
                    i,
                    "string literals are not supported in this CEL subset".into(),
                ));
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                let word = &src[start..i];
                // r"..", b"..": raw strings and bytes literals.
                if i < b.len()
                    && (b[i] == b'"' || b[i] == b'\'')
                    && matches!(
                        word,
                        "r" | "R"
                            | "b"
                            | "B"
                            | "rb"
                            | "rB"
                            | "Rb"
                            | "RB"
                            | "br"
                            | "bR"
                            | "Br"
                            | "BR"
                    )
                {
                    let what = if word.contains(['b', 'B']) {
                        "bytes"
                    } else {
                        "string"
                    };
                    return Err(err(
                        start,
                        format!("{what} literals are not supported in this CEL subset"),
                    ));
                }
                out.push(Token {
                    tok: Tok::Ident(word.to_string()),
                    offset: start,
                });
                continue;
            }
            _ => {}
        }
        let two = |second: u8| b.get(i + 1) == Some(&second);
        let (tok, len) = match c {
            b'+' => (Tok::Plus, 1),
            b'-' => (Tok::Minus, 1),
            b'*' => (Tok::Star, 1),
            b'/' => (Tok::Slash, 1),
            b'%' => (Tok::Percent, 1),
            b'!' if two(b'=') => (Tok::Ne, 2),
            b'!' => (Tok::Bang, 1),
            b'&' if two(b'&') => (Tok::AndAnd, 2),
            b'|' if two(b'|') => (Tok::OrOr, 2),
            b'?' => (Tok::Question, 1),
            b':' => (Tok::Colon, 1),
            b'<' if two(b'=') => (Tok::Le, 2),
            b'<' => (Tok::Lt, 1),
            b'>' if two(b'=') => (Tok::Ge, 2),
            b'>' => (Tok::Gt, 1),
            b'=' if two(b'=') => (Tok::EqEq, 2),
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b',' => (Tok::Comma, 1),
            b'.' => (Tok::Dot, 1),
            b'[' | b']' | b'{' | b'}' => (Tok::Bracket(c as char), 1),
            b'&' | b'|' => {
                return Err(err(
                    i,
                    format!(
                        "unexpected `{}`; the logical operators are `&&` and `||`",
                        c as char
                    ),
                ));
            }
            b'=' => return Err(err(i, "unexpected `=`; equality is `==`".into())),
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(err(
                    i,
                    format!("unexpected character `{}`", ch.escape_debug()),
                ));
            }
        };
        out.push(Token { tok, offset: start });
        i += len;
    }
    out.push(Token {
        tok: Tok::Eof,
        offset: src.len(),
    });
    Ok(out)
}

/// Lexes a number starting at `i` (a digit, or `.` followed by a digit).
fn number(src: &str, start: usize) -> Result<(Tok, usize), CompileError> {
    let b = src.as_bytes();
    let digits = |mut i: usize, hex: bool| {
        while i < b.len()
            && (if hex {
                b[i].is_ascii_hexdigit()
            } else {
                b[i].is_ascii_digit()
            })
        {
            i += 1;
        }
        i
    };
    let err = |at: usize, msg: &str| CompileError::at(CompileErrorKind::Syntax, src, at, msg);
    if b[start] == b'0' && matches!(b.get(start + 1), Some(b'x' | b'X')) {
        let end = digits(start + 2, true);
        if end == start + 2 {
            return Err(err(start, "hex literal `0x` needs at least one hex digit"));
        }
        let value = u64::from_str_radix(&src[start + 2..end], 16).ok();
        return suffix(src, start, end, value);
    }
    let mut i = digits(start, false);
    let mut float = false;
    if i < b.len() && b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        float = true;
        i = digits(i + 1, false);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let end = digits(j, false);
        if end == j {
            return Err(err(i, "malformed exponent in a number literal"));
        }
        float = true;
        i = end;
    }
    if float {
        let value: f64 = src[start..i]
            .parse()
            .map_err(|_| err(start, "malformed double literal"))?;
        if !value.is_finite() {
            return Err(CompileError::at(
                CompileErrorKind::IntegerLiteralOutOfRange,
                src,
                start,
                "double literal out of range",
            ));
        }
        if i < b.len() && (b[i] == b'u' || b[i] == b'U') {
            return Err(err(i, "a double literal cannot have a `u` suffix"));
        }
        return Ok((Tok::Double(value), i));
    }
    let value = src[start..i].parse::<u64>().ok();
    suffix(src, start, i, value)
}

/// Reads an optional `u`/`U` suffix after integer digits ending at `end`.
fn suffix(
    src: &str,
    start: usize,
    end: usize,
    value: Option<u64>,
) -> Result<(Tok, usize), CompileError> {
    let b = src.as_bytes();
    let (tok, end) = if end < b.len() && (b[end] == b'u' || b[end] == b'U') {
        (Tok::Uint(value), end + 1)
    } else {
        (Tok::Int(value), end)
    };
    // `12abc`: an identifier glued to a number is a typo, not two tokens.
    if end < b.len() && (b[end] == b'_' || b[end].is_ascii_alphanumeric()) {
        return Err(CompileError::at(
            CompileErrorKind::Syntax,
            src,
            start,
            format!("malformed number literal `{}`", &src[start..=end]),
        ));
    }
    Ok((tok, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers() {
        assert_eq!(
            toks("1 1u 0x1F 0x1Fu 1.5e3 .5 1e3 0U"),
            vec![
                Tok::Int(Some(1)),
                Tok::Uint(Some(1)),
                Tok::Int(Some(31)),
                Tok::Uint(Some(31)),
                Tok::Double(1500.0),
                Tok::Double(0.5),
                Tok::Double(1000.0),
                Tok::Uint(Some(0)),
                Tok::Eof
            ]
        );
        assert_eq!(toks("18446744073709551616"), vec![Tok::Int(None), Tok::Eof]);
        assert_eq!(
            toks("18446744073709551615u"),
            vec![Tok::Uint(Some(u64::MAX)), Tok::Eof]
        );
        // `1.` is the integer 1 followed by a dot (langdef: a fraction needs digits).
        assert_eq!(toks("1."), vec![Tok::Int(Some(1)), Tok::Dot, Tok::Eof]);
    }

    #[test]
    fn operators_and_comments() {
        assert_eq!(
            toks("a<=b // c\n!=!"),
            vec![
                Tok::Ident("a".into()),
                Tok::Le,
                Tok::Ident("b".into()),
                Tok::Ne,
                Tok::Bang,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn errors_have_positions() {
        let e = tokenize("x +\n  'a'").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("string literals"));
        assert!(tokenize("b'x'").unwrap_err().message.contains("bytes"));
        assert!(tokenize("1e").is_err());
        assert!(tokenize("0x").is_err());
        assert!(tokenize("12ab").is_err());
        assert!(tokenize("1e999").is_err());
        assert!(tokenize("a & b").is_err());
        assert_eq!(tokenize("é").unwrap_err().column, 1);
    }
}
