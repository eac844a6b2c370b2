//! Sorting a namespace's specs by name: a large part of a program's start, since a namespace's
//! first manager sorts all its names (plux lists and loads in name order, whatever the link order).
//!
//! Plugin names share long prefixes (`plugin-0000` .. `plugin-0999`), so each name is reduced to
//! the 12 bytes that follow the prefix shared by all of them, read as one big-endian number with
//! the name's position below it: one `u128` per name, which orders as the names do. Those keys are
//! radix-sorted, one pass per byte in which they differ (3 passes for the names above), and only
//! names whose 12 bytes tie are compared whole.

use std::cmp::Ordering;

use crate::spec::PluginSpec;

/// Below this many names a comparison sort is as fast as the radix sort's setup.
const RADIX_FROM: usize = 64;

/// How many bytes of each name a key holds, after the prefix that all names share.
const WINDOW: usize = 12;

/// A name's place in the sort: [`WINDOW`] bytes of the name after the prefix that every name of
/// the sort shares, then the name's position among the specs sorted.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SortKey(u128);

impl SortKey {
    /// The position of the spec in the slice sorted.
    pub(crate) fn position(self) -> usize {
        self.0 as u32 as usize
    }

    /// The same key, numbering position `position` instead.
    pub(crate) fn at(self, position: usize) -> Self {
        SortKey(self.0 >> 32 << 32 | position as u128)
    }

    /// The bytes of the name that the key holds: two keys whose windows differ are of different
    /// names.
    pub(crate) fn window(self) -> u128 {
        self.0 >> 32
    }
}

/// The keys of `specs` sorted by name, then (for duplicates) by site.
pub(crate) fn sorted_by_name(specs: &[PluginSpec]) -> Vec<SortKey> {
    if u32::try_from(specs.len()).is_err() {
        // Beyond what a key can number (never seen): a comparison sort of whole names.
        let mut keys: Vec<SortKey> = (0..specs.len()).map(|i| SortKey(i as u128)).collect();
        keys.sort_unstable_by(|&a, &b| compare_whole(specs, a, b));
        return keys;
    }
    // Each name's first 16 bytes, which become its key in place.
    let mut longest = 0;
    let mut keys: Vec<SortKey> = specs
        .iter()
        .map(|spec| {
            let (head, len) = spec.name_head();
            longest = longest.max(len);
            SortKey(head)
        })
        .collect();
    let first = keys.first().map_or(0, |head| head.0);
    let differ = keys
        .iter()
        .fold(0, |differ, head| differ | (head.0 ^ first));
    let shared = match differ {
        0 => shared_prefix(specs),
        differ => (differ.leading_zeros() / 8) as usize,
    };
    if shared < 16 && (shared + WINDOW <= 16 || longest <= 16) {
        // Every window is in the head.
        let (left, right) = (shared * 8, (16 - WINDOW) * 8);
        for (i, key) in keys.iter_mut().enumerate() {
            *key = SortKey((key.0 << left) >> right << 32 | i as u128);
        }
    } else {
        for (i, (key, spec)) in keys.iter_mut().zip(specs).enumerate() {
            *key = SortKey(window(spec.name(), shared) << 32 | i as u128);
        }
    }
    if keys.len() < RADIX_FROM {
        keys.sort_unstable();
    } else {
        radix_sort(&mut keys);
    }
    for tied in keys.chunk_by_mut(|a, b| a.window() == b.window()) {
        if tied.len() > 1 {
            tied.sort_unstable_by(|&a, &b| compare_whole(specs, a, b));
        }
    }
    keys
}

fn compare_whole(specs: &[PluginSpec], a: SortKey, b: SortKey) -> Ordering {
    match (specs.get(a.position()), specs.get(b.position())) {
        (Some(a), Some(b)) => a
            .name()
            .cmp(b.name())
            .then_with(|| a.location().cmp(&b.location())),
        _ => Ordering::Equal,
    }
}

/// How many leading bytes all names share, compared 16 bytes at a time (zero-padded, so that a
/// name shorter than the count differs from a longer one within it).
fn shared_prefix(specs: &[PluginSpec]) -> usize {
    let mut shared = 0;
    loop {
        let mut names = specs.iter().map(|spec| bytes_at(spec.name(), shared));
        let first = names.next().unwrap_or(0);
        let differ = names.fold(0, |differ, bytes| differ | (bytes ^ first));
        if differ != 0 || first == 0 {
            return shared + (differ.leading_zeros() / 8) as usize;
        }
        shared += 16;
    }
}

