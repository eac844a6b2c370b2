//! Sorting a namespace's specs by name: a large part of a program's start, since a namespace's
//! first manager sorts all its names (plux lists and loads in name order, whatever the link order).
//!
//! Plugin names share long prefixes (`plugin-0000` .. `plugin-0999`), so each name is reduced to
//! the bytes that follow the prefix shared by all of them, read as one big-endian number with the
//! name's position below it: one `u64` per name (6 bytes of name and 2 of position for up to
//! 65 536 names), which orders as the names do. Those keys are radix-sorted, one pass per byte in
//! which they differ (3 passes for the names above), and only names whose bytes tie are compared
//! whole. A key of 8 bytes keeps the sort's memory small: in a new process, each fresh page of
//! heap is a page fault, which costs as much as thousands of instructions.

use std::cmp::Ordering;
use std::ops::{BitOr, BitXor};

use crate::spec::{bytes_at, PluginSpec};

/// Below this many names a comparison sort is as fast as the radix sort's setup.
const RADIX_FROM: usize = 64;

/// The specs' positions in name order (then, for duplicates, by site), each with the bytes of
/// its name that the sort compared.
pub(crate) struct Sorted {
    keys: Vec<u64>,
    layout: Layout,
}

/// How a key holds a name: the window of the name (the bytes after the prefix that all names
/// share) above `bits` bits of the name's position among the specs sorted.
#[derive(Clone, Copy)]
struct Layout {
    bits: u32,
}

impl Layout {
    fn window(self, key: u64) -> u64 {
        key.checked_shr(self.bits).unwrap_or(0)
    }

    fn position(self, key: u64) -> usize {
        (key & self.mask()) as usize
    }

    fn mask(self) -> u64 {
        u64::MAX.checked_shr(64 - self.bits).unwrap_or(0)
    }
}

impl Sorted {
    /// The position among the specs sorted of the `k`-th name in order.
    pub(crate) fn position(&self, k: usize) -> Option<usize> {
        self.keys.get(k).map(|&key| self.layout.position(key))
    }

    /// Whether names `k` and `k + 1` in order may be equal: their windows tie.
    pub(crate) fn tied(&self, k: usize) -> bool {
        match (self.keys.get(k), self.keys.get(k + 1)) {
            (Some(&a), Some(&b)) => self.layout.window(a) == self.layout.window(b),
            _ => false,
        }
    }

    /// Puts `specs`, the specs sorted, in name order, in place: one cycle of the permutation
    /// at a time, each key marked done by pointing at its own place. A slice of another length
    /// than the one sorted is left as it is (every position is below both lengths otherwise).
    pub(crate) fn apply<T>(mut self, specs: &mut [T]) {
        debug_assert_eq!(specs.len(), self.keys.len(), "not the slice sorted");
        if specs.len() != self.keys.len() {
            return;
        }
        for start in 0..specs.len() {
            let mut k = start;
            while let Some(from) = self.take(k) {
                if from != start {
                    specs.swap(k, from);
                }
                k = from;
            }
        }
    }

    /// The position of the `k`-th name, unless it is `k` itself or was taken already; it is
    /// marked taken by becoming `k`.
    fn take(&mut self, k: usize) -> Option<usize> {
        let mask = self.layout.mask();
        let key = self.keys.get_mut(k)?;
        let from = (*key & mask) as usize;
        if from == k {
            return None;
        }
        *key = *key & !mask | k as u64;
        Some(from)
    }
}

/// `specs` sorted by name, then (for duplicates) by site.
pub(crate) fn sorted_by_name(specs: &[PluginSpec]) -> Sorted {
    let n = specs.len();
    // The bits a position takes, whole bytes: the rest of the key is the window.
    let bits = (usize::BITS - n.saturating_sub(1).leading_zeros())
        .max(1)
        .div_ceil(8)
        * 8;
    let window_bytes = 8 - (bits / 8).min(8) as usize;
    // The names' first bytes, read in a loop that does nothing else: in a new process the names
    // are cold, and a short loop keeps many of their reads in flight at once.
    let mut longest = 0;
    let heads: Vec<u128> = specs
        .iter()
        .map(|spec| {
            let (head, len) = spec.name_head();
            longest = longest.max(len);
            head
        })
        .collect();
    let shared = match differing(heads.iter().copied()).1 {
        0 => shared_prefix(specs, 16),
        differ => (differ.leading_zeros() / 8) as usize,
    };
    // The window is in the name's first 16 bytes unless it reaches past them into a longer name.
    let in_head = shared < 16 && (shared + window_bytes <= 16 || longest <= 16);
    let window = |(spec, &head): (&PluginSpec, &u128)| -> u64 {
        let bytes = if in_head {
            head << (shared * 8)
        } else {
            bytes_at(spec.name(), shared)
        };
        bytes
            .checked_shr(128 - 8 * window_bytes as u32)
            .unwrap_or(0) as u64
    };
    let mut sorted = Sorted {
        keys: specs
            .iter()
            .zip(&heads)
            .enumerate()
            .map(|(i, named)| window(named).checked_shl(bits).unwrap_or(0) | i as u64)
            .collect(),
        layout: Layout { bits },
    };
    drop(heads);
    if n < RADIX_FROM {
        sorted.keys.sort_unstable();
    } else {
        radix_sort(&mut sorted.keys, bits / 8);
    }
    let layout = sorted.layout;
    for tied in sorted
        .keys
        .chunk_by_mut(|&a, &b| layout.window(a) == layout.window(b))
    {
        if tied.len() > 1 {
            tied.sort_unstable_by(|&a, &b| {
                compare_whole(specs, layout.position(a), layout.position(b))
            });
        }
    }
    sorted
}

