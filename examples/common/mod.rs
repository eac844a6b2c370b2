//! Shared by the examples: a listener that prints each lifecycle event as it happens, and a
//! one-line description of a plugin's state.
//!
//! plux also logs every step (target `plux`, through the `log` crate); the examples install no
//! logger, so the listener is the only voice here.

use std::fmt::Debug;

use plux::{DisabledReason, Plugin, PluginError, PluginLifecycleListener, PluginSpec, PluginState};

/// Prints every lifecycle event, indented under the step of the example that caused it.
pub struct Printer;

fn report(event: &str, spec: &dyn std::fmt::Display, detail: &str) {
    if detail.is_empty() {
        println!("    [listener] {event:<14} {spec}");
    } else {
        println!("    [listener] {event:<14} {spec}: {detail}");
    }
}

impl<T> PluginLifecycleListener<T> for Printer
where
    T: ?Sized + Plugin,
    T::Output: Debug,
{
    fn on_resolve_after(&self, spec: &PluginSpec) {
        report("resolved", spec, "");
    }

    fn on_resolve_exception(&self, namespace: &str, error: &PluginError) {
        report("resolve error", &namespace, &error.to_string());
    }

    fn on_init_after(&self, spec: &PluginSpec, _plugin: &T) {
        report("init", spec, "");
    }

    fn on_init_exception(&self, spec: &PluginSpec, error: &PluginError) {
        report("init error", spec, &error.kind().to_string());
    }

    fn on_load_before(&self, spec: &PluginSpec, _plugin: &T, _args: &T::Args) {
        report("loading", spec, "");
    }

    fn on_load_after(&self, spec: &PluginSpec, _plugin: &T, output: &T::Output) {
        report("loaded", spec, &output_text(output));
    }

    fn on_load_exception(&self, spec: &PluginSpec, _plugin: &T, error: &PluginError) {
        report("load error", spec, &error.kind().to_string());
    }

    fn on_disabled(&self, spec: &PluginSpec, reason: &DisabledReason) {
        report("disabled", spec, &reason.to_string());
    }
}

/// What `load` returned, or nothing when it returned `()` (function plugins and most services).
fn output_text(output: &impl Debug) -> String {
    let text = format!("{output:?}");
    if text == "()" {
        String::new()
    } else {
        format!("returned {text}")
    }
}

/// One line for a plugin's state, as `manager.states()` reports it.
pub fn describe<T>(state: &PluginState<'_, T>) -> String
where
    T: ?Sized + Plugin,
    T::Output: Debug,
{
    match state {
        PluginState::Resolved => "resolved (never asked for)".to_owned(),
        PluginState::Loading => "loading".to_owned(),
        PluginState::Loaded { output, .. } => {
            let output = output_text(*output);
            if output.is_empty() {
                "loaded".to_owned()
            } else {
                format!("loaded, {output}")
            }
        }
        PluginState::Disabled(reason) => format!("disabled: {reason}"),
        PluginState::Failed(error) => format!("failed: {}", error.kind()),
        // `PluginState` is non-exhaustive; a state added later is still printed, if vaguely.
        _ => "in a state this example does not know".to_owned(),
    }
}
