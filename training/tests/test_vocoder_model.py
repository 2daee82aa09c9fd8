"""The neural vocoder: starts at the pseudo-inverse magnitude, unit phase, losses, STFT helpers, training."""
import math
import os
import unittest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torchaudio

from foley_train import melspec
from foley_train.vocoder import (SMOKE_CONFIG, NeuralVocoder, VocoderConfig, VocoderLossWeights, anti_wrap, istft,
                                 mrstft_distance, phase_losses, stft, vocode, vocoder_loss)

torch.set_num_threads(2)


def tone(seconds=0.5, f0=220.0):
    t = torch.arange(int(seconds * 16000)) / 16000
    return (0.4 * torch.sin(2 * math.pi * f0 * t) * torch.exp(-2 * t))[None]


class VocoderModel(unittest.TestCase):
    def test_untrained_magnitude_is_the_least_squares_mel_inverse(self):
        model = NeuralVocoder(VocoderConfig(**SMOKE_CONFIG)).eval()
        log_mel = melspec.log_mel(tone())
        real, imag = model(log_mel)
        self.assertEqual(tuple(real.shape), (1, 513, log_mel.shape[-1]))
        fb = torchaudio.functional.melscale_fbanks(513, 0.0, 8000.0, 64, 16000, norm="slaney", mel_scale="slaney")
        pinv = np.linalg.pinv(fb.numpy().astype(np.float64).T)  # independent of the model's own matrix
        expected = np.maximum(np.abs(pinv @ np.exp(log_mel[0].numpy().astype(np.float64))), 1e-5)
        magnitude = torch.sqrt(real ** 2 + imag ** 2)[0].detach().numpy()
        np.testing.assert_allclose(magnitude, expected, rtol=1e-4, atol=1e-6)

    def test_trained_output_is_a_valid_spectrum_for_any_length(self):
        model = NeuralVocoder(VocoderConfig(**SMOKE_CONFIG)).eval()
        for frames in (1, 7, 50):
            real, imag = model(torch.randn(3, 64, frames) - 6)
            self.assertEqual(tuple(imag.shape), (3, 513, frames))
            self.assertTrue(torch.isfinite(real).all() and torch.isfinite(imag).all())

    def test_vocode_returns_requested_length(self):
        model = NeuralVocoder(VocoderConfig(**SMOKE_CONFIG)).eval()
        wav = tone(0.3)
        n = wav.shape[-1] // 160 * 160
        log_mel = melspec.log_mel(wav[:, :n])
        self.assertEqual(vocode(model, log_mel, n).shape[-1], n)
        self.assertEqual(vocode(model, log_mel, n, gl_iters=2).shape[-1], n)


class VocoderLosses(unittest.TestCase):
    def test_anti_wrapping_ignores_whole_turns(self):
        x = torch.tensor([0.0, 2 * math.pi, -4 * math.pi, 0.5, 0.5 + 2 * math.pi, math.pi - 0.1])
        np.testing.assert_allclose(anti_wrap(x).numpy(), [0, 0, 0, 0.5, 0.5, math.pi - 0.1], atol=1e-5)

    def test_phase_losses_vanish_for_equal_phase_and_not_otherwise(self):
        phase = torch.rand(2, 513, 10) * 6 - 3
        for loss in phase_losses(phase + 2 * math.pi, phase):
            self.assertLess(loss.item(), 1e-5)
        ip, gd, iaf = phase_losses(phase + torch.rand_like(phase), phase)
        self.assertGreater(ip.item(), 0.1)

    def test_stft_round_trip_and_mrstft_of_identical_signals(self):
        wav = tone(0.4)
        back = istft(stft(wav).real, stft(wav).imag, length=wav.shape[-1])
        self.assertLess((back - wav).abs().max().item(), 1e-5)
        self.assertLess(mrstft_distance(wav, wav).item(), 1e-6)
        self.assertGreater(mrstft_distance(wav * 0.5, wav).item(), 0.3)

    def test_training_steps_reduce_the_loss(self):
        torch.manual_seed(0)
        model = NeuralVocoder(VocoderConfig(**SMOKE_CONFIG))
        wav = torch.cat([tone(0.32, 220.0), tone(0.32, 330.0)])
        opt = torch.optim.Adam(model.parameters(), 2e-3)
        history = []
        for _ in range(25):
            loss, parts = vocoder_loss(model, wav, VocoderLossWeights())
            history.append(parts)
            opt.zero_grad()
            loss.backward()
            opt.step()
        self.assertLess(history[-1]["loss"], 0.8 * history[0]["loss"])
        self.assertLess(history[-1]["log_mag"], history[0]["log_mag"])


if __name__ == "__main__":
    unittest.main()
