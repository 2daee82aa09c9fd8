"""Natural-language captions built from structured labels (data-sources.md §6).

Captions are lowercase, use canonical GM names in a spoken form ("nylon acoustic guitar"), note names with
octave as one token ("c#4"), dynamics words ("soft", "very loud") and articulation words ("staccato",
"sustained"). Every clip gets 4 distinct captions, chosen deterministically from its id.
"""
from __future__ import annotations

import random
import re

from .gm import dynamics, note_name, register_word

ARTICULATION_WORDS = {"staccato": ["staccato", "short"], "sustained": ["sustained", "long"], "normal": [""]}
N_CAPTIONS = 4


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def with_article(phrase: str) -> str:
    return f"{article(phrase)} {phrase}"


def tidy(text: str) -> str:
    """Collapse spaces, remove empty list items and stray punctuation left by empty slots."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*,\s*(,\s*)+", ", ", text)
    text = re.sub(r"\s+,", ",", text)
    return text.strip(" ,")


def pick(rng: random.Random, candidates: list[str], n: int = N_CAPTIONS) -> list[str]:
    """`n` distinct tidy captions from `candidates` (order shuffled by `rng`)."""
    seen: list[str] = []
    pool = [tidy(c) for c in candidates]
    rng.shuffle(pool)
    for caption in pool:
        if caption and caption not in seen:
            seen.append(caption)
        if len(seen) == n:
            break
    return seen


def pitch_variants(midi: int) -> list[str]:
    """Ways to name a pitch: 'c4', 'db4' for sharps, and 'middle c' / 'high c' / 'low c' for Cs."""
    names = [note_name(midi)]
    if "#" in names[0]:
        names.append(note_name(midi, flat=True))
    if midi == 60:
        names.append("middle c")
    elif midi == 72:
        names.append("high c")
    return names


def note_captions(rng: random.Random, inst: str, family: str, midi: int | None, velocity: int,
                  articulation: str, seed_words: list[str] | None = None) -> list[str]:
    dyn, mark = dynamics(velocity)
    art = rng.choice(ARTICULATION_WORDS[articulation])
    if midi is None:
        candidates = [f"{with_article(dyn)} {inst} sound", f"{inst}, {dyn}, {art}", f"{art} {inst}, {dyn}",
                      f"the sound of {with_article(inst)}, {dyn}", f"{inst} sound effect, {dyn} {art}",
                      f"{with_article(inst)}, {family}, {dyn}"]
        return pick(rng, candidates)
    pv = pitch_variants(midi)
    p1, p2 = pv[0], rng.choice(pv)
    reg = register_word(midi)
    candidates = [
        f"{with_article(dyn)} {inst} note, {p1}",
        f"{art} {inst}, {dyn}, {p2}",
        f"{inst} playing {p1}, {dyn}, {art}",
        f"{p2} on {with_article(inst)}, {dyn} {art}",
        f"{with_article(dyn + ' ' + art)} {reg} {inst} note",
        f"{with_article(family)} note: {inst}, {p1}, {dyn}",
        f"{inst}, single note, {p2}, {mark}",
    ]
    return pick(rng, candidates)


CHORD_WORDS = {"major": "major", "minor": "minor", "diminished": "diminished", "augmented": "augmented",
               "sus4": "suspended fourth", "major7": "major seventh", "minor7": "minor seventh",
               "dominant7": "dominant seventh"}


def chord_captions(rng: random.Random, inst: str, root: int, quality: str, velocity: int, arpeggio: bool) -> list[str]:
    dyn, _ = dynamics(velocity)
    root_name = note_name(root)
    q = CHORD_WORDS[quality]
    kind = "arpeggio" if arpeggio else "chord"
    candidates = [
        f"{with_article(dyn)} {root_name} {q} {kind} on {with_article(inst)}",
        f"{inst} {kind}, {root_name} {q}, {dyn}",
        f"{with_article(q)} {kind} played on {with_article(inst)}, {dyn}",
        f"{dyn} {inst}: {root_name} {q} {kind}",
        f"{with_article(inst)} playing {with_article(q)} {kind} from {root_name}",
    ]
    if arpeggio:
        candidates.append(f"a rising {q} arpeggio on {with_article(inst)}, {root_name}, {dyn}")
    return pick(rng, candidates)


def drum_captions(rng: random.Random, drum: str, kit: str | None, velocity: int | None,
                  adjectives: list[str] | None = None) -> list[str]:
    dyn = dynamics(velocity)[0] if velocity else ""
    adj = rng.choice(adjectives) if adjectives else ""
    kit_phrase = f"{kit} kit" if kit else "drum kit"
    candidates = [
        f"{with_article((dyn + ' ' + drum).strip())} hit",
        f"{drum}, {kit_phrase}, {dyn}",
        f"{with_article((adj + ' ' + drum).strip())} hit from {with_article(kit_phrase)}",
        f"{dyn} {drum} one-shot",
        f"{kit_phrase} {drum}, {dyn} hit",
        f"{with_article((adj + ' ' + dyn + ' ' + drum).strip())}",
    ]
    return pick(rng, candidates)


def strip_article(phrase: str) -> str:
    for art in ("a ", "an ", "the "):
        if phrase.startswith(art):
            return phrase[len(art):]
    return phrase


def describe(desc: str, phrase: str) -> str:
    """'short' + 'a dog barking' -> 'a short dog barking'; plural/uncountable phrases stay without article."""
    if not desc:
        return phrase
    rest = strip_article(phrase)
    return with_article(f"{desc} {rest}") if rest != phrase else f"{desc} {phrase}"


def sfx_captions(rng: random.Random, phrases: list[str], descriptors: list[str]) -> list[str]:
    """Captions for a sound effect: `phrases` name it ('glass breaking', 'a dog barking'); descriptors are
    optional words such as 'short', 'long', 'distant'."""
    main = phrases[0]
    alt = rng.choice(phrases)
    desc = rng.choice(descriptors) if descriptors else ""
    candidates = [
        main,
        f"the sound of {alt}",
        f"{alt}, {desc}",
        f"{describe(desc, strip_article(alt))} sound effect",
        f"{main}, sound effect",
        f"{describe(desc, alt)}",
        f"sound effect: {alt}",
    ]
    return pick(rng, candidates)
