//! A third party's plugin library whose plugins panic on the library's side once the program
//! has them: in an interface method, in `Drop`, in the `Display`, `Debug`, `source` and `Drop`
//! of an error they return, in a load error's `Display`, and in a hook fn.

use std::error::Error;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use plux::{plugin, BoxError};
use plux_fixture_dynamic_api::{Faulty, Greeter, Greeting, Risky, Visit};

plux::export_plugins!();

/// Panics when it greets.
#[derive(Default)]
pub struct PanicsInGreet;

#[plugin(name = "panics-in-greet")]
impl Greeter for PanicsInGreet {
    fn greet(&self, who: &str) -> String {
        panic!("greet panicked in the library for {who}");
    }
}

/// Greets, and panics when dropped.
#[derive(Default)]
pub struct PanicsInDrop;

#[plugin(name = "panics-in-drop")]
impl Greeter for PanicsInDrop {
    fn greet(&self, who: &str) -> String {
        format!("hello, {who}")
    }
}

impl Drop for PanicsInDrop {
    fn drop(&mut self) {
        panic!("drop panicked in the library");
    }
}

/// An error whose every call panics.
#[derive(Default)]
pub struct Treacherous;

impl fmt::Display for Treacherous {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("an error's Display panicked in the library");
    }
}

impl fmt::Debug for Treacherous {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("an error's Debug panicked in the library");
    }
}

impl Error for Treacherous {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        panic!("an error's source panicked in the library");
    }
}

/// An error that panics when dropped.
#[derive(Debug)]
pub struct Bomb;

impl fmt::Display for Bomb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a bomb")
    }
}

impl Error for Bomb {}

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("an error's Drop panicked in the library");
    }
}

/// Runs what it is asked, going wrong as asked.
#[derive(Default)]
pub struct Risk {
    calls: AtomicUsize,
}

#[plugin(name = "risk")]
impl Risky for Risk {
    fn run(&self, what: &str) -> Result<String, BoxError> {
        match what {
            "panic" => panic!("run panicked in the library"),
            "fail" => Err(Box::new(Treacherous)),
            "fail-drop" => Err(Box::new(Bomb)),
            other => Ok(format!("ran {other}")),
        }
    }

    fn shared(self: Arc<Self>) -> usize {
        let calls = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        if calls > 1 {
            panic!("shared panicked in the library on call {calls}");
        }
        calls
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("a plugin's Display panicked in the library");
    }
}

/// Fails to load with an error whose `Display` panics (which plux shows in its log).
#[derive(Default)]
pub struct FailsTreacherously;

#[plugin(name = "fails-treacherously")]
impl Faulty for FailsTreacherously {
    fn load(&mut self, _: &Visit) -> Result<String, BoxError> {
        Err(Box::new(Treacherous))
    }
}

/// A greeting that panics for "panic".
#[plugin(hook = Greeting, name = "panics-in-hook")]
fn greeting(who: &str) -> String {
    if who == "panic" {
        panic!("a hook panicked in the library");
    }
    format!("good day, {who}")
}
