#!/usr/bin/env python3
"""Checks that no off-chain crate has a circle of modules.

Cargo already refuses a circle of crates; inside a crate nothing does, and a circle makes a
crate hard to read in any order. This reads every module of each crate under offchain/ and
its references to other modules of the same crate -- `crate::a::b`, `super::x`, and a child
module named by its parent (`mod x;` then `x::...`) -- and fails on any circle, naming it.

A module's inline `#[cfg(test)] mod tests { ... }` is not part of the graph: a test module
uses what it tests. Run from anywhere: scripts/check-layering.py
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OFFCHAIN = ROOT / "offchain"

PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
MOD_DECL = re.compile(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;", re.M)


def modules(src: pathlib.Path) -> dict:
    """Module path (tuple) -> its file, for every file module of a crate (of its library
    when it has one: a binary's main.rs then only uses the library, by the crate's name)."""
    found = {}
    for file in sorted(src.rglob("*.rs")):
        rel = file.relative_to(src).with_suffix("")
        parts = list(rel.parts)
        if parts == ["main"] and (src / "lib.rs").exists():
            continue
        if parts in (["lib"], ["main"]):
            parts = []
        elif parts[-1] == "mod":
            parts = parts[:-1]
        found[tuple(parts)] = file
    return found


def without_tests(text: str) -> str:
    """The text up to an inline `#[cfg(test)] mod name {` block (they come last here)."""
    cut = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: cut.start()] if cut else text


def without_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", "", text)


def reexports(mods: dict, module: tuple) -> dict:
    """Names that `module` re-exports (`pub use child::Name;`) -> the module they come from, so
    that `crate::Name` counts as a use of that module, not of the crate root."""
    text = without_comments(without_tests(mods[module].read_text()))
    found = {}
    for path, group in re.findall(r"pub(?:\([a-z]+\))?\s+use\s+([a-z_][a-z0-9_:]*?)::(\{[^;]*\}|\w+)\s*;", text):
        source = module + tuple(p for p in path.split("::") if p not in ("self", ""))
        if source not in mods:
            continue
        for item in group.strip("{}").split(","):
            item = item.strip()
            if item:
                found[item.split(" as ")[-1].strip()] = source
    return found


def resolve(mods: dict, here: tuple, anchor: str, rest: list):
    """The longest module prefix that `anchor::rest` names, seen from module `here`."""
    if anchor == "crate":
        base = ()
    elif anchor == "super":
        base = here[:-1]
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    else:  # self
        base = here
    best, depth = base, 0
    for i in range(1, len(rest) + 1):
        if base + tuple(rest[:i]) in mods:
            best, depth = base + tuple(rest[:i]), i
    if depth < len(rest):
        best = reexports(mods, best).get(rest[depth], best)
    return best


def use_groups(text: str):
    """(anchor, the text inside the braces) of each `use crate::{…};`, nested braces kept."""
    for found in re.finditer(r"\buse\s+(crate|super|self)::\{", text):
        depth, at = 1, found.end()
        while depth and at < len(text):
            depth += {"{": 1, "}": -1}.get(text[at], 0)
            at += 1
        yield found.group(1), text[found.end() : at - 1]


def top_level(group: str) -> list:
    """The items of a use group, split at its own commas (not those of nested groups)."""
    items, depth, current = [], 0, ""
    for ch in group:
        if ch == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        current += ch
    items.append(current.strip())
    return [i for i in items if i]


def edges(mods: dict) -> dict:
    graph = {m: set() for m in mods}
    for here, file in mods.items():
        text = without_comments(without_tests(file.read_text()))
        children = set(MOD_DECL.findall(text))
        refs = [(a, p.strip(":").split("::")) for a, p in PATH.findall(text)]
        for anchor, group in use_groups(text):
            for item in top_level(group):
                name = item.split("::")[0].split(" ")[0].strip()
                if name:
                    refs.append((anchor, [name]))
        for anchor, rest in refs:
            target = resolve(mods, here, anchor, rest)
            if target != here:
                graph[here].add(target)
        # `mod x;` then `x::...` or `use x::...` names the child directly.
        for child in children:
            if re.search(rf"(?<![:\w]){child}::", text):
                graph[here].add(here + (child,))
    return graph


def cycles(graph: dict) -> list:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    return found


def name(module: tuple) -> str:
    return "::".join(("crate",) + module)


def main() -> int:
    failed = False
    crates = sorted(p.parent for p in OFFCHAIN.glob("*/Cargo.toml"))
    for crate in crates:
        src = crate / "src"
        if not src.is_dir():
            continue
        mods = modules(src)
        for component in cycles(edges(mods)):
            failed = True
            print(f"{crate.name}: modules in a circle: {', '.join(map(name, component))}")
    if not failed:
        print(f"no circle of modules in {len(crates)} off-chain crates")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
