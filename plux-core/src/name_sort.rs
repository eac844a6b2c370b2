//! Sorting a namespace's specs by name: a large part of a program's start, since a namespace's
//! first manager sorts all its names (plux lists and loads in name order, whatever the link order).
//!
//! Each name is reduced to its first 16 bytes read as one big-endian number, which orders as the
//! names do; those numbers are radix-sorted, one pass per byte in which they differ (plugin names
//! share long prefixes, so most bytes need no pass), and only names that share all 16 bytes are
//! compared whole.

use std::cmp::Ordering;

use crate::spec::PluginSpec;

/// Below this many names a comparison sort is as fast as the radix sort's setup.
const RADIX_FROM: usize = 64;

/// The positions of `specs` sorted by name, then (for duplicates) by site, each with its
/// [`name_prefix`]: two specs whose prefixes differ have different names.
pub(crate) fn sorted_by_name(specs: &[PluginSpec]) -> Vec<(u128, usize)> {
    let mut keys: Vec<(u128, usize)> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| (name_prefix(spec.name()), i))
        .collect();
    if keys.len() < RADIX_FROM {
        keys.sort_unstable();
    } else {
        radix_sort(&mut keys);
    }
    let whole =
        |&(_, a): &(u128, usize), &(_, b): &(u128, usize)| match (specs.get(a), specs.get(b)) {
            (Some(a), Some(b)) => a
                .name()
                .cmp(b.name())
                .then_with(|| a.location().cmp(&b.location())),
            _ => Ordering::Equal,
        };
    for tied in keys.chunk_by_mut(|a, b| a.0 == b.0) {
        if tied.len() > 1 {
            tied.sort_unstable_by(whole);
        }
    }
    keys
}

/// The first 16 bytes of `name` as a big-endian number, zero-padded: ordered as the names are,
/// except that names equal in it must still be compared whole.
fn name_prefix(name: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let len = name.len().min(bytes.len());
    if let (Some(to), Some(from)) = (bytes.get_mut(..len), name.as_bytes().get(..len)) {
        to.copy_from_slice(from);
    }
    u128::from_be_bytes(bytes)
}

/// Sorts `keys` by their number (stable, least significant byte first), with a pass only for
/// the bytes in which keys differ.
fn radix_sort(keys: &mut Vec<(u128, usize)>) {
    let first = keys.first().map_or(0, |&(key, _)| key);
    let differ = keys
        .iter()
        .fold(0, |differ, &(key, _)| differ | (key ^ first));
    let mut scratch = vec![(0, 0); keys.len()];
    for pass in (0..16).filter(|pass| (differ >> (pass * 8)) as u8 != 0) {
        let byte = |key: u128| usize::from((key >> (pass * 8)) as u8);
        let mut next = [0usize; 256];
        for &(key, _) in keys.iter() {
            if let Some(count) = next.get_mut(byte(key)) {
                *count += 1;
            }
        }
        let mut sum = 0;
        for next in next.iter_mut() {
            let count = *next;
            *next = sum;
            sum += count;
        }
        for &(key, i) in keys.iter() {
            if let Some(next) = next.get_mut(byte(key)) {
                if let Some(to) = scratch.get_mut(*next) {
                    *to = (key, i);
                }
                *next += 1;
            }
        }
        std::mem::swap(keys, &mut scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_prefix_orders_as_the_names_do() {
        let mut names = vec![
            "",
            "a",
            "a\0",
            "a\0b",
            "ab",
            "b",
            "plugin-0001",
            "plugin-0010",
            "plugin-00010",
            "same-16-bytes-ab",
            "same-16-bytes-abc",
            "same-16-bytes-abb",
            "zz",
            "é",
            "e",
        ];
        names.sort_unstable();
        for pair in names.windows(2) {
            assert!(name_prefix(pair[0]) <= name_prefix(pair[1]), "{pair:?}");
        }
    }

    /// Names from a fixed pseudo-random generator: short and long, shared prefixes, duplicates.
    fn names(count: usize, mut state: u64) -> Vec<String> {
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        (0..count)
            .map(|_| {
                let prefix = ["p", "plugin-", "a-very-long-shared-prefix-"][next() % 3];
                let len = 1 + next() % 6;
                let tail: String = (0..len)
                    .map(|_| (b'a' + (next() % 4) as u8) as char)
                    .collect();
                format!("{prefix}{tail}")
            })
            .collect()
    }

    #[test]
    fn sorted_by_name_agrees_with_a_plain_sort_on_both_paths() {
        fn hook() {}
        for (count, seed) in [(10, 1), (63, 2), (64, 3), (500, 4), (2000, 5)] {
            let specs: Vec<PluginSpec> = names(count, seed)
                .into_iter()
                .map(|name| {
                    PluginSpec::new("t", name, || {
                        Ok(Box::new(crate::FunctionPlugin::new(hook as fn())))
                    })
                    .expect("valid names")
                })
                .collect();
            let sorted: Vec<&str> = sorted_by_name(&specs)
                .iter()
                .map(|&(_, i)| specs[i].name())
                .collect();
            let mut expected: Vec<&str> = specs.iter().map(PluginSpec::name).collect();
            expected.sort_unstable();
            assert_eq!(sorted, expected, "{count} names");
        }
    }
}
