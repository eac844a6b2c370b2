//! The shapes of interface a plugin library's guard wraps (every method forwarded, each kind of
//! receiver, lifetimes, `cfg`, `where Self: Sized`, `Debug`/`Display` supertraits, errors), and
//! one it cannot wrap (a supertrait of the user's): all compile, and the wrapper of the first
//! forwards each call to the plugin, as a manager of a program would get it from a library.
#![deny(warnings)]

use std::fmt;
use std::sync::Arc;

use plux::{plugin_interface, BoxError, Plugin};

type Answer<T> = Result<T, BoxError>;

#[plugin_interface(namespace = "ui.guard.shapes")]
pub trait Shapes: fmt::Debug + fmt::Display {
    fn borrowed<'a>(&'a self, text: &'a str) -> &'a str;
    fn fallible(&self, fail: bool) -> Answer<u32>;
    fn shared(self: Arc<Self>) -> usize;
    fn boxed(self: Box<Self>) -> u8;
    #[cfg(any())]
    fn compiled_out(&self);
    fn made() -> Self
    where
        Self: Sized;
    fn provided_sized(&self) -> u8
    where
        Self: Sized,
    {
        1
    }
    fn provided(&self) -> u8 {
        2
    }
    fn load(&mut self, times: &u32) -> Result<u32, BoxError>;
}

/// `Error` as a supertrait, which the wrapper forwards too.
#[plugin_interface(namespace = "ui.guard.problems")]
pub trait Problem: std::error::Error {
    fn code(&self) -> u8;
}

#[derive(Debug)]
struct Broken;

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broken")
    }
}

impl std::error::Error for Broken {}

impl Problem for Broken {
    fn code(&self) -> u8 {
        9
    }
}

/// A supertrait the wrapper cannot implement: the interface compiles, unwrapped.
pub trait Named {
    fn name(&self) -> &str;
}

#[plugin_interface(namespace = "ui.guard.named")]
pub trait Unwrapped: Named {
    fn hello(&self) -> String;
}

#[derive(Debug, Default)]
struct Shape {
    loads: u32,
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a shape loaded {} times", self.loads)
    }
}

impl Shapes for Shape {
    fn borrowed<'a>(&'a self, text: &'a str) -> &'a str {
        text
    }
    fn fallible(&self, fail: bool) -> Answer<u32> {
        if fail {
            Err("it failed".into())
        } else {
            Ok(7)
        }
    }
    fn shared(self: Arc<Self>) -> usize {
        Arc::strong_count(&self)
    }
    fn boxed(self: Box<Self>) -> u8 {
        3
    }
    fn made() -> Self {
        Shape::default()
    }
    fn provided(&self) -> u8 {
        4
    }
    fn load(&mut self, times: &u32) -> Result<u32, BoxError> {
        self.loads += times;
        Ok(self.loads)
    }
}

fn main() {
    let plugin: Arc<dyn Shapes> = Arc::new(Shape::made());
    let mut wrapped = <dyn Shapes as Plugin>::__plux_guarded(plugin);
    let unique = Arc::get_mut(&mut wrapped).expect("the wrapper's Arc is the only one");
    assert_eq!(Plugin::load(unique, &2).expect("loads"), 2);
    assert!(Plugin::should_load(&*wrapped));
    assert_eq!(wrapped.borrowed("text"), "text");
    assert_eq!(wrapped.fallible(false).expect("answers"), 7);
    let error = wrapped.fallible(true).expect_err("fails");
    assert_eq!(error.to_string(), "it failed");
    assert_eq!(format!("{error:?}"), "\"it failed\"");
    assert_eq!(wrapped.provided(), 4);
    assert_eq!(wrapped.to_string(), "a shape loaded 2 times");
    assert_eq!(format!("{wrapped:?}"), "Shape { loads: 2 }");
    // The wrapper's `Arc` and the plugin's, held by the wrapper.
    assert_eq!(Arc::clone(&wrapped).shared(), 2);
    let problem = <dyn Problem as Plugin>::__plux_guarded(Arc::new(Broken));
    assert_eq!((problem.code(), problem.to_string()), (9, "broken".to_owned()));
    assert!(problem.source().is_none());
    // A plugin of an interface without a wrapper is handed over as it is.
    struct Plain;
    impl Named for Plain {
        fn name(&self) -> &str {
            "plain"
        }
    }
    impl Unwrapped for Plain {
        fn hello(&self) -> String {
            "hello".to_owned()
        }
    }
    let plain: Arc<dyn Unwrapped> = Arc::new(Plain);
    let same = <dyn Unwrapped as Plugin>::__plux_guarded(Arc::clone(&plain));
    assert!(Arc::ptr_eq(&plain, &same));
    assert_eq!(same.name(), "plain");
    assert_eq!(same.hello(), "hello");
}
