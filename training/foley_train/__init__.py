"""foley training recipe: dataset (foley_train.data), models, export and evaluation (foley_train.eval).

Run stages with training/run.sh; see training/README.md."""