/// [`WINDOW`] bytes of `name` from `start` as a big-endian number, zero-padded: ordered as the
/// names are among names that share their first `start` bytes, except that names equal in it
/// must still be compared whole.
fn window(name: &str, start: usize) -> u128 {
    bytes_at(name, start) >> ((16 - WINDOW) * 8)
}

/// 16 bytes of `name` from `start`, big-endian, zero-padded.
pub(crate) fn bytes_at(name: &str, start: usize) -> u128 {
    let from = name.as_bytes().get(start..).unwrap_or_default();
    if let Some(bytes) = from.first_chunk::<16>() {
        return u128::from_be_bytes(*bytes);
    }
    let mut bytes = [0u8; 16];
    let len = from.len().min(bytes.len());
    if let (Some(to), Some(from)) = (bytes.get_mut(..len), from.get(..len)) {
        to.copy_from_slice(from);
    }
    u128::from_be_bytes(bytes)
}

/// Sorts `keys` (stable, least significant byte first), with a pass only for the bytes of the
/// window in which keys differ (the positions below the window are in order already), and the
/// counts of all passes taken in one read of the keys.
fn radix_sort(keys: &mut Vec<SortKey>) {
    let first = keys.first().map_or(0, |key| key.window());
    let differ = keys
        .iter()
        .fold(0, |differ, key| differ | (key.window() ^ first));
    // Byte `b` of a key's little-endian bytes: the window starts at byte 4.
    let bytes: Vec<usize> = (4..16)
        .filter(|b| (differ >> ((b - 4) * 8)) as u8 != 0)
        .collect();
    let mut counts = vec![[0u32; 256]; bytes.len()];
    for key in keys.iter() {
        let key = key.0.to_le_bytes();
        for (&b, counts) in bytes.iter().zip(counts.iter_mut()) {
            if let Some(count) = key
                .get(b)
                .and_then(|&byte| counts.get_mut(usize::from(byte)))
            {
                *count += 1;
            }
        }
    }
    let mut scratch = vec![SortKey(0); keys.len()];
    for (&b, next) in bytes.iter().zip(counts.iter_mut()) {
        let mut sum = 0;
        for next in next.iter_mut() {
            let count = *next;
            *next = sum;
            sum += count;
        }
        for &key in keys.iter() {
            let byte = key.0.to_le_bytes().get(b).copied().unwrap_or_default();
            if let Some(next) = next.get_mut(usize::from(byte)) {
                if let Some(to) = scratch.get_mut(*next as usize) {
                    *to = key;
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
    fn the_window_orders_as_the_names_do_after_a_shared_prefix() {
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
            assert!(window(pair[0], 0) <= window(pair[1], 0), "{pair:?}");
        }
        let shared: Vec<String> = names.iter().map(|name| format!("plugin-{name}")).collect();
        for pair in shared.windows(2) {
            assert!(window(&pair[0], 7) <= window(&pair[1], 7), "{pair:?}");
        }
    }

    /// Names from a fixed pseudo-random generator: short and long, shared prefixes, duplicates.
    fn names(count: usize, mut state: u64, prefixes: &[&str]) -> Vec<String> {
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        (0..count)
            .map(|_| {
                let prefix = prefixes[next() % prefixes.len()];
                let len = 1 + next() % 16;
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
        let mixed = ["p", "plugin-", "a-very-long-shared-prefix-"];
        let one_long = ["a-very-long-shared-prefix-"];
        let one_short = ["plugin-"];
        for (count, seed, prefixes) in [
            (1, 0, &mixed[..]),
            (10, 1, &mixed),
            (63, 2, &mixed),
            (64, 3, &mixed),
            (500, 4, &mixed),
            (2000, 5, &mixed),
            (63, 6, &one_long),
            (2000, 7, &one_long),
            (2000, 8, &one_short),
        ] {
            let specs: Vec<PluginSpec> = names(count, seed, prefixes)
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
                .map(|key| specs[key.position()].name())
                .collect();
            let mut expected: Vec<&str> = specs.iter().map(PluginSpec::name).collect();
            expected.sort_unstable();
            assert_eq!(sorted, expected, "{count} names");
        }
    }
}
