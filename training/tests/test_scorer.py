"""The contrastive text–audio scorer: its loss against hand-computed values, the audio tower's masking, and the
exported ONNX graph against PyTorch."""
import math
import os
import tempfile
import unittest
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch

from foley_train.diffusion_model import TextEncoder, TextEncoderConfig
from foley_train.export_bundle import ScorerForExport
from foley_train.train_diffusion import trim_padding
from foley_train.train_scorer import LatentAudioEncoder, Scorer, contrastive_loss


class FixedScorer(Scorer):
    """A scorer whose similarity matrix is given, to check the loss alone."""

    def __init__(self, sim: torch.Tensor, scale: float):
        torch.nn.Module.__init__(self)
        self.sim = sim
        self.log_scale = torch.nn.Parameter(torch.tensor(math.log(scale)))

    def similarity(self, ids, latent, mask):
        return self.sim


class ContrastiveLoss(unittest.TestCase):
    def test_distinct_keys_give_symmetric_infonce(self):
        sim = torch.tensor([[0.9, 0.1, -0.2], [0.0, 0.8, 0.3], [0.2, -0.1, 0.7]])
        keys = torch.tensor([0, 1, 2])
        loss = contrastive_loss(FixedScorer(sim, 10.0), None, None, None, keys)
        logits = 10.0 * sim.numpy().astype(np.float64)
        rows = -np.mean([logits[i, i] - np.log(np.exp(logits[i]).sum()) for i in range(3)])
        cols = -np.mean([logits[i, i] - np.log(np.exp(logits[:, i]).sum()) for i in range(3)])
        self.assertAlmostEqual(float(loss), 0.5 * (rows + cols), places=5)

    def test_shared_keys_are_positives_not_negatives(self):
        # Clips 0 and 1 share a key; each text sits closest to the other one's audio. With the key as the positive
        # set that costs half of what it costs when only the diagonal counts.
        sim = torch.tensor([[0.0, 1.0, -1.0], [1.0, 0.0, -1.0], [-1.0, -1.0, 1.0]])
        shared = contrastive_loss(FixedScorer(sim, 20.0), None, None, None, torch.tensor([0, 0, 1]))
        distinct = contrastive_loss(FixedScorer(sim, 20.0), None, None, None, torch.tensor([0, 1, 2]))
        # Rows 0 and 1: -(0.5 * -20 + 0.5 * 0) = 10 against 20; row 2 costs ~0 either way.
        self.assertAlmostEqual(float(shared), 2 * 10 / 3, places=3)
        self.assertAlmostEqual(float(distinct), 2 * 20 / 3, places=3)


class AudioTower(unittest.TestCase):
    def test_the_mask_decides_which_frames_are_pooled(self):
        torch.manual_seed(0)
        tower = LatentAudioEncoder(2, 4, width=16, blocks=2, out_dim=8).eval()
        x = torch.randn(2, 2, 4, 32)
        half = torch.zeros(2, 32)
        half[:, :16] = 1
        with torch.no_grad():
            a, b = tower(x, half), tower(x, torch.ones(2, 32))
        self.assertEqual(tuple(a.shape), (2, 8))
        self.assertEqual(tower.time_multiple, 4)
        self.assertGreater(float((a - b).abs().max()), 1e-3)

    def test_trim_padding_keeps_every_used_column(self):
        ids = torch.tensor([[5, 6, 0, 0, 0], [7, 8, 9, 0, 0]])
        self.assertEqual(trim_padding(ids).tolist(), [[5, 6, 0], [7, 8, 9]])
        self.assertEqual(trim_padding(torch.zeros(2, 4, dtype=torch.long)).shape, (2, 1))

    def test_trimmed_prompts_embed_as_the_full_rows(self):
        torch.manual_seed(1)
        encoder = TextEncoder(TextEncoderConfig(vocab_size=20, width=16, layers=1, heads=2, hidden_size=8,
                                                normalize_output=True)).eval()
        ids = torch.zeros(2, 32, dtype=torch.long)
        ids[0, :3] = torch.tensor([4, 5, 6])
        ids[1, :5] = torch.tensor([7, 8, 9, 10, 11])
        with torch.no_grad():
            full, trimmed = encoder(ids), encoder(trim_padding(ids))
        self.assertLess(float((full - trimmed).abs().max()), 1e-5)
        self.assertAlmostEqual(float(full.norm(dim=-1)[0]), math.sqrt(8), places=4)


