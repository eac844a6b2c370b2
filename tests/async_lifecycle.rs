//! The async lifecycle: `load_async`, `load_all_async` and `try_load_all_async`, on tokio's two
//! runtimes and on futures' executor, with plugins whose `load` is a future.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use plux::{BoxError, LoadFuture, Plugin, PluginErrorKind, PluginManager, PluginSpec, PluginState};

/// What happened, in order, across the plugins of one test.
#[derive(Default)]
struct Journal(Mutex<Vec<String>>);

impl Journal {
    fn note(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }
    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    fn position(&self, event: &str) -> usize {
        let events = self.events();
        events
            .iter()
            .position(|e| e == event)
            .unwrap_or_else(|| panic!("no `{event}` in {events:?}"))
    }
}

/// How a test plugin's load behaves.
#[derive(Clone)]
enum Behaviour {
    /// Yields this many times, then loads.
    Yields(usize),
    /// Waits for the gate to open.
    Gate(Arc<tokio::sync::Notify>),
    /// Panics at the given poll.
    PanicsAt(usize),
    /// Fails.
    Fails,
    /// Asks its own manager for this plugin while loading, and records the outcome.
    Asks(&'static str),
    /// Asks a fresh manager of its namespace for this plugin while loading.
    AsksFresh(&'static str),
}

struct Service {
    name: &'static str,
    behaviour: Behaviour,
    journal: Arc<Journal>,
    dropped: Arc<AtomicUsize>,
    /// What `Asks` got: loaded, or the error's kind.
    asked: Option<Result<(), String>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, SeqCst);
    }
}

/// The manager of the plugins under test: tests build it by hand, with a finder.
static MANAGERS: Mutex<Vec<&'static PluginManager<Service>>> = Mutex::new(Vec::new());

impl Plugin for Service {
    type Args = ();
    type Output = ();
    const LOADS_ASYNC: bool = true;

    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Err("loads asynchronously".into())
    }

    fn load_async<'a>(&'a mut self, _: &'a ()) -> LoadFuture<'a, ()> {
        Box::pin(async move {
            self.journal.note(format!("{} starts", self.name));
            match self.behaviour.clone() {
                Behaviour::Yields(times) => {
                    for _ in 0..times {
                        yield_now().await;
                    }
                }
                Behaviour::Gate(gate) => gate.notified().await,
                Behaviour::PanicsAt(poll) => {
                    for _ in 0..poll {
                        yield_now().await;
                    }
                    panic!("{} panics while loading", self.name);
                }
                Behaviour::Fails => return Err(format!("{} cannot start", self.name).into()),
                Behaviour::Asks(other) => {
                    let manager = *MANAGERS.lock().unwrap().last().unwrap();
                    let got = manager.load_async(other).await;
                    self.asked = Some(got.map(drop).map_err(|e| format!("{:?}", e.kind())));
                }
                Behaviour::AsksFresh(other) => {
                    // The same plugins, in a manager of their own.
                    let declared = vec![(other, Behaviour::AsksFresh(other), &[][..])];
                    let fresh = manager_of(&self.journal, declared).0;
                    let got = fresh.load_async(other).await;
                    self.asked = Some(got.map(drop).map_err(|e| format!("{:?}", e.kind())));
                }
            }
            self.journal.note(format!("{} loaded", self.name));
            Ok(())
        })
    }
}

/// Yields once to the executor, waking itself.
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

