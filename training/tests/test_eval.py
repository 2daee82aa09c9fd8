"""Unit tests for the evaluator: f0 estimator, Fréchet distance, classifier and the evaluate command.
Run: cd training && python3 -m unittest discover tests"""
from __future__ import annotations

import json
import shutil
import tempfile
import unittest
from pathlib import Path

import numpy as np

from foley_train.eval.f0 import cents_off, estimate_pitch
from foley_train.eval.frechet import frechet_between, frechet_distance

SR = 16000


def harmonic_tone(hz: float, seconds: float = 1.0, harmonics=(1.0, 0.5, 0.3, 0.2), decay: float = 1.5) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    x = sum(a * np.sin(2 * np.pi * hz * (k + 1) * t) for k, a in enumerate(harmonics) if hz * (k + 1) < SR / 2)
    return (0.3 * x * np.exp(-decay * t)).astype(np.float32)


class F0Test(unittest.TestCase):
    def test_harmonic_tones_across_the_range(self):
        for midi in range(24, 103, 3):
            hz = 440.0 * 2 ** ((midi - 69) / 12)
            est = estimate_pitch(harmonic_tone(hz))
            self.assertIsNotNone(est, midi)
            self.assertLess(abs(cents_off(est, midi)), 20, (midi, est))

    def test_missing_fundamental_and_noise(self):
        est = estimate_pitch(harmonic_tone(200.0, harmonics=(0.0, 1.0, 0.8, 0.6)))
        self.assertLess(abs(cents_off(est, 55.35)), 30)  # 200 Hz is MIDI 55.35: the period, not a harmonic
        rng = np.random.default_rng(0)
        noisy = harmonic_tone(330.0) + 0.02 * rng.standard_normal(SR).astype(np.float32)
        self.assertLess(abs(cents_off(estimate_pitch(noisy), 64.02)), 30)
        self.assertIsNone(estimate_pitch(rng.standard_normal(SR).astype(np.float32)))
        self.assertIsNone(estimate_pitch(np.zeros(SR, np.float32)))

    def test_offset_detection(self):
        hz = 440.0 * 2 ** (0.7 / 12)  # A4 + 70 cents must be judged wrong for A4
        self.assertGreater(abs(cents_off(estimate_pitch(harmonic_tone(hz)), 69)), 50)


class FrechetTest(unittest.TestCase):
    def test_closed_form_diagonal_gaussians(self):
        mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
        v1, v2 = np.array([1.0, 4.0, 0.25]), np.array([4.0, 1.0, 1.0])
        expected = np.sum((mu1 - mu2) ** 2) + np.sum(v1 + v2 - 2 * np.sqrt(v1 * v2))
        self.assertAlmostEqual(frechet_distance(mu1, np.diag(v1), mu2, np.diag(v2)), expected, places=8)

    def test_closed_form_rotated_gaussians(self):
        # Σ2 = R Σ1 Rᵀ with equal spectra: for 2-D, Tr((Σ1Σ2)^½) has a closed form via
        # Tr(√M) = √(Tr M + 2√det M) for a 2×2 matrix M with positive eigenvalues.
        s1 = np.diag([3.0, 1.0])
        c, s = np.cos(0.7), np.sin(0.7)
        rot = np.array([[c, -s], [s, c]])
        s2 = rot @ s1 @ rot.T
        m = s1 @ s2
        tr_sqrt = np.sqrt(np.trace(m) + 2 * np.sqrt(np.linalg.det(m)))
        expected = np.trace(s1) + np.trace(s2) - 2 * tr_sqrt
        self.assertAlmostEqual(frechet_distance(np.zeros(2), s1, np.zeros(2), s2), expected, places=8)

    def test_samples_converge_and_identity(self):
        rng = np.random.default_rng(0)
        a = rng.normal(0.0, 1.0, (20000, 4))
        b = rng.normal(0.5, 2.0, (20000, 4))
        expected = 4 * 0.25 + 4 * (1 + 4 - 2 * 2)
        self.assertAlmostEqual(frechet_between(a, b), expected, delta=0.15)
        self.assertAlmostEqual(frechet_between(a, a), 0.0, places=6)
        self.assertAlmostEqual(frechet_between(a, b), frechet_between(b, a), places=6)
        with self.assertRaises(ValueError):
            frechet_between(a[:1], b)


