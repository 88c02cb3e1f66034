"""Writes the reference event file and hparams.yaml that TensorBoardLoggerReferenceTest compares against.

Runs Lightning's own TensorBoardLogger (pytorch_lightning with tensorboard, so torch.utils.tensorboard writes) through
the same calls the Java test makes, then copies the files into the test resources. Run by hand, never by the build:

    python3 make_lightning_reference.py  # made with pytorch_lightning 2.6.6, torch 2.13.0+cpu, tensorboard 2.21.0, numpy 1.26

The calls below and ReferenceScenario in the Java tests must stay in step.
"""
import glob
import math
import os
import shutil
import tempfile

import numpy as np
from pytorch_lightning.loggers import TensorBoardLogger

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = os.path.join(HERE, "..", "..", "resources", "dev", "jlightning", "logging", "tensorboard")
SCALES = [0.01, 0.1, 1.0, 10.0, 100.0]


def histogram_values():
    return [((i * 37) % 101 - 50) / 7.0 * SCALES[i % 5] for i in range(300)]


def histogram_edge_values():
    # Zero, exact bucket edges (the smallest ones) and a value beyond TensorBoard's +-1e20 range.
    return histogram_values()[:20] + [0.0, 1e-12, -1e-12, 1.1e-12, 3e20]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        logger = TensorBoardLogger(save_dir=tmp, name="reference", version=0)
        logger.log_hyperparams({
            "lr": 0.1,
            "optimizer": "Adam",
            "layers": 3,
            "flag": True,
            "nested": {"momentum": 0.9, "inner": {"depth": 2}},
            "betas": [0.9, 0.999],
            "schedulers": [{"name": "StepLR"}, {"name": "ExponentialLR", "gamma": 0.5}],
            "nothing": None,
            "tiny": 1e-05,
            "empty": [],
        })
        logger.log_metrics({"train_loss": 0.25, "lr-SGD": 0.01, "epoch": 0}, step=1)
        logger.log_metrics({"train_loss": 0.125, "nan_metric": math.nan, "big": 1e300}, step=2)
        logger.experiment.add_text("notes", "hello **world** \u00fc", 3)
        logger.experiment.add_histogram("weights", np.array(histogram_values()), 4)
        logger.experiment.add_histogram("edges", np.array(histogram_edge_values()), 4)
        logger.log_hyperparams({"second": "x"}, metrics={"val_acc": 0.5}, step=5)
        logger.finalize("success")

        log_dir = os.path.join(tmp, "reference", "version_0")
        (event_file,) = glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))
        shutil.copyfile(event_file, os.path.join(RESOURCES, "lightning-reference.tfevents"))
        shutil.copyfile(os.path.join(log_dir, "hparams.yaml"), os.path.join(RESOURCES, "lightning-reference-hparams.yaml"))
        print("event file name:", os.path.basename(event_file))


if __name__ == "__main__":
    main()
