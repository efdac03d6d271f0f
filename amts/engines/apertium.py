"""Apertium (Debian packages `apertium`, `apertium-eng-spa`): rule-based, offline, fast.

Carrier: each ⟦n⟧ token travels as an unknown word `xtok<n>x`. HTML mode translates the text inside
`<span translate="no">` and drops segment breaks; in text mode the brackets ⟦ ⟧ are punctuation that
transfer rules can move apart (1% of the shared corpora's segments came back as "la⟧ 1 función de ⟦");
an unknown word is never split and, with -u, never changed (0 of 3941 segments on both corpora and both
directions). A batch goes through one process with segments separated by blank lines, which text mode
keeps as paragraph breaks and never moves words across (tests/test_engines_local.py checks both).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from amts.engines.base import TOKEN_RE, Capabilities, Engine, restore_tokens
from amts.errors import EngineError

_ISO3 = {
    "en": "eng",
    "es": "spa",
    "ca": "cat",
    "fr": "fra",
    "pt": "por",
    "it": "ita",
    "de": "deu",
    "gl": "glg",
    "eo": "epo",
    "oc": "oci",
    "ro": "ron",
    "nl": "nld",
    "sv": "swe",
    "da": "dan",
    "nb": "nob",
    "nn": "nno",
}
_ISO1 = {v: k for k, v in _ISO3.items()}
MODES_DIRS = (Path("/usr/share/apertium/modes"), Path("/usr/local/share/apertium/modes"))
# One process per batch of about this many characters: start-up costs ~0.3 s, so batches are large.
BATCH_CHARS = 200_000
_UNKNOWN_RE = re.compile(r"(?<![\w*])\*([^\W\d_][\w'-]*)")
_BLANK_RUN_RE = re.compile(r"\n\s*\n")


def _carrier_prefix(texts: list[str]) -> str:
    """ "xtok" unless a text already contains it (then a longer, unused prefix)."""
    prefix = "xtok"
    while any(prefix in text.lower() for text in texts):
        prefix = "xq" + prefix
    return prefix


def _to_carrier(text: str, prefix: str) -> tuple[str, dict[str, tuple[bool, bool]]]:
    """Tokens as unknown words, spaced off from what they touch: `⟦1⟧the` would reach Apertium as the single
    unknown word `xtok1xthe` and leave "the" untranslated. Returns which sides of each token were glued."""
    glue: dict[str, tuple[bool, bool]] = {}

    def carry(match: re.Match) -> str:
        number, (start, end) = match.group(0)[1:-1], match.span()
        left = start > 0 and not text[start - 1].isspace()
        right = end < len(text) and not text[end].isspace()
        glue[number] = (left, right)
        return (" " if left else "") + f"{prefix}{number}x" + (" " if right else "")

    return TOKEN_RE.sub(carry, text), glue


def _from_carrier(output: str, prefix: str, glue: dict[str, tuple[bool, bool]]) -> str:
    """Tokens back from their carrier words, glued again to whatever now stands on the side they touched."""
    output = re.sub(rf"(?i){prefix}(\d+)x", lambda m: f"⟦{m.group(1)}⟧", output)
    for number, (left, right) in glue.items():
        token = re.escape(f"⟦{number}⟧")
        if left:
            output = re.sub(rf"\s+({token})", r"\1", output)
        if right:
            output = re.sub(rf"({token})\s+", r"\1", output)
    return output


def installed_pairs() -> set[tuple[str, str]]:
    """Language pairs whose Apertium mode files are installed (e.g. eng-spa.mode -> ("en", "es"))."""
    pairs = set()
    for folder in MODES_DIRS:
        for mode in folder.glob("*-*.mode") if folder.is_dir() else ():
            parts = mode.stem.split("-")
            if len(parts) == 2 and parts[0] in _ISO1 and parts[1] in _ISO1:
                pairs.add((_ISO1[parts[0]], _ISO1[parts[1]]))
    return pairs


class ApertiumEngine(Engine):
    name = "apertium"
    summary = "Apertium, offline (installed pairs, e.g. en<->es)"
    capabilities = Capabilities()

    def __init__(self, binary: str | None = None, batch_chars: int = BATCH_CHARS):
        self.binary = binary or shutil.which("apertium")
        self.batch_chars = batch_chars
        # Apertium is deterministic: repeated texts (experiment conditions, re-runs) are served from here.
        self._cache: dict[tuple[str, str], str] = {}

    def pairs(self):
        return installed_pairs() if self.binary else set()

    def check_pair(self, source_lang, target_lang):
        if not self.binary:
            raise EngineError(
                "apertium is not installed: apt-get install apertium apertium-eng-spa (make setup)"
            )
        return super().check_pair(source_lang, target_lang)

    def mode(self, source_lang: str, target_lang: str) -> str:
        return f"{_ISO3[source_lang]}-{_ISO3[target_lang]}"

    def _run(self, texts: list[str], mode: str, mark_unknown: bool) -> list[str]:
        """One Apertium process for a batch; returns one output a text, tokens carried as unknown words."""
        prefix = _carrier_prefix(texts)
        # A segment is one line: newlines inside it would end the paragraph the batch separator relies on.
        carried = [_to_carrier(" ".join(t.split()), prefix) for t in texts]
        outputs = self._run_lines([line for line, _ in carried], mode, mark_unknown)
        return [_from_carrier(out, prefix, glue) for out, (_, glue) in zip(outputs, carried, strict=False)]

    def _run_lines(self, lines: list[str], mode: str, mark_unknown: bool) -> list[str]:
        args = [str(self.binary)] + ([] if mark_unknown else ["-u"]) + ["-f", "txt", mode]
        try:
            run = subprocess.run(
                args, input="\n\n".join(lines) + "\n", capture_output=True, text=True, check=True
            )
        except subprocess.CalledProcessError as exc:
            raise EngineError(f"apertium {mode} failed: {exc.stderr.strip()[:300]}") from exc
        outputs = _BLANK_RUN_RE.split(run.stdout.strip("\n"))
        if len(outputs) != len(lines):
            if len(lines) == 1:
                return [" ".join(run.stdout.split())]
            # Never guess an alignment: translate one at a time instead (slow but exact).
            return [self._run_lines([line], mode, mark_unknown)[0] for line in lines]
        return [" ".join(out.split()) for out in outputs]

    def _batches(self, texts: list[str]):
        batch, size = [], 0
        for index, text in enumerate(texts):
            batch.append(index)
            size += len(text) + 2
            if size >= self.batch_chars:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def _translate(self, texts, source_lang, target_lang):
        mode = self.mode(source_lang, target_lang)
        results: list[str | None] = [None] * len(texts)
        misses = []
        for i, text in enumerate(texts):
            if not text.strip():
                results[i] = text
            elif (mode, text) in self._cache:
                results[i] = self._cache[(mode, text)]
            else:
                misses.append(i)
        unique = list(dict.fromkeys(texts[i] for i in misses))
        for batch in self._batches(unique):
            for i, out in zip(
                batch, self._run([unique[i] for i in batch], mode, mark_unknown=False), strict=False
            ):
                if len(self._cache) > 200_000:
                    self._cache.clear()
                self._cache[(mode, unique[i])] = restore_tokens(unique[i], out)
        for i in misses:
            results[i] = self._cache[(mode, texts[i])]
        return results

    def untranslated_words(self, texts, source_lang, target_lang) -> Counter:
        """Words Apertium does not know, from its own `*word` marks (run without -u)."""
        found: Counter = Counter()
        for counts in self.untranslated_by_text(list(texts), source_lang, target_lang):
            found.update(counts)
        return found

    def untranslated_by_text(self, texts, source_lang, target_lang) -> list[Counter]:
        src, tgt = self.check_pair(source_lang, target_lang)
        # Markdown emphasis stars would read as Apertium's unknown-word mark: drop them first.
        cleaned = [TOKEN_RE.sub(" ", t).replace("*", " ") for t in texts]
        found: list[Counter] = [Counter() for _ in texts]
        mode = self.mode(src, tgt)
        for batch in self._batches(cleaned):
            todo = [i for i in batch if cleaned[i].strip()]
            for i, out in zip(
                todo,
                self._run([cleaned[i] for i in todo], mode, mark_unknown=True) if todo else [],
                strict=False,
            ):
                found[i].update(_UNKNOWN_RE.findall(out))
        return found
