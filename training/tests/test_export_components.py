"""Training smoke runs, then ONNX export: names, dynamic axes and config keys of docs/bundle-format.md, and
parity fixtures that reproduce the PyTorch outputs."""
import json
import os
import tempfile
import unittest
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import onnx
import torch

from foley_train import export_components, train_vae, train_vocoder
from foley_train.datasets import write_synthetic_dataset
from foley_train.vae import load_vae
from foley_train.vocoder import load_vocoder, vae_round_trip


def graph_io(path):
    model = onnx.load(str(path))
    def dims(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
    return ({i.name: dims(i) for i in model.graph.input}, {o.name: dims(o) for o in model.graph.output},
            model.opset_import[0].version)


def read_fixture(folder: Path):
    index = json.loads((folder / "parity.json").read_text())
    load = lambda spec: np.fromfile(folder / spec["file"], dtype="<f4").reshape(spec["dims"])
    return index, {k: load(v) for k, v in index["inputs"].items()}, {k: load(v) for k, v in index["outputs"].items()}


class TrainAndExport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = cls.root = Path(cls.tmp.name)
        data = write_synthetic_dataset(root / "data", {"train": 6, "validation": 2, "test": 2}, seconds=0.6)
        train_vae.main(["--data", str(data), "--out", str(root / "vae"), "--smoke", "--device", "cpu"])
        train_vocoder.main(["--data", str(data), "--out", str(root / "voc"), "--smoke", "--device", "cpu"])
        export_components.main(["--bundle", str(root / "bundle"), "--vae-ckpt", str(root / "vae" / "vae.pt"),
                                "--vocoder-ckpt", str(root / "voc" / "vocoder.pt"), "--fixtures", str(root / "fx")])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_training_wrote_logs_checkpoints_and_weights(self):
        for folder, weights in (("vae", "vae.pt"), ("voc", "vocoder.pt")):
            lines = [json.loads(l) for l in (self.root / folder / "log.jsonl").read_text().splitlines()]
            self.assertEqual(lines[0]["event"], "start")
            self.assertEqual(lines[-1]["event"], "done")
            self.assertTrue((self.root / folder / "checkpoint.pt").exists())
            self.assertTrue((self.root / folder / weights).exists())
        self.assertGreater(json.loads((self.root / "vae" / "summary.json").read_text())["scaling_factor"], 0)

    def test_resume_continues_from_the_checkpoint(self):
        train_vae.main(["--data", str(self.root / "data"), "--out", str(self.root / "vae"), "--smoke", "--resume"])
        lines = [json.loads(l) for l in (self.root / "vae" / "log.jsonl").read_text().splitlines()]
        starts = [l for l in lines if l.get("event") == "start"]
        self.assertEqual(starts[-1]["step"], 4)

    def test_a_vocoder_fine_tune_counts_the_steps_behind_its_weights(self):
        data, first = str(self.root / "data"), self.root / "voc-ft1"
        old_style = {k: v for k, v in torch.load(self.root / "voc" / "vocoder.pt").items() if k != "trained_steps"}
        torch.save(old_style, self.root / "vocoder-without-steps.pt")  # as saved before weights recorded their steps
        train_vocoder.main(["--data", data, "--out", str(first), "--smoke", "--init",
                            str(self.root / "vocoder-without-steps.pt"), "--init-steps", "10"])
        self.assertEqual(json.loads((first / "summary.json").read_text())["initialised_from_step"], 10)
        second = self.root / "voc-ft2"
        train_vocoder.main(["--data", data, "--out", str(second), "--smoke", "--init", str(first / "vocoder.pt")])
        summary = json.loads((second / "summary.json").read_text())
        self.assertEqual((summary["initialised_from_step"], summary["step"]), (14, 4))  # read from the weights file
        self.assertEqual(torch.load(second / "vocoder.pt")["trained_steps"], 18)

    def test_the_vocoder_can_train_on_what_the_vae_gives_it(self):
        vae = load_vae(self.root / "vae" / "vae.pt")
        mel = torch.randn(2, 64, 24) - 6.0
        with torch.no_grad():
            direct = vae.decode(vae.encode(mel[:, None])[0])[:, 0]
        torch.testing.assert_close(vae_round_trip(vae, mel), direct)  # 24 frames: no padding needed
        self.assertEqual(tuple(vae_round_trip(vae, mel[..., :21]).shape), (2, 64, 21))  # padded to 24, cut back
        out = self.root / "voc-vae"
        train_vocoder.main(["--data", str(self.root / "data"), "--out", str(out), "--smoke", "--vae-ckpt",
                            str(self.root / "vae" / "vae.pt"), "--vae-share", "1"])
        summary = json.loads((out / "summary.json").read_text())
        self.assertGreater(summary["val_mel_l1_vae"], 0)
        self.assertNotEqual(summary["val_mel_l1_vae"], summary["val_mel_l1"])

    def test_onnx_signatures_follow_the_contract(self):
        b = self.root / "bundle"
        ins, outs, opset = graph_io(b / "vae_encoder" / "model.onnx")
        self.assertEqual(opset, 17)
        self.assertEqual(list(ins), ["mel"])
        self.assertEqual(list(outs), ["latent_mean"])
        self.assertEqual(ins["mel"][1:3], [1, 64])
        self.assertIsInstance(ins["mel"][0], str)
        self.assertIsInstance(ins["mel"][3], str)
        ins, outs, _ = graph_io(b / "vae_decoder" / "model.onnx")
        self.assertEqual((list(ins), list(outs)), (["latent_sample"], ["mel"]))
        self.assertEqual(ins["latent_sample"][1:3], [8, 16])
        ins, outs, _ = graph_io(b / "vocoder" / "model.onnx")
        self.assertEqual((list(ins), list(outs)), (["mel"], ["real", "imag"]))
        self.assertEqual(ins["mel"][1], 64)
        self.assertEqual(outs["real"][1], 513)
        self.assertIsInstance(outs["imag"][2], str)

    def test_config_json_keys(self):
        b = self.root / "bundle"
        for name in ("vae_encoder", "vae_decoder"):
            cfg = json.loads((b / name / "config.json").read_text())
            self.assertEqual((cfg["latent_channels"], cfg["downsample_freq"], cfg["downsample_time"]), (8, 4, 4))
            self.assertAlmostEqual(cfg["scaling_factor"], float(load_vae(self.root / "vae" / "vae.pt").scaling_factor))
        cfg = json.loads((b / "vocoder" / "config.json").read_text())
        self.assertEqual({k: cfg[k] for k in ("output_kind", "n_fft", "hop_length", "win_length", "window")},
                         {"output_kind": "stft", "n_fft": 1024, "hop_length": 160, "win_length": 1024, "window": "hann"})

    def test_fixtures_hold_the_pytorch_outputs(self):
        vocoder = load_vocoder(self.root / "voc" / "vocoder.pt")
        index, inputs, outputs = read_fixture(self.root / "fx" / "vocoder" / "bundle")
        self.assertEqual(inputs["mel"].shape[0], 2)
        with torch.no_grad():
            real, imag = vocoder(torch.from_numpy(inputs["mel"]))
        np.testing.assert_allclose(outputs["real"], real.numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(outputs["imag"], imag.numpy(), rtol=1e-5, atol=1e-5)
        vae = load_vae(self.root / "vae" / "vae.pt")
        _, inputs, outputs = read_fixture(self.root / "fx" / "vae" / "decoder")
        with torch.no_grad():
            mel = vae.decode(torch.from_numpy(inputs["latent_sample"]))
        np.testing.assert_allclose(outputs["mel"], mel.numpy(), rtol=1e-5, atol=1e-5)
        self.assertEqual(len(index["model_sha256"]), 64)

    def test_a_fixture_is_rewritten_only_when_its_model_changes(self):
        bundle, fixtures = self.root / "bundle-again", self.root / "fx-again"
        export = ["--bundle", str(bundle), "--vae-ckpt", str(self.root / "vae" / "vae.pt"),
                  "--vocoder-ckpt", str(self.root / "voc" / "vocoder.pt"), "--fixtures", str(fixtures)]
        export_components.main(export)
        kept, stale = fixtures / "vocoder" / "bundle", fixtures / "vae" / "decoder"
        (kept / "output_real.f32").write_bytes(b"kept")  # a re-export of the same model must leave this alone
        index = json.loads((stale / "parity.json").read_text())
        (stale / "parity.json").write_text(json.dumps({**index, "model_sha256": "0" * 64}))  # as if its model changed
        export_components.main(export)
        self.assertEqual((kept / "output_real.f32").read_bytes(), b"kept")
        self.assertEqual(json.loads((stale / "parity.json").read_text())["model_sha256"], index["model_sha256"])


if __name__ == "__main__":
    unittest.main()
