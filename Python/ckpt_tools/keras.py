"""A Keras callback that saves through ``tf.train.CheckpointManager``, verifies every save, and
archives it. Keras 3's own ``ModelCheckpoint`` writes ``.keras``/``.weights.h5`` files; training
that resumes with ``tf.train.Checkpoint`` saves through a manager, and this callback drives one::

    checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
    manager = tf.train.CheckpointManager(checkpoint, "/runs/exp7", max_to_keep=5)
    model.fit(x, y, epochs=20, callbacks=[VerifiedCheckpoints(manager, archive="s3://ml-cold/exp7/")])
"""

from __future__ import annotations

import os
from typing import Any, Optional, Union

import keras

from . import ArchivedStep, CheckpointDamaged, Report, archive, verify


class VerifiedCheckpoints(keras.callbacks.Callback):
    """Every ``every_n_epochs`` epochs, saves with ``manager.save()`` and verifies the save with
    ``ckptverify``. A save that fails verification stops training: ``fit`` raises
    :class:`ckpt_tools.CheckpointDamaged` with the findings. With ``archive`` (a directory or an
    ``s3://`` folder), each verified save is then added to that archive (``ckptdelta archive``,
    which adds only the steps it does not hold; ``archive_options`` go to
    :func:`ckpt_tools.archive`). ``reports`` holds each save's report, ``archived`` what the
    archive held after the last save."""

    def __init__(self, manager: Any, every_n_epochs: int = 1, archive: Optional[Union[str, "os.PathLike[str]"]] = None,
                 **archive_options: Any) -> None:
        super().__init__()
        if every_n_epochs < 1:
            raise ValueError("every_n_epochs is at least 1")
        self.manager = manager
        self.every_n_epochs = every_n_epochs
        self.archive = archive
        self.archive_options = archive_options
        self.reports: list[Report] = []
        self.archived: list[ArchivedStep] = []

    def on_epoch_end(self, epoch: int, logs: Optional[dict] = None) -> None:
        if (epoch + 1) % self.every_n_epochs:
            return
        report = verify(self.manager.save())
        self.reports.append(report)
        if not report.ok:
            self.model.stop_training = True
            raise CheckpointDamaged(report)
        if self.archive is not None:
            self.archived = archive(self.manager.directory, self.archive, **self.archive_options)
