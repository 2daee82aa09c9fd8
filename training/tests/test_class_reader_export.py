"""The bundle's class_reader export (export_bundle.export_class_reader): the ONNX graph gives the reader's
log-softmax, its config names the classes in the model's order, and the caption table counts each class's train
caption words (note names and other splits left out), the naive Bayes table the TypeScript pipeline reads prompts with.
Run: cd training && python3 -m unittest tests.test_class_reader_export"""
from __future__ import annotations

import json
import tempfile
import unittest
from pathlib import Path

import torch

from foley_train.export_bundle import caption_word_counts, export_class_reader
from foley_train.latent_classifier import LatentClassifier

CLASSES = ["snare drum", "tenor sax"]


class CaptionWordCountsTest(unittest.TestCase):
    def test_counts_train_caption_words_per_class_without_note_names(self):
        with tempfile.TemporaryDirectory() as tmp:
            manifest = Path(tmp) / "manifest.jsonl"
            rows = [
                {"split": "train", "class": "tenor sax", "captions": ["a tenor sax note, c#4", "tenor sax, single note, eb3, f"]},
                {"split": "train", "class": "snare drum", "captions": ["a tight snare drum hit"]},
                {"split": "test", "class": "snare drum", "captions": ["a test-only snare caption"]},
                {"split": "train", "class": "bagpipe", "captions": ["a bagpipe note"]},  # not a reader class
            ]
            manifest.write_text("\n".join(json.dumps(r) for r in rows))
            counts = caption_word_counts(manifest, CLASSES)
        self.assertEqual(list(counts), CLASSES)
        self.assertEqual(counts["tenor sax"], {"a": 1, "f": 1, "note": 2, "sax": 2, "single": 1, "tenor": 2})
        self.assertEqual(counts["snare drum"], {"a": 1, "drum": 1, "hit": 1, "snare": 1, "tight": 1})


class ExportClassReaderTest(unittest.TestCase):
    def test_writes_log_softmax_graph_config_and_fixture(self):
        torch.manual_seed(0)
        model = LatentClassifier(in_channels=8, freq_bins=16, n_classes=len(CLASSES), width=16, blocks=2)

        class Unet:  # the latent grid export_class_reader reads: in_channels, freq_bins, time_multiple
            config = type("C", (), {"in_channels": 8, "freq_bins": 16, "time_multiple": 4})

        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            ckpt = root / "latent_classifier.pt"
            torch.save({"state_dict": model.state_dict(), "config": model.config, "classes": CLASSES,
                        "validation_accuracy": 0.5, "adversarial_eps": 0.1, "steps": 3, "seed": 1}, ckpt)
            manifest = root / "manifest.jsonl"
            manifest.write_text(json.dumps({"split": "train", "class": "tenor sax", "captions": ["a tenor sax note"]}))
            export_class_reader(ckpt, Unet(), root / "bundle", root / "class_reader.json", manifest)
            config = json.loads((root / "bundle" / "class_reader" / "config.json").read_text())
            fixture = json.loads((root / "class_reader.json").read_text())
            self.assertTrue((root / "bundle" / "class_reader" / "model.onnx").stat().st_size > 0)
        self.assertEqual(config["classes"], CLASSES)
        self.assertEqual((config["in_channels"], config["freq_bins"]), (8, 16))
        self.assertEqual(config["caption_word_counts"]["tenor sax"], {"a": 1, "note": 1, "sax": 1, "tenor": 1})
        self.assertEqual(config["caption_word_counts"]["snare drum"], {})
        self.assertEqual(config["adversarial_eps"], 0.1)
        # The fixture's outputs are the classifier's log-softmax on the fixture's latent.
        latent = torch.tensor(fixture["latent"]).reshape(fixture["latent_dims"])
        model.eval()
        with torch.no_grad():
            expected = torch.log_softmax(model(latent), dim=-1)
        self.assertEqual(fixture["log_probs_dims"], [latent.shape[0], len(CLASSES)])
        torch.testing.assert_close(torch.tensor(fixture["log_probs"]).reshape(expected.shape), expected, rtol=1e-5, atol=1e-5)


if __name__ == "__main__":
    unittest.main()


class DefaultCandidatesTest(unittest.TestCase):
    """model_index.json's defaults.candidates: best of 4 only when the bundle can rank by class (scorer + reader)."""

    def test_four_with_a_scorer_and_a_reader_else_one(self):
        from types import SimpleNamespace
        from foley_train.export_bundle import DEFAULT_CANDIDATES, default_candidates
        args = lambda **kw: SimpleNamespace(**{"candidates": None, "scorer_ckpt": None, "class_reader_ckpt": None, **kw})
        self.assertEqual(DEFAULT_CANDIDATES, 4)
        self.assertEqual(default_candidates(args(scorer_ckpt=Path("s.pt"), class_reader_ckpt=Path("r.pt"))), 4)
        self.assertEqual(default_candidates(args(scorer_ckpt=Path("s.pt"))), 1)
        self.assertEqual(default_candidates(args()), 1)
        self.assertEqual(default_candidates(args(candidates=2, scorer_ckpt=Path("s.pt"))), 2)
        with self.assertRaisesRegex(SystemExit, "above 1 needs --scorer-ckpt; got 3"):
            default_candidates(args(candidates=3))
        with self.assertRaisesRegex(SystemExit, "must be 1-16"):
            default_candidates(args(candidates=0, scorer_ckpt=Path("s.pt")))
