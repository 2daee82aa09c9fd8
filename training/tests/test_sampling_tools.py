"""Unit tests for the held-out prompt set, the latent encoder and the reference sampler's schedule.
Run: cd training && python3 -m unittest discover tests"""
from __future__ import annotations

import json
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

from foley_train.datasets import MelClips
from foley_train.encode_latents import encode_split
from foley_train.eval.prompt_set import prompt_set
from foley_train.sample import ReferenceSampler
from foley_train.vae import SMOKE_CONFIG, MelVAE, VAEConfig


def manifest_row(i: int, split: str) -> dict:
    return {"id": f"clip-{i:03d}", "split": split, "class": f"class {i % 5}", "coarse_class": f"group {i % 2}",
            "pitch": 60 + i % 12 if i % 3 else None, "duration_s": 0.3 + (i % 7) * 0.6,
            "captions": [f"caption {i} a", f"caption {i} b"]}


class PromptSetTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        rows = [manifest_row(i, "test" if i % 4 == 0 else "train") for i in range(200)]
        (self.dir / "manifest.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")

    def test_only_test_clips_with_their_labels_and_a_caption_of_their_own(self):
        entries = prompt_set(self.dir / "manifest.jsonl", 30, seed=0)
        self.assertEqual(len(entries), 30)
        self.assertEqual(len({e["file"] for e in entries}), 30)
        for e in entries:
            index = int(e["id"].split("-")[1])
            self.assertEqual(index % 4, 0, "only test-split clips")
            self.assertIn(e["prompt"], manifest_row(index, "test")["captions"])
            self.assertEqual(e["class"], f"class {index % 5}")
            self.assertTrue(1.0 <= e["duration"] <= 4.0 and (e["duration"] * 2).is_integer())

    def test_deterministic_per_seed_and_capped_by_the_split(self):
        a = prompt_set(self.dir / "manifest.jsonl", 20, seed=3)
        self.assertEqual(a, prompt_set(self.dir / "manifest.jsonl", 20, seed=3))
        self.assertNotEqual(a, prompt_set(self.dir / "manifest.jsonl", 20, seed=4))
        self.assertEqual(len(prompt_set(self.dir / "manifest.jsonl", 10_000, seed=0)), 50)


class EncodeLatentsTest(unittest.TestCase):
    def test_latents_are_scaled_means_and_frames_round_up(self):
        torch.manual_seed(0)
        vae = MelVAE(VAEConfig(**SMOKE_CONFIG), scaling_factor=2.5).eval()
        rng = np.random.default_rng(0)
        mels = rng.normal(-6, 2, size=(5, 64, 40)).astype(np.float16)
        frames = np.array([40, 37, 9, 1, 24])
        latents, latent_frames = encode_split(vae, MelClips(mels, frames, [str(i) for i in range(5)]), batch_size=2)
        self.assertEqual(latents.shape, (5, 8, 16, 10))
        self.assertEqual(latent_frames.tolist(), [10, 10, 3, 1, 6])
        with torch.no_grad():
            mean, _ = vae.encode(torch.from_numpy(mels[1:2].astype(np.float32))[:, None])
        np.testing.assert_allclose(latents[1].astype(np.float32), (mean[0] * 2.5).numpy(), rtol=2e-3, atol=2e-3)


class ReferenceScheduleTest(unittest.TestCase):
    def test_trailing_spacing_matches_diffusers_formula(self):
        sampler = ReferenceSampler.__new__(ReferenceSampler)
        sampler.scheduler = {"num_train_timesteps": 1000}
        # diffusers "trailing": np.round(np.arange(1000, 0, -1000 / n)) - 1
        self.assertEqual(sampler.timesteps(4), [999, 749, 499, 249])
        self.assertEqual(sampler.timesteps(3), [999, 666, 332])
        self.assertEqual(len(sampler.timesteps(20)), 20)


if __name__ == "__main__":
    unittest.main()
