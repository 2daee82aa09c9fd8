"""The note a prompt asks for, by the pipeline's rule (src/pipeline/prompted-note.ts): shared by the reference
sampler (whose pitch guide needs it) and the evaluator (which splits pitch accuracy by it), without either pulling
in the other's dependencies."""
from __future__ import annotations

import re

from .tokenizer import split_words

_NOTE = re.compile(r"^([a-g])(#|b)?(-?[0-9])$")
_SEMITONES = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_MANY_PITCH_WORDS = {"chord", "chords", "arpeggio", "arpeggios", "arpeggiated"}
_NAMED_CS = {"middle": "c4", "high": "c5"}  # data/captions.py: pitch_variants


def is_note_token(token: str) -> bool:
    """True for a note name with an octave, as the tokenizer writes it ("c#4", "eb3", "a-1")."""
    return _NOTE.match(token) is not None


def prompted_midi(prompt: str) -> int | None:
    """The one MIDI note a prompt names ("c#4" -> 61, C4 = 60), or None for none, several, a chord or an arpeggio
    (the rule of src/pipeline/prompted-note.ts)."""
    tokens = split_words(prompt)
    if any(t in _MANY_PITCH_WORDS for t in tokens):
        return None
    notes = set()
    for i, token in enumerate(tokens):
        if token == "c" and i > 0 and tokens[i - 1] in _NAMED_CS:  # "middle c", "high c", as in the captions
            token = _NAMED_CS[tokens[i - 1]]
        m = _NOTE.match(token)
        if m:
            notes.add(12 * (int(m[3]) + 1) + _SEMITONES[m[1]] + {"#": 1, "b": -1}.get(m[2] or "", 0))
    return notes.pop() if len(notes) == 1 else None