type Declared = (&'static str, Behaviour, &'static [&'static str]);

/// Counters of one plugin.
#[derive(Default, Clone)]
struct Counters {
    made: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
}

/// A manager of the plugins `declared` (name, behaviour, requires), all in `test.async`.
fn manager_of(
    journal: &Arc<Journal>,
    declared: Vec<Declared>,
) -> (PluginManager<Service>, Vec<Counters>) {
    let mut counters = Vec::new();
    let specs: Vec<PluginSpec> = declared
        .into_iter()
        .map(|(name, behaviour, requires)| {
            let counter = Counters::default();
            counters.push(counter.clone());
            let journal = journal.clone();
            let spec = PluginSpec::new("test.async", name, move || {
                counter.made.fetch_add(1, SeqCst);
                Ok(Box::new(Service {
                    name,
                    behaviour: behaviour.clone(),
                    journal: journal.clone(),
                    dropped: counter.dropped.clone(),
                    asked: None,
                }))
            })
            .unwrap();
            spec.with_requires(requires.iter().copied()).unwrap()
        })
        .collect();
    let manager = PluginManager::<Service>::in_namespace("test.async").finder(specs);
    (manager, counters)
}

fn leak(manager: PluginManager<Service>) -> &'static PluginManager<Service> {
    let manager = Box::leak(Box::new(manager));
    MANAGERS.lock().unwrap().push(manager);
    manager
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `test` on each executor: tokio's current-thread and multi-thread runtimes, and futures'
/// executor.
fn on_every_executor<F: Future<Output = ()> + Send + 'static>(test: impl Fn() -> F) {
    current_thread().block_on(test());
    multi_thread().block_on(test());
    futures::executor::block_on(test());
}

#[test]
fn independent_plugins_load_concurrently_and_dependents_after_their_requirements() {
    on_every_executor(|| async {
        let journal = Arc::new(Journal::default());
        let (manager, _) = manager_of(
            &journal,
            vec![
                ("a", Behaviour::Yields(3), &[]),
                ("b", Behaviour::Yields(3), &["a"]),
                ("c", Behaviour::Yields(3), &[]),
            ],
        );
        let loaded = manager.load_all_async().await;
        assert_eq!(loaded.len(), 3);
        // Both `a` and `c` were under way before either finished: concurrent.
        assert!(journal.position("c starts") < journal.position("a loaded"));
        assert!(journal.position("a starts") < journal.position("c loaded"));
        // `b` started after `a`, which it requires, finished.
        assert!(journal.position("a loaded") < journal.position("b starts"));
        // Results in load order, whatever the order they finished in.
        assert_eq!(manager.list_names(), ["a", "b", "c"]);
        let names: Vec<_> = loaded.iter().map(|p| p.name).collect();
        assert_eq!(names, ["a", "b", "c"]);
    });
}

#[test]
fn the_blocking_api_refuses_an_async_plugin_until_it_is_loaded() {
    let journal = Arc::new(Journal::default());
    let (manager, counters) = manager_of(&journal, vec![("a", Behaviour::Yields(1), &[])]);
    let error = manager.load("a").unwrap_err();
    assert!(
        matches!(error.kind(), PluginErrorKind::LoadsAsync),
        "{error}"
    );
    assert!(manager.load_all().is_empty());
    assert!(matches!(
        manager.try_load_all().unwrap_err().kind(),
        PluginErrorKind::LoadsAsync
    ));
    // Nothing ran, nothing is recorded.
    assert_eq!(counters[0].made.load(SeqCst), 0);
    assert!(matches!(manager.state("a"), Some(PluginState::Resolved)));

    let loaded = futures::executor::block_on(manager.load_async("a")).unwrap();
    assert!(Arc::ptr_eq(&loaded, &manager.load("a").unwrap()));
    assert_eq!(manager.load_all().len(), 1);
}

#[test]
fn each_lifecycle_runs_once_across_tasks_and_threads() {
    let runtime = multi_thread();
    let journal = Arc::new(Journal::default());
    let declared: Vec<Declared> = vec![
        ("a", Behaviour::Yields(5), &[]),
        ("b", Behaviour::Yields(2), &["a"]),
        ("c", Behaviour::Yields(7), &[]),
        ("d", Behaviour::Yields(1), &["b", "c"]),
    ];
    let (manager, counters) = manager_of(&journal, declared);
    let manager = leak(manager);
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            runtime.spawn(async move {
                match i % 4 {
                    0 => manager.load_all_async().await.len(),
                    1 => manager.load_async("d").await.map(|_| 4).unwrap(),
                    2 => manager.try_load_all_async().await.unwrap().len(),
                    _ => manager.load_async("c").await.map(|_| 4).unwrap(),
                }
            })
        })
        .collect();
    let threads: Vec<_> = (0..2)
        .map(|_| std::thread::spawn(move || futures::executor::block_on(manager.load_all_async())))
        .collect();
    for task in tasks {
        assert_eq!(runtime.block_on(task).unwrap(), 4);
    }
    for thread in threads {
        assert_eq!(thread.join().unwrap().len(), 4);
    }
    for counter in &counters {
        assert_eq!(counter.made.load(SeqCst), 1);
    }
    let first = manager.load("d").unwrap();
    assert!(Arc::ptr_eq(
        &first,
        &runtime.block_on(manager.load_async("d")).unwrap()
    ));
}

