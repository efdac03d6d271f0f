"""Apertium (Debian packages `apertium`, `apertium-eng-spa`): rule-based, offline, fast.

Carrier: Apertium's plain-text mode passes ⟦n⟧ tokens through untouched (they are neither letters nor
markup to it), whereas HTML mode translates the text inside `<span translate="no">` and text mode mangles
inline tags. A batch goes through one process with segments separated by blank lines, which text mode
keeps as paragraph breaks and never moves words across (tests/test_engines_apertium.py checks both).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from amts.engines.base import Engine, TOKEN_RE, restore_tokens
from amts.errors import EngineError

_ISO3 = {"en": "eng", "es": "spa", "ca": "cat", "fr": "fra", "pt": "por", "it": "ita", "de": "deu", "gl": "glg",
         "eo": "epo", "oc": "oci", "ro": "ron", "nl": "nld", "sv": "swe", "da": "dan", "nb": "nob", "nn": "nno"}
_ISO1 = {v: k for k, v in _ISO3.items()}
MODES_DIRS = (Path("/usr/share/apertium/modes"), Path("/usr/local/share/apertium/modes"))
# One process per batch of about this many characters: start-up costs ~0.3 s, so batches are large.
BATCH_CHARS = 200_000
_UNKNOWN_RE = re.compile(r"(?<![\w*])\*([^\W\d_][\w'-]*)")
_BLANK_RUN_RE = re.compile(r"\n\s*\n")


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

    def __init__(self, binary: str | None = None, batch_chars: int = BATCH_CHARS):
        self.binary = binary or shutil.which("apertium")
        self.batch_chars = batch_chars

    def pairs(self):
        return installed_pairs() if self.binary else set()

    def check_pair(self, source_lang, target_lang):
        if not self.binary:
            raise EngineError("apertium is not installed: apt-get install apertium apertium-eng-spa (make setup)")
        return super().check_pair(source_lang, target_lang)

    def mode(self, source_lang: str, target_lang: str) -> str:
        return f"{_ISO3[source_lang]}-{_ISO3[target_lang]}"

    def _run(self, texts: list[str], mode: str, mark_unknown: bool) -> list[str]:
        """One Apertium process for a batch; returns one output a text (blank-line carrier)."""
        # A segment is one line: newlines inside it would end the paragraph the carrier relies on.
        lines = [" ".join(text.split()) for text in texts]
        args = [self.binary] + ([] if mark_unknown else ["-u"]) + ["-f", "txt", mode]
        try:
            run = subprocess.run(args, input="\n\n".join(lines) + "\n", capture_output=True, text=True, check=True)
        except subprocess.CalledProcessError as exc:
            raise EngineError(f"apertium {mode} failed: {exc.stderr.strip()[:300]}") from exc
        outputs = _BLANK_RUN_RE.split(run.stdout.strip("\n"))
        if len(outputs) != len(lines):
            if len(lines) == 1:
                return [" ".join(run.stdout.split())]
            # Never guess an alignment: translate one at a time instead (slow but exact).
            return [self._run([line], mode, mark_unknown)[0] for line in lines]
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
        for batch in self._batches(texts):
            todo = [i for i in batch if texts[i].strip()]
            for i in batch:
                if not texts[i].strip():
                    results[i] = texts[i]
            for i, out in zip(todo, self._run([texts[i] for i in todo], mode, mark_unknown=False) if todo else []):
                results[i] = restore_tokens(texts[i], out)
        return results

    def untranslated_words(self, texts, source_lang, target_lang) -> Counter:
        """Words Apertium does not know, from its own `*word` marks (run without -u)."""
        found: Counter = Counter()
        for counts in self.untranslated_by_text(list(texts), source_lang, target_lang):
            found.update(counts)
        return found

    def untranslated_by_text(self, texts, source_lang, target_lang) -> list[Counter]:
        src, tgt = self.check_pair(source_lang, target_lang)
        cleaned = [TOKEN_RE.sub(" ", t) for t in texts]
        found = [Counter() for _ in texts]
        mode = self.mode(src, tgt)
        for batch in self._batches(cleaned):
            todo = [i for i in batch if cleaned[i].strip()]
            for i, out in zip(todo, self._run([cleaned[i] for i in todo], mode, mark_unknown=True) if todo else []):
                found[i].update(_UNKNOWN_RE.findall(out))
        return found
