//! Interfaces and hook points whose fingerprints take some care: the macros emit a `const` that
//! names every type of every signature it can, under each method's own `#[cfg]`s, and skips what
//! a `const` cannot name (`Self`, generic parameters, `impl Trait`); lifetimes become `'static`
//! there, but those a `for<..>` binds. All of it must compile, warning-free, and differ from the
//! same interface with another layout.
#![deny(warnings)]

use plux::{hook_point, plugin, plugin_interface, Plugin, PluginManager};

/// A struct of this crate in a signature.
#[derive(Default)]
pub struct Private {
    pub value: u64,
}

mod wide {
    /// The same name as `Private`, one more field.
    #[derive(Default)]
    pub struct Private {
        pub value: u64,
        pub more: u64,
    }
}

#[plugin_interface(namespace = "ui.fingerprint.shapes")]
pub trait Shapes {
    #[cfg(any())]
    fn never_compiled(&self, missing: DoesNotExist);

    fn parameters(&self, #[cfg(any())] never: DoesNotExist, #[cfg(all())] value: u32) -> u32 {
        value
    }

    #[cfg_attr(all(), doc = "Documented by a cfg_attr.")]
    fn borrowed<'a>(&'a self, text: &'a str, more: &[&'a str]) -> &'a str {
        more.first().copied().unwrap_or(text)
    }

    fn owned(&self, pair: (u8, [u16; 4]), boxed: Box<dyn Fn(&str) -> String + Send>) -> String {
        let _ = pair;
        boxed("x")
    }

    fn higher(&self, pick: for<'b> fn(&'b [&'b str]) -> &'b str) -> usize {
        pick(&["a"]).len()
    }

    fn private(&self) -> Private {
        Private::default()
    }

    fn generic<T: Default>(&self) -> T
    where
        Self: Sized,
    {
        T::default()
    }

    fn opaque(&self, items: impl Iterator<Item = u8>) -> usize
    where
        Self: Sized,
    {
        items.count()
    }

    fn trailing(
        &self,
        first: Option<&'static str>,
        second: Result<u32, String>,
    ) -> u32 {
        let _ = (first, second);
        0
    }
}

#[plugin_interface(namespace = "ui.fingerprint.narrow")]
pub trait Narrow {
    fn get(&self) -> Private;
}

mod other {
    use plux::plugin_interface;

    use super::wide::Private;

    /// The same tokens as `Narrow`, another layout of `Private`.
    #[plugin_interface(namespace = "ui.fingerprint.narrow")]
    pub trait Narrow {
        fn get(&self) -> Private;
    }
}

#[hook_point(namespace = "ui.fingerprint.pick")]
pub struct Pick(for<'a> fn(&'a [&'a str]) -> &'a str);

#[derive(Default)]
struct Square;

#[plugin(name = "square")]
impl Shapes for Square {}

#[plugin(hook = Pick)]
fn first<'a>(words: &'a [&'a str]) -> &'a str {
    words[0]
}

fn main() {
    let shapes = PluginManager::<dyn Shapes>::new();
    let square = shapes.load("square").unwrap();
    assert_eq!(square.borrowed("a", &[]), "a");
    assert_eq!(square.parameters(3), 3);
    assert_eq!(square.private().value, 0);
    assert_eq!(wide::Private::default().more, 0);
    let narrow = <dyn Narrow as Plugin>::FINGERPRINT.unwrap();
    let wide = <dyn other::Narrow as Plugin>::FINGERPRINT.unwrap();
    assert_ne!(narrow.definition(), wide.definition());
    assert!(<Pick as Plugin>::FINGERPRINT.unwrap().is_hook_point());
    let _ = first;
}
