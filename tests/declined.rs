//! A plugin decides from the manager's load arguments whether it loads: `should_load_with`
//! declining makes it *disabled*, with its reason, not failed.

use plux::{
    plugin, plugin_interface, BoxError, DisabledReason, PluginErrorKind, PluginManager, Stage, Veto,
};

pub struct Config {
    pub metrics: bool,
}

#[plugin_interface(namespace = "declined.services")]
pub trait Service {
    fn load(&mut self, config: &Config) -> Result<(), BoxError>;
}

#[derive(Default)]
struct Metrics;

#[plugin]
impl Service for Metrics {
    fn should_load_with(&self, config: &Config) -> Result<(), Veto> {
        if config.metrics {
            Ok(())
        } else {
            Err(Veto::new("metrics are off in the configuration"))
        }
    }
    fn load(&mut self, _: &Config) -> Result<(), BoxError> {
        Ok(())
    }
}

#[derive(Default)]
struct Always;

#[plugin]
impl Service for Always {
    fn load(&mut self, _: &Config) -> Result<(), BoxError> {
        Ok(())
    }
}

#[derive(Default)]
struct Broken;

#[plugin]
impl Service for Broken {
    fn should_load_with(&self, _: &Config) -> Result<(), Veto> {
        panic!("cannot read the configuration")
    }
    fn load(&mut self, _: &Config) -> Result<(), BoxError> {
        Ok(())
    }
}

#[test]
fn a_plugin_that_declines_its_arguments_is_disabled_with_its_reason() {
    let off = PluginManager::<dyn Service>::with_args(Config { metrics: false });
    let error = off.load("metrics").expect_err("declined");
    assert!(error.is_disabled(), "{error}");
    match error.kind() {
        PluginErrorKind::Disabled(DisabledReason::Declined { reason }) => {
            assert_eq!(reason, "metrics are off in the configuration")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "plugin `declined.services/metrics`: disabled: declined to load: metrics are off in the \
         configuration"
    );
    assert!(off.load("always").is_ok());

    let on = PluginManager::<dyn Service>::with_args(Config { metrics: true });
    assert!(on.load("metrics").is_ok());
}

#[test]
fn a_panic_in_should_load_with_fails_the_plugin() {
    let manager = PluginManager::<dyn Service>::with_args(Config { metrics: true });
    let error = manager.load("broken").expect_err("panicked");
    assert!(matches!(
        error.kind(),
        PluginErrorKind::Panicked { stage: Stage::ShouldLoad, message } if message == "cannot read the configuration"
    ));
    // The others carry on.
    assert_eq!(manager.load_all().len(), 2);
}
