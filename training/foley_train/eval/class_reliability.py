"""Per-class reliability: how often the bundle renders each sound class so that the evaluator hears that class,
measured on validation captions (several seeds each), written into the bundle's tokenizer/vocabulary.json as
"class_accuracy", so that the pipeline can warn a user whose prompt names a class the model rarely gets right.

    python3 -m foley_train.eval.class_reliability --bundle models/foley-small --reports r0.json r1.json ... \\
        --source "how the reports were made"

Each report is an `evaluate` output (its per_clip rows: class, predicted_class, class_correct). Validation captions,
not the test split's, so the warnings never look at the prompts the release figures are measured on.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path


def class_accuracy(reports: list[dict]) -> dict[str, dict]:
    """{class: {"clips", "right", "heard_as" (the most frequent wrong prediction, or None)}}, classes sorted."""
    clips: Counter = Counter()
    right: Counter = Counter()
    wrong: dict[str, Counter] = {}
    for report in reports:
        for row in report["per_clip"]:
            name = row["class"]
            clips[name] += 1
            if row["class_correct"]:
                right[name] += 1
            else:
                wrong.setdefault(name, Counter())[row["predicted_class"]] += 1
    out = {}
    for name in sorted(clips):
        # Ties go to the alphabetically first class, so the file is the same for the same reports.
        heard = sorted(wrong.get(name, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        out[name] = {"clips": clips[name], "right": right[name], "heard_as": heard[0][0] if heard else None}
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--reports", type=Path, nargs="+", required=True)
    p.add_argument("--source", required=True, help="one line: which prompts, seeds and command made the reports")
    args = p.parse_args(argv)
    vocabulary_path = args.bundle / "tokenizer" / "vocabulary.json"
    vocabulary = json.loads(vocabulary_path.read_text())
    table = class_accuracy([json.loads(path.read_text()) for path in args.reports])
    # A validation class the bundle was not trained on is no class it knows: left out (small datasets have some).
    unknown = sorted(set(table) - set(vocabulary["classes"]))
    if unknown and len(unknown) == len(table):
        raise SystemExit(f"{args.reports[0]}: none of its classes ({unknown[:5]} ...) is in {vocabulary_path}: reports "
                         "of another bundle?")
    if unknown:
        print(f"left out {len(unknown)} classes the bundle was not trained on: {unknown[:10]}")
    table = {name: row for name, row in table.items() if name not in unknown}
    vocabulary["class_accuracy"] = table
    vocabulary["class_accuracy_source"] = args.source
    tmp = vocabulary_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(vocabulary, indent=2, ensure_ascii=False) + "\n")  # as export_bundle writes it
    tmp.replace(vocabulary_path)
    clips = sum(v["clips"] for v in table.values())
    right = sum(v["right"] for v in table.values())
    print(f"class accuracy of {len(table)} classes ({right}/{clips} clips right) written to {vocabulary_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
