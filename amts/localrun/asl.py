"""Step Functions' DefinitionSubstitutions, applied to the ASL as the service does."""

from __future__ import annotations

import re
from pathlib import Path

from amts.errors import AmtsError

ASL_PATH = Path(__file__).resolve().parent.parent.parent / "statemachine" / "translate_book.asl.json"
_SUBSTITUTION_RE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def render_definition(substitutions: dict[str, str], path: Path = ASL_PATH, text: str | None = None) -> str:
    """The ASL with `${Name}` replaced; a name without a value fails, naming it."""
    text = path.read_text(encoding="utf-8") if text is None else text
    missing = sorted(set(_SUBSTITUTION_RE.findall(text)) - substitutions.keys())
    if missing:
        raise AmtsError(f"{path.name}: no value for substitution(s) {', '.join(missing)}")
    return _SUBSTITUTION_RE.sub(lambda m: substitutions[m.group(1)], text)
