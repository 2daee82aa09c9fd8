"""Word-level prompt tokenizer shared by training and the TypeScript runtime (src/models/tokenizer.ts).

The spec lives in docs/bundle-format.md: lowercase, NFKC, regex matches left to right, unknown words map to
<unk>, punctuation not in the vocabulary is dropped, truncate to max_length, right-pad with <pad> (id 0).
Note names with an octave ("c#4", "eb3", "a4") are single tokens, so pitch is one word the model can learn.
"""
from __future__ import annotations

import argparse
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Iterable

PATTERN = r"[a-g](?:#|b)?-?[0-9]|[a-z]+(?:'[a-z]+)?|[0-9]+(?:\.[0-9]+)?|[^\sa-z0-9]"
PAD, UNK = "<pad>", "<unk>"
_TOKEN_RE = re.compile(PATTERN)
_WORD_RE = re.compile(r"[a-z0-9#]")


def split_words(text: str) -> list[str]:
    """The token strings of `text`, before vocabulary lookup."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower())


def is_word(token: str) -> bool:
    """Punctuation tokens (no letter or digit) are dropped when they are not in the vocabulary."""
    return _WORD_RE.search(token) is not None


class WordTokenizer:
    def __init__(self, vocab: dict[str, int], max_length: int = 32):
        if vocab.get(PAD) != 0 or vocab.get(UNK) != 1:
            raise ValueError(f"vocab must map {PAD!r} to 0 and {UNK!r} to 1")
        self.vocab = vocab
        self.max_length = max_length

    @classmethod
    def build(cls, captions: Iterable[str], max_length: int = 32, min_count: int = 1) -> "WordTokenizer":
        counts: Counter[str] = Counter()
        for caption in captions:
            counts.update(split_words(caption))
        # Only words seen in captions: a note name the data never had stays unknown and is reported as such.
        words = sorted(w for w, c in counts.items() if c >= min_count)
        vocab = {PAD: 0, UNK: 1}
        for word in words:
            vocab.setdefault(word, len(vocab))
        return cls(vocab, max_length)

    def tokens(self, text: str) -> list[str]:
        """Token strings after dropping unknown punctuation, before truncation."""
        return [t for t in split_words(text) if t in self.vocab or is_word(t)]

    def unknown_words(self, text: str) -> list[str]:
        return [t for t in self.tokens(text) if t not in self.vocab]

    def encode(self, text: str) -> list[int]:
        ids = [self.vocab.get(t, 1) for t in self.tokens(text)][: self.max_length]
        return ids + [0] * (self.max_length - len(ids))

    def to_json(self) -> dict:
        return {"type": "word", "lowercase": True, "normalization": "NFKC", "max_length": self.max_length,
                "pattern": PATTERN, "pad_token": PAD, "unk_token": UNK, "vocab": self.vocab}

    @classmethod
    def from_json(cls, data: dict) -> "WordTokenizer":
        if data.get("pattern") != PATTERN:
            raise ValueError("tokenizer.json pattern differs from this tokenizer's")
        return cls(dict(data["vocab"]), int(data["max_length"]))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=0))

    @classmethod
    def load(cls, path: Path) -> "WordTokenizer":
        return cls.from_json(json.loads(Path(path).read_text()))


FIXTURE_PROMPTS = [
    "a soft plucked nylon guitar note, C4", "A SOFT CELLO NOTE, G2", "staccato trumpet, loud, high C",
    "a tight snare drum hit", "glass breaking", "C#4 piano", "Eb3 flute; very soft!", "f#-1 bass?",
    "an 808 kick drum", "footsteps on gravel...", "it's a door slam", "3.5 seconds of rain",
    "  leading and trailing   spaces  ", "", "!!!", "unknownword zzz qwerty", "Crème brûlée bells",
    "ﬁfth harmonic (NFKC ligature)", "a4a4 b#3c", "velocity 127, pitch 60", "Bb2-Bb3 octave",
    "pad—em dash – en dash", "tab\tseparated\nnewline", "ＦＵＬＬＷＩＤＴＨ ＰＩＡＮＯ", "x" * 40,
]


def fixture_cases(tokenizer: WordTokenizer, extra: Iterable[str]) -> list[dict]:
    prompts = list(FIXTURE_PROMPTS) + list(extra)
    words = sorted(tokenizer.vocab)
    # Deterministic word salads over the vocabulary, mixed with unknown words and punctuation.
    for i in range(200):
        picks = [words[(i * 7919 + k * 104729) % len(words)] for k in range(1 + i % 9)]
        if i % 3 == 0:
            picks.append("zorblax")
        prompts.append((", " if i % 2 else " ").join(picks).upper() if i % 5 == 0 else " ".join(picks))
    return [{"prompt": p, "ids": tokenizer.encode(p), "unknown": tokenizer.unknown_words(p)} for p in prompts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokenizer", type=Path, required=True, help="tokenizer.json to load")
    parser.add_argument("--dump-fixture", type=Path, help="write prompts with their ids (TypeScript parity test)")
    parser.add_argument("--captions", type=Path, help="manifest.jsonl whose captions join the fixture prompts")
    args = parser.parse_args()
    tokenizer = WordTokenizer.load(args.tokenizer)
    extra: list[str] = []
    if args.captions and args.captions.exists():
        for n, line in enumerate(args.captions.read_text().splitlines()):
            if n % 97 == 0:
                extra.extend(json.loads(line)["captions"][:1])
    if args.dump_fixture:
        cases = fixture_cases(tokenizer, extra[:100])
        args.dump_fixture.write_text(json.dumps({"max_length": tokenizer.max_length, "cases": cases}, ensure_ascii=False, indent=0))
        print(f"wrote {len(cases)} cases to {args.dump_fixture}")


if __name__ == "__main__":
    main()
