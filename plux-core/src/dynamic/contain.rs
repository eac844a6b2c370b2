//! Panics caught on the side of the artifact that raised them.
//!
//! A plugin library has its own copy of std: a panic that unwinds out of it into the program
//! that opened it is a foreign exception there, which `catch_unwind` cannot catch (the process
//! aborts). So every entry point of the plugin lifecycle that a library implements runs under
//! the library's own `catch_unwind` ([`catch`], instantiated in the library), crosses as a
//! [`Caught`] value, and is raised again on the program's side ([`resume`]), where the manager
//! contains it like any panic.
//!
//! Calls that the program makes into library code without plux in between (an interface
//! method, a hook fn, the `Drop` or `Display` of what the library handed out) cannot return a
//! [`Caught`]: they run under [`guarded`], which catches on the library's side and raises the
//! panic again with a function of the program's ([`raise_here`], installed at open), so that the
//! panic that unwinds into the program is the program's own.

use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use crate::contain::panic_message;
use crate::plugin::{BoxError, LoadFuture, LoadResult};

/// A panic caught where it was raised, carried across as its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caught {
    message: String,
}

impl Caught {
    /// The panic's message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Runs `f`, catching a panic with the `catch_unwind` of the artifact that instantiates this
/// function: called from a library's code, the library's own.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Caught> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| Caught {
        message: panic_message(panic),
    })
}

/// The value, or the caught panic raised again here, as a `String` payload, without running the
/// panic hook a second time.
pub fn resume<R>(result: Result<R, Caught>) -> R {
    match result {
        Ok(value) => value,
        Err(caught) => raise_here(caught),
    }
}

/// Raises a caught panic again with this artifact's std: in a program, what a library it opened
/// calls to raise a panic the library caught ([`install_raise`]).
pub(crate) fn raise_here(caught: Caught) -> ! {
    resume_unwind(Box::new(caught.message))
}

/// How this artifact raises a panic it caught: in a plugin library that a program opened, the
/// program's [`raise_here`]; unset in a program.
static RAISE: OnceLock<fn(Caught) -> !> = OnceLock::new();

/// Makes this library raise the panics it catches in [`guarded`] with `raise`, the program's
/// [`raise_here`]. Called by the program that opens the library, before anything else of it
/// runs; a second call (another program's) changes nothing, as there is one program per process.
pub(crate) fn install_raise(raise: fn(Caught) -> !) {
    let _ = RAISE.set(raise);
}

/// Runs `f`, catching a panic on this artifact's side and raising it again on the side of the
/// program that opened this library (or here, when no program did): what every call that the
/// program makes into library code without plux in between runs under.
pub fn guarded<R>(f: impl FnOnce() -> R) -> R {
    match catch(f) {
        Ok(value) => value,
        Err(caught) => match RAISE.get() {
            Some(raise) => raise(caught),
            None => raise_here(caught),
        },
    }
}

/// A plugin's async `load` as the manager awaits it through `dyn Interface`: its output made a
/// [`LoadResult`]'s, and every poll caught on the side of the artifact that made it.
pub type CaughtLoad<'a, O> =
    Pin<Box<dyn Future<Output = Result<Result<O, BoxError>, Caught>> + Send + 'a>>;

/// The load that `start` makes, with `start` and each poll of the load under [`catch`]: called by
/// an interface's hidden `__plux_load_async`, so instantiated where the plugin was compiled (in a
/// plugin library, with its std).
pub fn catch_load<'a, F>(
    start: impl FnOnce() -> F,
) -> CaughtLoad<'a, <F::Output as LoadResult>::Output>
where
    F: Future + Unpin + Send + 'a,
    F::Output: LoadResult,
{
    match catch(start) {
        Ok(load) => Box::pin(CatchPolls(load)),
        Err(caught) => Box::pin(std::future::ready(Err(caught))),
    }
}

/// A load whose polls are caught (see [`catch_load`]).
struct CatchPolls<F>(F);

impl<F> Future for CatchPolls<F>
where
    F: Future + Unpin,
    F::Output: LoadResult,
{
    type Output = Result<Result<<F::Output as LoadResult>::Output, BoxError>, Caught>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let load = &mut self.get_mut().0;
        // The conversion of the plugin's error is its code too.
        match catch(|| Pin::new(load).poll(cx).map(LoadResult::into_result)) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready(Ok(result)),
            Err(caught) => Poll::Ready(Err(caught)),
        }
    }
}

/// The load that [`catch_load`] made, each caught panic raised again here, on the side of the
/// manager, which contains it: `Plugin::load_async` of `dyn Interface`.
pub fn resume_load<O: 'static>(load: CaughtLoad<'_, O>) -> LoadFuture<'_, O> {
    Box::pin(ResumePolls(load))
}

/// A load whose caught panics are raised again (see [`resume_load`]).
struct ResumePolls<'a, O>(CaughtLoad<'a, O>);

impl<O> Future for ResumePolls<'_, O> {
    type Output = Result<O, BoxError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx).map(resume)
    }
}
