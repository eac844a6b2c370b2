//! Tests of the slot state machine that need its insides: what a run that unwinds leaves
//! behind, and which waits a settling slot ends. (`model/` checks the same machine under many
//! schedules.)

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc};
use std::thread;

use crate::error::{PluginError, PluginErrorKind};
use crate::state::{waits_on, Loaded, Outcome, PluginState, Slot};
use crate::FunctionPlugin;

/// A plugin with nothing to load: what the machine stores does not matter to it.
type Nop = FunctionPlugin<fn()>;

const NS: Cow<'static, str> = Cow::Borrowed("st");

fn error(kind: PluginErrorKind) -> PluginError {
    PluginError::new("st", "p", kind)
}

fn loaded() -> Outcome<Nop> {
    Outcome::Loaded(Loaded {
        plugin: Arc::new(FunctionPlugin::new((|| {}) as fn())),
        output: (),
    })
}

#[test]
fn a_run_that_unwinds_leaves_the_slot_interrupted_and_retryable() {
    let name = Cow::Borrowed("unwinds");
    let slot = Slot::<Nop>::new();

    let unwound = catch_unwind(AssertUnwindSafe(|| {
        let _ = slot.get_or_run((&NS, &name), false, error, || {
            panic!("a bug of the manager")
        });
    }));

    assert!(unwound.is_err());
    assert!(
        matches!(slot.state(), PluginState::Failed(e) if matches!(e.kind(), PluginErrorKind::Interrupted)),
        "{:?}",
        slot.state()
    );
    assert!(slot.get_or_run((&NS, &name), true, error, loaded).is_ok());
}

/// Runs a lifecycle of `slot` on a new thread, which holds it until `release` sends.
fn run_held(
    slot: &'static Slot<Nop>,
    name: &'static str,
) -> (mpsc::Sender<()>, thread::JoinHandle<bool>) {
    let (release, held) = mpsc::channel::<()>();
    let (started, running) = mpsc::channel();
    let runner = thread::spawn(move || {
        slot.get_or_run((&NS, &Cow::Borrowed(name)), false, error, || {
            let _ = started.send(());
            let _ = held.recv();
            loaded()
        })
        .is_ok()
    });
    running.recv().expect("the lifecycle started");
    (release, runner)
}

/// Asks for `slot` on a new thread, and returns once that thread waits for it.
fn wait_for(slot: &'static Slot<Nop>, name: &'static str) -> thread::JoinHandle<bool> {
    let waiter = thread::spawn(move || {
        slot.get_or_run((&NS, &Cow::Borrowed(name)), false, error, || {
            unreachable!("another thread runs it")
        })
        .is_ok()
    });
    while waits_on(waiter.thread().id()) != Some(slot.test_id()) {
        thread::yield_now();
    }
    waiter
}

#[test]
fn a_settling_slot_ends_only_the_waits_on_itself() {
    let a: &'static Slot<Nop> = Box::leak(Box::new(Slot::new()));
    let c: &'static Slot<Nop> = Box::leak(Box::new(Slot::new()));
    let (release_a, runs_a) = run_held(a, "a");
    let waits_a = wait_for(a, "a");
    let (release_c, runs_c) = run_held(c, "c");
    let waits_c = wait_for(c, "c");

    release_c.send(()).expect("c runs");
    let waiter_c = waits_c.thread().id();
    assert!(runs_c.join().expect("no panic") && waits_c.join().expect("no panic"));
    assert_eq!(
        waits_on(waiter_c),
        None,
        "c settled: its waiter's edge must go, or it closes a false cycle later"
    );

    assert_eq!(
        waits_on(waits_a.thread().id()),
        Some(a.test_id()),
        "still waiting on a: its edge must stay, or a cycle through it goes unseen"
    );
    release_a.send(()).expect("a runs");
    let waiter_a = waits_a.thread().id();
    assert!(runs_a.join().expect("no panic") && waits_a.join().expect("no panic"));
    assert_eq!(waits_on(waiter_a), None);
}
