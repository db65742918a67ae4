"""The package's layout keeps its promises (docs/architecture.md): read from the source with ast,
function-level imports included, so a lazy import cannot hide a cycle or a wrong-way dependency."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "interviewer"
MAX_LINES = 400
MAX_LOOSE = 12
# Each subpackage's tier: a module may import its own tier or a lower one, never a higher one.
TIERS = {
    "api": 4, "cli": 4, "web": 4,
    "interview": 3,
    "assessment": 2, "feedback": 2, "models": 2,
    "ops": 1,
    "storage": 0, "catalog": 0,
}
# Read by every layer and importing nothing of the package: the environment's settings.
FOUNDATION = {"interviewer.ops.settings"}
# The pure parts: no HTTP, SQL or model client, even through what they import at module level.
PURE = ["interviewer.interview.engine", "interviewer.assessment.scoring"]
IMPURE = ("fastapi", "starlette", "sqlmodel", "sqlalchemy", "litellm", "httpx", "uvicorn")


@dataclass
class Module:
    name: str
    path: Path
    lines: int
    imports: set[str] = field(default_factory=set)  # package modules, any level
    top_imports: set[str] = field(default_factory=set)  # package modules, at module level
    external: set[str] = field(default_factory=set)  # third-party roots at module level
    private: list[str] = field(default_factory=list)  # "module._name" imported from another module


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Module]:
    found = {module_name(p): Module(module_name(p), p, len(p.read_text(encoding="utf-8").splitlines())) for p in PACKAGE.rglob("*.py")}

    def resolve(name: str) -> str | None:
        while name and name not in found:
            name = name.rpartition(".")[0]
        return name or None

    for mod in found.values():
        tree = ast.parse(mod.path.read_text(encoding="utf-8"))
        top_level = {id(n) for n in tree.body} | {id(n) for s in tree.body if isinstance(s, ast.If) for n in s.body}
        for node in ast.walk(tree):
            targets: list[tuple[str, str | None]] = []
            if isinstance(node, ast.Import):
                targets = [(a.name, None) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = mod.name.split(".") if mod.path.name == "__init__.py" else mod.name.split(".")[:-1]
                    base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
                targets = [(f"{base}.{a.name}", a.name) for a in node.names]
            for full, imported in targets:
                if not full.startswith("interviewer"):
                    if id(node) in top_level:
                        mod.external.add(full.split(".")[0])
                    continue
                target = full if full in found else resolve(full.rpartition(".")[0] if imported else full)
                if target is None or target == mod.name:
                    continue
                mod.imports.add(target)
                if id(node) in top_level:
                    mod.top_imports.add(target)
                if imported and imported.startswith("_") and full not in found:
                    mod.private.append(f"{target}.{imported}")
    return found


def tier(name: str) -> int | None:
    parts = name.split(".")
    return TIERS.get(parts[1]) if len(parts) > 2 or (len(parts) == 2 and parts[1] in TIERS) else None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_modules() -> None:
    graph = {name: mod.imports for name, mod in modules().items()}
    assert cycles(graph) == []


def test_no_import_cycle_between_subpackages() -> None:
    graph: dict[str, set[str]] = {}
    for name, mod in modules().items():
        if tier(name) is None:
            continue
        package = ".".join(name.split(".")[:2])
        graph.setdefault(package, set()).update(".".join(t.split(".")[:2]) for t in mod.imports if tier(t) is not None and t not in FOUNDATION)
    for package, targets in graph.items():
        targets.discard(package)
    assert cycles(graph) == []


def test_dependencies_point_down_the_layers() -> None:
    wrong = []
    for name, mod in modules().items():
        own = tier(name)
        for target in sorted(mod.imports):
            if target in FOUNDATION:
                continue
            theirs = tier(target)
            if own is not None and theirs is not None and theirs > own:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_the_foundation_imports_nothing_of_the_package() -> None:
    for name in FOUNDATION:
        assert modules()[name].imports == set()


def test_no_private_name_is_imported_across_modules() -> None:
    assert {name: mod.private for name, mod in modules().items() if mod.private} == {}


def test_no_module_is_over_the_size_limit() -> None:
    assert {name: mod.lines for name, mod in modules().items() if mod.lines > MAX_LINES} == {}


def test_few_modules_are_loose_at_the_top() -> None:
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert len(loose) <= MAX_LOOSE, loose


def test_every_module_belongs_to_a_known_subpackage() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(TIERS), sorted(packages - set(TIERS))


def test_every_subpackage_says_what_it_is_for_and_what_it_may_import() -> None:
    for package in sorted(TIERS):
        init = PACKAGE / package / "__init__.py"
        if not init.exists():
            continue  # web holds templates and static files only
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"{package}/__init__.py"


def test_the_pure_parts_know_nothing_of_http_sql_or_models() -> None:
    for start in PURE:
        seen, todo, external = set(), [start], set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            external |= modules()[name].external
            todo.extend(modules()[name].top_imports)
        assert external.isdisjoint(IMPURE), (start, sorted(external & set(IMPURE)))


def yaml_reads_past_the_c_loader(source: str) -> list[int]:
    """Lines of `source` that parse YAML without the shared loader (libyaml's C loader when installed)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            if node.func.value.id == "yaml" and node.func.attr in {"safe_load", "load", "safe_load_all", "load_all"}:
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                if not (isinstance(loader, ast.Name) and loader.id == "SAFE_LOADER"):
                    found.append(node.lineno)
    return found


def test_every_yaml_file_is_read_with_the_c_loader() -> None:
    # yaml.safe_load is pure Python: the glossary alone took 1.9 s to load with it
    slow = {m.name: lines for m in modules().values() if (lines := yaml_reads_past_the_c_loader(m.path.read_text(encoding="utf-8")))}
    assert slow == {}
    assert yaml_reads_past_the_c_loader("import yaml\nyaml.safe_load(text)\nyaml.load(text, Loader=SAFE_LOADER)") == [2]


def test_the_check_sees_a_cycle_and_a_lazy_import() -> None:
    # the checks above pass only if they can fail
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    serve = modules()["interviewer.cli.serve"]  # imports inside its command, so --help stays instant
    assert "interviewer.ops.tokens" in serve.imports - serve.top_imports
