"""pack_weights: one resume file round-trips every part, the evaluator's classifier bit for bit.
Run: cd training && python3 -m unittest tests.test_pack_weights"""
from __future__ import annotations

import json
import shutil
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

from foley_train import pack_weights
from foley_train.eval.classifier import Bundle, MelClassifier


class PackWeightsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="foley-pack-test-"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_round_trip_keeps_the_classifier_exact_and_halves_the_big_parts(self):
        torch.manual_seed(0)
        src = self.tmp / "cache" / "checkpoints"
        weights = {name: torch.randn(64, 3) for name in ("vae", "vocoder", "diffusion", "scorer", "latent_classifier", "class_reader")}
        for name, rel in pack_weights.PARTS.items():
            if name != "eval_classifier":
                (src / rel).parent.mkdir(parents=True, exist_ok=True)
                torch.save({"weights": weights[name], "step": 7}, src / rel)
        vocoder_summary = {"step": 6550, "minutes": 60.0, "val_mel_l1": 0.267, "params": 1993155}
        (src / pack_weights.SUMMARIES["vocoder"]).write_text(json.dumps(vocoder_summary))
        model = MelClassifier(5, 2)
        judge = Bundle(model, [f"c{i}" for i in range(5)], ["a", "b"], -4.0, 2.5, {"real_test": {"fine": 0.5}})
        judge.save(self.tmp / "cache" / "eval" / "classifier.pt")

        packed = self.tmp / "weights.pt"
        pack_weights.main(["--checkpoints", str(src), "--out", str(packed)])
        dest = self.tmp / "restored" / "checkpoints"
        pack_weights.main(["--unpack", str(packed), "--checkpoints", str(dest)])

        self.assertTrue(torch.equal(torch.load(dest / "vae/vae.pt")["weights"], weights["vae"]))
        # The class reader stays float32, so the ONNX export from a resumed recipe is the shipped one, byte for byte.
        self.assertTrue(torch.equal(torch.load(dest / "latent_classifier_adv/latent_classifier.pt")["weights"], weights["class_reader"]))
        restored_unet = torch.load(dest / "diffusion/diffusion.pt")
        self.assertEqual(restored_unet["weights"].dtype, torch.float32)
        self.assertEqual(restored_unet["step"], 7)
        self.assertTrue(torch.allclose(restored_unet["weights"], weights["diffusion"], rtol=1e-3, atol=1e-3))
        self.assertFalse(torch.equal(restored_unet["weights"], weights["diffusion"]))  # it did go through float16
        self.assertEqual(json.loads((dest / "vocoder/summary.json").read_text()), vocoder_summary)
        self.assertFalse((dest / "vae/summary.json").exists())  # none was packed

        restored = Bundle.load(self.tmp / "restored" / "eval" / "classifier.pt")
        self.assertTrue((self.tmp / "restored" / "eval" / "classifier.json").exists())
        mels = np.random.default_rng(1).normal(-4, 2.5, (6, 64, 400)).astype(np.float32)
        for a, b in zip(judge.run(mels), restored.run(mels)):
            np.testing.assert_array_equal(a, b)
        self.assertEqual(restored.meta, judge.meta)

    def test_older_packs_without_optional_parts_unpack(self):
        src = self.tmp / "checkpoints"
        for name in ("vae", "vocoder", "diffusion"):
            (src / pack_weights.PARTS[name]).parent.mkdir(parents=True, exist_ok=True)
            torch.save({"weights": torch.ones(2)}, src / pack_weights.PARTS[name])
        packed = self.tmp / "old.pt"
        pack_weights.main(["--checkpoints", str(src), "--out", str(packed)])
        self.assertEqual(set(torch.load(packed)), {"vae", "vocoder", "diffusion"})
        dest = self.tmp / "restored"
        pack_weights.main(["--unpack", str(packed), "--checkpoints", str(dest)])
        self.assertFalse((self.tmp / "eval" / "classifier.pt").exists())
        self.assertTrue((dest / "diffusion/diffusion.pt").exists())


if __name__ == "__main__":
    unittest.main()