#[test]
fn a_task_asking_for_a_plugin_that_loads_awaits_it_without_blocking_the_thread() {
    // One thread: were the second task to block it, the first could never finish.
    current_thread().block_on(async {
        let journal = Arc::new(Journal::default());
        let gate = Arc::new(tokio::sync::Notify::new());
        let (manager, counters) =
            manager_of(&journal, vec![("slow", Behaviour::Gate(gate.clone()), &[])]);
        let manager = leak(manager);
        let first = tokio::spawn(manager.load_async("slow"));
        let second = tokio::spawn(manager.load_async("slow"));
        // Both under way: the first in its `load`, the second waiting for it.
        while !matches!(manager.state("slow"), Some(PluginState::Loading)) {
            tokio::task::yield_now().await;
        }
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        gate.notify_one();
        let (first, second) = (
            first.await.unwrap().unwrap(),
            second.await.unwrap().unwrap(),
        );
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(counters[0].made.load(SeqCst), 1);
    });
}

/// A waker that does nothing: the tests that use it poll by hand.
struct Nothing;

impl Wake for Nothing {
    fn wake(self: Arc<Self>) {}
}

/// Polls `future` `polls` times (or until ready), then drops it.
fn poll_then_drop<F: Future>(future: F, polls: usize) -> bool {
    let waker = Waker::from(Arc::new(Nothing));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    for _ in 0..polls {
        if future.as_mut().poll(&mut cx).is_ready() {
            return true;
        }
    }
    false
}

#[test]
fn a_load_dropped_at_any_await_point_leaves_no_plugin_stuck() {
    // `a` yields 3 times, `b` (requiring `a`) twice: 7 polls see every await point of both.
    for polls in 0..8 {
        let journal = Arc::new(Journal::default());
        let (manager, counters) = manager_of(
            &journal,
            vec![
                ("a", Behaviour::Yields(3), &[]),
                ("b", Behaviour::Yields(2), &["a"]),
            ],
        );
        let finished = poll_then_drop(manager.load_all_async(), polls);
        for (name, counter) in ["a", "b"].into_iter().zip(&counters) {
            // Whatever was made was dropped with the future; nothing is left running.
            let made = counter.made.load(SeqCst);
            let state = manager.state(name).unwrap();
            match state {
                PluginState::Resolved => assert_eq!(made, 0, "{polls} polls: {name}"),
                PluginState::Failed(error) => {
                    assert!(
                        matches!(error.kind(), PluginErrorKind::Cancelled),
                        "{error}"
                    );
                    assert_eq!(counter.dropped.load(SeqCst), made, "{polls} polls: {name}");
                }
                PluginState::Loaded { .. } => {}
                other => panic!("{polls} polls: {name} is {other:?}"),
            }
        }
        // The next call gets the recorded outcome; a retry loads the cancelled ones.
        let all = futures::executor::block_on(async {
            for name in ["a", "b"] {
                if let Err(error) = manager.load_async(name).await {
                    assert!(
                        matches!(error.kind(), PluginErrorKind::Cancelled),
                        "{error}"
                    );
                    manager.retry_async(name).await.unwrap();
                }
            }
            manager.load_all_async().await
        });
        assert_eq!(all.len(), 2, "{polls} polls (finished: {finished})");
    }
}

