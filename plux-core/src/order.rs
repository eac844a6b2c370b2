//! The load order of a namespace: priorities, then `after`/`before` constraints.
//!
//! Plugins are ordered by priority (higher first), ties by name. `after`/`before`/`requires` constraints
//! override that: the order is the topological order of the constraint graph in which, among the
//! plugins whose predecessors are all placed, the highest priority (then the smallest name) goes
//! next. A constraint that names no plugin, and every plugin on a cycle of constraints, is a
//! conflict of that plugin; the constraints inside a cycle are ignored so the rest still orders.

// Every index below is a position in `specs` (or a vector of the same length) made here from
// `0..specs.len()` or from `position`, which returns positions in `specs`: none can be out of range.
#![allow(clippy::indexing_slicing)]

use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use crate::error::PluginErrorKind;
use crate::spec::PluginSpec;

/// The order, as positions in the name-sorted specs (`None`: name order, which most namespaces
/// have and which takes no memory), and the plugins whose constraints fail.
pub(crate) struct Ordered {
    pub(crate) order: Option<Vec<usize>>,
    pub(crate) conflicts: Vec<(usize, PluginErrorKind)>,
}

impl Ordered {
    /// Name order, as for specs without constraints and of one priority.
    pub(crate) fn by_name() -> Self {
        Ordered {
            order: None,
            conflicts: Vec::new(),
        }
    }
}

/// A load order: positions in the name-sorted specs.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Order<'a> {
    /// Name order, of that many specs.
    ByName(usize),
    Given(&'a [usize]),
}

impl<'a> Order<'a> {
    pub(crate) fn len(self) -> usize {
        match self {
            Order::ByName(n) => n,
            Order::Given(order) => order.len(),
        }
    }
}

impl<'a> IntoIterator for Order<'a> {
    type Item = usize;
    type IntoIter = OrderIter<'a>;

    fn into_iter(self) -> OrderIter<'a> {
        match self {
            Order::ByName(n) => OrderIter::ByName(0..n),
            Order::Given(order) => OrderIter::Given(order.iter().copied()),
        }
    }
}

/// The positions of an [`Order`], one by one.
pub(crate) enum OrderIter<'a> {
    ByName(std::ops::Range<usize>),
    Given(std::iter::Copied<std::slice::Iter<'a, usize>>),
}

impl Iterator for OrderIter<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        match self {
            OrderIter::ByName(positions) => positions.next(),
            OrderIter::Given(positions) => positions.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            OrderIter::ByName(positions) => positions.size_hint(),
            OrderIter::Given(positions) => positions.size_hint(),
        }
    }
}

impl ExactSizeIterator for OrderIter<'_> {}

/// Orders `specs`, which are sorted by name; `position` finds a name among them.
/// The name of `names` that `missing` most likely misspells: at most one edit per three
/// characters away (and at least one), the closest first; `None` when none is that close.
pub(crate) fn closest<'a>(missing: &str, names: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (missing.chars().count() / 3).max(1);
    names
        .map(|name| (edits(missing, name), name))
        .filter(|&(distance, _)| distance <= limit)
        .min()
        .map(|(_, name)| name.to_owned())
}

/// The Levenshtein distance between `a` and `b`, in characters.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let (Some(&left), Some(&up)) = (row.get(j), row.get(j + 1)) else {
                break;
            };
            let next = (diagonal + usize::from(ca != *cb))
                .min(left + 1)
                .min(up + 1);
            diagonal = up;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = next;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