class ScorerExport(unittest.TestCase):
    def test_graph_has_the_bundle_signature_and_a_dynamic_time_axis(self):
        import onnx
        torch.manual_seed(2)
        graph = ScorerForExport(LatentAudioEncoder(2, 4, width=16, blocks=2, out_dim=8)).eval()
        latent, text = torch.randn(3, 2, 4, 16), torch.randn(3, 8)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scorer.onnx"
            torch.onnx.export(graph, (latent, text), str(path), input_names=["latent", "text_embeds"],
                              output_names=["score"], dynamic_axes={"latent": {0: "batch", 3: "frames"},
                                                                     "text_embeds": {0: "batch"}, "score": {0: "batch"}},
                              opset_version=17)
            model = onnx.load(str(path))
            onnx.checker.check_model(model)
        dims = {v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
                for v in list(model.graph.input) + list(model.graph.output)}
        self.assertEqual(dims, {"latent": ["batch", 2, 4, "frames"], "text_embeds": ["batch", 8], "score": ["batch"]})
        with torch.no_grad():
            score = graph(torch.randn(3, 2, 4, 24), text)
        self.assertTrue(bool((score.abs() <= 1 + 1e-6).all()), "a cosine lies in [-1, 1]")


class FrozenTextTraining(unittest.TestCase):
    """train_scorer, then train_diffusion --text-encoder on the same captions: the text encoder must come out as the
    scorer's text tower, untouched, and a resume that switches the text setup must refuse with a clear message."""

    def test_the_text_tower_stays_frozen_and_mismatched_resumes_are_refused(self):
        import json

        from foley_train import train_diffusion, train_scorer
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            rows, rng = [], np.random.default_rng(0)
            for split, count in (("train", 12), ("validation", 4)):
                ids = [f"{split}-{k}" for k in range(count)]
                for k, clip in enumerate(ids):
                    rows.append({"id": clip, "split": split, "class": f"c{k % 3}", "pitch": 60 + k % 2,
                                 "captions": [f"sound {k % 3} high", f"a sound {k % 3}"]})
                np.savez(root / f"latents_{split}.npz", latents=rng.normal(size=(count, 2, 4, 16)).astype(np.float16),
                         frames=np.full(count, 16, np.int32), ids=np.array(ids))
            (root / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
            train_scorer.main(["--data", str(root), "--latents", str(root), "--out", str(root / "scorer"), "--smoke"])
            scorer = torch.load(root / "scorer" / "scorer.pt")
            args = ["--data", str(root), "--latents", str(root), "--out", str(root / "diffusion"), "--smoke", "--device", "cpu"]
            train_diffusion.main(args + ["--text-encoder", str(root / "scorer" / "scorer.pt")])
            trained = torch.load(root / "diffusion" / "diffusion.pt")
            self.assertTrue(trained["frozen_text_encoder"])
            for name, value in scorer["text_encoder"].items():
                self.assertTrue(torch.equal(trained["text_encoder"][name], value), f"{name} moved during training")
            self.assertGreater(float(trained["unet"]["conv_out.weight"].abs().sum()), 0.0, "the UNet itself trained")
            with self.assertRaises(SystemExit) as refused:
                train_diffusion.main(args + ["--resume"])
            self.assertIn("frozen scorer text tower", str(refused.exception))


if __name__ == "__main__":
    unittest.main()
