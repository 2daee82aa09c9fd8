"""General MIDI vocabulary: instrument and drum names, families, playable ranges, note names, dynamics.

Names follow the GM 1 specification, lowercased. Ranges are practical ranges of the real instruments (or of
the FluidR3 samples for synths), so rendered notes stay idiomatic.
"""
from __future__ import annotations

GM_NAMES = [
    "acoustic grand piano", "bright acoustic piano", "electric grand piano", "honky-tonk piano",
    "electric piano 1", "electric piano 2", "harpsichord", "clavinet",
    "celesta", "glockenspiel", "music box", "vibraphone", "marimba", "xylophone", "tubular bells", "dulcimer",
    "drawbar organ", "percussive organ", "rock organ", "church organ", "reed organ", "accordion", "harmonica",
    "tango accordion",
    "acoustic guitar (nylon)", "acoustic guitar (steel)", "electric guitar (jazz)", "electric guitar (clean)",
    "electric guitar (muted)", "overdriven guitar", "distortion guitar", "guitar harmonics",
    "acoustic bass", "electric bass (finger)", "electric bass (pick)", "fretless bass", "slap bass 1",
    "slap bass 2", "synth bass 1", "synth bass 2",
    "violin", "viola", "cello", "contrabass", "tremolo strings", "pizzicato strings", "orchestral harp", "timpani",
    "string ensemble 1", "string ensemble 2", "synth strings 1", "synth strings 2", "choir aahs", "voice oohs",
    "synth voice", "orchestra hit",
    "trumpet", "trombone", "tuba", "muted trumpet", "french horn", "brass section", "synth brass 1", "synth brass 2",
    "soprano sax", "alto sax", "tenor sax", "baritone sax", "oboe", "english horn", "bassoon", "clarinet",
    "piccolo", "flute", "recorder", "pan flute", "blown bottle", "shakuhachi", "whistle", "ocarina",
    "lead 1 (square)", "lead 2 (sawtooth)", "lead 3 (calliope)", "lead 4 (chiff)", "lead 5 (charang)",
    "lead 6 (voice)", "lead 7 (fifths)", "lead 8 (bass + lead)",
    "pad 1 (new age)", "pad 2 (warm)", "pad 3 (polysynth)", "pad 4 (choir)", "pad 5 (bowed)", "pad 6 (metallic)",
    "pad 7 (halo)", "pad 8 (sweep)",
    "fx 1 (rain)", "fx 2 (soundtrack)", "fx 3 (crystal)", "fx 4 (atmosphere)", "fx 5 (brightness)",
    "fx 6 (goblins)", "fx 7 (echoes)", "fx 8 (sci-fi)",
    "sitar", "banjo", "shamisen", "koto", "kalimba", "bagpipe", "fiddle", "shanai",
    "tinkle bell", "agogo", "steel drums", "woodblock", "taiko drum", "melodic tom", "synth drum", "reverse cymbal",
    "guitar fret noise", "breath noise", "seashore", "bird tweet", "telephone ring", "helicopter", "applause",
    "gunshot",
]
assert len(GM_NAMES) == 128

FAMILIES = ["piano", "chromatic percussion", "organ", "guitar", "bass", "strings", "ensemble", "brass", "reed",
            "pipe", "synth lead", "synth pad", "synth effects", "ethnic", "percussive", "sound effects"]

# Programs whose pitch is not a musical property of the sound (GM sound effects, reverse cymbal).
UNPITCHED_PROGRAMS = frozenset(range(119, 128))

# (lowest, highest) MIDI note rendered for each program.
_RANGES: dict[range | int, tuple[int, int]] = {
    range(0, 6): (28, 100), 6: (29, 89), 7: (36, 96),
    8: (60, 108), 9: (67, 108), 10: (60, 96), 11: (53, 89), 12: (45, 96), 13: (65, 108), 14: (60, 77), 15: (48, 84),
    range(16, 21): (36, 96), 21: (53, 89), 22: (60, 84), 23: (53, 89),
    range(24, 31): (40, 84), 31: (52, 88),
    range(32, 38): (28, 60), 38: (28, 72), 39: (28, 72),
    40: (55, 100), 41: (48, 88), 42: (36, 76), 43: (28, 60), 44: (36, 96), 45: (36, 96), 46: (24, 103),
    47: (40, 57),
    range(48, 52): (36, 96), 52: (48, 81), 53: (48, 81), 54: (48, 84), 55: (48, 84),
    56: (54, 86), 57: (40, 72), 58: (28, 58), 59: (54, 82), 60: (41, 77), 61: (41, 84), 62: (36, 84), 63: (36, 84),
    64: (56, 88), 65: (49, 81), 66: (44, 76), 67: (36, 69), 68: (58, 91), 69: (52, 81), 70: (34, 72), 71: (50, 91),
    72: (74, 108), 73: (60, 96), 74: (60, 96), 75: (60, 96), 76: (60, 84), 77: (55, 84), 78: (60, 96), 79: (60, 84),
    range(80, 104): (36, 96),
    104: (48, 77), 105: (48, 84), 106: (50, 79), 107: (55, 90), 108: (48, 84), 109: (55, 77), 110: (55, 96),
    111: (60, 84),
    112: (72, 96), 113: (60, 84), 114: (52, 88), 115: (60, 84), 116: (36, 60), 117: (40, 72), 118: (40, 72),
    range(119, 128): (48, 72),
}


def program_range(program: int) -> tuple[int, int]:
    """The (lowest, highest) MIDI note rendered for a GM program."""
    for key, value in _RANGES.items():
        if (isinstance(key, range) and program in key) or key == program:
            return value
    raise KeyError(f"no range for GM program {program}")