pub(crate) fn order<S: Borrow<PluginSpec>>(
    specs: &[S],
    position: impl Fn(&str) -> Option<usize>,
) -> Ordered {
    let n = specs.len();
    let priority = |i: usize| specs[i].borrow().priority();
    // Higher priority first; `kahn` breaks ties by position, which is name order.
    let rank = |i: usize| Reverse(priority(i));
    if !specs.iter().any(|spec| spec.borrow().has_constraints()) {
        // Most namespaces give every plugin the same priority: name order, as it stands.
        if (1..n).all(|i| priority(i) == priority(0)) {
            return Ordered::by_name();
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| rank(i)); // stable: ties stay by name
        return Ordered {
            order: Some(order),
            conflicts: Vec::new(),
        };
    }

    let mut conflicts = Vec::new();
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        for (relation, name, edge) in constraints(spec.borrow(), i, &position) {
            match edge {
                Some(edge) => edges.push(edge),
                None => conflicts.push((
                    i,
                    PluginErrorKind::OrderUnknown {
                        relation,
                        missing: name.to_owned(),
                        suggestion: closest(name, specs.iter().map(|s| s.borrow().name())),
                    },
                )),
            }
        }
    }
    let graph = Graph::new(n, &edges);

    let mut order = kahn(&graph, rank, |_, _| true);
    if order.len() < n {
        // Some plugins wait on a cycle. Name every cycle, then order again without the edges
        // inside them, so that the plugins on and after a cycle still get a place.
        let component = strongly_connected(&graph);
        let mut size = vec![0usize; n];
        for &c in &component {
            size[c] += 1;
        }
        let mut on_cycles: Vec<(usize, usize)> = (0..n)
            .filter(|&i| size[component[i]] > 1)
            .map(|i| (component[i], i))
            .collect();
        on_cycles.sort_unstable();
        for cycle in on_cycles.chunk_by(|a, b| a.0 == b.0) {
            // One list per cycle, shared by the errors of all its members.
            let names: Arc<[String]> = cycle
                .iter()
                .map(|&(_, i)| specs[i].borrow().name().to_owned())
                .collect();
            for &(_, i) in cycle {
                conflicts.push((i, PluginErrorKind::OrderCycle(names.clone())));
            }
        }
        for &(i, j) in &edges {
            if i == j {
                let names = Arc::from([specs[i].borrow().name().to_owned()]);
                conflicts.push((i, PluginErrorKind::OrderCycle(names)));
            }
        }
        order = kahn(&graph, rank, |i, j| component[i] != component[j]);
    }
    conflicts.sort_by_key(|(i, _)| *i);
    conflicts.dedup_by_key(|(i, _)| *i);
    Ordered {
        order: Some(order),
        conflicts,
    }
}

/// Every constraint of `spec`, at position `i`, as `(relation, name, edge)`: the edge
/// `(earlier, later)` when `position` finds the name. A requirement loads first, so it is an
/// `after` constraint too.
pub(crate) fn constraints<'a>(
    spec: &'a PluginSpec,
    i: usize,
    position: impl Fn(&str) -> Option<usize> + 'a,
) -> impl Iterator<Item = (&'static str, &'a str, Option<(usize, usize)>)> + 'a {
    spec.after()
        .map(|name| ("after", name))
        .chain(spec.requires().map(|name| ("requires", name)))
        .chain(spec.before().map(|name| ("before", name)))
        .map(move |(relation, name)| {
            let edge = position(name).map(|j| match relation {
                "before" => (i, j),
                _ => (j, i),
            });
            (relation, name, edge)
        })
}

/// The constraint graph in compressed form: the successors of `i` are
/// `targets[offsets[i]..offsets[i + 1]]` (one allocation, not one per plugin).
struct Graph {
    offsets: Vec<usize>,
    targets: Vec<usize>,
}

