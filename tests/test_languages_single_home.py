"""Language rules live in amts/languages.py only: a private language set, CJK regex, BLEU tokenizer rule or
code normaliser elsewhere in the shipped code fails this test (the table's own module is the one exception)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from amts.languages import _ALIASES, _PROFILES, _SPACED_CODES, _UNSPACED_CODES

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [ROOT / "amts", ROOT / "lambdas", ROOT / "infra", ROOT / "app.py"]
HOME = ROOT / "amts" / "languages.py"
# A feature's own data may name the languages it covers; each exception says why.
ALLOWED = {
    "amts/align/lexicon.py": "CC-CEDICT pairs English with Chinese: the dictionary's languages, not a rule",
}
CODES = frozenset(_PROFILES) | _SPACED_CODES | _UNSPACED_CODES | frozenset(_ALIASES)
# Languages whose special treatment the table exists for; a collection naming one of them is a private rule.
SPECIAL = frozenset({"zh", "ja", "ko", "th", "cmn"})
# First and last code points of the script blocks the table owns: a literal range over them is a script regex.
SCRIPT_BOUNDS = frozenset(
    "\u3040\u30ff\u3400\u4dbf\u4e00\u9fff\uf900\ufaff\uac00\ud7af\u0e00\u0e7f\u1100\u3130\u31f0\u4dc0"
)
# The same written as escapes inside a raw string (r"[\u4e00-\u9fff]").
SCRIPT_ESCAPES = tuple(f"\\u{ord(ch):04x}" for ch in SCRIPT_BOUNDS)


def _sources() -> list[Path]:
    files: list[Path] = []
    for root in SHIPPED:
        files.extend(sorted(root.rglob("*.py")) if root.is_dir() else [root])
    return [f for f in files if f != HOME and f.relative_to(ROOT).as_posix() not in ALLOWED]


def _codes(node: ast.AST) -> list[str] | None:
    """The string elements of a literal set/tuple/list (or frozenset/set of one), if all are strings."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("frozenset", "set")
    ):
        return _codes(node.args[0]) if len(node.args) == 1 else None
    if isinstance(node, (ast.Set, ast.Tuple, ast.List)) and node.elts:
        values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        return values if len(values) == len(node.elts) else None
    return None


def _private_set(node: ast.AST) -> bool:
    codes = _codes(node)
    return bool(codes) and set(codes) <= CODES and bool(set(codes) & SPECIAL)


def _mentions_lang(node: ast.AST) -> bool:
    """The expression reads a name like `lang`, `target_lang`, `language` or `code`."""
    names = [
        (n.id if isinstance(n, ast.Name) else n.attr).lower()
        for n in ast.walk(node)
        if isinstance(n, (ast.Name, ast.Attribute))
    ]
    return any("lang" in name or name == "code" for name in names)


def _assigned_sets(tree: ast.AST) -> dict[str, int]:
    """Names bound to a collection of language codes that is a set, or that is tested with `in`."""
    bound: dict[str, tuple[int, bool]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Assign, ast.AnnAssign))
            and node.value is not None
            and _private_set(node.value)
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            is_set = not isinstance(node.value, (ast.Tuple, ast.List))
            for target in targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = (node.lineno, is_set)
    tested = {
        c.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
        for c in node.comparators
        if isinstance(c, ast.Name)
    }
    return {name: line for name, (line, is_set) in bound.items() if is_set or name in tested}


def _findings(text: str, at: str) -> list[str]:
    tree = ast.parse(text)
    found = [f"{at}:{line}: private language set {name}" for name, line in _assigned_sets(tree).items()]
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
            ranges = any(value[i - 1] in SCRIPT_BOUNDS for i in range(1, len(value)) if value[i] == "-")
            escaped = any(escape in value.lower() for escape in SCRIPT_ESCAPES)
            if ranges or escaped or (len(value) == 1 and value in SCRIPT_BOUNDS):
                found.append(f"{at}:{line}: script range (use amts.languages' regexes)")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_private_set(side) for side in sides):
                found.append(f"{at}:{line}: membership in a private language set")
            literal = [s for s in sides if isinstance(s, ast.Constant) and s.value in CODES]
            if literal and any(_mentions_lang(s) for s in sides if s not in literal):
                found.append(f"{at}:{line}: language compared with a code (ask the table)")
        elif isinstance(node, ast.keyword) and node.arg == "tokenize":
            if any(isinstance(n, ast.Constant) for n in ast.walk(node.value)):
                found.append(f"{at}:{line}: BLEU tokenizer chosen outside the table")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.attr == "split" and args[:1] in (["-"], ["_"]) and _mentions_lang(node.func.value):
                found.append(f"{at}:{line}: language code normalised by hand (use normalise_code)")
    return found


def test_no_language_rule_outside_the_table():
    findings = [f for path in _sources() for f in _findings(path.read_text(encoding="utf-8"), str(path))]
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize(
    "snippet",
    [
        'SPACELESS = frozenset({"zh", "ja", "th"})',
        '_SPACELESS = ("zh", "ja")\njoin = "" if lang in _SPACELESS else " "',
        'joiner = "" if target_lang in ("zh", "ja") else " "',
        'ok = lang.lower() == "zh"',
        'CJK = re.compile(r"[\\u4e00-\\u9fff]")',
        'first = "\\u4e00" <= ch',
        'bleu = BLEU(tokenize="zh" if lang == "zh" else "13a")',
        'base = lang.split("-")[0]',
        'base = data.source_lang.replace("_", "-").split("_")[0]',
        'base = (code or "").strip().lower().replace("_", "-").split("-")[0]',
    ],
)
def test_the_scanner_catches_each_kind_of_private_rule(snippet):
    assert _findings(snippet, "probe.py"), snippet


def test_the_scanner_leaves_ordinary_code_alone():
    ordinary = (
        'FORMATS = ("csv", "tsv", "tmx")\n'
        'target_langs: tuple[str, ...] = ("zh", "es")\n'
        'name = path.split("-")[0]\n'
        "joiner = language(lang).word_joiner\n"
    )
    assert _findings(ordinary, "probe.py") == []
