#!/usr/bin/env python3
"""The documentation as docs.rs renders it: no rustdoc warning, no broken anchor, no swallowed section.

1. `cargo doc --no-deps` of plux, plux-core and plux-macros with every feature docs.rs builds
   (`[package.metadata.docs.rs]`) and `RUSTDOCFLAGS=-D warnings`: a broken intra-doc link,
   an unclosed HTML tag or a bad code-block attribute fails.
2. Every link to a `#fragment` of a page of these crates (`crate#ordering`, `Self#..`) leads to an
   element with that id: rustdoc does not check fragments.
3. Every heading (`//! # ..`) of a crate's front page (src/lib.rs's `//!` lines) is rendered as a
   heading: a malformed code fence swallows the text that follows it into one code block, and
   the headings with it.

Run from the repository root; `CARGO_TARGET_DIR` is honoured.
"""

import html
import os
import re
import subprocess
import sys
from pathlib import Path

CRATES = {"plux": "src/lib.rs", "plux_core": "plux-core/src/lib.rs",
          "plux_macros": "plux-macros/src/lib.rs"}


def slug(heading):
    """rustdoc's id for a heading: lowercase, letters, digits, `_` and `-` kept, spaces to `-`."""
    text = re.sub(r"`|\*|\[|\]\([^)]*\)", "", heading).strip().lower()
    return "".join(c if c.isalnum() or c in "_-" else "-" if c == " " else "" for c in text)


def main():
    env = dict(os.environ, RUSTDOCFLAGS="-D warnings")
    subprocess.run(["cargo", "doc", "--no-deps", "--features", "plux/dynamic",
                    "-p", "plux", "-p", "plux-core", "-p", "plux-macros"], check=True, env=env)
    doc = Path(os.environ.get("CARGO_TARGET_DIR", "target")) / "doc"
    problems = []
    ids = {}
    pages = [page for krate in CRATES for page in (doc / krate).rglob("*.html")]
    for page in pages:
        ids[page.resolve()] = set(re.findall(r'\bid="([^"]+)"', page.read_text()))
    for page in pages:
        for href in re.findall(r'href="([^"]+)"', page.read_text()):
            href = html.unescape(href)
            if "#" not in href or href.endswith("#") or href.startswith(("http:", "https:")):
                continue
            path, fragment = href.split("#", 1)
            target = (page.parent / path).resolve() if path else page.resolve()
            if target in ids and fragment not in ids[target]:
                problems.append(f"{page.relative_to(doc)}: link to {href}: no such anchor")
    for krate, source in CRATES.items():
        front = (doc / krate / "index.html").read_text()
        in_fence = False
        for line in Path(source).read_text().splitlines():
            if not line.startswith("//!"):
                continue
            text = line[3:].removeprefix(" ")
            if text.startswith("```"):
                in_fence = not in_fence
            elif not in_fence and re.match(r"#{1,6} ", text):
                heading = text.lstrip("#").strip()
                if f'id="{slug(heading)}"' not in front:
                    problems.append(f"{source}: heading `{heading}` is not a heading of the "
                                    f"rendered page (swallowed by an unclosed code block?)")
    if problems:
        sys.exit("documentation problems:\n  " + "\n  ".join(sorted(set(problems))))
    print(f"docs: {len(pages)} pages, every anchor found, every front-page heading rendered")


if __name__ == "__main__":
    main()
