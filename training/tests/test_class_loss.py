"""The denoiser's class loss (train_diffusion.ClassLoss) and its latent classifier (latent_classifier.py): the term is
the cross-entropy of each conditioned row's own class, dropped (unconditional) rows are left out, and the gradient
reaches the denoiser's x̂0 while the classifier stays frozen.
Run: cd training && python3 -m unittest tests.test_class_loss"""
from __future__ import annotations

import tempfile
import unittest
from pathlib import Path

import torch
import torch.nn.functional as F

from foley_train.latent_classifier import LatentClassifier, load
from foley_train.train_diffusion import ClassLoss

CLASSES = ["bagpipe", "cello", "trumpet"]


class ClassLossTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.tmp = tempfile.TemporaryDirectory()
        model = LatentClassifier(in_channels=2, freq_bins=4, n_classes=len(CLASSES), width=16, blocks=2)
        self.path = Path(self.tmp.name) / "latent_classifier.pt"
        torch.save({"state_dict": model.state_dict(), "config": model.config, "classes": CLASSES}, self.path)
        self.manifest = {"a": {"class": "cello"}, "b": {"class": "bagpipe"}, "c": {"class": "trumpet"}}
        self.loss = ClassLoss([self.path], self.manifest, ["a", "b", "c"], torch.device("cpu"))

    def tearDown(self):
        self.tmp.cleanup()

    def test_is_the_cross_entropy_of_the_conditioned_rows_own_classes(self):
        x0_hat = torch.randn(3, 2, 4, 8)
        idx = torch.tensor([0, 1, 2])
        dropped = torch.tensor([False, True, False])
        classifier, _ = load(self.path)
        expected = F.cross_entropy(classifier(x0_hat[[0, 2]]), torch.tensor([CLASSES.index("cello"), CLASSES.index("trumpet")]))
        self.assertAlmostEqual(self.loss(x0_hat, idx, dropped).item(), expected.item(), places=5)
        self.assertEqual(self.loss(x0_hat, idx, torch.ones(3, dtype=torch.bool)).item(), 0.0)

    def test_the_gradient_reaches_x0_hat_and_not_the_classifier(self):
        x0_hat = torch.randn(2, 2, 4, 8, requires_grad=True)
        self.loss(x0_hat, torch.tensor([0, 1]), torch.tensor([False, False])).backward()
        self.assertGreater(x0_hat.grad.abs().sum().item(), 0.0)
        self.assertTrue(all(p.grad is None and not p.requires_grad for p in self.loss.classifiers[0].parameters()))

    def test_several_readers_give_the_mean_of_their_cross_entropies_each_with_its_own_class_order(self):
        # The second reader lists its classes in another order: each must be asked for the row's class by its own index.
        other_classes = ["trumpet", "bagpipe", "cello"]
        other = LatentClassifier(in_channels=2, freq_bins=4, n_classes=3, width=8, blocks=1)
        other_path = Path(self.tmp.name) / "other.pt"
        torch.save({"state_dict": other.state_dict(), "config": other.config, "classes": other_classes}, other_path)
        pair = ClassLoss([self.path, other_path], self.manifest, ["a", "b", "c"], torch.device("cpu"))
        x0_hat = torch.randn(3, 2, 4, 8)
        idx, kept = torch.tensor([2, 0, 1]), torch.tensor([False, False, False])
        first, _ = load(self.path)
        second, _ = load(other_path)
        wanted = ["trumpet", "cello", "bagpipe"]  # the classes of clips c, a, b
        expected = (F.cross_entropy(first(x0_hat), torch.tensor([CLASSES.index(c) for c in wanted]))
                    + F.cross_entropy(second(x0_hat), torch.tensor([other_classes.index(c) for c in wanted]))) / 2
        self.assertAlmostEqual(pair(x0_hat, idx, kept).item(), expected.item(), places=5)
        self.assertEqual(len(pair.real_accuracy(x0_hat, idx)), 2)

    def test_refuses_a_classifier_that_lacks_a_class_of_the_data(self):
        with self.assertRaises(SystemExit) as caught:
            ClassLoss([self.path], {**self.manifest, "d": {"class": "kazoo"}}, ["a", "d"], torch.device("cpu"))
        self.assertIn("kazoo", str(caught.exception))



class PgdPerturbationTest(unittest.TestCase):
    def test_stays_in_the_ball_and_raises_the_loss_more_than_random_noise_of_the_same_size(self):
        from foley_train.latent_classifier import pgd_perturbation
        torch.manual_seed(1)
        model = LatentClassifier(in_channels=2, freq_bins=4, n_classes=3, width=16, blocks=2).eval()
        latent, labels = torch.randn(8, 2, 4, 16), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
        eps = 0.05
        delta = pgd_perturbation(model, latent, labels, eps, steps=5)
        self.assertLessEqual(delta.abs().max().item(), eps + 1e-7)
        with torch.no_grad():
            clean = F.cross_entropy(model(latent), labels).item()
            attacked = F.cross_entropy(model(latent + delta), labels).item()
            random = F.cross_entropy(model(latent + eps * torch.randn_like(latent).sign()), labels).item()
        self.assertGreater(attacked, clean)
        self.assertGreater(attacked - clean, 3 * abs(random - clean))
        self.assertTrue(all(p.grad is None for p in model.parameters()))


class LatentClassifierTrainingTest(unittest.TestCase):
    def test_smoke_run_writes_a_loadable_classifier_with_its_class_list(self):
        import json

        import numpy as np

        from foley_train.latent_classifier import main
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            rng = np.random.default_rng(0)
            rows = []
            for split, count in (("train", 12), ("validation", 4)):
                ids = [f"{split}{k}" for k in range(count)]
                rows += [{"id": i, "class": CLASSES[k % 3]} for k, i in enumerate(ids)]
                np.savez(root / f"latents_{split}.npz", latents=rng.standard_normal((count, 2, 4, 32)).astype(np.float16),
                         frames=np.full(count, 32), ids=np.array(ids))
            (root / "manifest.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
            main(["--latents", tmp, "--data", tmp, "--out", str(root / "out"), "--smoke", "--batch-size", "4",
                  "--adversarial-eps", "0.05", "--adversarial-steps", "2"])
            model, classes = load(root / "out" / "latent_classifier.pt")
            self.assertEqual(classes, CLASSES)
            self.assertEqual(model(torch.zeros(1, 2, 4, 16)).shape, (1, 3))
            saved = torch.load(root / "out" / "latent_classifier.pt")
            self.assertEqual(saved["class_count"], 3)
            self.assertEqual(saved["adversarial_eps"], 0.05)
            self.assertIn("validation_accuracy", saved)


if __name__ == "__main__":
    unittest.main()