#[test]
fn a_waiting_task_hears_of_a_cancelled_load() {
    let journal = Arc::new(Journal::default());
    let gate = Arc::new(tokio::sync::Notify::new());
    let (manager, _) = manager_of(&journal, vec![("slow", Behaviour::Gate(gate), &[])]);
    futures::executor::block_on(async {
        let mut first = Box::pin(manager.load_async("slow"));
        let second = manager.load_async("slow");
        // The first is in `load`; the second waits for it, then the first is dropped.
        assert!(poll_once(first.as_mut()).is_pending());
        let mut second = Box::pin(second);
        assert!(poll_once(second.as_mut()).is_pending());
        drop(first);
        let error = second.await.unwrap_err();
        assert!(
            matches!(error.kind(), PluginErrorKind::Cancelled),
            "{error}"
        );
    });
}

fn poll_once<F: Future + ?Sized>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    let waker = Waker::from(Arc::new(Nothing));
    future.poll(&mut Context::from_waker(&waker))
}

#[test]
fn a_panic_or_an_error_in_a_load_fails_that_plugin_only() {
    on_every_executor(|| async {
        let journal = Arc::new(Journal::default());
        let (manager, _) = manager_of(
            &journal,
            vec![
                ("boom", Behaviour::PanicsAt(2), &[]),
                ("broken", Behaviour::Fails, &[]),
                ("dependent", Behaviour::Yields(1), &["boom"]),
                ("fine", Behaviour::Yields(2), &[]),
            ],
        );
        let loaded = manager.load_all_async().await;
        let names: Vec<_> = loaded.iter().map(|p| p.name).collect();
        assert_eq!(names, ["fine"]);
        let Some(PluginState::Failed(error)) = manager.state("boom") else {
            panic!("{:?}", manager.state("boom"));
        };
        assert!(
            matches!(error.kind(), PluginErrorKind::Panicked { .. }),
            "{error}"
        );
        assert!(matches!(
            manager.state("broken"),
            Some(PluginState::Failed(_))
        ));
        assert!(matches!(
            manager.state("dependent"),
            Some(PluginState::Disabled(_))
        ));
        let first = manager.try_load_all_async().await.unwrap_err();
        assert_eq!(first.name(), Some("boom"));
    });
}

#[test]
fn a_load_that_awaits_itself_is_reentrant_never_a_hang() {
    on_every_executor(|| async {
        let journal = Arc::new(Journal::default());
        let (manager, _) = manager_of(
            &journal,
            vec![
                ("itself", Behaviour::Asks("itself"), &[]),
                ("ping", Behaviour::Asks("pong"), &[]),
                ("pong", Behaviour::Asks("ping"), &[]),
                ("fresh", Behaviour::AsksFresh("fresh"), &[]),
            ],
        );
        let manager = leak(manager);
        let loaded = manager.load_all_async().await;
        let asked = |name: &str| {
            loaded
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.asked.clone())
        };
        let reentrant = Some(Some(Err("Reentrant".to_owned())));
        assert_eq!(asked("itself"), reentrant);
        assert_eq!(asked("fresh"), reentrant);
        // One of `ping` and `pong` is told it is re-entrant; the other then gets it loaded.
        let (ping, pong) = (asked("ping").unwrap(), asked("pong").unwrap());
        assert!(
            matches!(
                (&ping, &pong),
                (Some(Ok(())), Some(Err(kind))) | (Some(Err(kind)), Some(Ok(())))
                    if kind == "Reentrant"
            ),
            "{ping:?} {pong:?}"
        );
    });
}

