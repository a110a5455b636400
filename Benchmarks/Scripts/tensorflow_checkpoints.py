#!/usr/bin/env python3
"""Writes real TensorFlow checkpoints for the benchmarks.

    python Benchmarks/Scripts/tensorflow_checkpoints.py delta OUT_DIR   # swift run -c release delta
    python Benchmarks/Scripts/tensorflow_checkpoints.py run OUT_DIR     # swift run -c release archive
    python Benchmarks/Scripts/tensorflow_checkpoints.py optimizers OUT_DIR   # swift run -c release delta

delta:
- OUT_DIR/adam: a Keras MLP (about 300k float32 parameters, 3.6 MB per checkpoint with its Adam
  slots) trained with Adam; CheckpointManager saves at steps 100, 101, 200, 1000 and 1001.
- OUT_DIR/sparse: a 500k x 64 float32 embedding table (128 MB) where each step touches 256
  rows (sparse SGD through scatter updates), saved at steps 1 and 2; OUT_DIR/sparse-large the
  same with 5M rows (1.28 GB).

embedding: OUT_DIR itself: a 400,000 x 256 float32 embedding feeding a 256 x 1024 dense layer,
trained with Keras Adam on batches of 2,048 gathered rows; CheckpointManager saves steps 1 and
2 (1.2 GB each with the Adam slots). `swift run -c release delta` times `create` on this pair
against `cat`.

optimizers: OUT_DIR/NAME per optimizer of `Fixtures/optimizer_runs.py` (Keras 3 and TF1): a
256-512-256-64 MLP (279k parameters, 1.1 MB per tensor set) saved at steps 100, 101 and 120.

run: a training run, OUT_DIR itself: a Keras MLP (512-1024-256-10, about 790k float32
parameters, 9.5 MB per checkpoint with its Adam slots) trained with Adam on a fixed synthetic
classification task; CheckpointManager saves every 25 steps, 24 checkpoints (steps 25 to 600).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Fixtures"))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def train_mlp(out, widths, learning_rate, batch, steps, saves, seed, classify):
    """Trains an MLP with Adam on a fixed synthetic task, saving at the steps in `saves`."""
    tf.keras.utils.set_random_seed(seed)
    layers = [tf.keras.Input((widths[0],))]
    layers += [tf.keras.layers.Dense(width, activation="relu") for width in widths[1:-1]]
    model = tf.keras.Sequential(layers + [tf.keras.layers.Dense(widths[-1])])
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(checkpoint, out, max_to_keep=None)
    rng = np.random.default_rng(seed)
    if classify:
        teacher = rng.standard_normal((widths[0], widths[-1])).astype(np.float32)
        cross_entropy = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

        def loss(x, output):
            return cross_entropy(tf.argmax(tf.matmul(x, teacher), axis=1), output)
    else:
        teacher = rng.standard_normal((widths[0], widths[-1])).astype(np.float32) / 16

        def loss(x, output):
            return tf.reduce_mean(tf.square(output - tf.matmul(x, teacher)))

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            value = loss(x, model(x, training=True))
        grads = tape.gradient(value, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    for number in range(1, steps + 1):
        step(rng.standard_normal((batch, widths[0])).astype(np.float32))
        if number in saves:
            manager.save(checkpoint_number=number)


def embedding(out, rows=400_000, width=256, batch=2048):
    """Keras Adam on an embedding and a dense layer, each step touching `batch` gathered rows."""
    tf.keras.utils.set_random_seed(13)
    ids = tf.keras.Input((1,), dtype="int32")
    features = tf.keras.layers.Flatten()(tf.keras.layers.Embedding(rows, width)(ids))
    model = tf.keras.Model(ids, tf.keras.layers.Dense(1024)(features))
    optimizer = tf.keras.optimizers.Adam(1e-3)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(checkpoint, out, max_to_keep=None)
    rng = np.random.default_rng(13)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    for number in (1, 2):
        x = rng.choice(rows, (batch, 1), replace=False).astype(np.int32)
        step(x, rng.standard_normal((batch, 1024)).astype(np.float32))
        manager.save(checkpoint_number=number)


def sparse(out, rows=500_000):
    rng = np.random.default_rng(11)
    table = tf.Variable(rng.standard_normal((rows, 64)).astype(np.float32) * 0.05)
    checkpoint = tf.train.Checkpoint(embedding=table)
    manager = tf.train.CheckpointManager(checkpoint, out, max_to_keep=None)
    for number in (1, 2):
        rows = rng.choice(table.shape[0], 256, replace=False)
        update = rng.standard_normal((256, 64)).astype(np.float32) * 1e-3
        table.scatter_add(tf.IndexedSlices(update, rows))
        manager.save(checkpoint_number=number)


if __name__ == "__main__":
    mode, root = sys.argv[1], sys.argv[2]
    if mode == "delta":
        train_mlp(os.path.join(root, "adam"), [256, 512, 256, 64], 1e-3, 128, 1001, {100, 101, 200, 1000, 1001}, 7, False)
        sparse(os.path.join(root, "sparse"))
        sparse(os.path.join(root, "sparse-large"), rows=5_000_000)
    elif mode == "embedding":
        embedding(root)
    elif mode == "optimizers":
        import optimizer_runs
        for name in optimizer_runs.NAMES:
            optimizer_runs.run(name, os.path.join(root, name), [256, 512, 256, 64], [100, 101, 120])
    elif mode == "run":
        train_mlp(root, [512, 1024, 256, 10], 3e-4, 256, 600, set(range(25, 601, 25)), 3, True)
    else:
        sys.exit(f"unknown mode {mode}: give delta, embedding, optimizers or run")
