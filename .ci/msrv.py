#!/usr/bin/env python3
"""Fails when a locked dependency of plux declares a higher `rust-version` than plux does.

Walks the resolve of `cargo metadata --locked` with every feature of plux from the published packages
(plux, plux-core, plux-macros) along normal and build dependencies (what a user's build
compiles; dev-dependencies such as trybuild and criterion are the repository's own business)
and compares each package's declared `rust-version` with the workspace's.
"""

import json
import subprocess
import sys

PUBLISHED = {"plux", "plux-core", "plux-macros"}


def version(text):
    return tuple(int(part) for part in text.split(".")) + (0,) * (3 - text.count(".") - 1)


def main():
    metadata = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--features",
         "plux/inventory,plux/dynamic"],
        check=True, capture_output=True, text=True).stdout)
    packages = {p["id"]: p for p in metadata["packages"]}
    nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
    roots = [id for id, p in packages.items() if p["name"] in PUBLISHED and p["source"] is None]
    ours = {packages[id]["rust_version"] for id in roots}
    if len(ours) != 1 or None in ours:
        sys.exit(f"the published packages declare different rust-versions: {ours}")
    (msrv,) = ours
    seen, stack, above = set(roots), list(roots), []
    while stack:
        for dep in nodes[stack.pop()]["deps"]:
            if not any(kind["kind"] in (None, "build") for kind in dep["dep_kinds"]):
                continue
            if dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                stack.append(dep["pkg"])
                package = packages[dep["pkg"]]
                declared = package.get("rust_version")
                if declared and version(declared) > version(msrv):
                    above.append(f"{package['name']} {package['version']} needs Rust {declared}")
    if above:
        sys.exit(f"plux declares rust-version {msrv}, but Cargo.lock has dependencies that need "
                 f"more: {'; '.join(sorted(above))}. Choose versions that support {msrv}, or "
                 f"raise rust-version in Cargo.toml.")
    print(f"rust-version {msrv}: the {len(seen) - len(roots)} locked dependencies of plux "
          f"declare no higher one")


if __name__ == "__main__":
    main()
