//! Tests of the slot state machine that need its insides: what a run that unwinds leaves
//! behind, and which waits a settling slot ends. (`model/` checks the same machine under many
//! schedules.)

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc, OnceLock};
use std::thread;

use crate::error::{DisabledReason, PluginError, PluginErrorKind};
use crate::spec::linked::{LinkedSpec, Managed};
use crate::spec::{Key, RunKey};
use crate::state::{here, waits_on, Loaded, Outcome, PluginState, Records, Run, Slot, SlotRef};
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

/// The key of a linked spec: static names, which a run keeps without copying them.
fn linked(name: &'static str) -> RunKey<'static> {
    let names: &'static (Cow<'static, str>, Cow<'static, str>) =
        Box::leak(Box::new((NS, Cow::Borrowed(name))));
    (&names.0, &names.1)
}

#[test]
fn runs_nested_in_any_mix_of_static_and_made_names_see_every_outer_run_and_restore_it() {
    let (a, b) = (linked("a"), linked("b"));
    // Names a finder made: copied while they run.
    let (ns, made_a, c) = (
        Cow::Owned("st".to_owned()),
        Cow::Owned("a".to_owned()),
        Cow::Owned("c".to_owned()),
    );
    // Other slots for the same plugins: other managers.
    let (a1, a2, b1, c1, c2) = (
        Slot::<Nop>::new(),
        Slot::<Nop>::new(),
        Slot::<Nop>::new(),
        Slot::<Nop>::new(),
        Slot::<Nop>::new(),
    );
    let (a3, c3) = (Slot::<Nop>::new(), Slot::<Nop>::new());
    let mut seen = Vec::new();
    let outer = a1.get_or_run(a, false, error, || {
        let inner = b1.get_or_run(b, false, error, || {
            // Made names inside static ones: both outer runs are seen, by name.
            seen.push(kind(&a2.get_or_run((&ns, &made_a), false, error, loaded)));
            let made = c1.get_or_run((&ns, &c), false, error, || {
                seen.push(kind(&a3.get_or_run(a, false, error, loaded)));
                seen.push(kind(&c2.get_or_run((&NS, &c), false, error, loaded)));
                loaded()
            });
            seen.push(kind(&made));
            loaded()
        });
        seen.push(kind(&inner));
        loaded()
    });
    assert!(outer.is_ok());
    assert_eq!(
        seen,
        ["Reentrant", "Reentrant", "Reentrant", "Ok", "Ok"],
        "every outer run is running while nested ones run"
    );
    // Everything left: the same plugins run again through fresh slots.
    assert!(a2.get_or_run((&ns, &made_a), true, error, loaded).is_ok());
    assert!(c3.get_or_run((&NS, &c), false, error, loaded).is_ok());
    assert!(Slot::<Nop>::new()
        .get_or_run(b, false, error, loaded)
        .is_ok());
    assert!(Slot::<Nop>::new()
        .get_or_run(a, false, error, loaded)
        .is_ok());
}

fn kind<T>(result: &Result<T, PluginError>) -> &'static str {
    match result {
        Ok(_) => "Ok",
        Err(e) if matches!(e.kind(), PluginErrorKind::Reentrant) => "Reentrant",
        Err(_) => "other",
    }
}

#[test]
fn a_run_keyed_by_its_spec_meets_the_same_plugin_asked_by_name_and_the_reverse() {
    fn make(_: crate::Product<'_>) -> Result<(), crate::BoxError> {
        Ok(())
    }
    static MANAGED: Managed = Managed::new("st", None);
    static SPEC: LinkedSpec = crate::__linked_spec!(&MANAGED, "keyed", make, None);
    let (ns, name) = (Cow::Owned("st".to_owned()), Cow::Owned("keyed".to_owned()));
    let by_spec = |slot: &Slot<Nop>, lifecycle: &mut dyn FnMut() -> Outcome<Nop>| {
        here(|here| {
            kind(
                &slot
                    .as_ref()
                    .get_or_run_here(here, &Key::Linked(&SPEC), false, error, lifecycle),
            )
        })
        .unwrap_or("Exiting")
    };
    let (a, b, c, d) = (
        Slot::<Nop>::new(),
        Slot::<Nop>::new(),
        Slot::<Nop>::new(),
        Slot::<Nop>::new(),
    );
    let mut inner = "none";
    let outer = by_spec(&a, &mut || {
        inner = kind(&b.get_or_run((&ns, &name), false, error, loaded));
        loaded()
    });
    assert_eq!((outer, inner), ("Ok", "Reentrant"));
    let mut inner = "none";
    let outer = kind(&c.get_or_run((&ns, &name), false, error, || {
        inner = by_spec(&d, &mut loaded);
        loaded()
    }));
    assert_eq!((outer, inner), ("Ok", "Reentrant"));
    assert_eq!(by_spec(&Slot::new(), &mut loaded), "Ok", "left, both ways");
}

#[test]
fn slots_that_share_their_records_each_keep_their_own_outcome() {
    let records = Records::new();
    let loaded_of: [OnceLock<Loaded<Nop>>; 3] = std::array::from_fn(|_| OnceLock::new());
    let run_of: [Run; 3] = std::array::from_fn(|_| Run::fresh());
    let slot = |at: usize| SlotRef::new(&loaded_of[at], &run_of[at], &records, at);
    let names = [
        Cow::Borrowed("fails"),
        Cow::Borrowed("off"),
        Cow::Borrowed("loads"),
    ];
    let ask = |at: usize, retry: bool, lifecycle: &mut dyn FnMut() -> Outcome<Nop>| {
        here(|here| {
            slot(at)
                .get_or_run_here(
                    here,
                    &Key::Names((&NS, &names[at])),
                    retry,
                    error,
                    lifecycle,
                )
                .map(|_| ())
        })
        .unwrap_or_else(|_| Err(error(PluginErrorKind::ThreadExiting)))
    };
    let mut failed = || Outcome::Failed(Box::new(error(PluginErrorKind::Interrupted)));
    let mut off = || Outcome::Disabled(Box::new(DisabledReason::ShouldLoad));

    assert!(ask(0, false, &mut failed).is_err());
    assert!(ask(1, false, &mut off).is_err());
    assert!(ask(2, false, &mut loaded).is_ok());

    assert!(matches!(slot(0).state(), PluginState::Failed(_)));
    assert!(matches!(
        slot(1).state(),
        PluginState::Disabled(DisabledReason::ShouldLoad)
    ));
    assert!(matches!(slot(2).state(), PluginState::Loaded { .. }));
    // Asked again, each answers from its own record, running nothing.
    let mut ran = false;
    let mut runs = || {
        ran = true;
        loaded()
    };
    let again = ask(0, false, &mut runs);
    assert!(again.is_err_and(|e| matches!(e.kind(), PluginErrorKind::Interrupted)));
    assert!(ask(1, false, &mut runs).is_err_and(|e| e.is_disabled()));
    assert!(!ran);
    // A retry of one replaces its record only.
    assert!(ask(1, true, &mut loaded).is_ok());
    assert!(matches!(slot(0).state(), PluginState::Failed(_)));
    assert!(matches!(slot(1).state(), PluginState::Loaded { .. }));
}
