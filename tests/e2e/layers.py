#!/usr/bin/env python3
"""The layering rules of docs/architecture.md, read from the object files
the binary under test was linked from (readelf, binutils) and from the
sources' #include lines.  test_layers.py asserts them; run alone,
`python3 tests/e2e/layers.py [OBJ_DIR]` prints what breaks them.

The rules:
- a command (src/cmd_*.c) never calls into another command's file;
- the library walls: SQLite only in src/db*.c, cJSON only in
  src/json*.c, readline only in src/prompt.c, libpq only in src/db_pg.c
  (their headers and their symbols; libpq's are dlopen and dlsym, since
  db_pg.c loads it when a server is named);
- no cycle between source files.  A reference to a command's entry point
  (cmd_NAME) from data, not code, is the command table dispatching: it
  is left out of the graph (the table sits on top of every command; the
  commands call down into its helpers).  A call from code is kept.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# name, the symbols the library exports, the files that may use them
# (object), the header lines that bring it in, the files that may have them.
WALLS = [
    ("SQLite", r"^sqlite3_", r"^db(_\w+)?\.o$",
     r'^\s*#\s*include\s*[<"]sqlite3\.h[>"]', r"^src/db[^/]*\.[ch]$"),
    ("cJSON", r"^cJSON_", r"^json(_\w+)?\.o$",
     r'^\s*#\s*include\s*[<"](cjson/)?cJSON(_Utils)?\.h[>"]', r"^src/json[^/]*\.[ch]$"),
    ("readline",
     r"^(readline|_?rl_\w+|add_history|clear_history|using_history|stifle_history"
     r"|unstifle_history|history_\w+|read_history|write_history|append_history"
     r"|where_history|current_history|previous_history|next_history|remove_history"
     r"|free_history_entry)$",
     r"^prompt\.o$", r'^\s*#\s*include\s*[<"]readline/\w+\.h[>"]', r"^src/prompt\.c$"),
    # libpq is loaded at run time (dlopen, then dlsym of each PQ function):
    # loading a library is db_pg.c's alone, as are libpq's own symbols.
    ("libpq", r"^(PQ\w+|lo_\w+|dlopen|dlsym)$", r"^db_pg\.o$",
     r'^\s*#\s*include\s*[<"](postgresql/)?libpq-fe\.h[>"]', r"^src/db_pg\.c$"),
]

COMMAND_OBJECT = re.compile(r"^cmd_\w+\.o$")
ENTRY_POINT = re.compile(r"^cmd_\w+$")
SYMBOL_LINE = re.compile(
    r"^\s*\d+:\s+[0-9a-fA-F]+\s+\S+\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s+(\S+)")
RELOC_SECTION = re.compile(r"^Relocation section '\.rela?(\S*)'")


def parse_readelf(text):
    """One object from `readelf -W -s -r`: {"defines": set of global
    symbols it defines, "refs": {symbol it uses from elsewhere: "code" or
    "data"}} (code wins when both)."""
    defines, undefined, relocs = set(), set(), []
    section = None
    for line in text.splitlines():
        m = RELOC_SECTION.match(line)
        if m:
            section = m.group(1)
            continue
        if line.startswith("Symbol table"):
            section = None
            continue
        m = SYMBOL_LINE.match(line)
        if m and section is None:
            kind, bind, ndx, name = m.groups()
            if bind in ("GLOBAL", "WEAK") and kind not in ("FILE", "SECTION"):
                (undefined if ndx == "UND" else defines).add(name)
            continue
        if section is None or section.startswith((".debug", ".eh_frame", ".note")):
            continue
        fields = line.split()
        if len(fields) >= 5 and fields[2].startswith("R_"):
            relocs.append((fields[4], "code" if section.startswith(".text") else "data"))
    refs = {}
    for name, use in relocs:  # readelf prints the relocations first
        if name in undefined and refs.get(name) != "code":
            refs[name] = use
    for name in undefined - set(refs):
        refs[name] = "code"  # used, though no relocation says how
    return {"defines": defines, "refs": refs}


def object_dir(binary):
    """Where the objects of binary are: $SMP_OBJ_DIR (the Makefile passes
    its build directory), else beside the binary, else build/."""
    if os.environ.get("SMP_OBJ_DIR"):
        return os.path.abspath(os.environ["SMP_OBJ_DIR"])
    beside = os.path.dirname(os.path.realpath(binary))
    if os.path.exists(os.path.join(beside, "main.o")):
        return beside
    return os.path.join(ROOT, "build")


def source_of(obj):
    """The source file an object was compiled from, as the rules name it."""
    base = obj[:-2]
    return "build/schema.c" if base == "schema" else "src/%s.c" % base


def load_objects(obj_dir):
    """{object name: parse_readelf()} for every src/*.c (and the generated
    schema.c).  Raises RuntimeError when an object is missing or two
    define one symbol (objects of different builds)."""
    names = sorted(f[:-2] + ".o" for f in os.listdir(os.path.join(ROOT, "src")) if f.endswith(".c"))
    names.append("schema.o")
    objects = {}
    for name in names:
        path = os.path.join(obj_dir, name)
        if not os.path.exists(path):
            raise RuntimeError("%s is missing: build the program first (make), or set "
                               "SMP_OBJ_DIR to the directory of its objects" % path)
        out = subprocess.run(["readelf", "-W", "-s", "-r", path], check=True,
                             capture_output=True, text=True).stdout
        objects[name] = parse_readelf(out)
    owner = {}
    for name, o in objects.items():
        for sym in o["defines"]:
            if sym in owner:
                raise RuntimeError("%s is defined in both %s and %s: the objects in %s are not "
                                   "from one build" % (sym, owner[sym], name, obj_dir))
            owner[sym] = name
    return objects


def binary_defines(binary):
    out = subprocess.run(["nm", "-P", "--defined-only", binary], check=True,
                         capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.split()[1:2] != ["U"]}


def edges(objects):
    """{(user, owner): {symbol: "code" or "data"}} between objects."""
    owner = {sym: name for name, o in objects.items() for sym in o["defines"]}
    out = {}
    for name, o in objects.items():
        for sym, use in o["refs"].items():
            to = owner.get(sym)
            if to and to != name:
                out.setdefault((name, to), {})[sym] = use
    return out


def command_calls(objects):
    """[(command file, other command file, [symbols])]: a command using
    another command's file."""
    return sorted((source_of(a), source_of(b), sorted(syms))
                  for (a, b), syms in edges(objects).items()
                  if COMMAND_OBJECT.match(a) and COMMAND_OBJECT.match(b))


def wall_breaches(objects):
    """[(wall, file, [symbols])]: a file outside a wall using its library."""
    out = []
    for wall, symbols, allowed, _, _ in WALLS:
        for name, o in sorted(objects.items()):
            if re.match(allowed, name):
                continue
            used = sorted(s for s in o["refs"] if re.match(symbols, s))
            if used:
                out.append((wall, source_of(name), used))
    return out


def include_breaches(sources):
    """[(wall, file, line)] from {path relative to the root: text}."""
    out = []
    for wall, _, _, header, allowed in WALLS:
        for path, text in sorted(sources.items()):
            if re.match(allowed, path):
                continue
            for line in text.splitlines():
                if re.match(header, line):
                    out.append((wall, path, line.strip()))
    return out


def read_sources():
    sources = {}
    for folder in ("src", "include"):
        for f in sorted(os.listdir(os.path.join(ROOT, folder))):
            if f.endswith((".c", ".h")):
                with open(os.path.join(ROOT, folder, f), encoding="utf-8") as fh:
                    sources["%s/%s" % (folder, f)] = fh.read()
    return sources


def dependency_graph(objects):
    """{file: {file it depends on: [symbols]}}, the command table's
    pointers to the commands' entry points left out (see the top)."""
    graph = {source_of(name): {} for name in objects}
    for (a, b), syms in edges(objects).items():
        kept = sorted(s for s, use in syms.items() if use == "code" or not ENTRY_POINT.match(s))
        if kept:
            graph[source_of(a)][source_of(b)] = kept
    return graph


def cycles(graph):
    """The strongly connected components of more than one file, each as
    (sorted files, [(file, file it uses, symbols)] inside it)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):  # Tarjan's algorithm
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, {})):
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

    sys.setrecursionlimit(max(1000, 4 * len(graph) + 100))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    out = []
    for component in sorted(found):
        inside = [(a, b, graph[a][b])
                  for a in component for b in sorted(graph[a]) if b in component]
        out.append((component, inside))
    return out


def describe_cycle(component, inside):
    lines = ["cycle between %s:" % ", ".join(component)]
    for a, b, syms in inside:
        shown = ", ".join(syms[:4]) + (", ..." if len(syms) > 4 else "")
        lines.append("  %s -> %s (%s)" % (a, b, shown))
    return "\n".join(lines)


def main():
    obj_dir = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else object_dir(
        os.environ.get("SMP_INTAKE_BIN") or os.path.join(ROOT, "smp-intake"))
    objects = load_objects(obj_dir)
    bad = 0
    for a, b, syms in command_calls(objects):
        print("%s calls into %s: %s" % (a, b, ", ".join(syms)))
        bad += 1
    for wall, path, syms in wall_breaches(objects):
        print("%s outside its wall: %s uses %s" % (wall, path, ", ".join(syms)))
        bad += 1
    for wall, path, line in include_breaches(read_sources()):
        print("%s outside its wall: %s: %s" % (wall, path, line))
        bad += 1
    for component, inside in cycles(dependency_graph(objects)):
        print(describe_cycle(component, inside))
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
