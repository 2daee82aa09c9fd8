"""Drum one-shots: FluidR3 GM drum kits (rendered) and Hydrogen drum kits (real recordings)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from .audio import PEAK_CEILING, TARGET_RMS, active_rms, limit_peak, load_audio, trim_and_cap
from .captions import drum_captions
from .gm import DRUM_NAMES, FLUID_KITS, drum_class, drum_coarse, dynamics
from .midi import Note
from .notes import FLUID_GM, FLUID_PACKAGE, SILENT_PEAK
from .records import caption_rng
from .render import render_slots
from .splits import clip_id, split_of

DRUM_VELOCITIES = (25, 45, 65, 85, 100, 115, 127)

# Words that describe a drum class in captions.
DRUM_ADJECTIVES = {
    "bass drum": ["deep", "punchy", "booming"], "snare drum": ["tight", "crisp", "snappy"],
    "closed hi-hat": ["tight", "short", "crisp"], "open hi-hat": ["ringing", "sizzling"],
    "crash cymbal": ["bright", "splashy", "big"], "ride cymbal": ["ringing", "shimmering"],
    "floor tom": ["deep", "low"], "low tom": ["round", "warm"], "high tom": ["high", "bright"],
    "hand clap": ["sharp", "crisp"], "side stick": ["woody", "dry"],
}


def group_gain(clips: list[np.ndarray]) -> float:
    """One gain for all velocities of a drum: the loudest layer gets -20 dBFS active RMS."""
    loud = max(clips, key=lambda c: float(np.max(np.abs(c))))
    level = active_rms(loud)
    return TARGET_RMS / level if level > 0 else 1.0


def build_gm_drums(writer, smoke: bool = False, log=print) -> None:
    kits = {32: "jazz"} if smoke else FLUID_KITS
    notes = (36, 38, 42, 49, 56, 75) if smoke else tuple(range(27, 88))
    velocities = (40, 127) if smoke else DRUM_VELOCITIES
    for program, kit in kits.items():
        jobs = [(n, v) for n in notes for v in velocities]
        raw = render_slots(FLUID_GM, program, 128, 9, [[Note(0.0, 0.5, n, v)] for n, v in jobs])
        added = 0
        for note in notes:
            idx = [i for i, (n, _) in enumerate(jobs) if n == note and np.max(np.abs(raw[i])) > SILENT_PEAK]
            if not idx:
                continue
            gain = group_gain([raw[i] for i in idx])
            for i in idx:
                v = jobs[i][1]
                audio = trim_and_cap(limit_peak(raw[i] * gain))
                cls = drum_class(note)
                cid = clip_id("drum", "fluidr3", program, note, v)
                rec = {"id": cid, "split": split_of(f"fluidr3-drum|{program}|{note}|{v}"), "source": "fluidr3-gm-drums",
                       "package": FLUID_PACKAGE, "licence": "MIT", "licence_tier": "permissive", "family": "drums",
                       "instrument_or_category": DRUM_NAMES[note], "class": cls, "coarse_class": drum_coarse(cls),
                       "pitch": None, "velocity": v, "dynamics": dynamics(v)[0], "articulation": "hit",
                       "duration_s": 0.0, "kit": kit, "program": program, "bank": 128, "drum_note": note,
                       "captions": drum_captions(caption_rng(cid), re.sub(r" [12]$", "", DRUM_NAMES[note]), kit, v,
                                                 DRUM_ADJECTIVES.get(cls))}
                added += writer.add(rec, audio)
        log(f"  drums: {kit} kit: {added} clips ({writer.duplicates} duplicates so far)")


HYDROGEN_DIR = Path("/usr/share/hydrogen/data/drumkits")
HYDROGEN_PACKAGE = "hydrogen-drumkits"
HYDROGEN_KITS = {  # kit folder -> (licence, tier, caption name); from /usr/share/doc/hydrogen-drumkits/copyright
    "Audiophob": ("CC0-1.0", "permissive", "electronic"),
    "rumpf_kit_z01_h2": ("CC-BY-3.0", "permissive", "rumpf"),
    "BJA_Pacific": ("CC-BY-SA-3.0-US", "share-alike", "pacific acoustic"),
    "circAfrique v4": ("CC-BY-SA-3.0", "share-alike", "west african"),
    "ColomboAcousticDrumkit": ("GPL-2+", "gpl", "acoustic"),
    "ElectricEmpireKit": ("GPL-2+", "gpl", "electronic"),
    "HardElectro1": ("GPL-2+", "gpl", "electro"),
    "VariBreaks": ("GPL-2+", "gpl", "breakbeat"),
    "ForzeeStereo": ("GPL-2", "gpl", "rock"),
    "Gimme A Hand 1.0": ("GPL-2", "gpl", "hand percussion"),
    "Millo-Drums_v.1": ("GPL-2", "gpl", "acoustic"),
    "Millo_MultiLayered2": ("GPL-2", "gpl", "acoustic"),
    "Millo_MultiLayered3": ("GPL-2", "gpl", "acoustic"),
    "The Black Pearl 1.0": ("GPL-2", "gpl", "pearl"),
}

# Ordered (regex on the lowercased instrument name, class); first match wins. None = skip (loops, unnamed).
HYDROGEN_RULES: list[tuple[str, str | None]] = [
    (r"^sample:|^\d+$|^none$|^[a-g]#?\d - *$|super opaco|^fx$|^(varibreaks )?drum \d|^click$", None),
    (r"djembe\d? slap", "djembe slap"), (r"djembe\d? tone", "djembe tone"), (r"djembe\d? bass", "djembe bass"),
    (r"(sangban|dununba|kenkeni)\d? bell", "dunun bell"),
    (r"(sangban|dununba|kenkeni)\d? head mute", "dunun muted hit"), (r"(sangban|dununba|kenkeni)\d? head hit", "dunun hit"),
    (r"cajon thump", "cajon bass"), (r"cajon slap", "cajon slap"), (r"finger snap", "finger snap"),
    (r"waterglass", "water glass"), (r"maraca", "maracas"), (r"clave", "claves"),
    (r"woodblock hi", "hi wood block"), (r"woodblock lo", "low wood block"),
    (r"bongo hi", "hi bongo"), (r"bongo lo", "low bongo"), (r"agogo high", "high agogo"), (r"agogo low", "low agogo"),
    (r"conga", "conga"), (r"whistle", "whistle"), (r"zap", "electronic zap"),
    (r"tambourine", "tambourine"), (r"cowbell", "cowbell"), (r"clap", "hand clap"),
    (r"kick|bassdrum|bass drum", "bass drum"), (r"snare roll", "snare roll"),
    (r"rim click|stick", "side stick"), (r"snare", "snare drum"),
    (r"(hh|hat).*(pedal|pd)", "pedal hi-hat"),
    (r"(hh|hat).*(open|op\b|opened|semi|swish|free|ohh)|side ohh|open hh", "open hi-hat"),
    (r"hh|hat", "closed hi-hat"),
    (r"tom.*(floor|low|lo\b)|floor tom|low tom", "floor tom"),
    (r"tom.*(hi|high|1\b)|tomhi|high tom", "high tom"), (r"tom", "low tom"),
    (r"china", "chinese cymbal"), (r"splash", "splash cymbal"),
    (r"(ride|paiste).*(bell|cup)|ride bell|paiste bell", "ride bell"), (r"crash", "crash cymbal"),
    (r"ride", "ride cymbal"), (r"cymbal", "crash cymbal"),
]


def hydrogen_class(name: str) -> str | None:
    low = name.lower().strip()
    for pattern, cls in HYDROGEN_RULES:
        if re.search(pattern, low):
            return cls
    return None


def _strip_ns(root) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


def hydrogen_layers(kit_dir: Path) -> list[tuple[str, Path, float, float]]:
    """(instrument name, sample path, min, max velocity in 0..1) for every layer in drumkit.xml."""
    root = ET.parse(kit_dir / "drumkit.xml").getroot()
    _strip_ns(root)
    out = []
    for inst in root.iter("instrument"):
        name = (inst.findtext("name") or "").strip()
        layers = list(inst.iter("layer"))
        if layers:
            for layer in layers:
                fn = layer.findtext("filename")
                if fn:
                    out.append((name, kit_dir / fn, float(layer.findtext("min") or 0), float(layer.findtext("max") or 1)))
        else:
            fn = inst.findtext("filename")
            if fn:
                out.append((name, kit_dir / fn, 0.0, 1.0))
    return out


def build_hydrogen(writer, smoke: bool = False, log=print) -> None:
    kits = ["circAfrique v4"] if smoke else list(HYDROGEN_KITS)
    for kit in kits:
        kit_dir = HYDROGEN_DIR / kit
        if not (kit_dir / "drumkit.xml").exists():
            log(f"  hydrogen: {kit} missing (install hydrogen-drumkits), skipped")
            continue
        licence, tier, kit_words = HYDROGEN_KITS[kit]
        groups: dict[str, list] = {}
        used: set[Path] = set()  # a sample shared by two instruments is taken once, with the first label
        for name, path, vmin, vmax in hydrogen_layers(kit_dir):
            cls = hydrogen_class(name)
            if cls is None or not path.exists() or path in used:
                continue
            used.add(path)
            groups.setdefault(name, []).append((path, vmin, vmax, cls))
        items = list(groups.items())[:6] if smoke else list(groups.items())
        added = 0
        for name, layers in items:
            audios = [load_audio(p) for p, *_ in layers]
            gain = group_gain(audios)
            for (path, vmin, vmax, cls), audio in zip(layers, audios):
                velocity = None if len(layers) == 1 else max(1, min(127, round(127 * (vmin + vmax) / 2)))
                clip = trim_and_cap(limit_peak(audio * gain))
                rel = f"{kit}/{path.name}"
                cid = clip_id("hydrogen", rel)
                drum_words = cls if cls.split()[0] in ("djembe", "dunun", "cajon") else cls
                rec = {"id": cid, "split": split_of(f"hydrogen|{rel}"), "source": f"hydrogen:{kit}",
                       "package": HYDROGEN_PACKAGE, "licence": licence, "licence_tier": tier, "family": "drums",
                       "instrument_or_category": name.lower(), "class": cls, "coarse_class": drum_coarse(cls),
                       "pitch": None, "velocity": velocity,
                       "dynamics": dynamics(velocity)[0] if velocity else None, "articulation": "hit",
                       "duration_s": 0.0, "kit": kit_words, "file": rel,
                       "captions": drum_captions(caption_rng(cid), drum_words, kit_words, velocity,
                                                 DRUM_ADJECTIVES.get(cls))}
                added += writer.add(rec, clip)
        log(f"  hydrogen: {kit} ({licence}): {added} clips")
