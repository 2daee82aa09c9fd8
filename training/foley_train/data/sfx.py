"""Sound effects: FluidR3_GS SFX presets (rendered), Sonic Pi one-shots, game and desktop-theme SFX."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from . import cache_dir
from .audio import MAX_SAMPLES, SAMPLE_RATE, load_audio, normalise_rms, trim_and_cap
from .captions import drum_captions, sfx_captions
from .drums import DRUM_ADJECTIVES
from .gm import drum_coarse, dynamics
from .labelmap import classify, coarse_of, phrases_of
from .midi import Note
from .notes import SILENT_PEAK
from .records import caption_rng
from .render import render_slots
from .splits import clip_id, split_of

FLUID_GS = "/usr/share/sounds/sf2/FluidR3_GS.sf2"
# FluidR3_GS preset name -> (fine class, coarse class, caption phrases)
GS_SFX = {
    "Rain": ("rain", "weather and nature", ["rain falling", "a rain shower"]),
    "Thunder": ("thunder", "weather and nature", ["thunder", "a thunderclap"]),
    "Wind": ("wind", "weather and nature", ["wind blowing", "a gust of wind"]),
    "Stream/River": ("river flowing", "water", ["a stream flowing", "running water"]),
    "Bubble": ("bubbles", "water", ["bubbles", "bubbling water", "underwater bubbles"]),
    "Dog": ("dog barking", "animals", ["a dog barking", "a dog barks"]),
    "Horse Gallop": ("horse hooves", "footsteps", ["a horse galloping", "hoofbeats"]),
    "Bird  2": ("bird call", "animals", ["a bird chirping", "birdsong"]),
    "Telephone 2": ("phone ringing", "ui and notifications", ["a telephone ringing", "an old phone ring"]),
    "Door Creaking": ("door creaking", "doors and containers", ["a door creaking", "a creaky hinge"]),
    "Door Slam": ("door slam", "doors and containers", ["a door slamming", "a slammed door"]),
    "Scratch": ("record scratch", "movement", ["a record scratch", "a turntable scratch"]),
    "Wind Chimes": ("wind chimes", "weather and nature", ["wind chimes", "chimes tinkling"]),
    "Car-Engine": ("car engine", "vehicles", ["a car engine", "an engine starting and revving"]),
    "Car-Stop": ("car braking", "vehicles", ["a car braking", "tyres screeching to a stop"]),
    "Car-Pass": ("car passing", "vehicles", ["a car passing by", "a car driving past"]),
    "Car-Crash": ("car crash", "vehicles", ["a car crash", "a crash of metal and glass"]),
    "Siren": ("siren", "alarms", ["a siren wailing", "an emergency siren"]),
    "Train": ("train", "vehicles", ["a train passing", "a steam train"]),
    "Jet Plane": ("jet plane", "vehicles", ["a jet plane flying over", "a jet engine roar"]),
    "StarShip": ("spaceship", "sci-fi", ["a spaceship flying", "a sci-fi starship hum"]),
    "Laughs": ("laughter", "vocalisations", ["people laughing", "laughter"]),
    "Screaming": ("scream", "vocalisations", ["screaming", "a scream"]),
    "Punch": ("punch", "impacts", ["a punch", "a hard hit"]),
    "Heart Beat": ("heartbeat", "vocalisations", ["a heartbeat", "a beating heart"]),
    "Footsteps": ("footsteps", "footsteps", ["footsteps", "someone walking"]),
    "Machine Gun": ("machine gun", "weapons", ["a machine gun firing", "automatic gunfire"]),
    "Lazergun": ("laser blast", "sci-fi", ["a laser gun", "a sci-fi laser shot"]),
    "Explosion": ("explosion", "explosions", ["an explosion", "a loud blast"]),
    "Gtr. Cut Noise": ("guitar noise", "movement", ["a guitar string scrape", "guitar cut noise"]),
    "String Slap": ("string slap", "movement", ["a string slap", "a slapped bass string noise"]),
    "Fl. Key Click": ("key click", "movement", ["a flute key click", "a small mechanical click"]),
}


def _sfx_record(cid, split, source, package, licence, tier, cls, coarse, category, captions, **extra) -> dict:
    return {"id": cid, "split": split, "source": source, "package": package, "licence": licence,
            "licence_tier": tier, "family": "sfx", "instrument_or_category": category, "class": cls,
            "coarse_class": coarse, "pitch": None, "velocity": extra.pop("velocity", None),
            "dynamics": extra.pop("dynamics", None), "articulation": extra.pop("articulation", "one-shot"),
            "duration_s": 0.0, "captions": captions, **extra}


def length_words(n_samples: int) -> list[str]:
    seconds = n_samples / SAMPLE_RATE
    if seconds < 0.7:
        return ["short", "quick", "brief"]
    if seconds > 2.5:
        return ["long", "sustained"]
    return ["", "single"]


def build_gs_sfx(writer, smoke: bool = False, log=print) -> None:
    from .sf2 import read_presets

    presets = [p for p in read_presets(FLUID_GS) if p.bank != 128 and p.name in GS_SFX]
    if smoke:
        presets = presets[:4]
    pitches, velocities, holds = ((60,), (100,), (1.0,)) if smoke else ((53, 60, 67), (80, 120), (0.6, 2.5))
    for preset in presets:
        cls, coarse, phrases = GS_SFX[preset.name]
        jobs = [(p, v, h) for p in pitches for v in velocities for h in holds]
        raw = render_slots(FLUID_GS, preset.program, preset.bank, 0, [[Note(0.0, h, p, v)] for p, v, h in jobs])
        added = 0
        for (p, v, h), clip in zip(jobs, raw):
            if np.max(np.abs(clip)) <= SILENT_PEAK:
                continue
            audio = normalise_rms(trim_and_cap(clip))
            cid = clip_id("gssfx", preset.name, p, v, h)
            words = length_words(len(audio))
            rec = _sfx_record(cid, split_of(f"gs-sfx|{preset.name}|{p}"), "fluidr3-gs-sfx", "fluid-soundfont-gs",
                              "MIT", "permissive", cls, coarse, preset.name.lower(),
                              sfx_captions(caption_rng(cid), phrases, words), velocity=v,
                              dynamics=dynamics(v)[0], articulation="short" if h < 1 else "long",
                              program=preset.program, bank=preset.bank, render_pitch=p)
            added += writer.add(rec, audio)
        log(f"  gs-sfx: {preset.name}: {added} clips")


# Sonic Pi samples (CC0): name -> (class, coarse, phrases, is_drum). Loops are left out (4-s cap).
SONIC_PI = {
    "bd_": ("bass drum", None, ["kick drum"], True), "drum_bass": ("bass drum", None, ["kick drum"], True),
    "drum_heavy_kick": ("bass drum", None, ["heavy kick drum"], True), "elec_hollow_kick": ("bass drum", None, ["electronic kick"], True),
    "elec_soft_kick": ("bass drum", None, ["soft electronic kick"], True),
    "drum_snare": ("snare drum", None, ["snare drum"], True), "sn_": ("snare drum", None, ["snare drum"], True),
    "elec_hi_snare": ("snare drum", None, ["electronic snare"], True), "elec_mid_snare": ("snare drum", None, ["electronic snare"], True),
    "elec_lo_snare": ("snare drum", None, ["electronic snare"], True), "elec_snare": ("snare drum", None, ["electronic snare"], True),
    "elec_filt_snare": ("snare drum", None, ["filtered electronic snare"], True),
    "drum_cymbal_closed": ("closed hi-hat", None, ["closed hi-hat"], True), "drum_cymbal_pedal": ("pedal hi-hat", None, ["pedal hi-hat"], True),
    "drum_cymbal_open": ("open hi-hat", None, ["open hi-hat"], True), "drum_cymbal_hard": ("crash cymbal", None, ["crash cymbal"], True),
    "drum_cymbal_soft": ("crash cymbal", None, ["soft cymbal"], True), "drum_splash": ("splash cymbal", None, ["splash cymbal"], True),
    "elec_cymbal": ("crash cymbal", None, ["electronic cymbal"], True),
    "drum_tom_lo": ("floor tom", None, ["low tom"], True), "drum_tom_mid": ("low tom", None, ["mid tom"], True),
    "drum_tom_hi": ("high tom", None, ["high tom"], True), "elec_fuzz_tom": ("low tom", None, ["fuzzy electronic tom"], True),
    "drum_cowbell": ("cowbell", None, ["cowbell"], True), "elec_triangle": ("open triangle", None, ["electronic triangle"], True),
    "drum_roll": ("snare roll", None, ["snare roll"], True), "perc_snap": ("finger snap", None, ["finger snap"], True),
    "elec_wood": ("hi wood block", None, ["electronic wood block"], True),
    "tabla_": ("tabla", "hand percussion", ["tabla", "a tabla stroke", "indian tabla drum"], True),
    "perc_bell": ("bell strike", "ui and notifications", ["a bell strike", "a ringing bell"], False),
    "elec_bell": ("bell strike", "ui and notifications", ["an electronic bell", "a bell tone"], False),
    "elec_chime": ("notification chime", "ui and notifications", ["an electronic chime", "a chime"], False),
    "elec_beep": ("electronic beep", "ui and notifications", ["an electronic beep", "a synth beep"], False),
    "elec_blip": ("electronic beep", "ui and notifications", ["an electronic blip", "a short blip"], False),
    "elec_ping": ("electronic beep", "ui and notifications", ["an electronic ping"], False),
    "elec_plip": ("electronic beep", "ui and notifications", ["a plip", "a short synth blip"], False),
    "elec_tick": ("interface click", "ui and notifications", ["an electronic tick", "a click"], False),
    "perc_door": ("door slam", "doors and containers", ["a door knock", "a door thud"], False),
    "perc_impact": ("heavy thud", "impacts", ["a heavy impact", "a cinematic hit"], False),
    "misc_cineboom": ("cinematic boom", "explosions", ["a cinematic boom", "a deep trailer hit"], False),
    "perc_swash": ("whoosh", "movement", ["a swoosh", "a whoosh"], False), "perc_swoosh": ("whoosh", "movement", ["a swoosh"], False),
    "ambi_swoosh": ("whoosh", "movement", ["a soft airy swoosh"], False), "ambi_dark_woosh": ("whoosh", "movement", ["a dark whoosh"], False),
    "vinyl_": ("record scratch", "movement", ["a vinyl record scratch", "a turntable rewind"], False),
    "misc_crow": ("crow cawing", "animals", ["a crow cawing", "a crow"], False),
    "misc_burp": ("burp", "vocalisations", ["a burp", "someone burping"], False),
    "mehackit_phone": ("phone ringing", "ui and notifications", ["a phone ringing", "a phone tone"], False),
    "mehackit_robot": ("robot voice", "sci-fi", ["a robot noise", "a robotic beeping"], False),
    "glitch_robot": ("robot voice", "sci-fi", ["a glitchy robot sound"], False),
    "ambi_glass_hum": ("glass hum", "musical effects", ["a singing glass hum", "a rubbed wine glass"], False),
    "ambi_glass_rub": ("glass hum", "musical effects", ["a wine glass being rubbed"], False),
    "ambi_drone": ("ambient drone", "musical effects", ["an ambient drone", "a low drone"], False),
    "ambi_haunted_hum": ("ambient drone", "musical effects", ["a haunted hum", "an eerie drone"], False),
    "ambi_soft_buzz": ("ambient drone", "musical effects", ["a soft buzz", "a gentle drone"], False),
    "ambi_lunar_land": ("ambient drone", "musical effects", ["a lunar landing drone", "a spacey ambience"], False),
}


def sonic_pi_label(stem: str):
    for prefix, value in SONIC_PI.items():
        if stem.startswith(prefix):
            return value
    return None


def build_samples(writer, smoke: bool = False, log=print) -> None:
    """Sonic Pi one-shots (CC0), from the sonic-pi-samples package unpacked into the cache."""
    root = cache_dir() / "x" / "sonic-pi-samples"
    files = sorted(root.rglob("*.flac"))
    if not files:
        log("  samples: sonic-pi-samples not unpacked (run training/setup.sh), skipped")
        return
    if smoke:
        files = [f for f in files if sonic_pi_label(f.stem)][:6]
    added = 0
    for path in files:
        label = sonic_pi_label(path.stem)
        if label is None:
            continue
        cls, coarse, phrases, is_drum = label
        audio = normalise_rms(trim_and_cap(load_audio(path)))
        cid = clip_id("sonicpi", path.stem)
        split = split_of(f"sonic-pi|{path.stem}")
        if is_drum:
            coarse = coarse or drum_coarse(cls)
            captions = drum_captions(caption_rng(cid), phrases[0], "electronic" if "elec" in path.stem else None, None,
                                     DRUM_ADJECTIVES.get(cls))
            rec = _sfx_record(cid, split, "sonic-pi", "sonic-pi-samples", "CC0-1.0", "permissive", cls, coarse,
                              path.stem, captions, articulation="hit", file=path.name)
            rec["family"] = "drums"
        else:
            rec = _sfx_record(cid, split, "sonic-pi", "sonic-pi-samples", "CC0-1.0", "permissive", cls, coarse,
                              path.stem, sfx_captions(caption_rng(cid), phrases, length_words(len(audio))),
                              file=path.name)
        added += writer.add(rec, audio)
    log(f"  samples: sonic pi: {added} clips")


# Unpacked package dir (under cache/x) -> (package, default licence, tier, per-file licence overrides)
GAME_PACKAGES = {
    "0ad-audio": ("0ad-data", "CC-BY-SA-3.0", "share-alike", {}),
    "minetest-data": ("minetest-data", "CC-BY-SA-3.0", "share-alike", {"tnt_": ("CC0-1.0", "permissive")}),
    "teeworlds-data": ("teeworlds-data", "CC-BY-SA-3.0", "share-alike", {}),
    "lugaru-data": ("lugaru-data", "CC-BY-SA-3.0/4.0", "share-alike", {}),
    "endless-sky-data": ("endless-sky-data", "public-domain", "permissive",
                         {"heavy rocket hit": ("CC-BY-SA-3.0", "share-alike"),
                          "explosion huge": ("CC-BY-SA-3.0", "share-alike")}),
    "megaglest-data": ("megaglest-data", "CC-BY-SA-3.0", "share-alike", {}),
    "yaru-theme-sound": ("yaru-theme-sound", "CC-BY-SA-4.0", "share-alike", {}),
    "lomiri-sounds": ("lomiri-sounds", "CC-BY-SA-3.0", "share-alike",
                      {"a440": ("CC0-1.0", "permissive"), "ede": ("CC0-1.0", "permissive")}),
    "sound-theme-freedesktop": ("sound-theme-freedesktop", "CC-BY-SA-3.0", "share-alike",
                                {"message-new-instant": ("GPL-2+", "gpl"), "phone-": ("GPL-2+", "gpl"),
                                 "service-log": ("GPL-2", "gpl"), "bell": ("CC-BY-3.0", "permissive"),
                                 "complete": ("CC-BY-3.0", "permissive"), "trash-empty": ("CC-BY-3.0", "permissive")}),
}
AUDIO_EXT = (".ogg", ".oga", ".wav", ".flac", ".wv")
WINDOWS_PER_LONG_FILE = 3  # files over 8 s give up to this many 4-s windows (ambiences, loops)


def build_game_sfx(writer, smoke: bool = False, log=print) -> None:
    base = cache_dir() / "x"
    for folder, (package, licence, tier, overrides) in GAME_PACKAGES.items():
        root = base / folder
        if not root.exists():
            log(f"  game-sfx: {folder} not unpacked (run training/setup.sh), skipped")
            continue
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_EXT)
        labelled = [(p, classify(package, str(p.relative_to(root)))) for p in files]
        labelled = [(p, c) for p, c in labelled if c]
        if smoke:
            labelled = labelled[:3]
        added = 0
        for path, cls in labelled:
            rel = str(path.relative_to(root))
            lic, tr = licence, tier
            for key, (l2, t2) in overrides.items():
                if key in path.name.lower():
                    lic, tr = l2, t2
            try:
                full = load_audio(path)
            except Exception as err:  # a broken file must not stop the build
                log(f"  game-sfx: cannot decode {rel}: {err}")
                continue
            windows = [full]
            if len(full) > 2 * MAX_SAMPLES:
                windows = [full[i * MAX_SAMPLES:(i + 1) * MAX_SAMPLES]
                           for i in range(min(WINDOWS_PER_LONG_FILE, len(full) // MAX_SAMPLES))]
            for w, chunk in enumerate(windows):
                audio = trim_and_cap(chunk)
                if len(audio) == 0 or np.max(np.abs(audio)) <= SILENT_PEAK:
                    continue
                audio = normalise_rms(audio)
                cid = clip_id("sfx", package, rel, w)
                words = length_words(len(audio)) + (["distant"] if "ambience" in cls else [])
                rec = _sfx_record(cid, split_of(f"{package}|{rel}"), package, package, lic, tr, cls, coarse_of(cls),
                                  cls, sfx_captions(caption_rng(cid), phrases_of(cls), words), file=rel, window=w)
                added += writer.add(rec, audio)
        log(f"  game-sfx: {package} ({licence}): {added} clips")
