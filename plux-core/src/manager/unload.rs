//! Unloading: each loaded plugin's `unload` run once, in reverse load order, when the program is
//! done with its plugins — the step every service supervisor writes, contained as `load` is.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::asynchronous::Contained;
use super::PluginManager;
use crate::contain::panic_message;
use crate::error::{PluginError, PluginErrorKind, Stage};
use crate::lifecycle::{log_failure, received};
use crate::logged::plux_log;
use crate::plugin::{BoxError, Plugin};
use crate::spec::PluginSpec;

impl<T: ?Sized + Plugin> PluginManager<T> {
    /// Unloads the plugins: runs [`Plugin::unload`] of every loaded plugin once, in reverse load
    /// order (a plugin unloads before those it requires or comes after), and returns the
    /// failures. An error or a panic of one plugin's `unload` is contained and returned; the
    /// others still unload.
    ///
    /// For plugins whose `unload` is async ([`Plugin::UNLOADS_ASYNC`]) it runs nothing and
    /// returns one error saying so. It runs once per manager: a second call (or one after
    /// [`unload_all_async`](Self::unload_all_async)) runs nothing. The plugins stay in the
    /// manager as they were — `load` still returns them — so call it when the program is done
    /// with them, after its loads.
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use plux_core::{BoxError, Plugin, PluginManager, PluginSpec};
    ///
    /// static STOPPED: Mutex<Vec<&str>> = Mutex::new(Vec::new());
    ///
    /// struct Service(&'static str);
    /// impl Plugin for Service {
    ///     type Args = ();
    ///     type Output = ();
    ///     fn load(&mut self, _: &()) -> Result<(), BoxError> { Ok(()) }
    ///     fn unload(&self) -> Result<(), BoxError> {
    ///         STOPPED.lock().unwrap().push(self.0);
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let manager = PluginManager::<Service>::in_namespace("app").finder(vec![
    ///     PluginSpec::new("app", "database", || Ok(Box::new(Service("database"))))?,
    ///     PluginSpec::new("app", "web", || Ok(Box::new(Service("web"))))?.with_requires(["database"])?,
    /// ]);
    /// manager.load_all();
    /// assert!(manager.unload_all().is_empty());
    /// assert_eq!(*STOPPED.lock().unwrap(), ["web", "database"]);
    /// assert!(manager.unload_all().is_empty()); // once
    /// assert_eq!(STOPPED.lock().unwrap().len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unload_all(&self) -> Vec<PluginError> {
        if T::UNLOADS_ASYNC {
            // Refused, not run: `unload_all_async` still unloads them.
            let refused = BoxError::from("its `unload` is async: unload with `unload_all_async`");
            let kind = PluginErrorKind::Unload(Arc::from(refused));
            return vec![PluginError::of_namespace(&self.namespace, kind)];
        }
        let mut failures = Vec::new();
        for (spec, plugin) in self.to_unload() {
            let unloaded = catch_unwind(AssertUnwindSafe(|| plugin.unload()));
            failures.extend(self.unloaded(spec, unloaded));
        }
        failures
    }

    /// [`unload_all`](Self::unload_all) with each plugin's
    /// [`unload_async`](Plugin::unload_async) awaited, one after the other in reverse load
    /// order: for plugins whose interface declares `async fn unload`.
    pub async fn unload_all_async(&self) -> Vec<PluginError> {
        let mut failures = Vec::new();
        for (spec, plugin) in self.to_unload() {
            let unloaded = Contained::new(None, || plugin.unload_async()).await;
            failures.extend(self.unloaded(spec, unloaded));
        }
        failures
    }

    /// The loaded plugins, in reverse load order; none if they were unloaded already.
    fn to_unload(&self) -> Vec<(&PluginSpec, Arc<T>)> {
        if self.unloaded.swap(true, Ordering::AcqRel) {
            return Vec::new();
        }
        let mut loaded: Vec<_> = self
            .slots()
            .filter_map(|(entry, slot)| Some((entry.spec(), slot.loaded()?.plugin.clone())))
            .collect();
        loaded.reverse();
        loaded
    }

    /// The failure of `spec`'s unload, if it failed: logged as one its caller receives.
    fn unloaded(
        &self,
        spec: &PluginSpec,
        unloaded: Result<Result<(), BoxError>, Box<dyn Any + Send>>,
    ) -> Option<PluginError> {
        let kind = match unloaded {
            Ok(Ok(())) => {
                plux_log!(Debug, "{spec}: unloaded");
                return None;
            }
            Ok(Err(error)) => PluginErrorKind::Unload(Arc::from(error)),
            Err(panic) => PluginErrorKind::Panicked {
                stage: Stage::Unload,
                message: panic_message(panic),
            },
        };
        let error = PluginError::new(spec.namespace(), spec.name(), kind);
        received(|| log_failure(&error, self.unreceived));
        Some(error)
    }
}
