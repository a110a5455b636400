"""Short real training runs, one per optimizer people train TensorFlow models with.

Each run trains a small MLP on a fixed synthetic regression task and saves three checkpoints:
two consecutive steps and one further on, what a delta has to encode between steps and what
an archive keeps. `Fixtures/generate.py` writes them small under `Fixtures/optimizers/`; the
delta benchmark (`Benchmarks/Scripts/tensorflow_checkpoints.py optimizers`) writes them large.

Keras 3 runs save with `tf.train.CheckpointManager` (`ckpt-N`); TF1 runs with a `Saver`
(`model.ckpt-N`).

Every optimizer also runs under a learning-rate schedule (`NAME_SCHEDULE`, `SCHEDULED`), as
real runs almost always do: the rate in force at a step is then not a round number, and a
Keras checkpoint does not store it at all.
"""

import os

import numpy as np
import tensorflow as tf

# name -> (peak learning rate, a function building the optimizer (Keras 3) or the TF1 one from a rate).
KERAS = {
    "sgd_momentum": (0.01, lambda lr: tf.keras.optimizers.SGD(lr, momentum=0.9)),
    "sgd_nesterov": (0.01, lambda lr: tf.keras.optimizers.SGD(lr, momentum=0.9, nesterov=True)),
    "rmsprop": (1e-3, lambda lr: tf.keras.optimizers.RMSprop(lr)),
    "rmsprop_momentum": (1e-3, lambda lr: tf.keras.optimizers.RMSprop(lr, momentum=0.9)),
    "rmsprop_centered": (1e-3, lambda lr: tf.keras.optimizers.RMSprop(lr, centered=True)),
    "rmsprop_centered_momentum": (1e-3, lambda lr: tf.keras.optimizers.RMSprop(lr, momentum=0.9, centered=True)),
    "adagrad": (0.01, lambda lr: tf.keras.optimizers.Adagrad(lr)),
    "adam": (1e-3, lambda lr: tf.keras.optimizers.Adam(lr)),
    "adamw": (1e-3, lambda lr: tf.keras.optimizers.AdamW(lr)),
    "adamax": (2e-3, lambda lr: tf.keras.optimizers.Adamax(lr)),
    "nadam": (1e-3, lambda lr: tf.keras.optimizers.Nadam(lr)),
    "lion": (1e-4, lambda lr: tf.keras.optimizers.Lion(lr)),
    # Mixed precision: float16 compute, float32 variables, dynamic loss scaling around RMSprop.
    "loss_scaled_rmsprop": (1e-3, lambda lr: tf.keras.mixed_precision.LossScaleOptimizer(tf.keras.optimizers.RMSprop(lr))),
}

TF1 = {
    "tf1_momentum": (0.01, lambda lr: tf.compat.v1.train.MomentumOptimizer(lr, 0.9)),
    "tf1_adagrad": (0.01, lambda lr: tf.compat.v1.train.AdagradOptimizer(lr)),
    "tf1_rmsprop": (1e-3, lambda lr: tf.compat.v1.train.RMSPropOptimizer(lr, momentum=0.9)),
    "tf1_adam": (1e-3, lambda lr: tf.compat.v1.train.AdamOptimizer(lr)),
}


def _keras_schedule(kind, peak):
    """The Keras 3 schedule `kind` peaking at `peak`, evaluated at the optimizer's iterations."""
    schedules = tf.keras.optimizers.schedules
    return {
        "exponential": lambda: schedules.ExponentialDecay(peak, 100, 0.9),
        "cosine": lambda: schedules.CosineDecay(peak, 1000),
        "warmup": lambda: schedules.CosineDecay(0.0, 1000, warmup_target=peak, warmup_steps=100),
        "piecewise": lambda: schedules.PiecewiseConstantDecay([20, 40], [peak, peak / 2, peak / 10]),
        "polynomial": lambda: schedules.PolynomialDecay(peak, 1000, peak / 100),
        "inverse_time": lambda: schedules.InverseTimeDecay(peak, 100, 0.5),
    }[kind]()


def _tf1_schedule(kind, peak):
    """The TF1 schedule `kind` peaking at `peak`, a tensor of the global step."""
    step = tf.compat.v1.train.get_or_create_global_step()
    return {
        "exponential": lambda: tf.compat.v1.train.exponential_decay(peak, step, 100, 0.9),
        "cosine": lambda: tf.compat.v1.train.cosine_decay(peak, step, 1000),
    }[kind]()


# scheduled name -> (optimizer, schedule, the optimizer's own arguments where they differ).
SCHEDULED = {
    "sgd_momentum_cosine": ("sgd_momentum", "cosine"),
    "sgd_nesterov_exponential": ("sgd_nesterov", "exponential"),
    "rmsprop_exponential": ("rmsprop", "exponential"),
    "rmsprop_momentum_warmup": ("rmsprop_momentum", "warmup"),
    "rmsprop_centered_polynomial": ("rmsprop_centered", "polynomial"),
    "rmsprop_centered_momentum_cosine": ("rmsprop_centered_momentum", "cosine"),
    "adagrad_inverse_time": ("adagrad", "inverse_time"),
    "adam_exponential": ("adam", "exponential"),
    "adam_piecewise": ("adam", "piecewise"),
    "adamw_cosine": ("adamw", "cosine"),
    "adamax_warmup": ("adamax", "warmup"),
    "nadam_cosine": ("nadam", "cosine"),
    "lion_cosine": ("lion", "cosine"),
    "loss_scaled_rmsprop_exponential": ("loss_scaled_rmsprop", "exponential"),
    "tf1_momentum_exponential": ("tf1_momentum", "exponential"),
    "tf1_adagrad_cosine": ("tf1_adagrad", "cosine"),
    "tf1_rmsprop_exponential": ("tf1_rmsprop", "exponential"),
    "tf1_adam_cosine": ("tf1_adam", "cosine"),
}

NAMES = list(KERAS) + list(TF1) + list(SCHEDULED)


def _optimizer(name):
    """The optimizer of run `name`: its family's, at a constant rate or under the run's schedule."""
    family, schedule = SCHEDULED.get(name, (name, None))
    peak, build = KERAS.get(family) or TF1[family]
    if schedule is None:
        return build(peak)
    if family in KERAS:
        # AdamW under a schedule runs with a stronger decay, as large models are trained.
        if family == "adamw":
            return tf.keras.optimizers.AdamW(_keras_schedule(schedule, peak), weight_decay=0.05)
        return build(_keras_schedule(schedule, peak))
    return build(_tf1_schedule(schedule, peak))


def _is_keras(name):
    return SCHEDULED.get(name, (name, None))[0] in KERAS


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
        optimizer = _optimizer(name)
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
        train = _optimizer(name).minimize(loss, global_step=global_step)
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
    (keras_run if _is_keras(name) else tf1_run)(name, out, widths, set(steps))
