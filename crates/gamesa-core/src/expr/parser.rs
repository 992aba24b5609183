//! A hand-written precedence-climbing parser for the subset of langdef's grammar.
//!
//! Recursion happens only through parentheses, call arguments, the right operand of a binary
//! operator and the `else` arm of `?:`; every such entry counts against
//! `Limits::max_depth`, and every node records its height, so neither this parser nor any
//! later pass over the tree can overflow the stack, whatever the input.

use super::ast::{BinOp, Expr, ExprKind, UnOp};
use super::env::Limits;
use super::error::{CompileError, CompileErrorKind};
use super::lexer::{Tok, Token, tokenize};

/// Words langdef reserves for embedding languages; never identifiers or function names.
pub const RESERVED: [&str; 17] = [
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// Parses `src` into a tree, enforcing `limits`.
pub(crate) fn parse(src: &str, limits: Limits) -> Result<Expr, CompileError> {
    // Byte length bounds the char count from above: count chars only when it might matter.
    if src.len() > limits.max_source_len {
        let chars = src.chars().count();
        if chars > limits.max_source_len {
            return Err(CompileError::at(
                CompileErrorKind::TooLong,
                src,
                0,
                format!(
                    "expression is {chars} characters long; the limit is {}",
                    limits.max_source_len
                ),
            ));
        }
    }
    let tokens = tokenize(src)?;
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        depth: 0,
        limits,
    };
    let e = p.expr()?;
    if p.peek() != &Tok::Eof {
        return Err(p.unexpected("an operator or the end of the expression"));
    }
    Ok(e)
}

type PResult = Result<Expr, CompileError>;

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    limits: Limits,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Int(_) | Tok::Uint(_) | Tok::Double(_) => "a number".into(),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Eof => "the end of the expression".into(),
        Tok::Bracket(c) => format!("`{c}`"),
        other => {
            let s = match other {
                Tok::Plus => "+",
                Tok::Minus => "-",
                Tok::Star => "*",
                Tok::Slash => "/",
                Tok::Percent => "%",
                Tok::Bang => "!",
                Tok::AndAnd => "&&",
                Tok::OrOr => "||",
                Tok::Question => "?",
                Tok::Colon => ":",
                Tok::Lt => "<",
                Tok::Le => "<=",
                Tok::Gt => ">",
                Tok::Ge => ">=",
                Tok::EqEq => "==",
                Tok::Ne => "!=",
                Tok::LParen => "(",
                Tok::RParen => ")",
                Tok::Comma => ",",
                _ => ".",
            };
            format!("`{s}`")
        }
    }
}