def family_of(program: int) -> str:
    """GM family of a program (0-127), e.g. 40 -> 'strings'."""
    return FAMILIES[program // 8]


# General MIDI percussion key map (35-81) plus the GS extensions (27-34, 82-87).
DRUM_NAMES = {
    27: "high q", 28: "slap", 29: "scratch push", 30: "scratch pull", 31: "sticks", 32: "square click",
    33: "metronome click", 34: "metronome bell",
    35: "acoustic bass drum", 36: "bass drum 1", 37: "side stick", 38: "acoustic snare", 39: "hand clap",
    40: "electric snare", 41: "low floor tom", 42: "closed hi-hat", 43: "high floor tom", 44: "pedal hi-hat",
    45: "low tom", 46: "open hi-hat", 47: "low-mid tom", 48: "hi-mid tom", 49: "crash cymbal 1", 50: "high tom",
    51: "ride cymbal 1", 52: "chinese cymbal", 53: "ride bell", 54: "tambourine", 55: "splash cymbal",
    56: "cowbell", 57: "crash cymbal 2", 58: "vibraslap", 59: "ride cymbal 2", 60: "hi bongo", 61: "low bongo",
    62: "mute hi conga", 63: "open hi conga", 64: "low conga", 65: "high timbale", 66: "low timbale",
    67: "high agogo", 68: "low agogo", 69: "cabasa", 70: "maracas", 71: "short whistle", 72: "long whistle",
    73: "short guiro", 74: "long guiro", 75: "claves", 76: "hi wood block", 77: "low wood block",
    78: "mute cuica", 79: "open cuica", 80: "mute triangle", 81: "open triangle",
    82: "shaker", 83: "jingle bell", 84: "bell tree", 85: "castanets", 86: "mute surdo", 87: "open surdo",
}

# The class a drum hit is evaluated as: GM names, with variants that differ only by kit sample merged.
_DRUM_CLASS_MERGE = {
    35: "bass drum", 36: "bass drum", 38: "snare drum", 40: "snare drum", 41: "floor tom", 43: "floor tom",
    45: "low tom", 47: "low tom", 48: "high tom", 50: "high tom", 49: "crash cymbal", 57: "crash cymbal",
    51: "ride cymbal", 59: "ride cymbal",
}


def drum_class(note: int) -> str:
    """Evaluation class of a GM drum key, e.g. 38 and 40 -> 'snare drum'."""
    return _DRUM_CLASS_MERGE.get(note, DRUM_NAMES[note])


# Coarse groups for drum classes (also used by real drum kits).
DRUM_COARSE = {
    "bass drum": "kick", "snare drum": "snare", "side stick": "snare", "hand clap": "clap",
    "floor tom": "tom", "low tom": "tom", "high tom": "tom", "closed hi-hat": "hi-hat", "pedal hi-hat": "hi-hat",
    "open hi-hat": "hi-hat", "crash cymbal": "cymbal", "ride cymbal": "cymbal", "ride bell": "cymbal",
    "chinese cymbal": "cymbal", "splash cymbal": "cymbal",
}


def drum_coarse(cls: str) -> str:
    """Coarse class of a drum class: kick, snare, tom, hi-hat, cymbal, clap or hand percussion."""
    return DRUM_COARSE.get(cls, "hand percussion")


# Drum-kit presets of FluidR3_GM (bank 128): program -> kit name used in captions.
FLUID_KITS = {0: "standard", 8: "room", 16: "power", 24: "electronic", 25: "tr-808", 32: "jazz", 40: "brush",
              48: "orchestra"}

NOTE_NAMES = ["c", "c#", "d", "d#", "e", "f", "f#", "g", "g#", "a", "a#", "b"]
FLAT_NAMES = {"c#": "db", "d#": "eb", "f#": "gb", "g#": "ab", "a#": "bb"}


def note_name(midi: int, flat: bool = False) -> str:
    """Scientific pitch name, lowercase, one token: 60 -> 'c4', 61 -> 'c#4' (or 'db4' with flat=True)."""
    name = NOTE_NAMES[midi % 12]
    if flat:
        name = FLAT_NAMES.get(name, name)
    return f"{name}{midi // 12 - 1}"


def midi_to_hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def register_word(midi: int) -> str:
    """'low' below C3, 'high' above C5, else 'middle' (data-sources.md §6)."""
    if midi < 48:
        return "low"
    if midi > 72:
        return "high"
    return "middle"


DYNAMICS = [(31, "very soft", "pp"), (63, "soft", "p"), (95, "medium", "mf"), (111, "loud", "f"),
            (127, "very loud", "ff")]


def dynamics(velocity: int) -> tuple[str, str]:
    """(word, marking) for a MIDI velocity: 32 -> ('soft', 'p'), 127 -> ('very loud', 'ff')."""
    if not 1 <= velocity <= 127:
        raise ValueError(f"velocity must be 1-127, got {velocity}")
    for top, word, mark in DYNAMICS:
        if velocity <= top:
            return word, mark
    raise AssertionError("unreachable")


def spoken_name(gm_name: str) -> str:
    """A caption-friendly form of a GM name: 'acoustic guitar (nylon)' -> 'nylon acoustic guitar',
    'lead 1 (square)' -> 'square lead synth', 'pad 2 (warm)' -> 'warm synth pad', 'fx 1 (rain)' -> 'rain synth effect'."""
    if "(" not in gm_name:
        return gm_name
    head, rest = gm_name.split("(", 1)
    qualifier = rest.rstrip(")").replace("+", "and").strip()
    head = head.strip()
    if head.startswith("lead"):
        return f"{qualifier} lead synth"
    if head.startswith("pad"):
        return f"{qualifier} synth pad"
    if head.startswith("fx"):
        return f"{qualifier} synth effect"
    return f"{qualifier} {head}"
