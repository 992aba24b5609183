//! The syntax tree the parser produces and the checker consumes.

/// A binary operator (`&&` and `||` included; they are lazy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    /// CEL's internal function name, used in messages as cel-go does (`_+_`).
    pub(crate) fn cel_name(self) -> &'static str {
        match self {
            BinOp::Add => "_+_",
            BinOp::Sub => "_-_",
            BinOp::Mul => "_*_",
            BinOp::Div => "_/_",
            BinOp::Rem => "_%_",
            BinOp::Eq => "_==_",
            BinOp::Ne => "_!=_",
            BinOp::Lt => "_<_",
            BinOp::Le => "_<=_",
            BinOp::Gt => "_>_",
            BinOp::Ge => "_>=_",
            BinOp::And => "_&&_",
            BinOp::Or => "_||_",
        }
    }
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnOp {
    Neg,
    Not,
}

/// A node and the byte offset of the token that names it (operator, literal, name).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    pub kind: ExprKind,
    pub offset: usize,
    /// Height of this subtree (a leaf is 1); bounded by `Limits::max_depth`, which bounds every
    /// recursive pass over the tree.
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ExprKind {
    Int(i64),
    Uint(u64),
    Double(f64),
    Bool(bool),
    /// A variable: an identifier or a dotted path such as `gpu0.temp_c`.
    Ident(String),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A global function call; the name may be dotted (`math.least`).
    Call(String, Vec<Expr>),
}
