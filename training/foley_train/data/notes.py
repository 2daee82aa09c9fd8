"""Rendered notes, chords and arpeggios from FluidR3 GM bank 0 (MIT)."""
from __future__ import annotations

import numpy as np

from .audio import PEAK_CEILING, limit_peak, trim_and_cap
from .captions import chord_captions, note_captions
from .gm import GM_NAMES, UNPITCHED_PROGRAMS, dynamics, family_of, program_range, spoken_name
from .midi import Note
from .records import caption_rng
from .render import render_slots
from .splits import clip_id, split_of

FLUID_GM = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
FLUID_PACKAGE = "fluid-soundfont-gm"
VELOCITIES = (32, 64, 96, 127)
HOLDS = {"staccato": 0.3, "normal": 0.8, "sustained": 2.0}
PITCHES_PER_PROGRAM = 12
SILENT_PEAK = 2e-4


def spread_pitches(lo: int, hi: int, count: int) -> list[int]:
    """`count` distinct notes spread evenly over [lo, hi] (fewer if the range is narrower)."""
    return sorted({int(round(x)) for x in np.linspace(lo, hi, count)})


def fluid_fields(**extra) -> dict:
    return {"source": "fluidr3-gm", "package": FLUID_PACKAGE, "licence": "MIT", "licence_tier": "permissive", **extra}


def normalise_group(clips: list[np.ndarray], reference: list[int]) -> list[np.ndarray]:
    """One gain for an instrument: its loudest reference clip (the ff velocity) peaks at -1 dBFS, so
    velocity dynamics survive; any clip that still exceeds -1 dBFS is limited."""
    peak = max((float(np.max(np.abs(clips[i]))) for i in reference), default=0.0)
    if peak <= 0:
        return clips
    gain = PEAK_CEILING / peak
    return [limit_peak(c * gain) for c in clips]


def build_notes(writer, smoke: bool = False, log=print) -> None:
    programs = [0, 40, 73] if smoke else list(range(128))
    velocities = (32, 127) if smoke else VELOCITIES
    holds = {"normal": 0.8} if smoke else HOLDS
    for program in programs:
        lo, hi = program_range(program)
        pitched = program not in UNPITCHED_PROGRAMS
        pitches = spread_pitches(lo, hi, 2 if smoke else (PITCHES_PER_PROGRAM if pitched else 3))
        jobs = [(p, v, a, h) for p in pitches for v in velocities for a, h in holds.items()]
        raw = render_slots(FLUID_GM, program, 0, 0, [[Note(0.0, h, p, v)] for p, v, _, h in jobs])
        keep = [i for i, r in enumerate(raw) if np.max(np.abs(r)) > SILENT_PEAK]
        clips = normalise_group([raw[i] for i in keep], [k for k, i in enumerate(keep) if jobs[i][1] == max(velocities)])
        name = GM_NAMES[program]
        inst = spoken_name(name)
        family = family_of(program)
        for (p, v, art, h), clip in zip([jobs[i] for i in keep], clips):
            audio = trim_and_cap(clip)
            cid = clip_id("note", "fluidr3", program, p, v, art)
            rec = fluid_fields(
                id=cid, split=split_of(f"fluidr3-note|{program}|{p}|{v}"), family=family,
                instrument_or_category=name, **{"class": name}, coarse_class=family,
                pitch=p if pitched else None, velocity=v, dynamics=dynamics(v)[0], articulation=art,
                duration_s=0.0, program=program, bank=0, hold_s=h,
                captions=note_captions(caption_rng(cid), inst, family, p if pitched else None, v, art))
            writer.add(rec, audio)
        log(f"  notes: program {program:3d} {name}: {len(keep)}/{len(jobs)} clips")


CHORD_INTERVALS = {"major": (0, 4, 7), "minor": (0, 3, 7), "diminished": (0, 3, 6), "augmented": (0, 4, 8),
                   "sus4": (0, 5, 7), "major7": (0, 4, 7, 11), "minor7": (0, 3, 7, 10), "dominant7": (0, 4, 7, 10)}
CHORD_PROGRAMS = (0, 4, 16, 19, 24, 25, 48, 61, 89)
CHORD_VELOCITIES = (48, 104)


def build_chords(writer, smoke: bool = False, log=print) -> None:
    programs = (0,) if smoke else CHORD_PROGRAMS
    roots = (48, 55) if smoke else tuple(range(48, 60))
    qualities = ("major", "minor") if smoke else tuple(CHORD_INTERVALS)
    for program in programs:
        jobs = []  # (root, quality, velocity, arpeggio)
        for root in roots:
            for quality in qualities:
                for v in CHORD_VELOCITIES:
                    jobs.append((root, quality, v, False))
            if not smoke:
                for quality in ("major", "minor"):
                    jobs.append((root, quality, CHORD_VELOCITIES[root % 2], True))
        slots = []
        for root, quality, v, arp in jobs:
            tones = [root + i for i in CHORD_INTERVALS[quality]]
            if arp:
                tones = tones + [root + 12]
                slots.append([Note(0.18 * k, 1.6 - 0.18 * k, t, v) for k, t in enumerate(tones)])
            else:
                slots.append([Note(0.0, 1.5, t, v) for t in tones])
        raw = render_slots(FLUID_GM, program, 0, 0, slots)
        keep = [i for i, r in enumerate(raw) if np.max(np.abs(r)) > SILENT_PEAK]
        loud = [k for k, i in enumerate(keep) if jobs[i][2] == max(CHORD_VELOCITIES)]
        clips = normalise_group([raw[i] for i in keep], loud)
        name = GM_NAMES[program]
        inst = spoken_name(name)
        family = family_of(program)
        for (root, quality, v, arp), clip in zip([jobs[i] for i in keep], clips):
            art = "arpeggio" if arp else "chord"
            cid = clip_id("chord", "fluidr3", program, root, quality, v, art)
            rec = fluid_fields(
                id=cid, split=split_of(f"fluidr3-chord|{program}|{root}|{quality}"), family=family,
                instrument_or_category=name, **{"class": name}, coarse_class=family, pitch=None, velocity=v,
                dynamics=dynamics(v)[0], articulation=art, duration_s=0.0, program=program, bank=0,
                chord_root=root, chord_quality=quality,
                captions=chord_captions(caption_rng(cid), inst, root, quality, v, arp))
            writer.add(rec, trim_and_cap(clip))
        log(f"  chords: program {program:3d} {name}: {len(keep)} clips")