mod interface {
    //! `async fn load` in an interface, through `#[plugin_interface]` and `#[plugin]`.

    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    use plux::{plugin, plugin_interface, BoxError, PluginErrorKind, PluginManager};

    pub struct Config {
        pub port: u16,
    }

    #[plugin_interface(namespace = "test.async.services")]
    pub trait Service {
        async fn load(&mut self, config: &Config) -> Result<u16, BoxError>;
        fn name(&self) -> &str;
        /// Other async methods are boxed too, and work through `dyn Service`.
        async fn stop(&self, reason: &str) -> String {
            format!("{} stopped: {reason}", self.name())
        }
    }

    static STARTED: AtomicUsize = AtomicUsize::new(0);

    #[derive(Default)]
    struct Database {
        port: u16,
    }

    #[plugin(name = "database")]
    impl Service for Database {
        async fn load(&mut self, config: &Config) -> Result<u16, BoxError> {
            super::yield_now().await;
            self.port = config.port;
            STARTED.fetch_add(1, SeqCst);
            Ok(self.port)
        }
        fn name(&self) -> &str {
            "database"
        }
    }

    #[derive(Default)]
    struct Web;

    #[plugin(name = "web", requires = ["database"])]
    impl Service for Web {
        async fn load(&mut self, config: &Config) -> Result<u16, BoxError> {
            if config.port == 0 {
                return Err("no port".into());
            }
            STARTED.fetch_add(1, SeqCst);
            Ok(config.port + 1)
        }
        fn name(&self) -> &str {
            "web"
        }
        async fn stop(&self, reason: &str) -> String {
            super::yield_now().await;
            format!("web drained: {reason}")
        }
    }

    #[test]
    fn an_interface_with_an_async_load_loads_through_dyn() {
        let manager = PluginManager::<dyn Service>::with_args(Config { port: 8080 });
        assert!(matches!(
            manager.load("web").unwrap_err().kind(),
            PluginErrorKind::LoadsAsync
        ));
        let services = super::current_thread().block_on(manager.load_all_async());
        let names: Vec<_> = services.iter().map(|s| s.name().to_owned()).collect();
        assert_eq!(names, ["database", "web"]);
        assert_eq!(STARTED.load(SeqCst), 2);
        let Some(plux::PluginState::Loaded { output, .. }) = manager.state("web") else {
            panic!("web is not loaded");
        };
        assert_eq!(*output, 8081);
        let stopped = futures::executor::block_on(async {
            let mut stopped = Vec::new();
            for service in services.iter().rev() {
                stopped.push(service.stop("shutdown").await);
            }
            stopped
        });
        assert_eq!(
            stopped,
            ["web drained: shutdown", "database stopped: shutdown"]
        );
    }
}

/// Hears and decides as a demanding application's listener would.
struct Referee(Arc<Journal>);

impl plux::PluginLifecycleListener<Service> for Referee {
    fn on_init_after(&self, spec: &PluginSpec, _: &Service) {
        self.0.note(format!("{}: init", spec.name()));
    }
    fn on_load_before(&self, spec: &PluginSpec, _: &Service, _: &()) {
        self.0.note(format!("{}: before", spec.name()));
    }
    fn on_load_after(&self, spec: &PluginSpec, _: &Service, _: &()) {
        self.0.note(format!("{}: after", spec.name()));
    }
    fn approve(&self, spec: &PluginSpec, _: &Service) -> Result<(), plux::Veto> {
        match spec.name() {
            "vetoed" => Err(plux::Veto::new("not in this deployment")),
            _ => Ok(()),
        }
    }
    fn confirm(&self, spec: &PluginSpec, _: &Service, _: &()) -> Result<(), BoxError> {
        match spec.name() {
            "rejected" => Err("its health check failed".into()),
            _ => Ok(()),
        }
    }
}

