"""Independent evaluation of generated audio (issue 5): prompt accuracy from a classifier trained only on real
clips, pitch accuracy from a YIN f0 estimator, Fréchet distance on the classifier's embeddings, and a slot for
the vocoder/VAE reconstruction numbers."""
