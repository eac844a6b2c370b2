#![warn(missing_docs)]
//! plux facade (docs to come)
extern crate self as plux;
pub use plux_core::*;
pub use plux_macros::{plugin, plugin_interface, plugin_spec};
