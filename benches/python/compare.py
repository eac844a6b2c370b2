#!/usr/bin/env python3
"""Runs plux's registry bench and plux-Python side by side; prints the tables BENCHMARKS.md quotes.

    python3 benches/python/compare.py              # everything (~6 minutes on 2 cores)
    python3 benches/python/compare.py --quick      # short measurements, for a smoke run
    python3 benches/python/compare.py --footprint  # also: binary cost per spec (4 release builds)
    python3 benches/python/compare.py --e2e-only   # only the end-to-end goal, 3 runs (~1 minute)

1. plux against its floors: `cargo bench --bench registry --bench fn_plugins --bench
   large_namespace` (criterion), read back from criterion's estimates.json files.
2. The end-to-end goal (issue 24): a new process's first `load_all` of 1 000, above the same
   binary's empty `main`, against the same 1 000 loaded from a hand-written list, for the bench
   fixture and for a program of 1 000 `#[plugin] fn`s; the six processes in random order each
   round, --e2e-runs runs of --e2e-rounds rounds, each run's ratio and their median.
3. plux against plux-Python, two ways:
   (a) end to end: whole processes that start, find the 1 000 plugins of a namespace, load them
       all and exit, each minus its own empty process (the same Rust binary returning at the
       start of `main`; `python -c pass` in the same venv), run here interleaved, each round in
       random order, and timed from spawn to exit;
   (b) in-process, per manager: the criterion figures beside bench_plux.py's, which times
       plux-Python in one process with time.perf_counter.
   The Python side is a venv in benches/python/.venv with `plux` from PyPI and a throwaway
   distribution (built here as a wheel, installed with pip) that registers the same
   10 namespaces x 1000 plugins as entry points.
Every figure is a median; every ratio compares figures of the same run.

Only the standard library is needed, plus cargo, and readelf/nm (binutils) for the footprint.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
VENV = HERE / ".venv"
BUILD = HERE / "build"
PLUX_PYTHON = "plux==1.16.0"
NAMESPACES = 10
DEFAULT_PER_NAMESPACE = 1000
DIST = "plux_bench_plugins"
# The Rust fixture's specs: 10 x 1000, and 100 in `bench.small`.
SPECS = NAMESPACES * DEFAULT_PER_NAMESPACE + DEFAULT_PER_NAMESPACE // 10
NAMESPACE = "bench.ns3"


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(command, **kwargs):
    log("$ " + " ".join(str(part) for part in command))
    return subprocess.run(command, check=True, **kwargs)


# ---------------------------------------------------------------------------------------------
# Python side


def venv_python():
    python = VENV / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(VENV)])
    installed = subprocess.run(
        [str(python), "-m", "pip", "show", "plux"], capture_output=True, text=True
    ).stdout
    wanted = PLUX_PYTHON.split("==")[1]
    if f"Version: {wanted}\n" not in installed:
        run([str(python), "-m", "pip", "install", "--quiet", PLUX_PYTHON])
    return python


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(per_namespace):
    """A wheel of the throwaway distribution: one module of PluginSpecs, and the entry points."""
    module = f'''"""Throwaway plugins for benches/python/compare.py."""
from plux import Plugin, PluginSpec


class Trivial(Plugin):
    def __init__(self):
        self.loaded = False

    def load(self, *args, **kwargs):
        self.loaded = True


def _register(namespace_count, per_namespace):
    found = globals()
    for ns in range(namespace_count):
        for i in range(per_namespace):
            found[f"ns{{ns}}_plugin_{{i:04d}}"] = PluginSpec(
                f"bench.ns{{ns}}", f"plugin-{{i:04d}}", Trivial
            )


_register({NAMESPACES}, {per_namespace})
'''
    entry_points = []
    for ns in range(NAMESPACES):
        entry_points.append(f"[bench.ns{ns}]")
        entry_points += [
            f"plugin-{i:04d} = {DIST}:ns{ns}_plugin_{i:04d}" for i in range(per_namespace)
        ]
        entry_points.append("")
    info = f"{DIST}-0.0.{per_namespace}.dist-info"
    files = {
        f"{DIST}.py": module.encode(),
        f"{info}/METADATA": (
            f"Metadata-Version: 2.1\nName: plux-bench-plugins\nVersion: 0.0.{per_namespace}\n"
        ).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: compare.py\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": "\n".join(entry_points).encode(),
    }
    BUILD.mkdir(parents=True, exist_ok=True)
    wheel = BUILD / f"{DIST}-0.0.{per_namespace}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        record = [record_line(path, data) for path, data in files.items()]
        archive.writestr(f"{info}/RECORD", "\n".join(record + [f"{info}/RECORD,,"]) + "\n")
    return wheel


def python_env():
    """plux-Python's entry-point cache goes to build/cache, not to ~/.cache."""
    return dict(os.environ, XDG_CACHE_HOME=str(BUILD / "cache"))


