#!/usr/bin/python3
"""Reference values for foley's DSP parity tests (test/dsp/*.test.ts), computed with torch / torchaudio.

Writes two files:
  test/fixtures/dsp/reference.json  metadata: one entry per array (name, shape, offset into the blob, parameters)
  test/fixtures/dsp/reference.f32   every array, little-endian float32, concatenated

Inputs (a chirp, a two-tone and seeded noise) are written into the fixture too, so the TypeScript tests run on
exactly the samples torch saw. Run with Debian's python3-torch 1.13 / python3-torchaudio 0.13:

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 training/make_fixtures.py
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torchaudio
import torchaudio.functional as AF

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # foley_train

torch.set_num_threads(2)
torch.manual_seed(0)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'dsp')

SR = 16000
AUDIOLDM = dict(sample_rate=16000, n_fft=1024, hop_length=160, win_length=1024, n_mels=64, f_min=0.0, f_max=8000.0)


class Blob:
    def __init__(self):
        self.entries = []
        self.chunks = []
        self.offset = 0

    def add(self, name, array, **params):
        a = np.ascontiguousarray(np.asarray(array, dtype='<f4'))
        self.entries.append({'name': name, 'shape': list(a.shape), 'offset': self.offset, 'params': params})
        self.chunks.append(a.tobytes())
        self.offset += a.size
        return a

    def write(self):
        os.makedirs(OUT_DIR, exist_ok=True)
        with open(os.path.join(OUT_DIR, 'reference.f32'), 'wb') as f:
            for chunk in self.chunks:
                f.write(chunk)
        meta = {
            'generator': 'training/make_fixtures.py',
            'torch': torch.__version__,
            'torchaudio': torchaudio.__version__,
            'layout': 'float32 little-endian; offset and size in elements; complex arrays have a trailing axis of 2 (re, im)',
            'entries': self.entries,
        }
        with open(os.path.join(OUT_DIR, 'reference.json'), 'w') as f:
            json.dump(meta, f, indent=1)
            f.write('\n')


def inputs():
    t = np.arange(SR, dtype=np.float64) / SR
    # Linear chirp 100 Hz -> 7000 Hz over 1 s, amplitude 0.5.
    f0, f1 = 100.0, 7000.0
    chirp = 0.5 * np.sin(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) * t * t))
    t2 = np.arange(4000, dtype=np.float64) / SR
    two_tone = 0.4 * np.sin(2 * np.pi * 440.0 * t2) + 0.2 * np.sin(2 * np.pi * 3000.0 * t2 + 0.3)
    noise = 0.1 * np.random.default_rng(1234).standard_normal(8000)
    return {
        'chirp': chirp.astype(np.float32),
        'two_tone': two_tone.astype(np.float32),
        'noise': noise.astype(np.float32),
    }


def window_fn(kind):
    return {'hann': torch.hann_window, 'hamming': torch.hamming_window, 'blackman': torch.blackman_window}[kind]


def main():
    blob = Blob()
    signals = inputs()
    for name, x in signals.items():
        blob.add(f'input/{name}', x, sample_rate=SR)

    # Windows.
    for kind in ('hann', 'hamming', 'blackman'):
        for periodic in (True, False):
            for length in (1, 2, 7, 400, 1024):
                w = window_fn(kind)(length, periodic=periodic, dtype=torch.float64)
                blob.add(f'window/{kind}/{"periodic" if periodic else "symmetric"}/{length}', w.numpy(),
                         kind=kind, periodic=periodic, length=length)

    # Complex STFT: centred, reflect padding, onesided, [freq][frame][re, im].
    stft_cases = [
        ('audioldm_chirp', 'chirp', 4800, dict(n_fft=1024, hop_length=160, win_length=1024, window='hann')),
        ('two_tone_512', 'two_tone', 4000, dict(n_fft=512, hop_length=128, win_length=512, window='hann')),
        ('noise_400_win300', 'noise', 2000, dict(n_fft=400, hop_length=100, win_length=300, window='hamming')),
        ('chirp_odd_255', 'chirp', 1500, dict(n_fft=255, hop_length=64, win_length=255, window='blackman')),
    ]
    for case, source, n, p in stft_cases:
        x = torch.from_numpy(signals[source][:n].astype(np.float64))
        w = window_fn(p['window'])(p['win_length'], periodic=True, dtype=torch.float64)
        spec = torch.stft(x, p['n_fft'], hop_length=p['hop_length'], win_length=p['win_length'], window=w,
                          center=True, pad_mode='reflect', normalized=False, onesided=True, return_complex=True)
        blob.add(f'stft/{case}', torch.view_as_real(spec).numpy(), source=source, samples=n, **p)

    # Inverse STFT of a random (inconsistent) spectrogram: window-sum-square normalised overlap-add.
    rng = np.random.default_rng(99)
    for case, n_fft, hop, win, frames, length in [('random_512', 512, 128, 512, 20, 2400), ('random_400', 400, 100, 400, 16, 1500)]:
        bins = n_fft // 2 + 1
        spec = rng.standard_normal((bins, frames, 2))
        blob.add(f'istft_input/{case}', spec, n_fft=n_fft, hop_length=hop, win_length=win, length=length)
        w = torch.hann_window(win, periodic=True, dtype=torch.float64)
        y = torch.istft(torch.view_as_complex(torch.from_numpy(spec)), n_fft, hop_length=hop, win_length=win, window=w,
                        center=True, normalized=False, onesided=True, length=length)
        blob.add(f'istft/{case}', y.numpy(), n_fft=n_fft, hop_length=hop, win_length=win, length=length)

    # Mel filterbanks, stored [n_mels][n_freqs] (torchaudio returns [n_freqs][n_mels]).
    fb_cases = [
        ('audioldm_slaney_slaney', 513, 0.0, 8000.0, 64, 16000, 'slaney', 'slaney'),
        ('audioldm_slaney_none', 513, 0.0, 8000.0, 64, 16000, None, 'slaney'),
        ('htk_slaney_257', 257, 50.0, 7600.0, 40, 16000, 'slaney', 'htk'),
        ('htk_none_257', 257, 50.0, 7600.0, 40, 16000, None, 'htk'),
        ('slaney_22050_80', 513, 0.0, 8000.0, 80, 22050, 'slaney', 'slaney'),
    ]
    for case, n_freqs, f_min, f_max, n_mels, sr, norm, scale in fb_cases:
        fb = AF.melscale_fbanks(n_freqs, f_min, f_max, n_mels, sr, norm=norm, mel_scale=scale)
        blob.add(f'fbank/{case}', fb.T.numpy(), n_freqs=n_freqs, f_min=f_min, f_max=f_max, n_mels=n_mels,
                 sample_rate=sr, norm=norm or 'none', mel_scale=scale)

    # AudioLDM log-mel: magnitude STFT, Slaney mel with Slaney norm, ln(max(x, 1e-5)).
    mel_transform = torchaudio.transforms.MelSpectrogram(
        sample_rate=16000, n_fft=1024, win_length=1024, hop_length=160, f_min=0.0, f_max=8000.0, n_mels=64,
        power=1.0, norm='slaney', mel_scale='slaney', center=True, pad_mode='reflect')
    for name in ('chirp', 'two_tone', 'noise'):
        x = torch.from_numpy(signals[name])
        mel = mel_transform(x)
        blob.add(f'logmel/{name}', torch.log(torch.clamp(mel, min=1e-5)).numpy(), source=name, **AUDIOLDM)

    # Mel -> linear: pseudo-inverse of the filterbank, clamped at 0 (numpy's SVD pinv as the independent reference).
    fb = AF.melscale_fbanks(513, 0.0, 8000.0, 64, 16000, norm='slaney', mel_scale='slaney').T.numpy().astype(np.float64)
    mel_amp = mel_transform(torch.from_numpy(signals['two_tone'])).numpy().astype(np.float64)
    lin = np.clip(np.linalg.pinv(fb) @ mel_amp, 0.0, None)
    blob.add('mel_pinv/two_tone', lin, source='two_tone', **AUDIOLDM)

    # dB conversions (torchaudio.functional.amplitude_to_DB / DB_to_amplitude).
    mag = mel_amp.astype(np.float32)
    t_mag = torch.from_numpy(mag)
    blob.add('db/input', mag, source='two_tone mel amplitude')
    blob.add('db/amplitude_top80', AF.amplitude_to_DB(t_mag, 20.0, 1e-10, 0.0, top_db=80.0).numpy(),
             multiplier=20, amin=1e-10, ref=1.0, top_db=80.0)
    blob.add('db/power_nocap', AF.amplitude_to_DB(t_mag ** 2, 10.0, 1e-10, 0.0, top_db=None).numpy(),
             multiplier=10, amin=1e-10, ref=1.0, top_db=None)
    ref = 0.25
    blob.add('db/amplitude_ref', AF.amplitude_to_DB(t_mag, 20.0, 1e-5, math.log10(max(1e-5, ref)), top_db=60.0).numpy(),
             multiplier=20, amin=1e-5, ref=ref, top_db=60.0)
    db = AF.amplitude_to_DB(t_mag, 20.0, 1e-10, 0.0, top_db=None)
    blob.add('db/to_amplitude', AF.DB_to_amplitude(db, 1.0, 0.5).numpy(), ref=1.0, power=0.5)
    blob.add('db/to_power_ref', AF.DB_to_amplitude(db, 2.0, 1.0).numpy(), ref=2.0, power=1.0)

    # Griffin-Lim, torchaudio's fast (momentum) variant. Zero initial phase is chaotic on clean tones (bins whose
    # rebuilt value is ~0 get their phase from rounding), so the reference starts from a stored random phase with
    # torchaudio's own update loop, checked here to be identical to AF.griffinlim(rand_init=False) when started at 0.
    x = torch.from_numpy(signals['two_tone'].astype(np.float64))
    w = torch.hann_window(512, periodic=True, dtype=torch.float64)
    mag = torch.stft(x, 512, 128, 512, w, center=True, pad_mode='reflect', return_complex=True).abs()

    def griffinlim_from(angles, momentum, n_iter):
        factor = momentum / (1 + momentum)
        tprev = torch.zeros_like(angles)
        for _ in range(n_iter):
            inverse = torch.istft(mag * angles, 512, 128, 512, w, length=4000)
            rebuilt = torch.stft(inverse, 512, 128, 512, w, center=True, pad_mode='reflect', return_complex=True)
            angles = rebuilt - factor * tprev
            angles = angles / (angles.abs() + 1e-16)
            tprev = rebuilt
        return torch.istft(mag * angles, 512, 128, 512, w, length=4000)

    ones = torch.ones(mag.shape, dtype=torch.complex128)
    for momentum in (0.99, 0.0):
        same = AF.griffinlim(mag, w, 512, 128, 512, power=1.0, n_iter=3, momentum=momentum, length=4000, rand_init=False)
        assert torch.equal(same, griffinlim_from(ones, momentum, 3)), 'the reference loop must be torchaudio\'s'
    phase = np.random.default_rng(5).uniform(0.0, 2 * np.pi, tuple(mag.shape))
    blob.add('griffinlim_phase/two_tone', phase, source='two_tone')
    angles = torch.polar(torch.ones(mag.shape, dtype=torch.float64), torch.from_numpy(phase))
    for momentum, iters in ((0.99, 8), (0.0, 4)):
        y = griffinlim_from(angles, momentum, iters)
        blob.add(f'griffinlim/two_tone_m{momentum}_i{iters}', y.numpy(), n_fft=512, hop_length=128, win_length=512,
                 momentum=momentum, n_iter=iters, length=4000, source='two_tone')

    # The pitch guide (foley_train/pitch_guide.py): a tone an octave off, with noise, guided toward a fundamental.
    from foley_train.pitch_guide import guide
    t3 = np.arange(8000, dtype=np.float64) / SR
    rng = np.random.default_rng(77)
    buzz = sum(0.5 ** h * np.sin(2 * np.pi * 110.0 * (h + 1) * t3 + h) for h in range(8)) + 0.05 * rng.standard_normal(8000)
    blob.add('pitch_guide/input', buzz.astype(np.float32))
    x = torch.from_numpy(buzz.astype(np.float32).astype(np.float64))  # the samples the fixture stores
    for f0, iters in ((220.0, 8), (146.83, 0)):
        y = guide(x, f0, iterations=iters)
        blob.add(f'pitch_guide/f0_{f0}_i{iters}', y.numpy(), f0=f0, iterations=iters, floor=0.05, width_cents=35.0,
                 n_fft=1024, hop_length=160, win_length=1024, sample_rate=SR)

    # The harmonic resynthesis (pitch_guide.resynthesize): an E1 note whose harmonics drift in phase, with a click
    # every 480 samples (the vocoder's three-hop periodicity) and noise, rebuilt at 41.2 Hz.
    from foley_train.pitch_guide import resynthesize
    rng = np.random.default_rng(78)
    e1 = 41.2034
    drift = np.cumsum(rng.standard_normal((24, 8000)) * 0.02, axis=1)
    low = sum(np.exp(-t3 * 1.5) * 0.8 ** h * np.cos(2 * np.pi * e1 * (h + 1) * t3 + drift[h]) for h in range(24))
    clicks = np.zeros(8000)
    clicks[::480] = 0.3
    low = low + clicks + 0.02 * rng.standard_normal(8000)
    blob.add('harmonic_resynthesis/input', low.astype(np.float32))
    x = torch.from_numpy(low.astype(np.float32).astype(np.float64))
    y = resynthesize(x, e1)
    blob.add('harmonic_resynthesis/f0_41.2034', y.numpy(), f0=e1, n_fft=1024, hop_length=160, win_length=1024,
             sample_rate=SR)

    blob.write()
    size = os.path.getsize(os.path.join(OUT_DIR, 'reference.f32'))
    print(f'wrote {len(blob.entries)} arrays, {size} bytes, to {OUT_DIR}', file=sys.stderr)


if __name__ == '__main__':
    main()