#[test]
fn listeners_filters_and_vetoes_hold_for_async_loads() {
    on_every_executor(|| async {
        let journal = Arc::new(Journal::default());
        let heard = Arc::new(Journal::default());
        let (manager, counters) = manager_of(
            &journal,
            vec![
                ("kept", Behaviour::Yields(2), &[]),
                ("filtered", Behaviour::Yields(1), &[]),
                ("vetoed", Behaviour::Yields(1), &[]),
                ("rejected", Behaviour::Yields(1), &[]),
            ],
        );
        let manager = manager
            .filter(|spec| spec.name() != "filtered")
            .listener(Referee(heard.clone()));
        let loaded = manager.load_all_async().await;
        let names: Vec<_> = loaded.iter().map(|p| p.name).collect();
        assert_eq!(names, ["kept"]);
        // Concurrent: the events of the plugins interleave, each plugin's in order.
        let mut events = heard.events();
        events.sort();
        let expected = [
            "kept: after",
            "kept: before",
            "kept: init",
            "rejected: before",
            "rejected: init",
            "vetoed: init",
        ];
        assert_eq!(events, expected);
        assert!(heard.position("kept: before") < heard.position("kept: after"));
        // Filtered before it was made; vetoed before its load; rejected after it.
        assert_eq!(counters[1].made.load(SeqCst), 0);
        assert!(!journal.events().contains(&"vetoed starts".to_owned()));
        assert!(journal.events().contains(&"rejected loaded".to_owned()));
        assert!(matches!(
            manager.state("filtered"),
            Some(PluginState::Disabled(_))
        ));
        assert!(matches!(
            manager.state("vetoed"),
            Some(PluginState::Disabled(_))
        ));
        let Some(PluginState::Failed(error)) = manager.state("rejected") else {
            panic!("{:?}", manager.state("rejected"));
        };
        assert!(
            matches!(error.kind(), PluginErrorKind::Rejected { .. }),
            "{error}"
        );
        // What was made and not kept was dropped.
        for counter in &counters[2..] {
            assert_eq!(counter.dropped.load(SeqCst), counter.made.load(SeqCst));
        }
    });
}

#[test]
fn inspect_says_which_namespaces_load_asynchronously() {
    let journal = Arc::new(Journal::default());
    let (manager, _) = manager_of(&journal, vec![("a", Behaviour::Yields(1), &[])]);
    let report = plux::inspect::Report::collect().with_states(&manager);
    let text = report.to_string();
    assert!(text.contains("test.async (1, async load)"), "{text}");
    assert!(report
        .to_json()
        .contains("\"namespace\":\"test.async\",\"loads_async\":true"));
    let blocking = PluginManager::<plux::FunctionPlugin<fn()>>::in_namespace("test.blocking");
    let text = plux::inspect::Report::collect()
        .with_states(&blocking)
        .to_string();
    assert!(text.contains("test.blocking (0)"), "{text}");
}

mod unload {
    //! `unload`: once per manager, in reverse load order, each failure contained.

    use std::sync::Mutex;

    use plux::{plugin, plugin_interface, BoxError, PluginErrorKind, PluginManager, Stage};

    static UNLOADED: Mutex<Vec<&str>> = Mutex::new(Vec::new());

    #[plugin_interface(namespace = "test.async.unload")]
    pub trait Worker {
        async fn load(&mut self) -> Result<(), BoxError>;
        async fn unload(&self) -> Result<(), BoxError>;
    }

    #[derive(Default)]
    struct Queue;

    #[plugin(name = "a")]
    impl Worker for Queue {
        async fn load(&mut self) -> Result<(), BoxError> {
            Ok(())
        }
        async fn unload(&self) -> Result<(), BoxError> {
            super::yield_now().await;
            UNLOADED.lock().unwrap().push("a");
            Ok(())
        }
    }

    #[derive(Default)]
    struct Stubborn;

    #[plugin(name = "b", requires = ["a"])]
    impl Worker for Stubborn {
        async fn load(&mut self) -> Result<(), BoxError> {
            Ok(())
        }
        async fn unload(&self) -> Result<(), BoxError> {
            UNLOADED.lock().unwrap().push("b");
            Err("still draining".into())
        }
    }

