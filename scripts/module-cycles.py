#!/usr/bin/env python3
"""Lists import cycles between the modules (files) of each crate of the workspace.

A module uses another when its file names it by path (`crate::a::b`, `super::c`); a module's
own submodules and its parents do not count (a parent declaring its children is not a use).
Usage: python3 scripts/module-cycles.py [CRATE_DIR...]; exits 1 when a cycle is found.
"""
import os
import re
import sys

CRATES = ["core", "store", "service", "net", "serve", "cli", "sync-relay", "sync-wire", "ui", "src-tauri"]


def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[-1] in ("lib", "main", "mod"):
                rel = rel[:-1]
            if rel and rel[-1] == "tests" or "tests" in rel:
                continue
            mods[tuple(rel)] = path
    return mods


def resolve(mods, parts):
    for n in range(len(parts), -1, -1):
        found = tuple(parts[:n])
        if found in mods:
            # An item a parent re-exports from a child (`pub use child::item`) is the child's.
            if n < len(parts):
                text = open(mods[found], encoding="utf-8").read()
                item = parts[n]
                for m in re.finditer(r"\buse ([a-z_][a-z0-9_]*)::(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)", text):
                    child = found + (m.group(1),)
                    names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", m.group(2))
                    if child in mods and item in names:
                        return child
            return found
    return None


def uses(mods, me, text):
    # Leave out test modules inside the file.
    text = re.split(r"#\[cfg\(test\)\]\s*mod tests", text)[0]
    # Comments (doc links included) are not uses.
    text = "\n".join(l for l in text.split("\n") if not l.lstrip().startswith("//"))
    found = set()
    for m in re.finditer(r"\bcrate::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)", text):
        found.add(resolve(mods, m.group(1).split("::")))
    for m in re.finditer(r"\b((?:super::)+)((?:[a-z_][a-z0-9_]*::)*[a-z_A-Z][a-zA-Z0-9_]*)", text):
        up = m.group(1).count("super::")
        base = list(me[: len(me) - up]) if up <= len(me) else []
        found.add(resolve(mods, base + m.group(2).split("::")))
    for m in re.finditer(r"\bcrate::\{([^}]*)\}", text):
        for name in m.group(1).split(","):
            name = name.strip().split("::")
            if name and name[0]:
                found.add(resolve(mods, name))
    found.discard(None)
    # A module's parents and children are not uses.
    return {f for f in found if f != me and f[: len(me)] != me and me[: len(f)] != f}


def cycles(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            strong(v)
    return out


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    found = False
    for crate in sys.argv[1:] or CRATES:
        src = os.path.join(root, crate, "src")
        if not os.path.isdir(src):
            continue
        mods = modules(src)
        graph = {m: uses(mods, m, open(p, encoding="utf-8").read()) for m, p in mods.items()}
        for comp in cycles(graph):
            found = True
            names = sorted("::".join(m) or "(root)" for m in comp)
            print(f"{crate}: cycle between {', '.join(names)}")
    if not found:
        print("no import cycles between modules")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
