//! The Priority and Weighted pools keep their grants in a vector sorted by lease sequence
//! number instead of a map: a new lease has the highest sequence so far, so the common insert
//! is an append, and the lookups are binary searches over contiguous entries.

/// Where lease `seq` is in `grants` (`Ok`) or goes (`Err`), checking the append case first.
pub(crate) fn position<V>(grants: &[(u64, V)], seq: u64) -> Result<usize, usize> {
    match grants.last() {
        Some(&(last, _)) if last < seq => Err(grants.len()),
        None => Err(0),
        _ => grants.binary_search_by_key(&seq, |g| g.0),
    }
}

#[cfg(test)]
mod tests {
    use super::position;

    #[test]
    fn appends_and_searches_agree_with_a_plain_binary_search() {
        let grants: Vec<(u64, ())> = [2, 5, 9].into_iter().map(|s| (s, ())).collect();
        for seq in 0..12 {
            assert_eq!(
                position(&grants, seq),
                grants.binary_search_by_key(&seq, |g| g.0)
            );
        }
        assert_eq!(position::<()>(&[], 7), Err(0));
    }
}
