//! Secondary suppression for tables with totals: after the small groups are withheld, more
//! numbers are withheld until no withheld number can be computed from the published ones.
//!
//! A table with `--totals` publishes three kinds of numbers, each one a count (and its sums):
//! the groups (cells), one total per value of the first group-by column (row totals, when
//! there are two or more group-by columns) and the grand total. They are bound by equations:
//! each row total is the sum of its row's cells, and the grand total is the sum of the row
//! totals (or of the cells, with one group-by column). An attacker who knows those equations
//! solves them for whatever is withheld: a row total under the minimum size is the grand total
//! minus the published row totals.
//!
//! Every number appears in at most two of those equations (a cell in its row's, a row total
//! in its row's and the grand one), and the equations form a tree (rows hang off the grand
//! equation through their totals). On such a system a withheld number is determined exactly
//! when some chain of equations, each with a single withheld member, leads to it: if every
//! equation holds none or at least two withheld members, a withheld number can be moved by one
//! unit and the change absorbed by another withheld member of each equation it touches, along
//! the tree, without changing any published number. So [`protect`] withholds, in each
//! equation left with exactly one withheld member, its smallest published member, until no
//! such equation is left. The property test below holds the result against exact linear
//! algebra on random tables.
//!
//! This protects against exact recovery (what subtraction gives away). It does not give
//! tau-argus's protection intervals: bounds from non-negative counts (two withheld cells
//! summing to 3 are each at most 3) remain; the minimum group size bounds what they reveal.

/// The equations of a table with totals, over its numbers `0..n`: each is a list of members
/// whose first is the total and the rest its parts.
pub type Equations = Vec<Vec<usize>>;

