"""The UNet's input skip (UNetConfig.input_skip): zero at initialisation, the exact v of a noise-only latent once it
passes the input through, and a schedule lookup that matches the training schedule.
Run: cd training && python3 -m unittest tests.test_unet_input_skip"""
from __future__ import annotations

import unittest

import torch

from foley_train.diffusion_model import UNet1D, UNetConfig, alphas_cumprod
from foley_train.train_diffusion import v_target

TINY = dict(channels=(32, 32, 32), layers_per_block=1, cond_dim=32, cross_attention_dim=32, groups=8)


class InputSkipTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.sample = torch.randn(2, 8, 16, 8)
        self.timestep = torch.tensor([49.0, 312.5])
        self.text = torch.randn(2, 32)

    def test_a_model_without_it_loads_and_predicts_the_same(self):
        plain = UNet1D(UNetConfig(**TINY))
        with torch.no_grad():
            plain.conv_out.weight.normal_()  # a trained-looking output layer (it starts at zero)
        skip = UNet1D(UNetConfig(**TINY, input_skip=True))
        missing, unexpected = skip.load_state_dict(plain.state_dict(), strict=False)
        self.assertEqual((sorted(missing), unexpected), (["skip_in.bias", "skip_in.weight"], []))
        with torch.no_grad():
            self.assertTrue(torch.equal(plain(self.sample, self.timestep, self.text),
                                        skip(self.sample, self.timestep, self.text)))

    def test_noise_gain_follows_the_training_schedule(self):
        model = UNet1D(UNetConfig(**TINY, input_skip=True))
        acp = alphas_cumprod().to(torch.float32)
        steps = torch.tensor([0, 49, 312, 313, 999])
        expected = (acp[steps] / (1 - acp[steps])).sqrt()
        torch.testing.assert_close(model.noise_gain(steps.to(torch.float32)), expected)
        halfway = model.noise_gain(torch.tensor([312.5]))
        a = (acp[312] + acp[313]) / 2
        torch.testing.assert_close(halfway, (a / (1 - a)).sqrt()[None])
        # outside the table it holds the end values rather than reading past it
        torch.testing.assert_close(model.noise_gain(torch.tensor([-3.0, 1200.0])), expected[[0, 4]])

    def test_passing_the_input_through_gives_the_exact_v_of_pure_noise(self):
        model = UNet1D(UNetConfig(**TINY, input_skip=True))
        with torch.no_grad():
            model.skip_in.weight.copy_(torch.eye(128)[:, :, None])  # conv_out is still zero: only the skip speaks
            acp = alphas_cumprod()
            t = torch.tensor([9, 49, 499, 999])
            a = acp[t].float()[:, None, None, None]
            noise = torch.randn(4, 8, 16, 8)
            x0 = torch.zeros_like(noise)  # a latent dimension with no signal
            xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
            predicted = model(xt, t.float(), torch.randn(4, 32))
        torch.testing.assert_close(predicted, v_target(x0, noise, a), rtol=1e-4, atol=1e-4)


class DenoiseProbeTest(unittest.TestCase):
    def test_an_oracle_removes_all_noise_and_a_silent_model_none(self):
        from foley_train.eval.denoise_probe import probe
        torch.manual_seed(1)
        x0 = torch.randn(3, 8, 16, 12).cumsum(-1) / 4  # smooth in time, like real latents
        acp = alphas_cumprod().to(torch.float32)
        seen = {}

        def oracle(xt, t, _):
            # the probe's own noise is unknown here; recover it from x_t and the true x0
            a = acp[t.long()][:, None, None, None]
            noise = (xt - a.sqrt() * x0) / (1 - a).sqrt()
            seen["called"] = True
            return v_target(x0, noise, a)

        for row in probe(oracle, torch.zeros(3, 4), x0, timesteps=(9, 499)):
            self.assertLess(row["x0_mse"], 1e-9)
            self.assertAlmostEqual(row["roughness"], row["real_roughness"], places=4)
        self.assertTrue(seen["called"])
        for row in probe(lambda xt, t, _: torch.zeros_like(xt), torch.zeros(3, 4), x0, timesteps=(9, 499)):
            self.assertAlmostEqual(row["x0_mse"], row["untouched_mse"], places=6)
            self.assertAlmostEqual(row["gain"], 1.0, places=5)


if __name__ == "__main__":
    unittest.main()