fn binop(t: &Tok) -> Option<(BinOp, u8)> {
    Some(match t {
        Tok::OrOr => (BinOp::Or, 1),
        Tok::AndAnd => (BinOp::And, 2),
        Tok::EqEq => (BinOp::Eq, 3),
        Tok::Ne => (BinOp::Ne, 3),
        Tok::Lt => (BinOp::Lt, 3),
        Tok::Le => (BinOp::Le, 3),
        Tok::Gt => (BinOp::Gt, 3),
        Tok::Ge => (BinOp::Ge, 3),
        Tok::Plus => (BinOp::Add, 4),
        Tok::Minus => (BinOp::Sub, 4),
        Tok::Star => (BinOp::Mul, 5),
        Tok::Slash => (BinOp::Div, 5),
        Tok::Percent => (BinOp::Rem, 5),
        _ => return None,
    })
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].tok
    }

    fn peek_at(&self, k: usize) -> &Tok {
        let i = (self.pos + k).min(self.tokens.len() - 1);
        &self.tokens[i].tok
    }

    fn offset(&self) -> usize {
        self.tokens[self.pos].offset
    }

    fn bump(&mut self) -> Token {
        let t = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn error(&self, kind: CompileErrorKind, offset: usize, msg: impl Into<String>) -> CompileError {
        CompileError::at(kind, self.src, offset, msg)
    }

    #[cold]
    #[inline(never)]
    fn unexpected(&self, expected: &str) -> CompileError {
        self.error(
            CompileErrorKind::Syntax,
            self.offset(),
            format!("expected {expected}, found {}", describe(self.peek())),
        )
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self, offset: usize) -> CompileError {
        self.error(
            CompileErrorKind::TooDeep,
            offset,
            format!("expression nests more than {} levels deep (each operator, call and parenthesis counts)", self.limits.max_depth),
        )
    }

    fn check_height(&self, height: u32, offset: usize) -> Result<(), CompileError> {
        if height as usize > self.limits.max_depth {
            Err(self.too_deep(offset))
        } else {
            Ok(())
        }
    }

    fn leaf(&self, kind: ExprKind, offset: usize) -> Result<Expr, CompileError> {
        self.check_height(1, offset)?;
        Ok(Expr {
            kind,
            offset,
            height: 1,
        })
    }

    // The functions on the recursion path (expr → binary → unary → member → paren → expr) are
    // kept small, with error construction and rarer branches in separate functions: unoptimised
    // builds give every local of a function its own stack slot, and these frames times
    // `max_depth` must fit a 2 MiB thread stack.

    /// Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
    fn expr(&mut self) -> PResult {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.too_deep(self.offset()));
        }
        let cond = self.binary(1)?;
        let result = if self.peek() == &Tok::Question {
            self.conditional(cond)
        } else {
            Ok(cond)
        };
        self.depth -= 1;
        result
    }

    #[inline(never)]
    fn conditional(&mut self, cond: Expr) -> PResult {
        let at = self.bump().offset;
        let then = self.binary(1)?;
        if self.peek() != &Tok::Colon {
            return Err(self.unexpected("`:` of the conditional `?:`"));
        }
        self.bump();
        let otherwise = self.expr()?;
        let height = 1 + cond.height.max(then.height).max(otherwise.height);
        self.check_height(height, at)?;
        Ok(Expr {
            kind: ExprKind::Cond(Box::new(cond), Box::new(then), Box::new(otherwise)),
            offset: at,
            height,
        })
    }

    /// Binary operators at precedence `min` and above, left-associative.
    fn binary(&mut self, min: u8) -> PResult {
        let mut left = self.unary()?;
        while let Some((op, prec)) = binop(self.peek()) {
            if prec < min {
                break;
            }
            let at = self.bump().offset;
            let right = if prec < 5 {
                self.binary(prec + 1)?
            } else {
                self.unary()?
            };
            left = self.join(op, at, left, right)?;
        }
        Ok(left)
    }

    #[inline(never)]
    fn join(&self, op: BinOp, at: usize, left: Expr, right: Expr) -> PResult {
        let height = 1 + left.height.max(right.height);
        self.check_height(height, at)?;
        Ok(Expr {
            kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
            offset: at,
            height,
        })
    }

    /// Unary = Member | "!" {"!"} Member | "-" {"-"} Member
    fn unary(&mut self) -> PResult {
        match self.peek() {
            Tok::Bang | Tok::Minus => self.prefixed(),
            _ => self.member(),
        }
    }

    #[inline(never)]
    fn prefixed(&mut self) -> PResult {
        let op = if self.peek() == &Tok::Bang {
            UnOp::Not
        } else {
            UnOp::Neg
        };
        let mut offsets = Vec::new();
        while (op == UnOp::Not && self.peek() == &Tok::Bang)
            || (op == UnOp::Neg && self.peek() == &Tok::Minus)
        {
            offsets.push(self.bump().offset);
            if offsets.len() > self.limits.max_depth {
                return Err(self.too_deep(offsets[0]));
            }
        }
        let mut e = if op == UnOp::Neg && matches!(self.peek(), Tok::Int(_) | Tok::Double(_)) {
            // `-9223372036854775808` is one literal (langdef's INT_LIT has an optional sign), so
            // the innermost `-` belongs to the literal.
            let at = offsets.pop().unwrap_or(0);
            self.literal(true, at)?
        } else {
            self.member()?
        };
        while let Some(at) = offsets.pop() {
            let height = e.height + 1;
            self.check_height(height, at)?;
            e = Expr {
                kind: ExprKind::Unary(op, Box::new(e)),
                offset: at,
                height,
            };
        }
        Ok(e)
    }

    /// Member / Primary of the grammar, restricted to the subset.
    fn member(&mut self) -> PResult {
        match self.peek() {
            Tok::LParen => self.paren(),
            _ => self.primary(),
        }
    }

    fn paren(&mut self) -> PResult {
        self.bump();
        let e = self.expr()?;
        self.close_paren()?;
        Ok(e)
    }

    #[inline(never)]
    fn close_paren(&mut self) -> Result<(), CompileError> {
        if self.peek() != &Tok::RParen {
            return Err(self.unexpected("`)`"));
        }
        self.bump();
        self.no_member_suffix()
    }

    #[inline(never)]
    fn primary(&mut self) -> PResult {
        let at = self.offset();
        match self.peek().clone() {
            Tok::Int(_) | Tok::Uint(_) | Tok::Double(_) => self.literal(false, at),
            Tok::Ident(name) => {
                let e = self.name(name)?;
                self.no_member_suffix()?;
                Ok(e)
            }
            Tok::Bracket('[') => Err(self.error(
                CompileErrorKind::Syntax,
                at,
                "list literals are not supported in this CEL subset",
            )),
            Tok::Bracket('{') => Err(self.error(
                CompileErrorKind::Syntax,
                at,
                "map literals are not supported in this CEL subset",
            )),
            Tok::Dot if matches!(self.peek_at(1), Tok::Ident(_)) => Err(self.error(
                CompileErrorKind::Syntax,
                at,
                "leading-dot (absolute) names are not supported in this CEL subset",
            )),
            _ => Err(self.unexpected("an expression")),
        }
    }

    /// A literal number, optionally negated (the sign at `sign_at`).
    fn literal(&mut self, negative: bool, sign_at: usize) -> Result<Expr, CompileError> {
        let t = self.bump();
        let at = if negative { sign_at } else { t.offset };
        let out_of_range = |p: &Self, what: &str| {
            p.error(
                CompileErrorKind::IntegerLiteralOutOfRange,
                at,
                format!(
                    "{what} literal `{}` is out of range",
                    p.src[at..p.offset()].trim_end()
                ),
            )
        };
        let kind = match t.tok {
            Tok::Int(v) => {
                let v = v.ok_or_else(|| out_of_range(self, "int"))?;
                let i = if negative {
                    0i64.checked_sub_unsigned(v)
                } else {
                    i64::try_from(v).ok()
                };
                ExprKind::Int(i.ok_or_else(|| out_of_range(self, "int"))?)
            }
            Tok::Uint(v) => ExprKind::Uint(v.ok_or_else(|| out_of_range(self, "uint"))?),
            Tok::Double(d) => ExprKind::Double(if negative { -d } else { d }),
            _ => return Err(self.unexpected("a number")),
        };
        let e = self.leaf(kind, at)?;
        self.no_member_suffix()?;
        Ok(e)
    }

    /// After a complete primary: selection, indexing and message construction are outside the
    /// subset, so say so instead of a generic syntax error.
    fn no_member_suffix(&self) -> Result<(), CompileError> {
        let msg = match self.peek() {
            Tok::Dot => {
                "field selection and method calls on an expression are not supported in this CEL subset"
            }
            Tok::Bracket('[') => "indexing is not supported in this CEL subset",
            Tok::Bracket('{') => "message literals are not supported in this CEL subset",
            _ => return Ok(()),
        };
        Err(self.error(CompileErrorKind::Syntax, self.offset(), msg))
    }

    /// An identifier, dotted name, keyword literal or call.
    fn name(&mut self, first: String) -> Result<Expr, CompileError> {
        let at = self.bump().offset;
        match first.as_str() {
            "true" | "false" => return self.leaf(ExprKind::Bool(first == "true"), at),
            "null" => {
                return Err(self.error(
                    CompileErrorKind::ReservedWord,
                    at,
                    "`null` is not supported in this CEL subset",
                ));
            }
            "in" => {
                return Err(self.error(
                    CompileErrorKind::ReservedWord,
                    at,
                    "`in` is a keyword (the `in` operator is not supported in this CEL subset)",
                ));
            }
            w if RESERVED.contains(&w) => {
                return Err(self.error(
                    CompileErrorKind::ReservedWord,
                    at,
                    format!("`{w}` is a reserved word and cannot be used as a name"),
                ));
            }
            _ => {}
        }
        let mut path = first;
        while self.peek() == &Tok::Dot {
            let Tok::Ident(seg) = self.peek_at(1).clone() else {
                self.bump();
                return Err(self.unexpected("a name after `.`"));
            };
            if matches!(seg.as_str(), "true" | "false" | "null" | "in") {
                self.bump();
                return Err(self.error(
                    CompileErrorKind::ReservedWord,
                    self.offset(),
                    format!("`{seg}` is a keyword and cannot be part of a name"),
                ));
            }
            self.bump();
            self.bump();
            path.push('.');
            path.push_str(&seg);
        }
        if self.peek() != &Tok::LParen {
            return self.leaf(ExprKind::Ident(path), at);
        }
        self.bump();
        let mut args = Vec::new();
        if self.peek() != &Tok::RParen {
            loop {
                args.push(self.expr()?);
                match self.peek() {
                    Tok::Comma => {
                        self.bump();
                    }
                    Tok::RParen => break,
                    _ => return Err(self.unexpected("`,` or `)` in the argument list")),
                }
            }
        }
        self.bump();
        let height = 1 + args.iter().map(|c| c.height).max().unwrap_or(0);
        self.check_height(height, at)?;
        Ok(Expr {
            kind: ExprKind::Call(path, args),
            offset: at,
            height,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Expr {
        parse(s, Limits::default()).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err(s: &str) -> CompileError {
        parse(s, Limits::default()).unwrap_err()
    }

    fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int(v) => v.to_string(),
            ExprKind::Uint(v) => format!("{v}u"),
            ExprKind::Double(v) => format!("{v:?}"),
            ExprKind::Bool(v) => v.to_string(),
            ExprKind::Ident(n) => n.clone(),
            ExprKind::Unary(UnOp::Neg, x) => format!("-({})", show(x)),
            ExprKind::Unary(UnOp::Not, x) => format!("!({})", show(x)),
            ExprKind::Binary(op, l, r) => format!("({} {} {})", show(l), op.cel_name(), show(r)),
            ExprKind::Cond(c, t, f) => format!("({} ? {} : {})", show(c), show(t), show(f)),
            ExprKind::Call(n, a) => {
                format!("{n}({})", a.iter().map(show).collect::<Vec<_>>().join(", "))
            }
        }
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(show(&p("1 + 2 * 3 - 4")), "((1 _+_ (2 _*_ 3)) _-_ 4)");
        assert_eq!(show(&p("a || b && c == d")), "(a _||_ (b _&&_ (c _==_ d)))");
        assert_eq!(show(&p("a < b == c")), "((a _<_ b) _==_ c)");
        assert_eq!(show(&p("a ? b : c ? d : e")), "(a ? b : (c ? d : e))");
        assert_eq!(show(&p("a || b ? c : d")), "((a _||_ b) ? c : d)");
        assert_eq!(show(&p("!!x")), "!(!(x))");
        assert_eq!(
            show(&p("gpu0.temp_c > math.least(1, 2.5)")),
            "(gpu0.temp_c _>_ math.least(1, 2.5))"
        );
        assert_eq!(show(&p("f()")), "f()");
    }

    #[test]
    fn negative_literals() {
        assert_eq!(show(&p("-9223372036854775808")), "-9223372036854775808");
        assert_eq!(show(&p("--19")), "-(-19)");
        assert_eq!(show(&p("-(1)")), "-(1)");
        assert_eq!(show(&p("1 - -2")), "(1 _-_ -2)");
        assert_eq!(show(&p("-0x55555555")), "-1431655765");
        assert_eq!(show(&p("-1u")), "-(1u)");
        assert_eq!(
            err("9223372036854775808").kind,
            CompileErrorKind::IntegerLiteralOutOfRange
        );
        assert_eq!(
            err("-9223372036854775809").kind,
            CompileErrorKind::IntegerLiteralOutOfRange
        );
        assert_eq!(
            err("18446744073709551616u").kind,
            CompileErrorKind::IntegerLiteralOutOfRange
        );
        assert_eq!(show(&p("18446744073709551615u")), "18446744073709551615u");
    }

    #[test]
    fn subset_errors() {
        for (src, kind) in [
            ("if", CompileErrorKind::ReservedWord),
            ("x + let", CompileErrorKind::ReservedWord),
            ("null", CompileErrorKind::ReservedWord),
            ("1 in x", CompileErrorKind::Syntax),
            ("[1, 2]", CompileErrorKind::Syntax),
            ("{1: 2}", CompileErrorKind::Syntax),
            ("x[0]", CompileErrorKind::Syntax),
            ("(x).y", CompileErrorKind::Syntax),
            (".x", CompileErrorKind::Syntax),
            ("-!x", CompileErrorKind::Syntax),
            ("1 +", CompileErrorKind::Syntax),
            ("(1", CompileErrorKind::Syntax),
            ("f(1,)", CompileErrorKind::Syntax),
            ("a ? b", CompileErrorKind::Syntax),
            ("a.true", CompileErrorKind::ReservedWord),
        ] {
            assert_eq!(err(src).kind, kind, "{src}");
        }
        // `a.if` is a valid selector in CEL: only the first segment may not be reserved.
        assert_eq!(show(&p("a.if")), "a.if");
        assert!(
            err("[1]")
                .message
                .contains("list literals are not supported")
        );
    }

    #[test]
    fn limits() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(err(&deep).kind, CompileErrorKind::TooDeep);
        assert_eq!(
            err(&format!("{}true", "!".repeat(30_000))).kind,
            CompileErrorKind::TooDeep
        );
        assert_eq!(
            err(&format!("{}1", "-".repeat(30_000))).kind,
            CompileErrorKind::TooDeep
        );
        assert_eq!(
            err(&vec!["1"; 1000].join(" + ")).kind,
            CompileErrorKind::TooDeep
        );
        assert_eq!(
            err(&vec!["a"; 1000].join(" ? a : ")).kind,
            CompileErrorKind::TooDeep
        );
        assert_eq!(
            err(&format!("{}1{}", "f(".repeat(1000), ")".repeat(1000))).kind,
            CompileErrorKind::TooDeep
        );
        // langdef's minimums.
        p(&format!("{}7{}", "(".repeat(32), ")".repeat(32)));
        p(&vec!["false"; 32].join(" || "));
        p(&vec!["3"; 25].join(" - "));
        p(&format!("{}19", "-".repeat(32)));
        p(&format!("{}true", "!".repeat(32)));
        let long = "1".repeat(100_001);
        assert_eq!(err(&long).kind, CompileErrorKind::TooLong);
        let small = Limits {
            max_source_len: 100_000,
            max_depth: 3,
        };
        assert_eq!(
            parse("(((1)))", small).unwrap_err().kind,
            CompileErrorKind::TooDeep
        );
    }
}
