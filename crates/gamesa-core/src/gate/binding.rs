//! Contract variables bound for an action: `$value`, `$previous` or a snapshot variable
//! (template), laid over the snapshot so unbound variables are read by their own name.

use super::config::{BIND_PREVIOUS, BIND_VALUE};
use super::template::Template;
use crate::contracts::Context;
use crate::expr::Value;

/// Where one contract variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindSource {
    /// The new value.
    Value,
    /// The value replaced.
    Previous,
    /// A snapshot variable, for the target.
    Variable(Template),
}

impl BindSource {
    /// Parses a validated source string.
    pub fn parse(source: &str) -> Result<BindSource, String> {
        match source {
            BIND_VALUE => Ok(BindSource::Value),
            BIND_PREVIOUS => Ok(BindSource::Previous),
            s => Template::parse(s).map(BindSource::Variable),
        }
    }

    /// The value for an action on `target` setting `value` over `previous`, read from `values`.
    pub fn resolve(
        &self,
        target: &str,
        value: f64,
        previous: Option<f64>,
        values: &dyn Context,
    ) -> Option<Value> {
        match self {
            BindSource::Value => Some(Value::Double(value)),
            BindSource::Previous => previous.map(Value::Double),
            BindSource::Variable(t) => values.get(&t.expand(target)),
        }
    }
}

/// Bound variables over a base context. A bound variable whose source has no value (no
/// `$previous` yet, an absent snapshot variable) is absent — it does not fall through to the
/// base, so a condition on it fails closed instead of reading something else.
pub struct BoundContext<'a> {
    /// Sorted by name.
    bound: Vec<(String, Option<Value>)>,
    base: &'a dyn Context,
}

impl<'a> BoundContext<'a> {
    /// `bound` over `base` (`bound` need not be sorted; a later duplicate wins).
    pub fn new(mut bound: Vec<(String, Option<Value>)>, base: &'a dyn Context) -> BoundContext<'a> {
        // Stable sort then keep the last of equal names: "last wins" as in Context for Vec.
        bound.sort_by(|a, b| a.0.cmp(&b.0));
        let mut dedup: Vec<(String, Option<Value>)> = Vec::with_capacity(bound.len());
        for (name, v) in bound {
            match dedup.last_mut() {
                Some(last) if last.0 == name => last.1 = v,
                _ => dedup.push((name, v)),
            }
        }
        BoundContext { bound: dedup, base }
    }

    /// The bound pairs that have a value, sorted by name.
    pub fn bound_values(&self) -> Vec<(String, Value)> {
        self.bound
            .iter()
            .filter_map(|(n, v)| v.map(|v| (n.clone(), v)))
            .collect()
    }
}

impl Context for BoundContext<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        match self.bound.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(i) => self.bound.get(i).and_then(|(_, v)| *v),
            Err(_) => self.base.get(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn bound_shadows_the_base_and_absent_does_not_fall_through() {
        let mut base = BTreeMap::new();
        base.insert("limit".to_string(), Value::Double(1.0));
        base.insert("prev".to_string(), Value::Double(2.0));
        base.insert("gpu0.power_w".to_string(), Value::Double(3.0));
        let src = BindSource::parse("{target}.power_w").unwrap();
        let ctx = BoundContext::new(
            vec![
                ("limit".into(), Some(Value::Double(9.0))),
                ("prev".into(), None),
                ("p".into(), src.resolve("gpu0", 0.0, None, &base)),
            ],
            &base,
        );
        assert_eq!(ctx.get("limit"), Some(Value::Double(9.0)));
        assert_eq!(ctx.get("prev"), None);
        assert_eq!(ctx.get("p"), Some(Value::Double(3.0)));
        assert_eq!(ctx.get("gpu0.power_w"), Some(Value::Double(3.0)));
        assert_eq!(ctx.get("nothing"), None);
        assert_eq!(
            ctx.bound_values(),
            vec![
                ("limit".to_string(), Value::Double(9.0)),
                ("p".to_string(), Value::Double(3.0))
            ]
        );
    }
}
