#!/usr/bin/env python3
"""A user's cold build of a one-plugin program: plux against linkme and inventory.

Writes three standalone binary crates under --scratch (default /tmp/plux-cold), each declaring one
plugin behind a trait and loading it in `main`: with plux (`#[plugin_interface]`, `#[plugin]`,
`PluginManager`, by path to this repository), with linkme (`#[distributed_slice]`) and with
inventory (`inventory::submit!`). Then, round by round, interleaved (plux, linkme, inventory, plux,
...), builds each from nothing: `cargo build --offline` (debug) into a fresh target directory, and
records wall time, CPU time (user + sys of cargo and every rustc it runs) and the crates cargo
compiled (its `Compiling` lines). Prints a markdown table of the medians, with the load average
before and after (the machine may be shared).

  python3 benches/cold_build.py [--rounds 3] [--scratch DIR] [--compare LABEL=DIR ...]

`--compare before=/tmp/plux-main` adds a fourth program, the plux one built against another checkout
of plux (e.g. `git archive main | tar -x -C /tmp/plux-main`), in the same rounds: a change's
before and after under the same load.

Each crate gets a lock of its own (`cargo generate-lockfile`, `cargo fetch`) before the timing,
which builds offline.
Interleaving matters on a shared machine: the load drifts alike for the three.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PLUX = r'''
use plux::{plugin, plugin_interface, PluginManager};

#[plugin_interface(namespace = "app.greeters")]
pub trait Greeter {
    fn greet(&self) -> String;
}

/// Says hello.
#[derive(Default)]
struct Hello;

#[plugin]
impl Greeter for Hello {
    fn greet(&self) -> String {
        "hello".to_owned()
    }
}

fn main() {
    for greeter in PluginManager::<dyn Greeter>::new().load_all() {
        println!("{}", greeter.greet());
    }
}
'''

LINKME = r'''
use linkme::distributed_slice;

pub trait Greeter {
    fn greet(&self) -> String;
}

#[distributed_slice]
pub static GREETERS: [fn() -> Box<dyn Greeter>];

struct Hello;

impl Greeter for Hello {
    fn greet(&self) -> String {
        "hello".to_owned()
    }
}

#[distributed_slice(GREETERS)]
fn hello() -> Box<dyn Greeter> {
    Box::new(Hello)
}

fn main() {
    for make in GREETERS {
        println!("{}", make().greet());
    }
}
'''

INVENTORY = r'''
pub trait Greeter {
    fn greet(&self) -> String;
}

pub struct GreeterFactory(pub fn() -> Box<dyn Greeter>);

inventory::collect!(GreeterFactory);

struct Hello;

impl Greeter for Hello {
    fn greet(&self) -> String {
        "hello".to_owned()
    }
}

inventory::submit!(GreeterFactory(|| Box::new(Hello)));

fn main() {
    for factory in inventory::iter::<GreeterFactory> {
        println!("{}", (factory.0)().greet());
    }
}
'''

CRATES = {
    "plux": (f'plux = {{ path = "{REPO}" }}', PLUX),
    "linkme": ('linkme = "0.3"', LINKME),
    "inventory": ('inventory = "0.3"', INVENTORY),
}


def write(scratch: Path, crates: dict[str, tuple[str, str]]) -> None:
    for name, (dependency, main) in crates.items():
        root = scratch / name
        (root / "src").mkdir(parents=True, exist_ok=True)
        (root / "Cargo.toml").write_text(
            f'[package]\nname = "one-plugin-{name.replace("=", "-")}"\nversion = "0.1.0"\nedition = "2021"\n'
            f"publish = false\n\n[dependencies]\n{dependency}\n\n[workspace]\n"
        )
        (root / "src/main.rs").write_text(main.lstrip())


def build(root: Path) -> tuple[float, float, int]:
    """One cold build: (wall s, CPU s of cargo and its children, crates compiled)."""
    target = root / "target"
    shutil.rmtree(target, ignore_errors=True)
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), CARGO_TERM_COLOR="never")
    env.pop("RUSTFLAGS", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        ["cargo", "build", "--offline"], cwd=root, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{root}: cargo build failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    crates = sum(1 for line in done.stderr.splitlines() if line.strip().startswith("Compiling "))
    return wall, cpu, crates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/plux-cold"))
    parser.add_argument("--compare", action="append", default=[], metavar="LABEL=DIR",
                        help="also the plux program against the plux checkout in DIR")
    args = parser.parse_args()
    crates = dict(CRATES)
    for spec in args.compare:
        label, _, checkout = spec.partition("=")
        crates[f"plux={label}"] = (f'plux = {{ path = "{Path(checkout).resolve()}" }}', PLUX)
    write(args.scratch, crates)
    for name in crates:  # a lock of its own for each, resolved and fetched outside the timing
        for command in (["cargo", "generate-lockfile"], ["cargo", "fetch"]):
            subprocess.run(command, cwd=args.scratch / name, check=True, capture_output=True)
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in crates}
    load_before = os.getloadavg()[0]
    for round_ in range(args.rounds):
        for name in crates:
            runs[name].append(build(args.scratch / name))
            wall, cpu, compiled = runs[name][-1]
            print(f"round {round_ + 1} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
                  f"{compiled} crates", file=sys.stderr)
    load = os.getloadavg()[0]
    print(f"\n{args.rounds} rounds interleaved; load average {load_before:.1f} before, "
          f"{load:.1f} after\n")
    print("| one-plugin program | crates compiled | wall (median) | CPU user+sys (median) "
          "| wall / linkme | CPU / linkme |")
    print("|---|---|---|---|---|---|")
    linkme_wall = statistics.median(w for w, _, _ in runs["linkme"])
    linkme_cpu = statistics.median(c for _, c, _ in runs["linkme"])
    for name, results in runs.items():
        wall = statistics.median(w for w, _, _ in results)
        cpu = statistics.median(c for _, c, _ in results)
        compiled = results[-1][2]
        print(f"| {name} | {compiled} | {wall:.2f} s | {cpu:.2f} s | {wall / linkme_wall:.2f}x "
              f"| {cpu / linkme_cpu:.2f}x |")


if __name__ == "__main__":
    main()