def install_python_side(per_namespace):
    """The venv, with plux-Python and the throwaway plugin distribution; returns its python."""
    python = venv_python()
    wheel = build_wheel(per_namespace)
    run([str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(wheel)])
    return python


def python_side(python, quick):
    command = [str(python), str(HERE / "bench_plux.py")] + (["--quick"] if quick else [])
    output = run(command, env=python_env(), capture_output=True, text=True).stdout
    return json.loads(output)


# ---------------------------------------------------------------------------------------------
# Rust side


def target_dir():
    metadata = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout
    return Path(json.loads(metadata)["target_directory"])


# The criterion benches whose groups the tables read: the fixture's (10 100 specs), the program
# of 1 000 function plugins, and the namespace of 10 000.
RUST_BENCHES = ("registry", "fn_plugins", "large_namespace")


def rust_side(quick):
    env = dict(os.environ)
    if quick:
        env["PLUX_BENCH_QUICK"] = "1"
    # Criterion's report goes to stderr with the rest of the log; stdout is the tables.
    benches = [arg for bench in RUST_BENCHES for arg in ("--bench", bench)]
    run(["cargo", "bench", *benches], cwd=REPO, env=env, stdout=sys.stderr)


def criterion_results():
    """`group/bench` -> median seconds, from criterion's last run of each bench."""
    results = {}
    for estimates in (target_dir() / "criterion").glob("*/*/new/estimates.json"):
        bench = estimates.parent.parent
        median = json.loads(estimates.read_text())["median"]["point_estimate"]
        results[f"{bench.parent.name}/{bench.name}"] = median * 1e-9
    return results


def bench_binary(env=None, target=None, features=(), bench="registry"):
    """Builds the `bench` bench target; returns its executable."""
    env = dict(os.environ, **(env or {}))
    if target:
        env["CARGO_TARGET_DIR"] = str(target)
    command = ["cargo", "bench", "--bench", bench, "--no-run", "--message-format=json"]
    command += [f"--features={feature}" for feature in features]
    output = run(command, cwd=REPO, env=env, capture_output=True, text=True).stdout
    for line in output.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == bench:
            if message.get("executable"):
                return Path(message["executable"])
    raise SystemExit(f"cargo built no {bench} bench")


# ---------------------------------------------------------------------------------------------
# Footprint


def sections(binary):
    """Section name -> (address, size)."""
    found = {}
    text = subprocess.run(["readelf", "-SW", str(binary)], check=True, capture_output=True, text=True).stdout
    for match in re.finditer(r"\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", text):
        found[match.group(1)] = (int(match.group(2), 16), int(match.group(3), 16))
    return found


def init_functions(binary):
    """The functions that .init_array, .preinit_array and .ctors run before main, by name."""
    found = sections(binary)
    relocations = subprocess.run(["readelf", "-rW", str(binary)], check=True, capture_output=True, text=True).stdout
    symbols = {}
    for line in subprocess.run(["nm", "-C", str(binary)], check=True, capture_output=True, text=True).stdout.splitlines():
        match = re.fullmatch(r"([0-9a-f]+) [tT] (.*)", line)
        if match:
            symbols[int(match.group(1), 16)] = match.group(2)
    functions = []
    for name in (".preinit_array", ".init_array", ".ctors"):
        if name not in found:
            continue
        start, size = found[name]
        for line in relocations.splitlines():
            fields = line.split()
            if len(fields) >= 4 and re.fullmatch(r"[0-9a-f]{8,16}", fields[0]):
                offset = int(fields[0], 16)
                if start <= offset < start + size:
                    target = int(fields[-1], 16)
                    functions.append(f"{name}: {symbols.get(target, hex(target))}")
    return functions


