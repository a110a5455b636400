#!/usr/bin/env python3
"""Writes real TensorFlow checkpoints for the delta benchmark (`swift run -c release delta`).

    python Benchmarks/Scripts/delta_checkpoints.py OUT_DIR

- OUT_DIR/adam: a Keras MLP (about 300k float32 parameters, 3.6 MB per checkpoint with its Adam
  slots) trained with Adam; CheckpointManager saves at steps 100, 101, 200, 1000 and 1001.
- OUT_DIR/sparse: a 500k x 64 float32 embedding table (128 MB) where each step touches 256
  rows (sparse SGD through scatter updates), saved at steps 1 and 2.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def adam(out):
    tf.keras.utils.set_random_seed(7)
    model = tf.keras.Sequential([
        tf.keras.Input((256,)),
        tf.keras.layers.Dense(512, activation="relu"),
        tf.keras.layers.Dense(256, activation="relu"),
        tf.keras.layers.Dense(64),
    ])
    optimizer = tf.keras.optimizers.Adam(1e-3)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(checkpoint, out, max_to_keep=None)
    rng = np.random.default_rng(7)
    targets = rng.standard_normal((256, 64)).astype(np.float32) / 16

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - tf.matmul(x, targets)))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    for number in range(1, 1002):
        step(rng.standard_normal((128, 256)).astype(np.float32))
        if number in (100, 101, 200, 1000, 1001):
            manager.save(checkpoint_number=number)


def sparse(out):
    rng = np.random.default_rng(11)
    table = tf.Variable(rng.standard_normal((500_000, 64)).astype(np.float32) * 0.05)
    checkpoint = tf.train.Checkpoint(embedding=table)
    manager = tf.train.CheckpointManager(checkpoint, out, max_to_keep=None)
    for number in (1, 2):
        rows = rng.choice(table.shape[0], 256, replace=False)
        update = rng.standard_normal((256, 64)).astype(np.float32) * 1e-3
        table.scatter_add(tf.IndexedSlices(update, rows))
        manager.save(checkpoint_number=number)


if __name__ == "__main__":
    root = sys.argv[1]
    adam(os.path.join(root, "adam"))
    sparse(os.path.join(root, "sparse"))
