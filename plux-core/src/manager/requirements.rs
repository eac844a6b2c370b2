//! Loading a plugin's requirements: an explicit walk down the requirements, not a recursion, so
//! that a chain as long as the namespace loads on any stack.
//!
//! The walk does what loading each requirement with `load` from inside the lifecycle of the
//! plugin that requires it would: the same order (each plugin's requirements in the order it
//! names them, depth first), the same outcomes, each lifecycle at most once. Each requirement's
//! slot is held (claimed, as running) from before its filters until its outcome is settled, so
//! that a plugin asked for again meanwhile is [`Reentrant`](crate::PluginErrorKind::Reentrant)
//! or waits, as it would in a recursion; and a plugin that its own filters stop loads nothing on
//! its behalf.

use super::PluginManager;
use crate::contain::display_contained;
use crate::error::{DisabledReason, PluginError, PluginErrorKind};
use crate::plugin::Plugin;
use crate::spec::PluginSpec;
use crate::state::{Held, Here, Holding, PluginState};

/// A plugin of the walk whose requirements are loading.
struct Step<'a, 'h, T: ?Sized + Plugin> {
    spec: &'a PluginSpec,
    /// Its slot; `None` for the plugin the walk loads the requirements of, which its caller
    /// holds.
    held: Option<Held<'a, 'h, T>>,
    /// How many of its requirements the walk has taken.
    next: usize,
    /// The first requirement that did not load, and why.
    unmet: Option<DisabledReason>,
}

/// The plugins of a walk, innermost last. Should the walk unwind, they are let go innermost
/// first, as a recursion would unwind them.
struct Walk<'a, 'h, T: ?Sized + Plugin>(Vec<Step<'a, 'h, T>>);

impl<T: ?Sized + Plugin> Drop for Walk<'_, '_, T> {
    fn drop(&mut self) {
        while let Some(step) = self.0.pop() {
            drop(step);
        }
    }
}

/// What asking for one requirement gave.
enum Asked<'a, 'h, T: ?Sized + Plugin> {
    /// Its outcome: loaded, or why not.
    Done(Result<(), PluginError>),
    /// Held for the walk: its filters let it through, and it has requirements of its own.
    Walk(Step<'a, 'h, T>),
}

impl<T: ?Sized + Plugin> PluginManager<T> {
    /// Loads what `spec` requires, in this manager; the reason `spec` is disabled if one did not
    /// load. Runs while `spec`'s slot is running, so that a requirement cycle at run time is
    /// [`Reentrant`](crate::PluginErrorKind::Reentrant), not a deadlock.
    pub(super) fn load_requirements(
        &self,
        here: Here<'_>,
        spec: &PluginSpec,
    ) -> Option<DisabledReason> {
        let resolved = self.resolved();
        let mut walk = Walk(vec![Step {
            spec,
            held: None,
            next: 0,
            unmet: None,
        }]);
        loop {
            let top = walk.0.last_mut()?;
            let name = match top.unmet {
                None => top.spec.requires().nth(top.next),
                Some(_) => None,
            };
            if let Some(name) = name {
                top.next += 1;
                match self.ask(here, resolved, name) {
                    Asked::Done(Ok(())) => {}
                    Asked::Done(Err(error)) => top.unmet = Some(unmet(name, &error)),
                    Asked::Walk(step) => walk.0.push(step),
                }
                continue;
            }
            // Every requirement of the innermost plugin is done: the rest of its lifecycle.
            let step = walk.0.pop()?;
            let Some(held) = step.held else {
                return step.unmet;
            };
            let outcome = self
                .lifecycle(step.spec, None)
                .after_requirements(step.unmet);
            if let (Err(error), Some(parent)) = (held.finish(outcome), walk.0.last_mut()) {
                parent.unmet = Some(unmet(step.spec.name(), &error));
            }
        }
    }

    /// The reason `spec` is disabled if a requirement of it did not load, once a start has
    /// settled them all (an async start starts a plugin after its requirements): reads their
    /// outcomes, runs nothing.
    pub(super) fn requirements_settled(&self, spec: &PluginSpec) -> Option<DisabledReason> {
        let resolved = self.resolved();
        for name in spec.requires() {
            let error = match self.find(resolved, name) {
                Err(error) => error,
                Ok((_, slot)) => match slot.state() {
                    PluginState::Loaded { .. } => continue,
                    PluginState::Disabled(reason) => {
                        PluginError::new(&self.namespace, name, PluginErrorKind::Disabled(reason))
                    }
                    PluginState::Failed(error) => error,
                    // Retried meanwhile by another call: not loaded when this one started.
                    PluginState::Resolved | PluginState::Loading => {
                        return Some(DisabledReason::Requirement {
                            name: name.to_owned(),
                            why: "it was not loaded yet (another call was loading it again)"
                                .to_owned(),
                        })
                    }
                },
            };
            return Some(unmet(name, &error));
        }
        None
    }

    /// Asks for the requirement `name`: its outcome, or its slot held for the walk.
    fn ask<'a, 'h>(
        &'a self,
        here: Here<'h>,
        resolved: &'a super::Resolved<T>,
        name: &str,
    ) -> Asked<'a, 'h, T> {
        let (entry, slot) = match self.find(resolved, name) {
            Ok(found) => found,
            Err(error) => return Asked::Done(Err(error)),
        };
        if slot.loaded().is_some() {
            return Asked::Done(Ok(()));
        }
        let spec = entry.spec();
        let held = match slot.hold(here, spec.run_key()) {
            Ok(Holding::Held(held)) => held,
            Ok(Holding::Loaded) => return Asked::Done(Ok(())),
            Err(error) => return Asked::Done(Err(error)),
        };
        let lifecycle = self.lifecycle(spec, None);
        let stopped = match entry.requires() {
            false => Some(lifecycle.run()),
            true => lifecycle.filtered(),
        };
        match stopped {
            Some(outcome) => Asked::Done(held.finish(outcome).map(drop)),
            None => Asked::Walk(Step {
                spec,
                held: Some(held),
                next: 0,
                unmet: None,
            }),
        }
    }
}

/// Why a plugin is disabled when its requirement `name` did not load.
fn unmet(name: &str, error: &PluginError) -> DisabledReason {
    DisabledReason::Requirement {
        name: name.to_owned(),
        why: display_contained(error.kind()),
    }
}
