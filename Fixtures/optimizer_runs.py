"""Short real training runs, one per optimizer people train TensorFlow models with.

Each run trains a small MLP on a fixed synthetic regression task and saves three checkpoints:
two consecutive steps and one further on, what a delta has to encode between steps and what
an archive keeps. `Fixtures/generate.py` writes them small under `Fixtures/optimizers/`; the
delta benchmark (`Benchmarks/Scripts/tensorflow_checkpoints.py optimizers`) writes them large.

Keras 3 runs save with `tf.train.CheckpointManager` (`ckpt-N`); TF1 runs with a `Saver`
(`model.ckpt-N`).
"""

import os

import numpy as np
import tensorflow as tf

# name -> a function building the optimizer (Keras 3) or the TF1 training op.
KERAS = {
    "sgd_momentum": lambda: tf.keras.optimizers.SGD(0.01, momentum=0.9),
    "sgd_nesterov": lambda: tf.keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    "rmsprop": lambda: tf.keras.optimizers.RMSprop(1e-3),
    "rmsprop_momentum": lambda: tf.keras.optimizers.RMSprop(1e-3, momentum=0.9),
    "rmsprop_centered": lambda: tf.keras.optimizers.RMSprop(1e-3, centered=True),
    "rmsprop_centered_momentum": lambda: tf.keras.optimizers.RMSprop(1e-3, momentum=0.9, centered=True),
    "adagrad": lambda: tf.keras.optimizers.Adagrad(0.01),
    "adam": lambda: tf.keras.optimizers.Adam(1e-3),
    "adamw": lambda: tf.keras.optimizers.AdamW(1e-3),
    "adamax": lambda: tf.keras.optimizers.Adamax(2e-3),
    "nadam": lambda: tf.keras.optimizers.Nadam(1e-3),
    "lion": lambda: tf.keras.optimizers.Lion(1e-4),
    # Mixed precision: float16 compute, float32 variables, dynamic loss scaling around RMSprop.
    "loss_scaled_rmsprop": lambda: tf.keras.mixed_precision.LossScaleOptimizer(tf.keras.optimizers.RMSprop(1e-3)),
}

TF1 = {
    "tf1_momentum": lambda: tf.compat.v1.train.MomentumOptimizer(0.01, 0.9),
    "tf1_adagrad": lambda: tf.compat.v1.train.AdagradOptimizer(0.01),
    "tf1_rmsprop": lambda: tf.compat.v1.train.RMSPropOptimizer(1e-3, momentum=0.9),
    "tf1_adam": lambda: tf.compat.v1.train.AdamOptimizer(1e-3),
}

NAMES = list(KERAS) + list(TF1)


def _task(rng, widths):
    """The linear map the model learns."""
    return (rng.standard_normal((widths[0], widths[-1])) / np.sqrt(widths[0])).astype(np.float32)


def keras_run(name, out, widths, steps, seed=5, batch=64):
    """Trains with the Keras 3 optimizer `name` and saves at every step in `steps`."""
    mixed = name.startswith("loss_scaled")
    tf.keras.utils.set_random_seed(seed)
    if mixed:
        tf.keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        layers = [tf.keras.Input((widths[0],))]
        layers += [tf.keras.layers.Dense(w, activation="relu", name=f"dense_{i}") for i, w in enumerate(widths[1:-1])]
        layers += [tf.keras.layers.Dense(widths[-1], name="head", dtype="float32")]
        model = tf.keras.Sequential(layers)
        optimizer = KERAS[name]()
        checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
        manager = tf.train.CheckpointManager(checkpoint, out, max_to_keep=None)
        rng = np.random.default_rng(seed)
        teacher = _task(rng, widths)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.cast(model(x, training=True), tf.float32) - tf.matmul(x, teacher)))
                if mixed:
                    loss = optimizer.scale_loss(loss)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))

        for number in range(1, max(steps) + 1):
            step(rng.standard_normal((batch, widths[0])).astype(np.float32))
            if number in steps:
                manager.save(checkpoint_number=number)
    finally:
        tf.keras.mixed_precision.set_global_policy("float32")


def tf1_run(name, out, widths, steps, seed=5, batch=64):
    """Trains with the `tf.compat.v1.train` optimizer `name` and saves with a Saver."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(seed)
        rng = np.random.default_rng(seed)
        teacher = tf.constant(_task(rng, widths))
        x = tf.compat.v1.placeholder(tf.float32, [None, widths[0]])
        h = x
        for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
            with tf.compat.v1.variable_scope(f"dense_{i}"):
                w = tf.compat.v1.get_variable("kernel", [fan_in, fan_out])
                b = tf.compat.v1.get_variable("bias", [fan_out], initializer=tf.compat.v1.zeros_initializer())
            h = tf.matmul(h, w) + b
            if i < len(widths) - 2:
                h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.square(h - tf.matmul(x, teacher)))
        global_step = tf.compat.v1.train.get_or_create_global_step()
        train = TF1[name]().minimize(loss, global_step=global_step)
        saver = tf.compat.v1.train.Saver(max_to_keep=None)
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            for number in range(1, max(steps) + 1):
                session.run(train, {x: rng.standard_normal((batch, widths[0])).astype(np.float32)})
                if number in steps:
                    saver.save(session, os.path.join(out, "model.ckpt"), global_step=global_step, write_meta_graph=False)


def run(name, out, widths, steps):
    """Writes the checkpoints of optimizer `name` into `out`."""
    os.makedirs(out, exist_ok=True)
    (keras_run if name in KERAS else tf1_run)(name, out, widths, set(steps))
