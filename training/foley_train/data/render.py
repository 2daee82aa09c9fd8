"""Render isolated notes from a SoundFont with fluidsynth: one MIDI file per batch, one note per slot, slice."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from .audio import SAMPLE_RATE, to_mono_16k
from .midi import Note, write_midi

RENDER_RATE = 48_000  # rendered at 48 kHz, then band-limited down to 16 kHz (less aliasing than rendering at 16 kHz)
SLOT_S = 4.5


def fluidsynth_path() -> str:
    path = shutil.which("fluidsynth")
    if path is None:
        raise RuntimeError("fluidsynth is not installed: run training/setup.sh (apt-get install fluidsynth)")
    return path


def render_slots(soundfont, program: int, bank: int, channel: int, slots: list[list[Note]],
                 slot_s: float = SLOT_S, gain: float = 0.5) -> list[np.ndarray]:
    """Render each slot's notes (times relative to the slot start) and return one 16 kHz mono array per slot,
    `slot_s` long. Reverb and chorus are off."""
    notes = [Note(i * slot_s + n.start_s, n.hold_s, n.pitch, n.velocity) for i, slot in enumerate(slots) for n in slot]
    with tempfile.TemporaryDirectory(prefix="foley-render-") as tmp:
        mid = Path(tmp) / "batch.mid"
        wav = Path(tmp) / "batch.wav"
        write_midi(mid, notes, program=program, bank=bank, channel=channel)
        subprocess.run([fluidsynth_path(), "-ni", "-q", "-r", str(RENDER_RATE), "-R", "0", "-C", "0",
                        "-g", str(gain), "-O", "float", "-T", "wav", "-F", str(wav), str(soundfont), str(mid)],
                       check=True, capture_output=True)
        data, rate = sf.read(str(wav), dtype="float32", always_2d=True)
    mono = to_mono_16k(data, rate)
    per = int(round(slot_s * SAMPLE_RATE))
    need = per * len(slots)
    if len(mono) < need:
        mono = np.pad(mono, (0, need - len(mono)))
    return [mono[i * per:(i + 1) * per] for i in range(len(slots))]
