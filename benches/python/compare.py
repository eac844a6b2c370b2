#!/usr/bin/env python3
"""Runs plux's registry bench and the same operations in plux-Python; prints a table of ratios.

    python3 benches/python/compare.py            # both sides, then the table (~5 minutes)
    python3 benches/python/compare.py --quick    # short measurements, for a smoke run
    python3 benches/python/compare.py --footprint  # also: binary cost per spec (rebuilds 3x)

Rust side: `cargo bench --bench registry` (criterion), read back from criterion's
estimates.json files. Python side: a venv in benches/python/.venv with `plux` from PyPI and a
throwaway distribution (built here as a wheel, installed with pip) that registers the same
10 namespaces x 1000 plugins as entry points; bench_plux.py times them with time.perf_counter.
Every figure is a median; every ratio compares figures of the same run.

Only the standard library is needed, plus cargo, and readelf/nm (binutils) for the footprint.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
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


def python_side(per_namespace, quick):
    python = venv_python()
    wheel = build_wheel(per_namespace)
    run([str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(wheel)])
    env = dict(os.environ, XDG_CACHE_HOME=str(BUILD / "cache"))
    command = [str(python), str(HERE / "bench_plux.py")] + (["--quick"] if quick else [])
    output = run(command, env=env, capture_output=True, text=True).stdout
    return json.loads(output)


# ---------------------------------------------------------------------------------------------
# Rust side


def target_dir():
    metadata = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout
    return Path(json.loads(metadata)["target_directory"])


def rust_side(quick):
    env = dict(os.environ)
    if quick:
        env["PLUX_BENCH_QUICK"] = "1"
    run(["cargo", "bench", "--bench", "registry"], cwd=REPO, env=env)


def criterion_results():
    """`group/bench` -> median seconds, from criterion's last run of each bench."""
    results = {}
    for estimates in (target_dir() / "criterion").glob("*/*/new/estimates.json"):
        bench = estimates.parent.parent
        median = json.loads(estimates.read_text())["median"]["point_estimate"]
        results[f"{bench.parent.name}/{bench.name}"] = median * 1e-9
    return results


def bench_binary(env=None, target=None, features=()):
    """Builds the registry bench; returns its executable."""
    env = dict(os.environ, **(env or {}))
    if target:
        env["CARGO_TARGET_DIR"] = str(target)
    command = ["cargo", "bench", "--bench", "registry", "--no-run", "--message-format=json"]
    command += [f"--features={feature}" for feature in features]
    output = run(command, cwd=REPO, env=env, capture_output=True, text=True).stdout
    for line in output.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "registry":
            if message.get("executable"):
                return Path(message["executable"])
    raise SystemExit("cargo built no registry bench")


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
    env = dict(os.environ, LD_DEBUG="statistics", PLUX_BENCH_CHILD="floor")
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


FOOTPRINT_SECTIONS = ["linkme_PLUX_SPECS_V0_1", ".rela.dyn", ".rodata", ".text", ".symtab", ".strtab"]


def footprint(growth):
    binary = bench_binary()
    print("\n## Nothing runs before main\n")
    functions = init_functions(binary)
    print(f"What runs before main in `{binary.name}` (linkme backend, {NAMESPACES * DEFAULT_PER_NAMESPACE} specs):")
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
    count = NAMESPACES * DEFAULT_PER_NAMESPACE
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


# (label, plux bench, floor bench, per, target on plux/floor, python bench, python floor)
ROWS = [
    ("warm lookup, per `load(name)`", "warm_lookup/plux_load", "warm_lookup/floor_hashmap_get_cloned",
     "n", "≤ 2×", "warm_lookup/python_load", "warm_lookup/python_floor_dict_get"),
    ("cold first lookup (`exists`), fresh manager", "cold_lookup/plux_exists", "cold_lookup/floor_slice_scan",
     1, "≤ 3×", "cold_lookup/python_exists", None),
    ("cold first `load(name)`, fresh manager", "cold_lookup/plux_load", "cold_lookup/floor_slice_scan_then_load",
     1, "≤ 3×", "cold_lookup/python_load", None),
    ("`load_all` of 1 000, fresh manager", "load_all/plux_load_all", "load_all/floor_direct_calls",
     1, "", "load_all/python_load_all", None),
    ("`list_names`, warm manager", "list_names/plux_warm_manager", "list_names/floor_copy_of_ready_list",
     1, "", "list_names/python_warm_manager", None),
    ("`list_names`, fresh manager", "list_names/plux_fresh_manager", "list_names/floor_slice_scan_sort",
     1, "", "list_names/python_fresh_manager", None),
    ("registry index, first use (10 000 specs)", "registry_index/plux_first_use_in_new_process",
     "registry_index/floor_first_use_in_new_process", 1, "", "registry_index/python_first_use", None),
]


def table(rust, python, per_namespace):
    print("\n## plux vs its floors vs plux-Python (medians)\n")
    print("| operation | plux | floor | plux / floor | target | plux-Python | Python / plux |")
    print("|---|---|---|---|---|---|---|")
    for label, ours, floor, per, target, theirs, _ in ROWS:
        scale = per_namespace if per == "n" else per
        mine = rust.get(ours)
        mine = mine / scale if mine is not None else None
        base = rust.get(floor)
        base = base / scale if base is not None else None
        py = python.get(theirs)
        print(f"| {label} | {human(mine)} | {human(base)} | {ratio(mine, base)} | {target} | "
              f"{human(py)} | {ratio(py, mine)} |")
    if "warm_lookup/python_floor_dict_get" in python:
        py_load = python["warm_lookup/python_load"]
        py_dict = python["warm_lookup/python_floor_dict_get"]
        print(f"\nplux-Python's own warm `load` is {ratio(py_load, py_dict)} its dict get "
              f"({human(py_load)} vs {human(py_dict)}).")
    target = rust.get("load_all/plux_load_all")
    if target and python.get("load_all/python_load_all"):
        times = python["load_all/python_load_all"] / target
        verdict = "met" if times >= 1000 else "NOT met"
        print(f"`load_all` target (≥ 1000× faster than plux-Python): {times:.0f}×, {verdict}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short measurements (smoke run)")
    parser.add_argument("--footprint", action="store_true", help="also measure binary growth per spec")
    parser.add_argument("--no-rust", action="store_true", help="reuse the last criterion results")
    parser.add_argument("--no-python", action="store_true", help="skip plux-Python")
    args = parser.parse_args()
    per_namespace = DEFAULT_PER_NAMESPACE

    python = {} if args.no_python else python_side(per_namespace, args.quick)
    if not args.no_rust:
        rust_side(args.quick)
    rust = criterion_results()
    (BUILD / "results.json").parent.mkdir(parents=True, exist_ok=True)
    (BUILD / "results.json").write_text(json.dumps({"rust": rust, "python": python}, indent=1))
    if python.get("_meta"):
        print(f"plux-Python {PLUX_PYTHON.split('==')[1]} on Python {python['_meta']['python']}")
    table(rust, python, per_namespace)
    footprint(args.footprint)


if __name__ == "__main__":
    main()
