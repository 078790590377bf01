"""Plausible wrong programs for code tasks: what a simulated worker writes when it gets a code task wrong.

The simulated pool answers code tasks for real (issue 5): a right answer is the reference program, which
passes the tests; a wrong one comes from here and fails them, so the code verifier runs in every simulated
rollout. A wrong program is the reference with one small AST mutation of the kind real models make (a
flipped comparison, an off-by-one constant, a swapped operator, `and`/`or` mixed up, a dropped `not`),
checked in the sandbox to fail the tests; when no single mutation fails, the entry function returns a wrong
constant instead. `variant` picks which mutation comes first, so different wrong answers differ.

Results are cached per (task id, variant): each costs one or a few sandbox runs.
"""

from __future__ import annotations

import ast
import copy
import threading

from conductor.tasks.schema import Task
from conductor.tasks.verify.code_verifier import run_tests

MAX_ATTEMPTS = 6
_FLIP_COMPARE: dict[type, type] = {
    ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip
_SWAP_BINOP: dict[type, type] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult,
}  # fmt: skip

_cache: dict[tuple[str, int], str] = {}
_lock = threading.Lock()


def _sites(func: ast.AST) -> list[tuple[str, ast.AST]]:
    """Every place a single mutation applies, in source order: (kind, node)."""
    sites: list[tuple[str, ast.AST]] = []
    for node in ast.walk(func):
        if isinstance(node, ast.Compare) and type(node.ops[0]) in _FLIP_COMPARE:
            sites.append(("compare", node))
        elif isinstance(node, ast.BinOp) and type(node.op) in _SWAP_BINOP:
            sites.append(("binop", node))
        elif isinstance(node, ast.BoolOp):
            sites.append(("boolop", node))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            sites.append(("not", node))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
            sites.append(("constant", node))
    sites.sort(key=lambda s: (getattr(s[1], "lineno", 0), getattr(s[1], "col_offset", 0)))
    return sites


def _apply(kind: str, node: ast.AST) -> None:
    """Mutate `node` in place ("not" sites are handled by _DropNot, which replaces the node)."""
    if kind == "compare":
        assert isinstance(node, ast.Compare)
        node.ops[0] = _FLIP_COMPARE[type(node.ops[0])]()
    elif kind == "binop":
        assert isinstance(node, ast.BinOp)
        node.op = _SWAP_BINOP[type(node.op)]()
    elif kind == "boolop":
        assert isinstance(node, ast.BoolOp)
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "constant":
        assert isinstance(node, ast.Constant) and isinstance(node.value, int | float)  # _sites picks numbers only
        node.value = (not node.value) if isinstance(node.value, bool) else node.value + 1


class _DropNot(ast.NodeTransformer):
    def __init__(self, target: ast.AST) -> None:
        self.target = target

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        return node.operand if node is self.target else node


def _entry_function(tree: ast.Module, entry_point: str) -> ast.FunctionDef | None:
    found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == entry_point]
    return found[-1] if found else None


def _mutants(reference: str, entry_point: str, variant: int) -> list[str]:
    """Candidate wrong programs, in the order `variant` picks; the wrong-constant fallbacks last."""
    tree = ast.parse(reference)
    func = _entry_function(tree, entry_point)
    if func is None:
        return []
    n_sites = len(_sites(func))
    out: list[str] = []
    order = list(range(n_sites))
    if order:
        start = (variant * 7919) % n_sites  # spread variants over the function
        order = order[start:] + order[:start]
    for index in order[:MAX_ATTEMPTS]:
        mutated = copy.deepcopy(tree)
        mfunc = _entry_function(mutated, entry_point)
        assert mfunc is not None
        kind, node = _sites(mfunc)[index]
        if kind == "not":
            _DropNot(node).visit(mfunc)
        else:
            _apply(kind, node)
        out.append(ast.unparse(ast.fix_missing_locations(mutated)))
    constant: object
    for constant in (None, 0, "", []):
        fallback = copy.deepcopy(tree)
        ffunc = _entry_function(fallback, entry_point)
        assert ffunc is not None
        doc = ffunc.body[:1] if ast.get_docstring(ffunc) else []
        ffunc.body = [*doc, ast.Return(ast.Constant(constant) if not isinstance(constant, list) else ast.List([]))]
        out.append(ast.unparse(ast.fix_missing_locations(fallback)))
    return out


def wrong_program(task: Task, variant: int = 0) -> str:
    """A plausible program that FAILS the task's tests (checked in the sandbox). Code tasks only.

    Deterministic in (task, variant). Raises ValueError for a non-code task or one with no reference
    program (LiveCodeBench); for the latter a caller can use `empty_program`.
    """
    if task.verifier != "code":
        raise ValueError(f"{task.id}: not a code task")
    key = (task.id, variant)
    with _lock:
        if key in _cache:
            return _cache[key]
    entry = task.verifier_data.get("entry_point")
    candidates = _mutants(task.answer, entry, variant) if entry else []
    if not candidates:
        raise ValueError(f"{task.id}: no reference function to mutate")
    chosen = None
    for program in candidates:
        if not run_tests(task, program).correct:
            chosen = program
            break
    if chosen is None:
        chosen = empty_program(task)
    with _lock:
        _cache[key] = chosen
    return chosen


def empty_program(task: Task) -> str:
    """A last-resort wrong answer: the entry function raising, or an empty program."""
    entry = task.verifier_data.get("entry_point") or task.verifier_data.get("func_name")
    if entry:
        return f"def {entry}(*args, **kwargs):\n    raise NotImplementedError\n"
    return "pass\n"
