"""The library's layers run one way (../shared/DESIGN.md): every import, at the top of a module or inside a function,
goes to a module of a lower layer; no private name crosses modules; every module has its place in the order."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# lowest first; modules of one layer do not import each other
LAYERS = [
    ["core"],
    ["files"],                         # reading tables and JSON as published: encodings, one-line errors
    ["model", "data", "metrics", "convert"],   # convert: public datasets as published -> essay JSONL (01c)
    ["settings"],                      # every command's settings table, config files
    ["prompts"],
    ["readout", "runs", "generate", "baselines"],   # the score read-out; runs on disk; generation; baselines
    ["scoring", "losses"],
    ["harness", "sampling", "merge"],  # the machinery of lessons 06, 07 and 05
    ["train", "export", "kmmlu", "consistency", "env"],
    ["kmmlu_loop", "pipeline"],
    ["cli"],                           # the entry point and the subcommand table
]
LEVEL = {m: i for i, layer in enumerate(LAYERS) for m in layer}


def modules()->dict[str, Path]:
    return {p.stem: p for p in sorted((ROOT/"aes_kit").glob("*.py")) if p.stem not in ("__init__", "_modidx")}


def imports(path:Path)->list[tuple[str, list[str], int]]:
    "(imported aes_kit module, names taken from it, line) for every import statement anywhere in the file."
    out = []
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(n, ast.ImportFrom):
            mod = n.module or ""
            if n.level == 1: target = mod.split(".")[0]
            elif mod.startswith("aes_kit."): target = mod.split(".")[1]
            elif mod == "aes_kit":                       # `from aes_kit import cli`
                for a in n.names: out.append((a.name, [], n.lineno))
                continue
            else: continue
            out.append((target, [a.name for a in n.names], n.lineno))
        elif isinstance(n, ast.Import):
            for a in n.names:
                if a.name.startswith("aes_kit."): out.append((a.name.split(".")[1], [], n.lineno))
    return out


def edges()->list[tuple[str, str, list[str], int]]:
    return [(m, t, names, line) for m, p in modules().items() for t, names, line in imports(p) if t != m]


def test_every_module_has_a_layer():
    assert set(modules()) <= set(LEVEL), set(modules()) - set(LEVEL)


def test_imports_run_one_way():
    bad = [f"{m} (layer {LEVEL[m]}) imports {t} (layer {LEVEL.get(t)}) at line {line}"
           for m, t, _, line in edges() if t in LEVEL and LEVEL[t] >= LEVEL[m]]
    assert not bad, "\n".join(bad)


def test_no_private_name_crosses_modules():
    bad = [f"{m} imports {n} from {t} (line {line})" for m, t, names, line in edges() for n in names
           if n.startswith("_") and not n.startswith("__")]
    assert not bad, "\n".join(bad)


def test_the_graph_has_no_cycle():
    "Implied by the layer order, checked on its own so that a wrong order cannot hide a loop."
    graph = {m: {t for mm, t, _, _ in edges() if mm == m and t in LEVEL} for m in modules()}
    seen, stack = set(), set()
    def visit(m):
        if m in stack: raise AssertionError(f"import cycle through {m}")
        if m in seen: return
        stack.add(m); [visit(t) for t in graph[m]]; stack.discard(m); seen.add(m)
    for m in graph: visit(m)