    #[derive(Default)]
    struct Crashes;

    #[plugin(name = "c")]
    impl Worker for Crashes {
        async fn load(&mut self) -> Result<(), BoxError> {
            Ok(())
        }
        async fn unload(&self) -> Result<(), BoxError> {
            super::yield_now().await;
            UNLOADED.lock().unwrap().push("c");
            panic!("c cannot stop");
        }
    }

    #[test]
    fn each_plugin_unloads_once_in_reverse_load_order_its_failure_contained() {
        let manager = PluginManager::<dyn Worker>::new();
        let failures = super::current_thread().block_on(async {
            assert_eq!(manager.load_all_async().await.len(), 3);
            // The blocking unload does not block on a future: it says so, and nothing runs.
            let refused = manager.unload_all();
            assert_eq!(refused.len(), 1);
            assert!(matches!(refused[0].kind(), PluginErrorKind::Unload(_)));
            assert!(UNLOADED.lock().unwrap().is_empty());
            manager.unload_all_async().await
        });
        assert_eq!(*UNLOADED.lock().unwrap(), ["c", "b", "a"]);
        let failed: Vec<_> = failures.iter().map(|e| e.name().unwrap()).collect();
        assert_eq!(failed, ["c", "b"]);
        assert!(matches!(
            failures[0].kind(),
            PluginErrorKind::Panicked {
                stage: Stage::Unload,
                ..
            }
        ));
        assert!(matches!(failures[1].kind(), PluginErrorKind::Unload(_)));
        // Once per manager.
        assert!(futures::executor::block_on(manager.unload_all_async()).is_empty());
        assert_eq!(UNLOADED.lock().unwrap().len(), 3);
    }
}

/// A plugin whose `load` is not a future, and blocks until its gate opens.
struct Blocking(Option<Mutex<std::sync::mpsc::Receiver<()>>>);

impl Plugin for Blocking {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        if let Some(gate) = self.0.take() {
            gate.into_inner().unwrap().recv()?;
        }
        Ok(())
    }
}

#[test]
fn plugins_whose_load_is_not_a_future_load_in_order_and_a_busy_one_is_awaited_not_blocked_on() {
    let (open, gate) = std::sync::mpsc::channel();
    let gate = Mutex::new(Some(gate));
    let specs = vec![
        PluginSpec::new("test.sync", "a", || Ok(Box::new(Blocking(None)))).unwrap(),
        PluginSpec::new("test.sync", "slow", move || {
            Ok(Box::new(Blocking(
                gate.lock().unwrap().take().map(Mutex::new),
            )))
        })
        .unwrap(),
        PluginSpec::new("test.sync", "z", || Ok(Box::new(Blocking(None))))
            .unwrap()
            .with_requires(["slow"])
            .unwrap(),
    ];
    let manager: &'static PluginManager<Blocking> = Box::leak(Box::new(
        PluginManager::in_namespace("test.sync").finder(specs),
    ));
    // Another thread runs `slow`'s blocking lifecycle, held at its gate.
    let thread = std::thread::spawn(move || manager.load("slow").map(drop));
    while !matches!(manager.state("slow"), Some(PluginState::Loading)) {
        std::thread::yield_now();
    }
    // One thread for the runtime: were the start to block it on `slow`, the task that opens the
    // gate could never run.
    let loaded = current_thread().block_on(async move {
        let opener = tokio::spawn(async move {
            while !manager.is_loaded("a") {
                tokio::task::yield_now().await;
            }
            open.send(()).unwrap();
        });
        let loaded = manager.load_all_async().await;
        opener.await.unwrap();
        loaded
    });
    thread.join().unwrap().unwrap();
    assert_eq!(loaded.len(), 3);
    assert_eq!(manager.list_names(), ["a", "slow", "z"]);
}