def loader_statistics(binary):
    """(relative relocations, relocation cycles) that ld.so reports before main."""
    env = dict(os.environ, LD_DEBUG="statistics", PLUX_BENCH_CHILD="empty")
    samples = []
    for _ in range(15):
        stderr = subprocess.run([str(binary)], env=env, capture_output=True, text=True).stderr
        cycles = re.search(r"time needed for relocation: (\d+) cycles", stderr)
        relocations = re.search(r"number of relative relocations: (\d+)", stderr)
        if cycles and relocations:
            samples.append((int(relocations.group(1)), int(cycles.group(1))))
    if not samples:
        return None
    samples.sort(key=lambda sample: sample[1])
    return samples[len(samples) // 2]


FOOTPRINT_SECTIONS = ["linkme_PLUX_SPECS_V0_2", ".data.rel.ro", ".rela.dyn", ".rodata", ".text", ".symtab", ".strtab"]


def footprint(growth):
    binary = bench_binary()
    print("\n## Nothing runs before main\n")
    functions = init_functions(binary)
    print(f"What runs before main in `{binary.name}` (linkme backend, {SPECS} specs):")
    for function in functions:
        print(f"- {function}")
    print(f"\nFrom plux or its specs: {len([f for f in functions if 'plux' in f.lower()])}.")
    if not growth:
        return
    print("\n## Binary cost per spec\n")
    target = target_dir() / "footprint"
    variants = [
        ("none", {"PLUX_BENCH_PER_NAMESPACE": "0"}, ()),
        ("lean", {}, ()),
        ("plugin_spec!", {"PLUX_BENCH_SPEC_STYLE": "macro"}, ()),
        ("inventory", {}, ("inventory",)),
    ]
    measured = {}
    for label, env, features in variants:
        built = bench_binary(env, target, features)
        copy = target / f"registry-{label.strip('!').replace('_', '-')}"
        copy.write_bytes(built.read_bytes())
        copy.chmod(0o755)
        measured[label] = (sections(copy), copy.stat().st_size, loader_statistics(copy), init_functions(copy))
    base_sections, base_size, base_loader, _ = measured["none"]
    count = SPECS
    print(f"Growth of the bench binary over the same binary without specs, per spec ({count} specs), in bytes:\n")
    print("| specs written as | " + " | ".join(f"`{s}`" for s in FOOTPRINT_SECTIONS)
          + " | file | relative relocations | ld.so relocation time, all specs |")
    print("|---" * (len(FOOTPRINT_SECTIONS) + 4) + "|")
    for label in ("lean", "plugin_spec!"):
        found, size, loader, _ = measured[label]
        cells = []
        for name in FOOTPRINT_SECTIONS:
            grown = found.get(name, (0, 0))[1] - base_sections.get(name, (0, 0))[1]
            cells.append(f"{grown / count:.1f}")
        cells.append(f"{(size - base_size) / count:.1f}")
        if loader and base_loader:
            cells.append(f"{(loader[0] - base_loader[0]) / count:.1f}")
            cells.append(f"{(loader[1] - base_loader[1]) / 1e3:.0f}k cycles")
        else:
            cells += ["?", "?"]
        print(f"| {label} | " + " | ".join(cells) + " |")
    inventory = measured["inventory"][3]
    print(f"\nWith the `inventory` backend instead, {len(inventory)} functions run before main "
          f"(`.init_array` entries), {len(inventory) - len(functions)} more than with linkme.")


# ---------------------------------------------------------------------------------------------
# The table


def human(seconds):
    if seconds is None:
        return "—"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "—"


# (goal, plux bench, floor bench, per, target on plux / floor)
TARGETS = [
    ("`load_all` of 1 000 trivial plugins, fresh manager", "load_all/plux_load_all",
     "load_all/floor_box_and_factory_call", 1000, 3.0),
    ("`load_all` + drop of 1 000 `#[plugin] fn`s (each its own factory), fresh manager; floor: "
     "each boxed by its own factory through a fn pointer, and dropped",
     "fn_plugins/plux_load_all_and_drop", "fn_plugins/floor_own_factory_box_and_drop", 1000, 3.0),
    ("warm `load(name)`, 1 000 plugins in the namespace", "warm_lookup_1000/plux_load",
     "warm_lookup_1000/floor_hashmap_get_cloned", 1000, 1.5),
    ("warm `load(name)`, 10 000 plugins in the namespace", "warm_lookup_10000/plux_load",
     "warm_lookup_10000/floor_hashmap_get_cloned", 10000, 1.5),
    ("first manager of a 100-plugin namespace (10 100 specs), first `exists`, new process; "
     "floor: a map of the 100 names in a warm process",
     "first_manager/plux_first_exists_in_new_process", "first_manager/floor_touch_100_specs", 1, 10.0),
    ("the same; floor: that map in a new process",
     "first_manager/plux_first_exists_in_new_process",
     "first_manager/floor_touch_100_in_new_process", 1, 10.0),
    ("fresh manager, first `exists`: 1 000 plugins against 100", "fresh_manager/exists_1000",
     "fresh_manager/exists_100", 1, None),
    ("fresh manager, first `load`: 1 000 plugins against 100", "fresh_manager/load_1000",
     "fresh_manager/load_100", 1, None),
    ("fresh manager, first `exists`: 10 000 plugins against 1 000",
     "fresh_manager_large/exists_10000", "fresh_manager_large/exists_1000", 1, 1.2),
    ("fresh manager, first `load`: 10 000 plugins against 1 000",
     "fresh_manager_large/load_10000", "fresh_manager_large/load_1000", 1, None),
    ("`list_names`, warm manager (1 000)", "list_names/plux_warm_manager",
     "list_names/floor_copy_of_ready_list", 1, None),
]


def targets_table(rust):
    print("\n## plux against its floors (criterion medians)\n")
    print("| goal | plux | floor | plux / floor | target |")
    print("|---|---|---|---|---|")
    for label, ours, floor, per, target in TARGETS:
        mine, base = rust.get(ours), rust.get(floor)
        mine = mine / per if mine is not None else None
        base = base / per if base is not None else None
        verdict = ""
        if target is not None and mine is not None and base:
            verdict = f"≤ {target:g}×: " + ("met" if mine / base <= target else "NOT met")
        print(f"| {label} | {human(mine)} | {human(base)} | {ratio(mine, base)} | {verdict} |")
    whole, empty = rust.get("end_to_end/plux_load_all_1000"), rust.get("end_to_end/floor_empty_main")
    if whole and empty:
        above = whole - empty
        print(f"| end to end, a process that finds and loads 1 000 plugins (criterion, the two "
              f"groups one after the other) | {human(whole)} | {human(empty)} (empty `main`) | "
              f"{human(above)} above | |")


def timed_process(command, env):
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def interleaved(processes, rounds, what):
    """Each of `processes` ({name: (command, env)}) once to warm the page cache (and plux-Python's
    file cache), then `rounds` rounds of all of them, each round in a new random order, so that
    the machine's load drifts alike for all and no process always runs right after the same
    other (in a fixed order, the Rust process that loads plugins measured 443-721 µs above its
    empty one where a random order gave 146-166 µs, in the same minute); each one's times in
    seconds."""
    for command, env in processes.values():
        timed_process(command, env)
    times = {name: [] for name in processes}
    order = list(processes)
    log(f"{what}: {rounds} rounds of {', '.join(map(str, processes))}, each round in random order")
    for _ in range(rounds):
        random.shuffle(order)
        for name in order:
            command, env = processes[name]
            times[name].append(timed_process(command, env))
    return times


def rust_child(binary, what):
    """The bench `binary` as a child doing `what` (see `child` in benches/registry.rs)."""
    return [str(binary)], dict(os.environ, PLUX_BENCH_CHILD=what)


def end_to_end(python, rounds):
    """(a): whole processes, interleaved round by round; medians in seconds."""
    binary = bench_binary()
    script = BUILD / "end_to_end.py"
    script.write_text(
        "from plux import PluginManager\n"
        f"assert len(PluginManager({NAMESPACE!r}).load_all()) == {DEFAULT_PER_NAMESPACE}\n"
    )
    processes = {
        "rust": rust_child(binary, "e2e"),
        "rust_empty": rust_child(binary, "empty"),
        "python": ([str(python), str(script)], python_env()),
        "python_empty": ([str(python), "-c", "pass"], python_env()),
    }
    times = interleaved(processes, rounds, "end to end")
    return {name: statistics.median(samples) for name, samples in times.items()}


# The programs of the end-to-end goal: (label, bench target); each is run as a child doing
# `e2e` (a manager's first `load_all` of 1 000), `empty` (nothing) and `e2e_floor` (the same
# 1 000 from a hand-written list).
E2E_PROGRAMS = (
    ("the bench fixture (1 000 of 10 100 specs, one shared factory)", "registry"),
    ("a program of 1 000 `#[plugin] fn`s (each its own factory)", "fn_plugins"),
)
# The end-to-end goal (issue 24): plux above the empty process / the hand list above it.
E2E_GOAL = 2.5


def end_to_end_rust(rounds):
    """The end-to-end goal, for each program of `E2E_PROGRAMS`: the process that loads 1 000
    plugins, the empty one and the one that loads them from a hand-written list, all six
    processes in random order each round; the medians of each round's differences from the
    program's own empty process."""
    binaries = {bench: bench_binary(bench=bench) for _, bench in E2E_PROGRAMS}
    processes = {
        (bench, what): rust_child(binary, what)
        for bench, binary in binaries.items()
        for what in ("e2e", "empty", "e2e_floor")
    }
    times = interleaved(processes, rounds, "end to end (Rust only)")

    def above(bench, what):
        return statistics.median(
            a - b for a, b in zip(times[(bench, what)], times[(bench, "empty")]))

    return {
        "rounds": rounds,
        "load": os.getloadavg()[0],
        "programs": {
            bench: {
                "rust": statistics.median(times[(bench, "e2e")]),
                "rust_empty": statistics.median(times[(bench, "empty")]),
                "above": above(bench, "e2e"),
                "floor_above": above(bench, "e2e_floor"),
            }
            for _, bench in E2E_PROGRAMS
        },
    }


def end_to_end_rust_table(runs):
    """The end-to-end goal over `runs` (results of `end_to_end_rust`), each run's ratio and
    their median."""
    print("\n## A new process's first `load_all` of 1 000 against the hand-written list\n")
    print("Each: whole processes timed from spawn to exit, random order each round, the median "
          "of each round's difference from the same binary's empty `main`.\n")
    print("| program | run | rounds | load average | plux above empty | hand list above empty "
          "| plux / hand list |")
    print("|---|---|---|---|---|---|---|")
    for label, bench in E2E_PROGRAMS:
        ratios = []
        for number, run in enumerate(runs, 1):
            found = run["programs"][bench]
            ratios.append(found["above"] / found["floor_above"])
            print(f"| {label} | {number} | {run['rounds']} | {run['load']:.2f} | "
                  f"{human(found['above'])} | {human(found['floor_above'])} | "
                  f"{ratios[-1]:.2f}× |")
        median = statistics.median(ratios)
        verdict = "holds" if max(ratios) <= E2E_GOAL else "does NOT hold"
        print(f"| {label} | median of {len(runs)} | | | | | **{median:.2f}×** (≤ {E2E_GOAL}× "
              f"{verdict} on every run) |")


def end_to_end_table(e2e):
    print("\n## (a) End to end: whole processes, plux vs plux-Python (medians, interleaved)\n")
    print("A process starts, finds the 1 000 plugins of one namespace among 10 100 specs (Python: 10 000 "
          "entry points), loads them all and exits; the empty process is the floor of each side.\n")
    print("| | whole process | empty process | above its empty process |")
    print("|---|---|---|---|")
    above = {}
    for side, label in (("rust", "plux (Rust)"), ("python", "plux-Python")):
        whole, empty = e2e[side], e2e[f"{side}_empty"]
        above[side] = whole - empty
        print(f"| {label} | {human(whole)} | {human(empty)} | {human(above[side])} |")
    print(f"| Python / Rust | {ratio(e2e['python'], e2e['rust'])} | "
          f"{ratio(e2e['python_empty'], e2e['rust_empty'])} | {ratio(above['python'], above['rust'])} |")


# (operation, plux bench, per, plux-Python bench)
IN_PROCESS = [
    ("`load_all` of 1 000, fresh manager", "load_all/plux_load_all", 1, "load_all/python_load_all"),
    ("first `exists`, fresh manager (1 000)", "fresh_manager/exists_1000", 1, "fresh_manager/python_exists"),
    ("first `load(name)`, fresh manager (1 000)", "fresh_manager/load_1000", 1, "fresh_manager/python_load"),
    ("warm `load(name)`", "warm_lookup_1000/plux_load", 1000, "warm_lookup/python_load"),
]


def in_process_table(rust, python):
    print("\n## (b) In-process, per manager: plux vs plux-Python (medians)\n")
    print("Both sides with their process-wide discovery done (Rust: the namespace's index built; "
          "Python: the entry-point cache filled and the plugin module imported). Per manager, "
          "plux-Python resolves the namespace's 1 000 entry points again; plux takes the shared "
          "index and makes slots.\n")
    print("| operation | plux | plux-Python | Python / plux |")
    print("|---|---|---|---|")
    for label, ours, per, theirs in IN_PROCESS:
        mine = rust.get(ours)
        mine = mine / per if mine is not None else None
        py = python.get(theirs)
        print(f"| {label} | {human(mine)} | {human(py)} | {ratio(py, mine)} |")
    if "warm_lookup/python_floor_dict_get" in python:
        py_load = python["warm_lookup/python_load"]
        py_dict = python["warm_lookup/python_floor_dict_get"]
        print(f"\nplux-Python's own warm `load` is {ratio(py_load, py_dict)} its dict get "
              f"({human(py_load)} vs {human(py_dict)}).")
    if "discovery/python_first_use" in python:
        print(f"plux-Python's entry-point discovery of the 10 000 (process-wide, once): "
              f"{human(python['discovery/python_first_use'])}.")


def machine():
    model = "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{model}, {os.cpu_count()} CPUs, {rustc}, load average {os.getloadavg()[0]:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short measurements (smoke run)")
    parser.add_argument("--footprint", action="store_true", help="also measure binary growth per spec")
    parser.add_argument("--no-rust", action="store_true", help="reuse the last criterion results")
    parser.add_argument("--no-python", action="store_true", help="skip plux-Python")
    parser.add_argument("--e2e-only", action="store_true",
                        help="only the end-to-end goal (no criterion, no plux-Python)")
    parser.add_argument("--e2e-runs", type=int, default=3,
                        help="runs of the end-to-end goal (default 3; the verdict is on every run)")
    parser.add_argument("--e2e-rounds", type=int, default=200,
                        help="rounds of each end-to-end run (default 200; the goal asks >= 150)")
    args = parser.parse_args()
    if args.e2e_only:
        print(f"Machine: {machine()}")
        runs = [end_to_end_rust(args.e2e_rounds) for _ in range(args.e2e_runs)]
        BUILD.mkdir(parents=True, exist_ok=True)
        (BUILD / "end_to_end.json").write_text(json.dumps(runs, indent=1))
        end_to_end_rust_table(runs)
        return
    per_namespace = DEFAULT_PER_NAMESPACE

    print(f"Machine: {machine()}")
    python_results, e2e = {}, {}
    if not args.no_python:
        python = install_python_side(per_namespace)
        python_results = python_side(python, args.quick)
        e2e = end_to_end(python, 5 if args.quick else 40)
    if not args.no_rust:
        rust_side(args.quick)
    rust = criterion_results()
    runs = []
    if not args.no_rust:
        rounds = 20 if args.quick else args.e2e_rounds
        runs = [end_to_end_rust(rounds) for _ in range(1 if args.quick else args.e2e_runs)]
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / "results.json").write_text(json.dumps(
        {"rust": rust, "python": python_results, "end_to_end": e2e, "end_to_end_rust": runs},
        indent=1))
    targets_table(rust)
    if runs:
        end_to_end_rust_table(runs)
    if python_results.get("_meta"):
        print(f"\nplux-Python {PLUX_PYTHON.split('==')[1]} on Python {python_results['_meta']['python']}")
    if e2e:
        end_to_end_table(e2e)
    if python_results:
        in_process_table(rust, python_results)
    footprint(args.footprint)


if __name__ == "__main__":
    main()