impl Graph {
    fn new(n: usize, edges: &[(usize, usize)]) -> Self {
        let mut offsets = vec![0usize; n + 1];
        for &(from, _) in edges {
            offsets[from + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut targets = vec![0usize; edges.len()];
        for &(from, to) in edges {
            targets[next[from]] = to;
            next[from] += 1;
        }
        Graph { offsets, targets }
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn successors(&self, i: usize) -> &[usize] {
        &self.targets[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// Kahn's algorithm over the edges that `keep` keeps: among the nodes whose kept predecessors
/// are all placed, the one with the smallest `(key, node)` goes next. Nodes that wait on a cycle
/// are left out.
fn kahn<K: Ord>(
    graph: &Graph,
    key: impl Fn(usize) -> K,
    keep: impl Fn(usize, usize) -> bool,
) -> Vec<usize> {
    let n = graph.len();
    let mut pending = vec![0usize; n];
    for i in 0..n {
        for &j in graph.successors(i) {
            if keep(i, j) {
                pending[j] += 1;
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<(K, usize)>> = (0..n)
        .filter(|&i| pending[i] == 0)
        .map(|i| Reverse((key(i), i)))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &j in graph.successors(i) {
            if keep(i, j) {
                pending[j] -= 1;
                if pending[j] == 0 {
                    ready.push(Reverse((key(j), j)));
                }
            }
        }
    }
    order
}

/// Tarjan's strongly connected components, iteratively (a long chain must not overflow the
/// stack). Returns the component of each node.
fn strongly_connected(graph: &Graph) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = graph.len();
    let (mut index, mut low) = (vec![UNSEEN; n], vec![0; n]);
    let mut component = vec![UNSEEN; n];
    let (mut stack, mut on_stack) = (Vec::new(), vec![false; n]);
    let (mut next_index, mut next_component) = (0, 0);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut calls = vec![(root, 0usize)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut edge)) = calls.last_mut() {
            if let Some(&w) = graph.successors(v).get(*edge) {
                *edge += 1;
                if index[w] == UNSEEN {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BoxError, Plugin};

    struct Nop;
    impl Plugin for Nop {
        type Args = ();
        type Output = ();
        fn load(&mut self, _: &()) -> Result<(), BoxError> {
            Ok(())
        }
    }

    fn spec(name: &'static str, priority: i32, after: &[&str], before: &[&str]) -> PluginSpec {
        PluginSpec::new("t", name, || Ok(Box::new(Nop)))
            .unwrap()
            .with_priority(priority)
            .with_after(after.iter().copied())
            .unwrap()
            .with_before(before.iter().copied())
            .unwrap()
    }

    fn run(specs: &[PluginSpec]) -> (Vec<&str>, Vec<(&str, String)>) {
        let mut sorted: Vec<&PluginSpec> = specs.iter().collect();
        sorted.sort_by_key(|s| s.name());
        let position: std::collections::HashMap<&str, usize> = sorted
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name(), i))
            .collect();
        let ordered = order(&sorted, |name| position.get(name).copied());
        let order = ordered.order.unwrap_or_else(|| (0..sorted.len()).collect());
        let names = order.iter().map(|&i| sorted[i].name()).collect();
        let conflicts = ordered
            .conflicts
            .iter()
            .map(|(i, kind)| (sorted[*i].name(), kind.to_string()))
            .collect();
        (names, conflicts)
    }

    #[test]
    fn priority_then_name() {
        let specs = [
            spec("b", 0, &[], &[]),
            spec("a", 0, &[], &[]),
            spec("c", 5, &[], &[]),
        ];
        assert_eq!(run(&specs).0, ["c", "a", "b"]);
    }

    #[test]
    fn constraints_override_priority() {
        let specs = [
            spec("a", 0, &["b"], &[]),
            spec("b", -1, &[], &[]),
            spec("c", 9, &[], &["b"]),
            spec("d", 10, &[], &[]),
        ];
        assert_eq!(run(&specs), (vec!["d", "c", "b", "a"], vec![]));
    }

    #[test]
    fn unknown_and_cycles_are_conflicts_and_the_rest_orders() {
        let specs = [
            spec("a", 0, &["b"], &[]),
            spec("b", 0, &["a"], &[]),
            spec("c", 0, &["zz"], &[]),
            spec("d", 0, &["d"], &[]),
            spec("e", 0, &["a"], &[]),
        ];
        let (names, conflicts) = run(&specs);
        assert_eq!(names, ["a", "b", "c", "d", "e"]);
        assert_eq!(
            conflicts,
            [
                ("a", "ordering cycle between a, b".to_string()),
                ("b", "ordering cycle between a, b".to_string()),
                (
                    "c",
                    "`after = [\"zz\"]` names no plugin of this namespace".to_string()
                ),
                ("d", "ordering cycle between d".to_string()),
            ]
        );
    }

    #[test]
    fn cycles_found_through_back_edges_past_the_root_and_beside_cross_edges() {
        let specs = [
            spec("a", 0, &[], &[]),
            spec("b", 0, &["a"], &[]),
            // A cycle `c`, `d` whose `c` also points at `b`, finished before the search
            // reaches `c`: that edge must not pull `c` into `b`'s component.
            spec("c", 0, &["d"], &["b"]),
            spec("d", 0, &["c"], &[]),
            // `x` leads into the cycle `y`, `z`, whose back edge goes to `y`, not to the root `x`.
            spec("x", 0, &[], &["y"]),
            spec("y", 0, &["z"], &[]),
            spec("z", 0, &["y"], &[]),
        ];
        let (names, conflicts) = run(&specs);
        assert_eq!(names, ["a", "c", "b", "d", "x", "y", "z"]);
        let cycle = |members: &str| format!("ordering cycle between {members}");
        assert_eq!(
            conflicts,
            [
                ("c", cycle("c, d")),
                ("d", cycle("c, d")),
                ("y", cycle("y, z")),
                ("z", cycle("y, z")),
            ]
        );
    }

    #[test]
    fn long_chain_does_not_overflow() {
        let names: Vec<&'static str> = (0..20_000)
            .map(|i| &*Box::leak(format!("p{i:05}").into_boxed_str()))
            .collect();
        let specs: Vec<PluginSpec> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let after: &[&str] = if i == 0 {
                    &[]
                } else {
                    std::slice::from_ref(&names[i - 1])
                };
                spec(name, -(i as i32), after, &[])
            })
            .collect();
        let (order, conflicts) = run(&specs);
        assert_eq!(order, names);
        assert!(conflicts.is_empty());
    }
}
