#!/usr/bin/env python3
"""The tests build the workspaces of tests/third-party with `cargo build --offline`: every
registry package their lock files pin must be one the main Cargo.lock pins too, which the steps
before them download on a fresh machine. Fails naming each package that is not."""
import re
import sys
from pathlib import Path

PINNED = re.compile(r'name = "([^"]+)"\nversion = "([^"]+)"\nsource = "registry')


def pinned(lock: Path) -> set:
    return set(PINNED.findall(lock.read_text(encoding="utf-8")))


root = Path(__file__).resolve().parent.parent
main = pinned(root / "Cargo.lock")
bad = []
for lock in sorted((root / "tests" / "third-party").rglob("Cargo.lock")):
    for name, version in sorted(pinned(lock) - main):
        bad.append(f"{lock.relative_to(root)}: {name} {version} is not in Cargo.lock")
if bad:
    print("\n".join(bad))
    print("pin them to Cargo.lock's versions: cargo update --offline -p NAME --precise VERSION")
    sys.exit(1)
print("every package the third-party locks pin is in Cargo.lock")
