"""The mel VAE: shapes and dynamic time axis, the KL term, the latent scaling factor, training reduces loss."""
import os
import unittest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch

from foley_train.vae import (SMOKE_CONFIG, MelVAE, VAEConfig, VAELossWeights, kl_per_element, latent_scaling_factor,
                             load_vae, save_weights, vae_loss)

torch.set_num_threads(2)


class VAEShapes(unittest.TestCase):
    def test_latent_layout_follows_the_bundle_contract(self):
        vae = MelVAE(VAEConfig(**SMOKE_CONFIG)).eval()
        for frames in (16, 44, 400):
            mel = torch.randn(2, 1, 64, frames) * 3 - 6
            mean, logvar = vae.encode(mel)
            self.assertEqual(tuple(mean.shape), (2, 8, 16, frames // 4))
            self.assertEqual(mean.shape, logvar.shape)
            self.assertEqual(tuple(vae.decode(mean).shape), (2, 1, 64, frames))

    def test_eval_decoder_never_goes_below_the_log_floor(self):
        vae = MelVAE(VAEConfig(**SMOKE_CONFIG)).eval()
        out = vae.decode(torch.randn(1, 8, 16, 6) * 50)
        self.assertGreaterEqual(out.min().item(), np.log(1e-5) - 1e-6)

    def test_rejects_configs_that_cannot_downsample_by_4(self):
        with self.assertRaises(ValueError):
            VAEConfig(n_mels=62)
        with self.assertRaises(ValueError):
            VAEConfig(channels=(8, 16))


class VAELosses(unittest.TestCase):
    def test_kl_matches_torch_distributions(self):
        mean, logvar = torch.randn(3, 8, 16, 5), torch.randn(3, 8, 16, 5)
        q = torch.distributions.Normal(mean, torch.exp(0.5 * logvar))
        p = torch.distributions.Normal(torch.zeros_like(mean), torch.ones_like(mean))
        expected = torch.distributions.kl_divergence(q, p).flatten(1).sum(1).mean() / (64 * 20)
        self.assertAlmostEqual(kl_per_element(mean, logvar, 64 * 20).item(), expected.item(), places=4)

    def test_scaling_factor_is_inverse_std_of_latent_means(self):
        torch.manual_seed(0)
        vae = MelVAE(VAEConfig(**SMOKE_CONFIG)).eval()
        batches = [torch.randn(4, 1, 64, 32) * 3 - 6 for _ in range(3)]
        with torch.no_grad():
            means = torch.cat([vae.encode(b)[0].flatten() for b in batches]).double().numpy()
        self.assertAlmostEqual(latent_scaling_factor(vae, batches), 1.0 / np.std(means), places=5)

    def test_training_steps_reduce_the_reconstruction_error(self):
        torch.manual_seed(0)
        vae = MelVAE(VAEConfig(**SMOKE_CONFIG))
        t = torch.linspace(0, 1, 32)
        mel = (-11.5 + 8 * torch.exp(-((torch.arange(64)[:, None] - 20.0) ** 2) / 30) * torch.exp(-3 * t))
        mel = mel[None, None].repeat(4, 1, 1, 1)
        opt = torch.optim.Adam(vae.parameters(), 3e-3)
        first = None
        for _ in range(60):
            loss, parts = vae_loss(vae, mel, VAELossWeights())
            first = parts["l1"] if first is None else first
            opt.zero_grad()
            loss.backward()
            opt.step()
        self.assertLess(parts["l1"], 0.5 * first)

    def test_weights_file_round_trip_keeps_scaling_factor(self):
        import tempfile
        from pathlib import Path

        vae = MelVAE(VAEConfig(**SMOKE_CONFIG), scaling_factor=0.731).eval()
        with tempfile.TemporaryDirectory() as tmp:
            save_weights(Path(tmp) / "vae.pt", vae)
            again = load_vae(Path(tmp) / "vae.pt")
        self.assertAlmostEqual(float(again.scaling_factor), 0.731, places=6)
        mel = torch.randn(1, 1, 64, 8) - 6
        self.assertTrue(torch.equal(vae.decode(vae.encode(mel)[0]), again.decode(again.encode(mel)[0])))


if __name__ == "__main__":
    unittest.main()