def write_synthetic_dataset(root: Path, per_class: int = 40) -> list[tuple[str, float]]:
    """Three tone classes and a noise class, in the data stage's layout (manifest + mels + audio)."""
    import soundfile as sf
    from foley_train.data.records import pad_mels
    from foley_train.data.splits import split_of
    from foley_train.melspec import log_mel_np

    kinds = [("low tone", "tone", 220.0), ("mid tone", "tone", 660.0), ("high tone", "tone", 1980.0),
             ("noise", "noise", 0.0)]
    (root / "audio").mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = {"train": [], "validation": [], "test": []}
    with open(root / "manifest.jsonl", "w") as handle:
        for cls, coarse, hz in kinds:
            for i in range(per_class):
                cid = f"{cls.replace(' ', '')}-{i}"
                split = ["train", "train", "train", "validation", "test"][i % 5]
                length = int(rng.uniform(0.5, 2.0) * SR)
                if hz:
                    audio = harmonic_tone(hz * rng.uniform(0.97, 1.03), length / SR)
                else:
                    audio = (0.1 * rng.standard_normal(length)).astype(np.float32)
                sf.write(root / "audio" / f"{cid}.wav", audio, SR, subtype="PCM_16")
                midi = None if not hz else int(round(69 + 12 * np.log2(hz / 440)))
                rec = {"id": cid, "split": split, "class": cls, "coarse_class": coarse, "pitch": midi}
                handle.write(json.dumps(rec) + "\n")
                rows[split].append((cid, log_mel_np(audio).astype(np.float16)))
    for split, items in rows.items():
        np.savez(root / f"mels_{split}.npz", mel=pad_mels([m for _, m in items]),
                 frames=np.array([m.shape[1] for _, m in items], np.int32), ids=np.array([c for c, _ in items]))
    return kinds


class ClassifierAndEvaluateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from foley_train.eval.classifier import Bundle, train
        cls.tmp = Path(tempfile.mkdtemp(prefix="foley-eval-test-"))
        cls.kinds = write_synthetic_dataset(cls.tmp / "data")
        bundle = train(cls.tmp / "data", cls.tmp / "clf.pt", epochs=6, max_minutes=2, batch=16, log=lambda m: None)
        bundle.meta["real_test_pitch"] = {"n": 0, "accuracy": None}
        bundle.save(cls.tmp / "clf.pt")
        cls.bundle = Bundle.load(cls.tmp / "clf.pt")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_real_test_accuracy(self):
        self.assertGreaterEqual(self.bundle.meta["real_test"]["fine"], 0.9)
        self.assertEqual(len(self.bundle.fine), 4)

    def generate(self, folder: Path, swap: bool) -> list[dict]:
        import soundfile as sf
        folder.mkdir(parents=True, exist_ok=True)
        prompts = []
        rng = np.random.default_rng(5)
        for k, (cls, coarse, hz) in enumerate(self.kinds):
            for i in range(6):
                name = f"{k}-{i}.wav"
                audio = harmonic_tone(hz, 1.0) if hz else (0.1 * rng.standard_normal(SR)).astype(np.float32)
                sf.write(folder / name, audio, SR, subtype="PCM_16")
                target = self.kinds[(k + 1) % len(self.kinds)] if swap else (cls, coarse, hz)
                pitch = None if not target[2] else int(round(69 + 12 * np.log2(target[2] / 440)))
                prompts.append({"file": name, "prompt": target[0], "class": target[0], "coarse_class": target[1],
                                "pitch": pitch, "family": "strings" if target[2] else "sfx", "id": f"gen-{k}-{i}"})
        return prompts

    def test_evaluate_matching_and_mismatched(self):
        from foley_train.eval.evaluate import evaluate
        good = evaluate(self.tmp / "gen", self.generate(self.tmp / "gen", swap=False), self.bundle,
                        self.tmp / "data", {"vocoder_mel_l1": 0.2})
        self.assertGreaterEqual(good["prompt_accuracy"]["fine"], 0.9)
        self.assertGreaterEqual(good["pitch_accuracy"]["accuracy"], 0.9)
        self.assertEqual(good["pitch_accuracy"]["n_pitched"], 18)
        self.assertEqual(good["reconstruction"], {"vocoder_mel_l1": 0.2})
        # The breakdown: 18 tone prompts (instrument notes, all pitched) and 6 noise prompts (sound effects, none).
        self.assertEqual(list(good["by_kind"]), ["instrument notes", "sound effects"])
        notes, effects = good["by_kind"]["instrument notes"], good["by_kind"]["sound effects"]
        self.assertEqual((notes["n"], notes["n_pitched"], effects["n"], effects["n_pitched"]), (18, 18, 6, 0))
        self.assertGreaterEqual(notes["fine"], 0.9)
        self.assertGreaterEqual(notes["pitch"], 0.9)
        self.assertIsNone(effects["pitch"])
        self.assertEqual(good["by_coarse_class"]["tone"]["n"], 18)
        bad = evaluate(self.tmp / "bad", self.generate(self.tmp / "bad", swap=True), self.bundle, self.tmp / "data")
        for group in bad["by_coarse_class"].values():
            self.assertLessEqual(group["fine"], 0.2)
        self.assertLessEqual(bad["prompt_accuracy"]["fine"], 0.2)
        self.assertLessEqual(bad["pitch_accuracy"]["accuracy"], 0.4)
        fd = good["frechet"]
        self.assertGreater(fd["real_vs_real_floor"], 0)
        self.assertGreaterEqual(fd["generated_vs_real_test"], 0)

    def test_pitch_is_split_by_whether_the_prompt_names_the_note(self):
        import soundfile as sf
        from foley_train.eval.evaluate import evaluate
        folder = self.tmp / "named"
        folder.mkdir(parents=True, exist_ok=True)
        # (prompt, the clip's note, the f0 generated): named and right, named and an octave off, register-only
        # and right, register-only an octave off but still high (B5 for B6), register-only and out of its register.
        cases = [("a high tone, b6", 95, 1975.5), ("a high tone, middle c", 60, 523.25),
                 ("a high tone", 95, 1975.5), ("a high tone", 95, 987.77), ("a high tone", 95, 246.94)]
        prompts = []
        for k, (prompt, midi, hz) in enumerate(cases):
            sf.write(folder / f"{k}.wav", harmonic_tone(hz, 1.0), SR, subtype="PCM_16")
            prompts.append({"file": f"{k}.wav", "prompt": prompt, "class": "high tone", "coarse_class": "tone",
                            "pitch": midi, "family": "strings", "id": f"named-{k}"})
        report = evaluate(folder, prompts, self.bundle, self.tmp / "data")["pitch_accuracy"]
        self.assertEqual((report["n_pitched"], report["accuracy"]), (5, 0.4))
        self.assertEqual((report["named_note"]["n"], report["named_note"]["accuracy"]), (2, 0.5))
        only = report["register_only"]
        self.assertEqual((only["n"], only["accuracy"], only["register_accuracy"]), (3, 1 / 3, 2 / 3))

    def test_breakdown_counts_each_group_over_its_scored_rows(self):
        from foley_train.eval.evaluate import breakdown, sound_kind
        rows = [{"kind": "drum hits", "class_correct": True, "coarse_correct": True},
                {"kind": "drum hits", "class_correct": False, "coarse_correct": True},
                {"kind": "chords", "class_correct": False, "coarse_correct": False},
                {"kind": "instrument notes", "class_correct": True, "coarse_correct": True, "pitch_correct": False},
                {"kind": "instrument notes", "class_correct": True, "coarse_correct": False, "pitch_correct": True},
                {"kind": "instrument notes", "class_correct": False, "coarse_correct": True},
                {"kind": None, "class_correct": True}]
        table = breakdown(rows, "kind")
        self.assertEqual(list(table), ["instrument notes", "drum hits", "chords"])  # largest first, then by name
        self.assertEqual(table["instrument notes"], {"n": 3, "fine": 2 / 3, "coarse": 2 / 3, "n_pitched": 2, "pitch": 0.5})
        self.assertEqual(table["drum hits"], {"n": 2, "fine": 0.5, "coarse": 1.0, "n_pitched": 0, "pitch": None})
        self.assertEqual(table["chords"]["fine"], 0.0)
        self.assertEqual([sound_kind(e) for e in ({"family": "drums"}, {"family": "sfx", "id": "chord-x"},
                                                  {"family": "piano", "id": "chord-1"}, {"family": "piano", "id": "note-1"},
                                                  {"class": "x"})],
                         ["drum hits", "sound effects", "chords", "instrument notes", None])

    def test_ceiling_charges_each_stage_to_its_component(self):
        # A lossless VAE and a vocoder that returns silence: the VAE-alone figure is the real clips' own accuracy,
        # the vocoder-alone and full-path figures fall to what silence scores.
        import torch
        from foley_train.eval.ceiling import resynthesized_accuracy

        class IdentityVAE:
            def encode(self, mel):
                return mel, None

            def decode(self, latent):
                return latent

        def silent_vocoder(mel):
            zeros = torch.zeros(mel.shape[0], 513, mel.shape[-1])
            return zeros, zeros

        self.bundle.meta["pitch_reliable_classes"] = ["low tone", "mid tone", "high tone"]
        try:
            result = resynthesized_accuracy(self.tmp / "data", IdentityVAE(), silent_vocoder, self.bundle, clips=400)
        finally:
            del self.bundle.meta["pitch_reliable_classes"]
        self.assertEqual(result["clips"], 32)  # every test clip of the synthetic set (8 per class)
        self.assertAlmostEqual(result["stages"]["vae_only"]["fine"], self.bundle.meta["real_test"]["fine"], places=6)
        for figure in (result["stages"]["vocoder_only"], result):
            self.assertLessEqual(figure["fine"], 0.25)
            # Pitch: the 24 tone clips of the test split; silence has none.
            self.assertEqual(figure["pitch_n_reliable"], 24)
            self.assertEqual(figure["pitch_accuracy_reliable"], 0.0)
        self.assertGreaterEqual(result["real_pitch_accuracy_reliable"], 0.9)  # the recordings themselves

    def test_cli_rejects_missing_files(self):
        from foley_train.eval import evaluate as ev
        prompts = self.tmp / "p.json"
        prompts.write_text(json.dumps([{"file": "nope.wav", "class": "noise"}]))
        with self.assertRaises(SystemExit) as ctx:
            ev.main(["--wavs", str(self.tmp), "--prompts", str(prompts), "--out", str(self.tmp / "r.json"),
                     "--classifier", str(self.tmp / "clf.pt"), "--data", str(self.tmp / "data")])
        self.assertEqual(ctx.exception.code, 2)


if __name__ == "__main__":
    unittest.main()
