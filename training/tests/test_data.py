"""Unit tests for the dataset stage: MIDI writing, SoundFont reading, rendering, clip conditioning, mel,
captions, splits and the sound-effect label map.  Run: cd training && python3 -m unittest discover tests"""
from __future__ import annotations

import json
import math
import os
import random
import re
import shutil
import struct
import tempfile
import unittest
from pathlib import Path

import numpy as np

from foley_train.data import audio as A
from foley_train.data import captions as C
from foley_train.data import gm
from foley_train.data.midi import TICKS_PER_SECOND, Note, midi_bytes
from foley_train.data.splits import clip_id, split_of, unit_hash

HAS_FLUIDSYNTH = shutil.which("fluidsynth") is not None and os.path.exists("/usr/share/sounds/sf2/FluidR3_GM.sf2")
TOKEN_RE = re.compile(r"[a-g](?:#|b)?-?[0-9]|[a-z]+(?:'[a-z]+)?|[0-9]+(?:\.[0-9]+)?|[^\sa-z0-9]")  # docs/bundle-format.md


def read_jsonl(path) -> list[dict]:
    with open(path) as handle:
        return [json.loads(line) for line in handle]


def parse_midi(data: bytes) -> list[tuple[int, bytes]]:
    """Independent SMF reader: (absolute tick, event bytes) for channel events of a format-0 file."""
    assert data[:4] == b"MThd"
    _, fmt, ntrk, division = struct.unpack(">IHHH", data[4:14])
    assert (fmt, ntrk) == (0, 1)
    pos = 14
    assert data[pos:pos + 4] == b"MTrk"
    length = struct.unpack(">I", data[pos + 4:pos + 8])[0]
    pos += 8
    end = pos + length
    tick, events = 0, []
    while pos < end:
        delta = 0
        while True:
            byte = data[pos]; pos += 1
            delta = (delta << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        tick += delta
        status = data[pos]
        if status == 0xFF:
            mlen = data[pos + 2]
            pos += 3 + mlen
            continue
        size = 2 if status >> 4 in (0xC, 0xD) else 3
        events.append((tick, data[pos:pos + size]))
        pos += size
    return events


class MidiTest(unittest.TestCase):
    def test_notes_round_trip(self):
        notes = [Note(0.0, 0.5, 60, 100), Note(1.0, 0.25, 64, 30)]
        events = parse_midi(midi_bytes(notes, program=73, bank=0, channel=0))
        ons = [(t, e[1], e[2]) for t, e in events if e[0] >> 4 == 0x9]
        offs = [(t, e[1]) for t, e in events if e[0] >> 4 == 0x8]
        self.assertEqual(ons, [(0, 60, 100), (round(TICKS_PER_SECOND), 64, 30)])
        self.assertEqual(offs, [(round(0.5 * TICKS_PER_SECOND), 60), (round(1.25 * TICKS_PER_SECOND), 64)])
        self.assertIn((0, bytes([0xC0, 73])), events)

    def test_drum_channel_has_no_bank_select_and_bad_values_fail(self):
        events = parse_midi(midi_bytes([Note(0, 0.1, 38, 90)], program=32, bank=128, channel=9))
        self.assertFalse([e for _, e in events if e[0] == 0xB9 and e[1] == 0])
        with self.assertRaises(ValueError):
            midi_bytes([Note(0, 0.1, 38, 0)], program=0)
        with self.assertRaises(ValueError):
            midi_bytes([Note(0, 0.1, 38, 90)], program=0, bank=128, channel=0)


class GmTest(unittest.TestCase):
    def test_names_and_families(self):
        self.assertEqual(len(gm.GM_NAMES), 128)
        self.assertEqual(gm.family_of(40), "strings")
        self.assertEqual(gm.family_of(127), "sound effects")
        self.assertEqual(gm.note_name(60), "c4")
        self.assertEqual(gm.note_name(61), "c#4")
        self.assertEqual(gm.note_name(61, flat=True), "db4")
        self.assertEqual(gm.note_name(21), "a0")
        self.assertAlmostEqual(gm.midi_to_hz(69), 440.0)
        self.assertEqual(gm.dynamics(32), ("soft", "p"))
        self.assertEqual(gm.dynamics(127), ("very loud", "ff"))
        self.assertEqual(gm.drum_class(38), gm.drum_class(40))
        self.assertEqual(gm.spoken_name("acoustic guitar (nylon)"), "nylon acoustic guitar")
        self.assertEqual(gm.spoken_name("pad 2 (warm)"), "warm synth pad")
        for p in range(128):
            lo, hi = gm.program_range(p)
            self.assertTrue(0 < lo < hi < 128, p)


class SplitTest(unittest.TestCase):
    def test_deterministic_and_proportions(self):
        keys = [f"key-{i}" for i in range(20000)]
        splits = [split_of(k) for k in keys]
        self.assertEqual(splits, [split_of(k) for k in keys])
        share = {s: splits.count(s) / len(splits) for s in ("train", "validation", "test")}
        self.assertAlmostEqual(share["test"], 0.10, delta=0.01)
        self.assertAlmostEqual(share["validation"], 0.05, delta=0.01)
        self.assertAlmostEqual(share["train"], 0.85, delta=0.015)
        # sha1-based: a known value guards against an accidental change of the hash
        self.assertAlmostEqual(unit_hash("abc"), int("a9993e364706816a", 16) / 2 ** 64)
        self.assertNotEqual(clip_id("note", 1, 2), clip_id("note", 1, 3))
        self.assertTrue(clip_id("note", 1, 2).startswith("note-"))


class AudioTest(unittest.TestCase):
    def test_trim_cap_and_fade(self):
        sr = A.SAMPLE_RATE
        silence = np.zeros(sr // 2, np.float32)
        tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(6 * sr) / sr)).astype(np.float32)
        clip = A.trim_and_cap(np.concatenate([silence, tone]))
        self.assertEqual(len(clip), A.MAX_SAMPLES)
        self.assertEqual(len(clip) // A.HOP + 1, 400)
        self.assertGreater(abs(clip[sr // 100: sr // 50]).max(), 0.4)  # starts near the onset, not in silence
        self.assertLess(abs(clip[-5:]).max(), 0.01)  # faded out at the cap

    def test_tail_trim_keeps_short_clip(self):
        sr = A.SAMPLE_RATE
        t = np.arange(sr) / sr
        burst = (np.sin(2 * np.pi * 300 * t) * np.exp(-t * 30)).astype(np.float32)
        clip = A.trim_and_cap(np.concatenate([burst, np.zeros(2 * sr, np.float32)]))
        self.assertLess(len(clip), sr)  # the trailing silence is gone

    def test_normalise(self):
        x = (0.01 * np.random.default_rng(0).standard_normal(16000)).astype(np.float32)
        y = A.normalise_rms(x)
        self.assertAlmostEqual(20 * math.log10(A.active_rms(y)), -20.0, delta=0.5)
        spike = np.zeros(16000, np.float32); spike[100] = 1.0; spike[200:300] = 0.001
        self.assertLessEqual(np.abs(A.normalise_rms(spike)).max(), A.PEAK_CEILING + 1e-6)

    def test_resample(self):
        sr = 44100
        t = np.arange(sr) / sr
        y = A.to_mono_16k(np.stack([np.sin(2 * np.pi * 1000 * t)] * 2, axis=1), sr)
        self.assertEqual(len(y), 16000)
        spec = np.abs(np.fft.rfft(y * np.hanning(len(y))))
        self.assertAlmostEqual(np.argmax(spec) * 16000 / len(y), 1000, delta=2)


def slaney_mel_numpy(sr=16000, n_fft=1024, n_mels=64, fmax=8000.0):
    """Independent Slaney mel filterbank (Auditory Toolbox formula: linear below 1 kHz, log above; area norm)."""
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    def hz_to_mel(f):
        return f / f_sp if f < min_log_hz else min_log_mel + math.log(f / min_log_hz) / logstep
    def mel_to_hz(m):
        return m * f_sp if m < min_log_mel else min_log_hz * math.exp(logstep * (m - min_log_mel))
    mels = np.linspace(hz_to_mel(0.0), hz_to_mel(fmax), n_mels + 2)
    hz = np.array([mel_to_hz(m) for m in mels])
    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    fb = np.zeros((n_mels, len(freqs)))
    for i in range(n_mels):
        lo, ce, hi = hz[i], hz[i + 1], hz[i + 2]
        fb[i] = np.maximum(0, np.minimum((freqs - lo) / (ce - lo), (hi - freqs) / (hi - ce)))
        fb[i] *= 2.0 / (hi - lo)
    return fb


class MelTest(unittest.TestCase):
    def test_matches_numpy_reference(self):
        import torch
        from foley_train.melspec import log_mel
        rng = np.random.default_rng(1)
        wav = (0.1 * rng.standard_normal(16000 + 37)).astype(np.float64)
        ours = log_mel(torch.tensor(wav)).numpy()
        self.assertEqual(ours.shape, (64, (16000 + 37) // 160 + 1))
        padded = np.pad(wav, 512, mode="reflect")
        window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(1024) / 1024)  # periodic Hann
        frames = np.stack([padded[i * 160:i * 160 + 1024] * window for i in range(ours.shape[1])])
        mag = np.abs(np.fft.rfft(frames, axis=1))
        ref = np.log(np.maximum(slaney_mel_numpy() @ mag.T, 1e-5))
        self.assertLess(np.abs(ours - ref).max(), 1e-4)

    def test_silence_is_floor(self):
        import torch
        from foley_train.melspec import LOG_FLOOR_VALUE, log_mel
        self.assertTrue(torch.allclose(log_mel(torch.zeros(1600)), torch.tensor(LOG_FLOOR_VALUE)))


class CaptionTest(unittest.TestCase):
    def check(self, caps):
        self.assertTrue(3 <= len(caps) <= 5, caps)
        self.assertEqual(len(set(caps)), len(caps))
        for cap in caps:
            self.assertEqual(cap, cap.lower())
            self.assertNotIn("  ", cap)
            self.assertFalse(cap.startswith(",") or cap.endswith(","), cap)
            self.assertFalse(re.search(r"\b(a|an) (a|an)\b", cap), cap)

    def test_note_captions_carry_labels(self):
        caps = C.note_captions(random.Random(0), "cello", "strings", 43, 40, "staccato")
        self.check(caps)
        tokens = [TOKEN_RE.findall(c) for c in caps]
        self.assertTrue(all("cello" in t for t in tokens))
        self.assertGreaterEqual(sum("g2" in t for t in tokens), 2)  # the note name is one token
        self.assertTrue(any("soft" in t for t in tokens))

    def test_sharp_and_c_variants(self):
        seen = set()
        for seed in range(40):
            for cap in C.note_captions(random.Random(seed), "flute", "pipe", 61, 100, "normal"):
                seen.update(TOKEN_RE.findall(cap))
            for cap in C.note_captions(random.Random(seed), "trumpet", "brass", 72, 120, "staccato"):
                seen.update(TOKEN_RE.findall(cap))
        self.assertTrue({"c#4", "db4", "c5", "high", "loud", "staccato"} <= seen, seen)

    def test_other_captions(self):
        self.check(C.chord_captions(random.Random(1), "acoustic grand piano", 57, "minor7", 50, False))
        self.check(C.drum_captions(random.Random(2), "acoustic snare", "jazz", 110, ["tight"]))
        self.check(C.drum_captions(random.Random(3), "djembe slap", "west african", None, None))
        caps = C.sfx_captions(random.Random(4), ["glass breaking", "a window shattering"], ["short"])
        self.check(caps)
        self.assertTrue(all("glass" in c or "window" in c for c in caps), caps)
        self.assertEqual(C.describe("short", "a dog barking"), "a short dog barking")


class LabelMapTest(unittest.TestCase):
    def test_known_files(self):
        from foley_train.data.labelmap import CLASSES, classify
        self.assertEqual(classify("0ad-data", "audio/actor/singlesteps/fs_gravel3.ogg"), "footsteps on gravel")
        self.assertEqual(classify("minetest-data", "x/sounds/default_gravel_footstep.1.ogg"), "footsteps on gravel")
        self.assertEqual(classify("minetest-data", "x/sounds/default_break_glass.2.ogg"), "glass breaking")
        self.assertEqual(classify("0ad-data", "audio/resource/construction/con_saw_01.ogg"), "sawing wood")
        self.assertEqual(classify("0ad-data", "audio/actor/fauna/animal/lion_attack1.ogg"), "lion roaring")
        self.assertIsNone(classify("teeworlds-data", "audio/vo_teefault_spawn-01.wv"))  # voice line
        self.assertIsNone(classify("sound-theme-freedesktop", "stereo/audio-channel-front-left.oga"))  # speech
        self.assertIsNone(classify("megaglest-data", "techs/x/units/archer/sounds/archer_ack1.wav"))
        self.assertGreaterEqual(len(CLASSES), 100)
        for name, (coarse, phrases) in CLASSES.items():
            self.assertTrue(phrases and coarse, name)

    def test_hydrogen_names(self):
        from foley_train.data.drums import hydrogen_class
        self.assertEqual(hydrogen_class("Kick (Tama Superstar 22\")"), "bass drum")
        self.assertEqual(hydrogen_class("Sabian Hat Pedal"), "pedal hi-hat")
        self.assertEqual(hydrogen_class("Hi-Hat Open (Paiste)"), "open hi-hat")
        self.assertEqual(hydrogen_class("Paiste Bell"), "ride bell")
        self.assertEqual(hydrogen_class("Djembe3 Slap"), "djembe slap")
        self.assertEqual(hydrogen_class("a3 - bass drum 4"), "bass drum")
        self.assertIsNone(hydrogen_class("Sample: beats_01-10.flac"))


@unittest.skipUnless(HAS_FLUIDSYNTH, "fluidsynth and fluid-soundfont-gm are needed (training/setup.sh)")
class RenderTest(unittest.TestCase):
    def test_rendered_notes_have_pitch_and_dynamics(self):
        from foley_train.data.render import render_slots
        from foley_train.eval.f0 import cents_off, estimate_pitch
        clips = render_slots("/usr/share/sounds/sf2/FluidR3_GM.sf2", 73, 0, 0,
                             [[Note(0, 0.8, 69, 40)], [Note(0, 0.8, 69, 120)], [Note(0, 0.8, 81, 100)]])
        self.assertEqual([len(c) for c in clips], [int(4.5 * 16000)] * 3)
        rms = [A.active_rms(c) for c in clips]
        self.assertGreater(rms[1], 2 * rms[0])  # velocity 120 is clearly louder than 40
        self.assertLess(abs(cents_off(estimate_pitch(clips[1]), 69)), 30)
        self.assertLess(abs(cents_off(estimate_pitch(clips[2]), 81)), 30)

    def test_sf2_presets(self):
        from foley_train.data.sf2 import read_presets
        presets = read_presets("/usr/share/sounds/sf2/FluidR3_GM.sf2")
        bank0 = {p.program for p in presets if p.bank == 0}
        self.assertEqual(bank0, set(range(128)))
        kits = {p.program for p in presets if p.bank == 128}
        self.assertTrue(set(gm.FLUID_KITS) <= kits)

    def test_smoke_build(self):
        from foley_train.data import build
        with tempfile.TemporaryDirectory() as tmp:
            build.main(["--smoke", "--only", "notes,gm-drums", "--out", tmp])
            records = read_jsonl(Path(tmp) / "manifest.jsonl")
            self.assertGreater(len(records), 10)
            total = 0
            for split in ("train", "validation", "test"):
                arrays = np.load(Path(tmp) / f"mels_{split}.npz")
                self.assertEqual(arrays["mel"].shape[1:], (64, 400))
                self.assertEqual(arrays["mel"].dtype, np.float16)
                self.assertEqual(len(arrays["frames"]), len(arrays["ids"]))
                total += len(arrays["ids"])
                for rec_id, frames in zip(arrays["ids"], arrays["frames"]):
                    wav = A.read_wav(Path(tmp) / "audio" / f"{rec_id}.wav")
                    self.assertEqual(frames, len(wav) // 160 + 1)
            self.assertEqual(total, len(records))
            for rec in records:
                for field in ("id", "split", "licence", "licence_tier", "class", "coarse_class", "captions"):
                    self.assertIn(field, rec)
            # resumable: a second run skips both sources
            build.main(["--smoke", "--only", "notes,gm-drums", "--out", tmp])
            self.assertEqual(len(read_jsonl(Path(tmp) / "manifest.jsonl")), len(records))


if __name__ == "__main__":
    unittest.main()
