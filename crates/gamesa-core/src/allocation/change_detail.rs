//! [`ChangeDetail`]: what a lease change reports beside its amounts — where the grant lies, or
//! why it was refused. At most one of them applies to a change, so they share one field: a
//! change is 88 bytes instead of 128 with one optional field each, and a tick's couple of
//! hundred changes are written to (and later read from) a third fewer cache lines.

use super::UnitIds;

/// Where a lease change's grant lies, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeDetail {
    /// Nothing more: a divisible pool's share, or no grant.
    None,
    /// Unit ids (FirstFit).
    Units(UnitIds),
    /// `[offset, size]` (BestFit, Buddy).
    Range([u64; 2]),
    /// The allocator's error code when it refused.
    Error(&'static str),
}

impl ChangeDetail {
    /// The unit ids, if the grant has them.
    pub fn units(&self) -> Option<&UnitIds> {
        match self {
            ChangeDetail::Units(u) => Some(u),
            _ => None,
        }
    }

    /// The `[offset, size]`, if the grant has one.
    pub fn range(&self) -> Option<[u64; 2]> {
        match self {
            ChangeDetail::Range(r) => Some(*r),
            _ => None,
        }
    }

    /// The error code, if the allocator refused.
    pub fn error(&self) -> Option<&'static str> {
        match self {
            ChangeDetail::Error(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_field_as_small_as_the_unit_ids() {
        assert_eq!(std::mem::size_of::<ChangeDetail>(), 24);
        assert_eq!(std::mem::size_of::<crate::engine::AllocationOut>(), 88);
        let u = ChangeDetail::Units(UnitIds::new(&[1, 2]));
        assert_eq!(u.units().map(|u| u.to_vec()), Some(vec![1, 2]));
        assert_eq!((u.range(), u.error()), (None, None));
        let r = ChangeDetail::Range([3, 4]);
        assert_eq!((r.range(), r.units().is_none()), (Some([3, 4]), true));
        assert_eq!(ChangeDetail::Error("X").error(), Some("X"));
        assert_eq!(ChangeDetail::None.units(), None);
    }
}
