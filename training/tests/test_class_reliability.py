"""class_reliability: per-class counts from evaluate reports, written into a bundle's vocabulary.json."""
import json
import tempfile
import unittest
from pathlib import Path

from foley_train.eval.class_reliability import class_accuracy, main
from foley_train.eval.prompt_set import prompt_set


def row(cls: str, predicted: str) -> dict:
    return {"class": cls, "predicted_class": predicted, "class_correct": cls == predicted}


class ClassAccuracyTest(unittest.TestCase):
    def test_counts_clips_right_and_the_most_frequent_wrong_class_over_reports(self):
        reports = [{"per_clip": [row("bagpipe", "trumpet"), row("bagpipe", "oboe"), row("cello", "cello")]},
                   {"per_clip": [row("bagpipe", "trumpet"), row("bagpipe", "bagpipe"), row("cello", "viola")]}]
        self.assertEqual(class_accuracy(reports), {
            "bagpipe": {"clips": 4, "right": 1, "heard_as": "trumpet"},
            "cello": {"clips": 2, "right": 1, "heard_as": "viola"}})

    def test_ties_go_to_the_alphabetically_first_class_and_all_right_has_none(self):
        table = class_accuracy([{"per_clip": [row("oboe", "flute"), row("oboe", "clarinet"), row("tuba", "tuba")]}])
        self.assertEqual(table["oboe"]["heard_as"], "clarinet")
        self.assertIsNone(table["tuba"]["heard_as"])

    def test_writes_into_the_bundle_vocabulary_leaving_out_untrained_classes_and_refuses_other_bundles(self):
        with tempfile.TemporaryDirectory() as tmp:
            bundle = Path(tmp) / "bundle"
            (bundle / "tokenizer").mkdir(parents=True)
            (bundle / "tokenizer" / "vocabulary.json").write_text(json.dumps({"words": ["a"], "classes": ["cello", "oboe"]}))
            report = Path(tmp) / "r.json"
            report.write_text(json.dumps({"per_clip": [row("oboe", "cello"), row("kazoo", "oboe")]}))
            main(["--bundle", str(bundle), "--reports", str(report), "--source", "test"])
            vocabulary = json.loads((bundle / "tokenizer" / "vocabulary.json").read_text())
            self.assertEqual(vocabulary["classes"], ["cello", "oboe"])
            self.assertEqual(vocabulary["class_accuracy"], {"oboe": {"clips": 1, "right": 0, "heard_as": "cello"}})
            self.assertEqual(vocabulary["class_accuracy_source"], "test")
            report.write_text(json.dumps({"per_clip": [row("kazoo", "cello")]}))
            with self.assertRaises(SystemExit) as caught:
                main(["--bundle", str(bundle), "--reports", str(report), "--source", "test"])
            self.assertIn("kazoo", str(caught.exception))


class SeedOffsetTest(unittest.TestCase):
    def test_the_same_prompts_with_shifted_seeds(self):
        with tempfile.TemporaryDirectory() as tmp:
            manifest = Path(tmp) / "manifest.jsonl"
            manifest.write_text("\n".join(json.dumps({"id": f"c{k}", "split": "validation", "class": "oboe",
                                                      "coarse_class": "reed", "captions": [f"oboe {k}", f"an oboe {k}"],
                                                      "duration_s": 1.2}) for k in range(6)))
            plain = prompt_set(manifest, 4, 21, "validation")
            shifted = prompt_set(manifest, 4, 21, "validation", seed_offset=7919)
            self.assertEqual([e["prompt"] for e in plain], [e["prompt"] for e in shifted])
            self.assertEqual([e["seed"] + 7919 for e in plain], [e["seed"] for e in shifted])


if __name__ == "__main__":
    unittest.main()