/// Withholds more numbers (`withheld[i]` true) until no equation has exactly one withheld
/// member. Of an equation's published members, one that appears in no other equation is
/// withheld first (a cell, or the grand total: withholding it spreads no further), then the
/// smallest by `sizes`, then the lower index. Returns how many were withheld here.
pub fn protect(sizes: &[i64], equations: &Equations, withheld: &mut [bool]) -> usize {
    let mut uses = vec![0u8; withheld.len()];
    for eq in equations {
        for &i in eq {
            uses[i] = uses[i].saturating_add(1);
        }
    }
    let mut added = 0;
    loop {
        let mut changed = false;
        for eq in equations {
            if eq.iter().filter(|&&i| withheld[i]).count() != 1 {
                continue;
            }
            if let Some(&pick) = eq
                .iter()
                .filter(|&&i| !withheld[i])
                .min_by_key(|&&i| (uses[i] > 1, sizes[i], i))
            {
                withheld[pick] = true;
                added += 1;
                changed = true;
            }
        }
        if !changed {
            return added;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Acc, AggregateSpec, Groups, Metric, finish};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A prime for exact rank: the equations' matrices are network matrices (each column
    /// holds at most one +1 and one -1), so every minor is 0 or ±1 and rank modulo any prime
    /// is rank over the rationals (a unit row appended expands to a minor of the same kind).
    const P: u128 = (1 << 61) - 1;

    fn inv(a: u128) -> u128 {
        // Fermat: a^(p-2).
        let (mut base, mut e, mut r) = (a % P, P - 2, 1u128);
        while e > 0 {
            if e & 1 == 1 {
                r = r * base % P;
            }
            base = base * base % P;
            e >>= 1;
        }
        r
    }

    /// Rank of `rows` (entries mod P).
    fn rank(mut rows: Vec<Vec<u128>>) -> usize {
        let cols = rows.first().map_or(0, Vec::len);
        let mut r = 0;
        for c in 0..cols {
            let Some(p) = (r..rows.len()).find(|&i| rows[i][c] != 0) else {
                continue;
            };
            rows.swap(r, p);
            let f = inv(rows[r][c]);
            for x in rows[r].iter_mut() {
                *x = *x * f % P;
            }
            let pivot = rows[r].clone();
            for (i, row) in rows.iter_mut().enumerate() {
                if i != r && row[c] != 0 {
                    let m = row[c];
                    for (x, p) in row.iter_mut().zip(&pivot) {
                        *x = (*x + P - m * p % P) % P;
                    }
                }
            }
            r += 1;
        }
        r
    }

    /// The withheld numbers of a published table that its equations determine.
    fn determined(n: usize, equations: &[Vec<usize>], withheld: &[bool]) -> Vec<usize> {
        let unknown: Vec<usize> = (0..n).filter(|&i| withheld[i]).collect();
        let col = |i: usize| unknown.iter().position(|&u| u == i);
        // Known numbers move to the right-hand side; only the unknowns' coefficients matter.
        let a: Vec<Vec<u128>> = equations
            .iter()
            .map(|eq| {
                let mut row = vec![0u128; unknown.len()];
                for (k, &m) in eq.iter().enumerate() {
                    if let Some(c) = col(m) {
                        row[c] = if k == 0 { 1 } else { P - 1 };
                    }
                }
                row
            })
            .collect();
        let base = rank(a.clone());
        unknown
            .iter()
            .enumerate()
            .filter(|&(c, _)| {
                let mut with = a.clone();
                let mut e = vec![0u128; unknown.len()];
                e[c] = 1;
                with.push(e);
                rank(with) == base
            })
            .map(|(_, &u)| u)
            .collect()
    }

    fn spec(columns: usize, k: u64) -> AggregateSpec {
        AggregateSpec {
            group_by: (0..columns).map(|c| format!("g{c}")).collect(),
            bins: BTreeMap::new(),
            metrics: vec![Metric::Count],
            min_group_size: k,
            totals: true,
            dp: None,
            lenient: false,
            decimal_comma: false,
        }
    }

    #[test]
    fn the_rank_oracle_finds_what_subtraction_gives_away() {
        // a + b = T, T published, a withheld alone: determined.
        assert_eq!(
            determined(3, &[vec![2, 0, 1]], &[true, false, false]),
            vec![0]
        );
        assert!(determined(3, &[vec![2, 0, 1]], &[true, true, false]).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// From the published numbers of a table with totals, no withheld cell or total can be
        /// computed: every group and total the attacker knows exists, solved exactly.
        #[test]
        fn no_withheld_number_follows_from_the_published_ones(
            columns in 1usize..=3,
            k in 2u64..12,
            sizes in prop::collection::vec(prop::collection::vec(0u64..25, 1..6), 1..6),
        ) {
            let s = spec(columns, k);
            let mut groups = Groups::new();
            for (a, row) in sizes.iter().enumerate() {
                for (b, &n) in row.iter().enumerate() {
                    if n == 0 {
                        continue;
                    }
                    let mut key = vec![format!("a{a}"), format!("b{b}")];
                    key.resize(columns.max(1), "x".into());
                    key.truncate(columns);
                    let e = groups.entry(key).or_insert(Acc { count: 0, sums: vec![], n: vec![] });
                    e.count += n;
                }
            }
            prop_assume!(!groups.is_empty());
            let table = finish(&s, &groups, 0).unwrap();
            let published: BTreeMap<Vec<String>, i64> =
                table.rows.iter().map(|r| (r.keys.clone(), r.count)).collect();
            // Every number of the full table, in a fixed order, and its equations.
            let mut keys: Vec<Vec<String>> = groups.keys().cloned().collect();
            keys.sort();
            let mut numbers = keys.clone();
            let mut equations: Vec<Vec<usize>> = Vec::new();
            let total = |first: Option<&str>| {
                let mut k = vec!["(total)".to_string(); columns];
                if let Some(f) = first {
                    k[0] = f.to_string();
                }
                k
            };
            let grand = if columns > 1 {
                let firsts: std::collections::BTreeSet<&str> =
                    keys.iter().map(|k| k[0].as_str()).collect();
                let mut row_totals = Vec::new();
                for f in firsts {
                    let t = numbers.len();
                    numbers.push(total(Some(f)));
                    row_totals.push(t);
                    let mut eq = vec![t];
                    eq.extend((0..keys.len()).filter(|&i| keys[i][0] == f));
                    equations.push(eq);
                }
                let g = numbers.len();
                numbers.push(total(None));
                let mut eq = vec![g];
                eq.extend(row_totals);
                eq
            } else {
                let g = numbers.len();
                numbers.push(total(None));
                let mut eq = vec![g];
                eq.extend(0..keys.len());
                eq
            };
            equations.push(grand);
            let withheld: Vec<bool> = numbers.iter().map(|k| !published.contains_key(k)).collect();
            let leaked = determined(numbers.len(), &equations, &withheld);
            prop_assert!(
                leaked.is_empty(),
                "withheld numbers recoverable: {:?} (published {:?})",
                leaked.iter().map(|&i| &numbers[i]).collect::<Vec<_>>(),
                published
            );
            // Nothing under the minimum size is published, and what is published is exact.
            for r in &table.rows {
                prop_assert!(r.count as u64 >= k);
            }
        }
    }
}
