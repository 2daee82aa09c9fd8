"""datasets.py and pack.py: both layouts load alike, crops have the promised shapes, the pack fits its cap."""
import json
import os
import tempfile
import unittest
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

from foley_train import pack
from foley_train.datasets import (MEL_LOW, MEL_STEP, MelClips, WaveClips, dequantise_mel, quantise_mel,
                                  write_synthetic_dataset)


class DataLayouts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = Path(cls.tmp.name)
        cls.data = write_synthetic_dataset(root / "data", {"train": 9, "validation": 3, "test": 3}, seconds=1.2)
        pack.main(["--data", str(cls.data), "--out", str(root / "pack"), "--max-mb", "0.5", "--crop-seconds", "0.5"])
        cls.pack = root / "pack"

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_quantisation_error_is_half_a_step(self):
        mel = np.random.default_rng(0).uniform(MEL_LOW, 3.0, size=(64, 50)).astype(np.float32)
        self.assertLessEqual(np.abs(dequantise_mel(quantise_mel(mel)) - mel).max(), MEL_STEP / 2 + 1e-5)

    def test_pack_mels_match_the_cache_within_quantisation(self):
        full, packed = MelClips.load(self.data, "train"), MelClips.load(self.pack, "train")
        self.assertEqual(len(packed), len(full))  # everything fits in 0.5 MB
        for k, clip_id in enumerate(packed.ids):
            j = full.ids.index(clip_id)
            self.assertEqual(packed.frames[k], full.frames[j])
            a = packed.mels[k, :, :packed.frames[k]].astype(np.float32)
            b = full.mels[j, :, :full.frames[j]].astype(np.float32)
            self.assertLessEqual(np.abs(a - b).max(), MEL_STEP / 2 + 0.01)

    def test_pack_fits_its_cap_and_describes_itself(self):
        info = json.loads((self.pack / "pack.json").read_text())
        size = sum(p.stat().st_size for p in self.pack.iterdir())
        self.assertLessEqual(size, 0.5 * 2 ** 20)
        self.assertEqual(info["crop_samples"], 8000)
        with self.assertRaises(SystemExit):
            pack.main(["--data", str(self.data), "--out", str(Path(self.tmp.name) / "p2"), "--max-mb", "0.001"])

    def test_small_cap_keeps_a_diverse_prefix(self):
        manifest = {f"c{i}": {"class": "a" if i < 8 else "b"} for i in range(10)}
        order = pack.stratified_order([f"c{i}" for i in range(10)], manifest, seed=0)
        self.assertEqual(sorted(order), list(range(10)))
        self.assertEqual({manifest[f"c{k}"]["class"] for k in order[:2]}, {"a", "b"})

    def test_mel_crops(self):
        clips = MelClips.load(self.pack, "train")
        rng = np.random.default_rng(0)
        batch = clips.crop_batch(rng, 5, 36)
        self.assertEqual(batch.shape, (5, 1, 64, 36))
        self.assertTrue(np.all(batch >= MEL_LOW - 0.01))  # float16 storage
        self.assertGreater(batch.max(), MEL_LOW + 1)  # crops hold sound, not only padding
        with self.assertRaises(ValueError):
            clips.crop_batch(rng, 2, 30)
        self.assertEqual(clips.full(0).shape[-1] % 4, 0)
        self.assertEqual(clips.random_length(rng, 16, 64) % 4, 0)

    def test_wave_crops_from_both_layouts(self):
        for source in (self.data, self.pack):
            clips = WaveClips.load(source, "train")
            batch = clips.crop_batch(np.random.default_rng(1), 4, 3200)
            self.assertEqual(batch.shape, (4, 3200))
            self.assertEqual(batch.dtype, np.float32)
            self.assertLessEqual(np.abs(batch).max(), 1.0)
            self.assertGreater(np.abs(batch).max(), 0.01)
        with self.assertRaises(ValueError):
            clips.crop_batch(np.random.default_rng(1), 2, 1000)
        self.assertEqual(WaveClips.load(self.pack, "validation").fixed_crops(1600).shape[1], 1600)

    def test_favoured_clips_take_their_share_of_crops(self):
        # Clips of distinct constant levels, so each crop says which clip it came from.
        waves = [np.full(4000, 1000 * (k + 1), dtype=np.int16) for k in range(10)]
        clips = WaveClips(waves, [f"c{k}" for k in range(10)])
        favour = np.array([7])
        batch = clips.crop_batch(np.random.default_rng(3), 2000, 1600, favour=favour, favour_share=0.5)
        source = np.rint(batch[:, 0] * 32768 / 1000).astype(int) - 1
        share = float(np.mean(source == 7))
        self.assertAlmostEqual(share, 0.5 + 0.5 / 10, delta=0.04)  # favoured half plus its draw from the rest
        plain = clips.crop_batch(np.random.default_rng(3), 2000, 1600)
        self.assertAlmostEqual(float(np.mean(np.rint(plain[:, 0] * 32768 / 1000).astype(int) - 1 == 7)), 0.1, delta=0.03)


if __name__ == "__main__":
    unittest.main()