fn compare_whole(specs: &[PluginSpec], a: usize, b: usize) -> Ordering {
    match (specs.get(a), specs.get(b)) {
        (Some(a), Some(b)) => a
            .name()
            .cmp(b.name())
            .then_with(|| a.location().cmp(&b.location())),
        _ => Ordering::Equal,
    }
}

/// How many leading bytes all names share, knowing that they share the first `shared`, compared
/// 16 bytes at a time (zero-padded, so that a name shorter than the count differs from a longer
/// one within it).
fn shared_prefix(specs: &[PluginSpec], mut shared: usize) -> usize {
    loop {
        let (first, differ) = differing(specs.iter().map(|spec| bytes_at(spec.name(), shared)));
        if differ != 0 || first == 0 {
            return shared + (differ.leading_zeros() / 8) as usize;
        }
        shared += 16;
    }
}

/// The first of `values`, and the bits in which any of the others differs from it.
fn differing<T>(mut values: impl Iterator<Item = T>) -> (T, T)
where
    T: Copy + Default + BitOr<Output = T> + BitXor<Output = T>,
{
    let first = values.next().unwrap_or_default();
    (
        first,
        values.fold(T::default(), |differ, value| differ | (value ^ first)),
    )
}

/// Sorts `keys` (stable, least significant byte first), with a pass only for the bytes of the
/// window in which keys differ (the `position_bytes` below it are in order already), and the
/// counts of all passes taken in one read of the keys.
fn radix_sort(keys: &mut Vec<u64>, position_bytes: u32) {
    let (_, differ) = differing(keys.iter().copied());
    let bytes: Vec<usize> = (position_bytes..8)
        .filter(|&b| (differ >> (b * 8)) as u8 != 0)
        .map(|b| b as usize)
        .collect();
    let mut counts = vec![[0u32; 256]; bytes.len()];
    for key in keys.iter() {
        let key = key.to_le_bytes();
        for (&b, counts) in bytes.iter().zip(counts.iter_mut()) {
            let byte = key.get(b).copied().unwrap_or_default();
            if let Some(count) = counts.get_mut(usize::from(byte)) {
                *count += 1;
            }
        }
    }
    let mut scratch = vec![0; keys.len()];
    for (&b, next) in bytes.iter().zip(counts.iter_mut()) {
        let mut sum = 0;
        for next in next.iter_mut() {
            let count = *next;
            *next = sum;
            sum += count;
        }
        for &key in keys.iter() {
            let byte = key.to_le_bytes().get(b).copied().unwrap_or_default();
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
    fn a_name_s_first_bytes_order_as_the_names_do() {
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
            assert!(bytes_at(pair[0], 0) <= bytes_at(pair[1], 0), "{pair:?}");
        }
        let shared: Vec<String> = names.iter().map(|name| format!("plugin-{name}")).collect();
        for pair in shared.windows(2) {
            assert!(bytes_at(&pair[0], 7) <= bytes_at(&pair[1], 7), "{pair:?}");
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
            // Positions of 3 bytes, a window of 5.
            (70_000, 9, &one_short),
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
            let sorted = sorted_by_name(&specs);
            let by_position: Vec<&str> = (0..count)
                .map(|k| specs[sorted.position(k).unwrap()].name())
                .collect();
            let mut applied: Vec<&str> = specs.iter().map(PluginSpec::name).collect();
            let mut expected = applied.clone();
            expected.sort_unstable();
            sorted.apply(&mut applied);
            assert_eq!(by_position, expected, "{count} names");
            assert_eq!(applied, expected, "{count} names, in place");
        }
    }
}
