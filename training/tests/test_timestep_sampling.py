"""Training timesteps (train_diffusion.sample_timesteps): uniform by default with the plain recipe's random stream,
and with --high-noise-share s, a share s of the batch from the noisier half, so P(t >= T/2) = s + (1 - s) / 2.
Run: cd training && python3 -m unittest tests.test_timestep_sampling"""
from __future__ import annotations

import unittest

import torch

from foley_train.train_diffusion import sample_timesteps

STEPS = 1000
DRAWS = 200_000


class TimestepSamplingTest(unittest.TestCase):
    def test_share_zero_is_the_plain_uniform_draw(self):
        plain = torch.randint(0, STEPS, (64,), generator=torch.Generator().manual_seed(3))
        drawn = sample_timesteps(64, STEPS, 0.0, torch.Generator().manual_seed(3))
        self.assertTrue(torch.equal(plain, drawn), "share 0 must draw exactly what the uniform recipe drew")

    def test_high_noise_share_moves_the_expected_mass_to_the_noisier_half(self):
        for share in (0.0, 0.5, 1.0):
            t = sample_timesteps(DRAWS, STEPS, share, torch.Generator().manual_seed(7))
            self.assertGreaterEqual(int(t.min()), 0)
            self.assertLess(int(t.max()), STEPS)
            noisy = (t >= STEPS // 2).double().mean().item()
            expected = share + (1 - share) / 2
            # Binomial standard error at 200k draws is at most 0.0011: 5 of them.
            self.assertAlmostEqual(noisy, expected, delta=0.0056, msg=f"share {share}: P(t >= T/2)")
            # Within the quieter half the draw stays uniform: its mean is the half's midpoint.
            quiet = t[t < STEPS // 2].double()
            if len(quiet):
                self.assertAlmostEqual(quiet.mean().item(), (STEPS // 2 - 1) / 2, delta=2.0)


if __name__ == "__main__":
    unittest.main()
