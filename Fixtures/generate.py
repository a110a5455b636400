#!/usr/bin/env python3
"""Writes the checkpoint fixtures under Fixtures/ with real TensorFlow.

Run it with a Python that has `tensorflow-cpu`, `xxhash` and `safetensors` installed:

    python Fixtures/generate.py                  # rewrites Fixtures/ in place
    python Fixtures/generate.py --out DIR [GROUP...]  # fresh checkpoints and manifest in DIR
    python Fixtures/generate.py --describe PREFIX...  # TensorFlow's view of checkpoints, as JSON
    python Fixtures/generate.py --diff A B            # ckptdiff's statistics computed with numpy

It also writes `diffs.json`: for pairs of fixtures, the statistics `ckptdiff` must report,
computed independently with numpy from what TensorFlow's reader returns.

The last two serve the interoperability suite (`Tests/InteropTests`).

Every checkpoint is written into a scratch directory first and then moved here, so
TF1 `Saver` state files keep the absolute scratch paths TensorFlow wrote: they are
real examples of a moved training directory.

Alongside the checkpoints it writes `manifest.json`: what TensorFlow's own reader
(`tf.train.load_checkpoint`) lists for every prefix (names, dtypes, shapes) and an
XXH3-128 digest of every tensor value it returns. The Swift tests compare our reader
against that manifest, so they need no TensorFlow at run time.
"""

import json
import os
import shutil
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import xxhash  # noqa: E402

import optimizer_runs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 1234


def canonical_bytes(value):
    """The bytes the digest covers: raw little-endian elements, or for strings each
    element as a u64le length followed by its bytes (row-major)."""
    if isinstance(value, bytes):  # a scalar string comes back as plain bytes
        value = np.array([value], dtype=object)
    array = np.asarray(value)
    if array.dtype == object:
        out = bytearray()
        for item in array.reshape(-1):
            item = bytes(item)
            out += len(item).to_bytes(8, "little") + item
        return bytes(out)
    return np.ascontiguousarray(array).tobytes()


def describe(prefix, root):
    """TensorFlow's view of one checkpoint, as the manifest records it."""
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    variables = []
    for name in sorted(shapes):
        entry = {"name": name, "dtype": dtypes[name].name, "shape": list(shapes[name])}
        if dtypes[name] != tf.variant:
            entry["xxh3_128"] = xxhash.xxh3_128_hexdigest(canonical_bytes(reader.get_tensor(name)))
        variables.append(entry)
    return {"prefix": os.path.relpath(prefix, root), "variables": variables}


def resume_tf1(prefix):
    """What a TF1 job resuming from `prefix` sees: the graph from `prefix.meta`, restored by its Saver."""
    graph = tf.Graph()
    with graph.as_default():
        saver = tf.compat.v1.train.import_meta_graph(prefix + ".meta")
        with tf.compat.v1.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            values = {v.op.name: xxhash.xxh3_128_hexdigest(canonical_bytes(sess.run(v))) for v in tf.compat.v1.global_variables()}
            return {"global_step": int(sess.run(tf.compat.v1.train.get_global_step())), "variables": values}


def tf1_saver(out):
    """A classic TF1 training loop: global_step, Saver(max_to_keep=3), a save every 10 steps."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(SEED)
        x = tf.compat.v1.placeholder(tf.float32, [None, 8])
        y = tf.compat.v1.placeholder(tf.float32, [None, 1])
        with tf.compat.v1.variable_scope("dense"):
            w = tf.compat.v1.get_variable("kernel", [8, 16])
            b = tf.compat.v1.get_variable("bias", [16], initializer=tf.compat.v1.zeros_initializer())
        with tf.compat.v1.variable_scope("out"):
            w2 = tf.compat.v1.get_variable("kernel", [16, 1])
        loss = tf.reduce_mean(tf.square(tf.matmul(tf.nn.relu(tf.matmul(x, w) + b), w2) - y))
        step = tf.compat.v1.train.get_or_create_global_step()
        train = tf.compat.v1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
        saver = tf.compat.v1.train.Saver(max_to_keep=3)
        rng = np.random.default_rng(SEED)
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for i in range(1, 51):
                xs = rng.standard_normal((32, 8)).astype(np.float32)
                sess.run(train, {x: xs, y: xs.sum(axis=1, keepdims=True)})
                if i % 10 == 0:
                    saver.save(sess, os.path.join(out, "model.ckpt"), global_step=step)


def tf2_keras_adam(out):
    """Keras training with Adam, checkpointed by CheckpointManager at consecutive and distant steps."""
    tf.keras.utils.set_random_seed(SEED)
    model = tf.keras.Sequential([
        tf.keras.Input((16,)),
        tf.keras.layers.Dense(64, activation="relu", name="hidden"),
        tf.keras.layers.Dense(32, activation="relu", name="middle"),
        tf.keras.layers.Dense(4, name="logits"),
    ])
    optimizer = tf.keras.optimizers.Adam(1e-3)
    ckpt = tf.train.Checkpoint(model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(ckpt, out, max_to_keep=None, checkpoint_name="ckpt")
    rng = np.random.default_rng(SEED)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    keep = {1, 2, 3, 10, 11, 40}
    for step in range(1, 41):
        xs = rng.standard_normal((64, 16)).astype(np.float32)
        ys = (xs[:, :4].argmax(axis=1)).astype(np.int64)
        with tf.GradientTape() as tape:
            loss = loss_fn(ys, model(xs, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        if step in keep:
            manager.save(checkpoint_number=step)


def _layouts_model():
    """The small Keras model every layout holds: two dense layers and Adam."""
    tf.keras.utils.set_random_seed(SEED)
    model = tf.keras.Sequential([
        tf.keras.Input((12,)),
        tf.keras.layers.Dense(8, activation="relu", name="hidden"),
        tf.keras.layers.Dense(3, name="logits"),
    ], name="mlp")
    return model, tf.keras.optimizers.Adam(1e-2)


def _layouts_train(model, optimizer, rng, steps):
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for _ in range(steps):
        xs = rng.standard_normal((32, 12)).astype(np.float32)
        ys = xs[:, :3].argmax(axis=1).astype(np.int64)
        with tf.GradientTape() as tape:
            loss = loss_fn(ys, model(xs, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))


def layouts(out):
    """The files TensorFlow users point the tools at, from one model: a training directory
    (CheckpointManager, model and optimizer), the model exported twice as TF Serving versions
    (SavedModel with fingerprint.pb), a checkpoint written without a step number, and Keras's
    own formats (.weights.h5, .keras); and a TF1 graph saved as a legacy V1 checkpoint and as a
    V2 checkpoint at the same step."""
    model, optimizer = _layouts_model()
    rng = np.random.default_rng(SEED)
    ckpt = tf.train.Checkpoint(model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(ckpt, os.path.join(out, "train"), max_to_keep=None, checkpoint_name="ckpt")
    for version, step in ((1, 5), (2, 9)):
        _layouts_train(model, optimizer, rng, step - int(optimizer.iterations.numpy()))
        manager.save(checkpoint_number=step)
        model.export(os.path.join(out, "models", "mlp", str(version)), verbose=False)
    tf.train.Checkpoint(model=model, optimizer=optimizer).write(os.path.join(out, "nostep", "model"))
    os.makedirs(os.path.join(out, "keras"))
    model.save_weights(os.path.join(out, "keras", "mlp.weights.h5"))
    model.save(os.path.join(out, "keras", "mlp.keras"))
    model.save(os.path.join(out, "keras", "mlp.h5"))  # Keras's legacy whole-model HDF5
    import safetensors.numpy  # in the generator's environment only: `pip install safetensors`
    safetensors.numpy.save_file({v.path: v.numpy() for v in model.weights}, os.path.join(out, "keras", "mlp.safetensors"))

    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(SEED)
        x = tf.compat.v1.placeholder(tf.float32, [None, 4])
        with tf.compat.v1.variable_scope("dense"):
            w = tf.compat.v1.get_variable("kernel", [4, 6])
            b = tf.compat.v1.get_variable("bias", [6], initializer=tf.compat.v1.ones_initializer())
        counts = tf.compat.v1.get_variable("counts", [3], dtype=tf.int64, initializer=tf.compat.v1.constant_initializer([1, 2, 3]))
        names = tf.compat.v1.get_variable("vocab", dtype=tf.string, initializer=tf.constant([b"a", b"bc", b""]))
        mask = tf.compat.v1.get_variable("mask", dtype=tf.bool, initializer=tf.constant([[True, False], [False, True]]))
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b))
        step = tf.compat.v1.train.get_or_create_global_step()
        train = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
        v1 = tf.compat.v1.train.Saver(write_version=tf.compat.v1.train.SaverDef.V1)
        v2 = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for _ in range(7):
                sess.run(train, {x: rng.standard_normal((8, 4)).astype(np.float32)})
            for folder in ("v1", "v2"):
                os.makedirs(os.path.join(out, folder))
            v1.save(sess, os.path.join(out, "v1", "model.ckpt"), global_step=step, write_meta_graph=False)
            v2.save(sess, os.path.join(out, "v2", "model.ckpt"), global_step=step, write_meta_graph=False)
        del counts, names, mask


def optimizers(out):
    """One short real run per optimizer (Keras 3 and TF1): steps 30, 31 and 50 of a small MLP."""
    for name in optimizer_runs.NAMES:
        optimizer_runs.run(name, os.path.join(out, name), OPTIMIZER_WIDTHS, OPTIMIZER_STEPS)


def _dtype_zoo():
    rng = np.random.default_rng(SEED)
    f = rng.standard_normal((3, 5)).astype(np.float32)
    tensors = {
        "float32": tf.constant(f),
        "float64": tf.constant(f.astype(np.float64)),
        "int32": tf.constant(np.arange(-6, 6, dtype=np.int32).reshape(3, 4)),
        "uint8": tf.constant(np.arange(250, 256, dtype=np.uint8)),
        "int16": tf.constant(np.array([-32768, -1, 0, 1, 32767], dtype=np.int16)),
        "int8": tf.constant(np.array([-128, -1, 0, 127], dtype=np.int8)),
        "string": tf.constant([b"hello", b"", "wörld".encode(), b"\x00\xff bytes"]),
        "complex64": tf.constant((f[0] + 1j * f[1]).astype(np.complex64)),
        "int64": tf.constant(np.array([-(2**63), -1, 0, 2**63 - 1], dtype=np.int64)),
        "bool": tf.constant([True, False, True]),
        "qint8": tf.quantization.quantize(tf.constant(f[0]), -3.0, 3.0, tf.qint8).output,
        "quint8": tf.quantization.quantize(tf.constant(f[0]), -3.0, 3.0, tf.quint8).output,
        "qint32": tf.quantization.quantize(tf.constant(f[0]), -3.0, 3.0, tf.qint32).output,
        "qint16": tf.quantization.quantize(tf.constant(f[0]), -3.0, 3.0, tf.qint16).output,
        "quint16": tf.quantization.quantize(tf.constant(f[0]), -3.0, 3.0, tf.quint16).output,
        "bfloat16": tf.cast(tf.constant(f), tf.bfloat16),
        "uint16": tf.constant(np.array([0, 1, 65535], dtype=np.uint16)),
        "complex128": tf.constant((f[0] + 1j * f[2]).astype(np.complex128)),
        "float16": tf.constant(f.astype(np.float16)),
        "uint32": tf.constant(np.array([0, 1, 2**32 - 1], dtype=np.uint32)),
        "uint64": tf.constant(np.array([0, 1, 2**64 - 1], dtype=np.uint64)),
        "variant": tf.raw_ops.TensorListFromTensor(tensor=tf.constant(f), element_shape=tf.constant([5])),
        "scalar_f32": tf.constant(3.25),
        "scalar_string": tf.constant(b"only one"),
        "scalar_empty_string": tf.constant(b""),
        "empty_f32": tf.zeros((0, 5), tf.float32),
        "empty_string": tf.constant([], tf.string),
        "héllo/wört/名前": tf.constant([1.5, 2.5]),
    }
    # The 1-byte float8/int4/int2/float4 family, built from numpy through ml_dtypes (TF has no
    # cast kernel for several of them).
    small = np.array([1, -2, 3, 0.5, -0.25, 0], dtype=np.float32)
    for name in ["float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz",
                 "float8_e5m2fnuz", "int4", "uint4", "int2", "uint2", "float4_e2m1fn"]:
        values = small if "float" in name else np.array([1, -2, 1, 0, -1, 0])
        if name.startswith("u"):
            values = np.abs(values)
        tensors[name] = tf.constant(values.astype(getattr(ml_dtypes, name)))
    return tensors


def _save(prefix, tensors):
    names = list(tensors)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names,
                      shape_and_slices=[""] * len(names), tensors=[tensors[n] for n in names])


def _changed_zoo(tensors):
    """The zoo one "step" later: most values moved, NaN and Inf appearing, a variable removed,
    one added, one retyped, one reshaped, some untouched."""
    changed = dict(tensors)
    f = tensors["float32"].numpy().copy()
    f[0, 0] = np.nan
    f[1, :] *= 1.01
    changed["float32"] = tf.constant(f)
    d = tensors["float64"].numpy() + 1e-3
    d[2, 4] = np.inf
    changed["float64"] = tf.constant(d)
    changed["bfloat16"] = tf.cast(tensors["float32"] * 2.0, tf.bfloat16)
    changed["float16"] = tf.constant(tensors["float16"].numpy() * np.float16(-1))
    changed["int64"] = tf.constant(np.array([-(2**63), 5, 0, 2**63 - 1], dtype=np.int64))
    changed["uint8"] = tf.constant(np.arange(200, 206, dtype=np.uint8))
    changed["bool"] = tf.constant([True, True, True])
    changed["string"] = tf.constant([b"hello", b"changed", "wörld".encode(), b"\x00\xff bytes"])
    changed["complex64"] = tensors["complex64"] * 2
    changed["float8_e4m3fn"] = tf.constant(np.array([2, -2, 3, 0.5, -0.5, 1], dtype=np.float32).astype(ml_dtypes.float8_e4m3fn))
    changed["int4"] = tf.constant(np.array([1, -2, 3, 0, -1, 7]).astype(ml_dtypes.int4))
    changed["int32"] = tf.cast(tensors["int32"], tf.int64)
    changed["int8"] = tf.reshape(tensors["int8"], [2, 2])
    changed["scalar_f32"] = tf.constant(0.0)
    del changed["uint16"]
    changed["added/new"] = tf.constant([1.0, 2.0, 3.0])
    return changed


def dtype_zoo(out):
    """Every dtype, strings, empty and scalar tensors and non-ASCII names, saved by SaveV2
    directly; and `zoo_b`, the same zoo with changes (see `_changed_zoo`)."""
    tensors = _dtype_zoo()
    _save(os.path.join(out, "zoo"), tensors)
    _save(os.path.join(out, "zoo_b"), _changed_zoo(tensors))


def partitioned(out):
    """Partitioned variables: a TF1 fixed-size partitioner and hand-written slice specs."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(SEED)
        emb = tf.compat.v1.get_variable(
            "embedding", [10, 4], partitioner=tf.compat.v1.fixed_size_partitioner(3))
        dense = tf.compat.v1.get_variable("dense/kernel", [4, 3])
        saver = tf.compat.v1.train.Saver([*emb, dense] if isinstance(emb, list) else None)
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            saver.save(sess, os.path.join(out, "tf1-partitioned"))
            second = list(emb)[1]
            sess.run(second.assign_add(tf.ones_like(second) * 0.5))
            saver.save(sess, os.path.join(out, "tf1-partitioned-2"), write_state=False)
    part = np.arange(12, dtype=np.float32).reshape(4, 3)
    tf.raw_ops.SaveV2(
        prefix=os.path.join(out, "slices"),
        tensor_names=["part", "part", "whole"],
        shape_and_slices=["4 3 0,2:0,3", "4 3 2,2:-", ""],
        tensors=[tf.constant(part[:2]), tf.constant(part[2:]), tf.constant([1.0, 2.0])])


def sharded_tf1(out):
    """A TF1 sharded Saver over two CPU devices: one data file per device, merged."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(SEED)
        with tf.device("/cpu:0"):
            a = tf.compat.v1.get_variable("tower0/w", [6, 5])
        with tf.device("/cpu:1"):
            b = tf.compat.v1.get_variable("tower1/w", [5, 7])
            tf.compat.v1.get_variable("tower1/name", initializer=tf.constant(["x", "yz"]))
        saver = tf.compat.v1.train.Saver(sharded=True, max_to_keep=2)
        config = tf.compat.v1.ConfigProto(device_count={"CPU": 2})
        with tf.compat.v1.Session(graph=graph, config=config) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            saver.save(sess, os.path.join(out, "model.ckpt"), global_step=1)
            sess.run(a.assign_add(tf.ones_like(a)))
            sess.run(b.assign_add(tf.ones_like(b)))
            saver.save(sess, os.path.join(out, "model.ckpt"), global_step=2)


def sharded_tf2(out):
    """TF2 MaxShardSizePolicy: small shards, with big tensors cut into slices across shards."""
    rng = np.random.default_rng(SEED)
    ckpt = tf.train.Checkpoint(
        big=tf.Variable(rng.standard_normal((64, 32)).astype(np.float32)),
        small=tf.Variable(rng.standard_normal((10,)).astype(np.float32)),
        counts=tf.Variable(np.arange(100, dtype=np.int64)),
    )
    policy = tf.train.experimental.MaxShardSizePolicy(max_shard_size=3000)
    options = tf.train.CheckpointOptions(experimental_sharding_callback=policy)
    ckpt.save(os.path.join(out, "ckpt"), options=options)


def _numeric(array):
    """float64 values of a numeric array (complex: its real and imaginary parts), or None."""
    array = np.asarray(array)
    if array.dtype == object or array.dtype == bool:
        return None
    if np.iscomplexobj(array):
        array = np.stack([array.real, array.imag], axis=-1)
    return array.astype(np.float64).reshape(-1)


def diff_variable(name, dtype_a, a, dtype_b, b):
    """The statistics ckptdiff reports for one variable present on both sides, computed
    independently with numpy in float64."""
    a, b = np.asarray(a), np.asarray(b)
    entry = {"name": name}
    if dtype_a != dtype_b:
        return entry | {"status": "dtype_changed"}
    if a.shape != b.shape:
        return entry | {"status": "shape_changed"}
    if canonical_bytes(a) == canonical_bytes(b):
        return entry | {"status": "identical"}
    x, y = _numeric(a), _numeric(b)
    if x is None:
        changed = int(np.sum(a.reshape(-1) != b.reshape(-1)))
        return entry | {"status": "changed", "changed": changed, "changed_fraction": changed / max(a.size, 1)}
    same = (x == y) | (np.isnan(x) & np.isnan(y))
    finite = np.isfinite(x) & np.isfinite(y)
    d = y[finite] - x[finite]
    l2a, l2b, l2d = (float(np.sqrt(np.sum(v * v))) for v in (x[finite], y[finite], d))
    count = int(finite.sum())
    return entry | {
        "status": "changed",
        "changed": int((~same).sum()),
        "changed_fraction": float((~same).sum()) / max(x.size, 1),
        "max_abs_diff": float(np.max(np.abs(d))) if count else 0.0,
        "mean_abs_diff": float(np.mean(np.abs(d))) if count else 0.0,
        "rms_diff": float(np.sqrt(np.mean(d * d))) if count else 0.0,
        "l2_a": l2a,
        "l2_b": l2b,
        "rel_l2": l2d / l2a if l2a > 0 else None,
        "cosine": float(np.dot(x[finite], y[finite])) / (l2a * l2b) if l2a > 0 and l2b > 0 else None,
        "nan_a": int(np.isnan(x).sum()),
        "nan_b": int(np.isnan(y).sum()),
        "inf_a": int(np.isinf(x).sum()),
        "inf_b": int(np.isinf(y).sum()),
    }


def _model_and_optimizer_keys(prefix):
    """The checkpoint keys of a TF2 checkpoint's model weights (every floating-point variable the
    object graph reaches from the root's `model`) and of its optimizer state (every other
    floating-point variable it reaches from `optimizer`: slots, learning rate; integer counters and
    seed states count in neither), found with TensorFlow's own proto parser; None without an object
    graph."""
    from tensorflow.core.protobuf import trackable_object_graph_pb2
    reader = tf.train.load_checkpoint(prefix)
    if "_CHECKPOINTABLE_OBJECT_GRAPH" not in reader.get_variable_to_shape_map():
        return None
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))

    def reachable(name):
        start = [c.node_id for c in graph.nodes[0].children if c.local_name == name]
        seen, stack = set(start), list(start)
        while stack:
            for child in graph.nodes[stack.pop()].children:
                if child.node_id not in seen:
                    seen.add(child.node_id)
                    stack.append(child.node_id)
        return {a.checkpoint_key for n in seen for a in graph.nodes[n].attributes if a.name == "VARIABLE_VALUE"}

    dtypes = reader.get_variable_to_dtype_map()
    model = reachable("model")
    weights = {k for k in model if dtypes[k].is_floating or dtypes[k].is_complex}
    optimizer = {k for k in reachable("optimizer") - model if dtypes[k].is_floating or dtypes[k].is_complex}
    return weights, optimizer


def _relative_l2(reader_a, reader_b, keys):
    """‖b − a‖ / ‖a‖ over the variables `keys`, in float64."""
    difference = sum(float(np.sum((reader_b.get_tensor(k).astype(np.float64) - reader_a.get_tensor(k)) ** 2)) for k in keys)
    norm = sum(float(np.sum(reader_a.get_tensor(k).astype(np.float64) ** 2)) for k in keys)
    return float(np.sqrt(difference) / np.sqrt(norm)) if norm > 0 else None


def diff_report(prefix_a, prefix_b, root):
    """What ckptdiff should report for two checkpoints, variable by variable, and for TF2
    checkpoints the headline figures: the relative change of the model's weights and that of the
    optimizer state."""
    ra, rb = tf.train.load_checkpoint(prefix_a), tf.train.load_checkpoint(prefix_b)
    da, db = ra.get_variable_to_dtype_map(), rb.get_variable_to_dtype_map()
    variables = []
    for name in sorted(set(da) | set(db)):
        if name not in db:
            variables.append({"name": name, "status": "removed"})
        elif name not in da:
            variables.append({"name": name, "status": "added"})
        elif da[name] == tf.variant:
            variables.append({"name": name, "status": None})  # TensorFlow's Python reader cannot return variants
        else:
            variables.append(diff_variable(name, da[name], ra.get_tensor(name), db[name], rb.get_tensor(name)))
    report = {"a": os.path.relpath(prefix_a, root), "b": os.path.relpath(prefix_b, root), "variables": variables}
    keys = _model_and_optimizer_keys(prefix_a)
    if keys and keys[0]:
        report["weights_rel_l2"] = _relative_l2(ra, rb, sorted(keys[0]))
        report["optimizer_rel_l2"] = _relative_l2(ra, rb, sorted(keys[1]))
    return report


def unnamed(out):
    """Two TF2 variables left with TensorFlow's default name: the object graph gives both the
    full name `Variable`, so only their keys tell them apart; saved at two steps."""
    a = tf.Variable(np.arange(4, dtype=np.float32))
    b = tf.Variable(np.full(4, 10, dtype=np.float32))
    ckpt = tf.train.Checkpoint(first=a, second=b)
    ckpt.save(os.path.join(out, "ckpt"))
    a.assign_add(np.ones(4, dtype=np.float32))
    ckpt.save(os.path.join(out, "ckpt"))


DIFF_PAIRS = [
    ("tf2_keras_adam/ckpt-10", "tf2_keras_adam/ckpt-11"),
    ("tf2_keras_adam/ckpt-1", "tf2_keras_adam/ckpt-40"),
    ("dtypes/zoo", "dtypes/zoo_b"),
    ("partitioned/tf1-partitioned", "partitioned/tf1-partitioned-2"),
    ("sharded_tf1/model.ckpt-1", "sharded_tf1/model.ckpt-2"),
    ("tf1_saver/model.ckpt-50", "sharded_tf1/model.ckpt-2"),
    ("layouts/train/ckpt-5", "layouts/train/ckpt-9"),
]


FIXTURES = {
    "tf1_saver": tf1_saver,
    "tf2_keras_adam": tf2_keras_adam,
    "dtypes": dtype_zoo,
    "partitioned": partitioned,
    "sharded_tf1": sharded_tf1,
    "sharded_tf2": sharded_tf2,
    "optimizers": optimizers,
    "layouts": layouts,
    "unnamed": unnamed,
}
OPTIMIZER_WIDTHS = [16, 32, 16, 4]
OPTIMIZER_STEPS = [30, 31, 50]


def prefixes(directory):
    """Every checkpoint prefix under `directory`, in its subdirectories too."""
    return sorted(os.path.join(folder, f[: -len(".index")])
                  for folder, _, files in os.walk(directory) for f in files if f.endswith(".index"))


def legacy_v1(directory):
    """The V1 checkpoints (one file per save, no .index) under `directory`."""
    return sorted(os.path.join(folder, f) for folder, _, files in os.walk(directory) for f in files
                  if f.startswith("model.ckpt-") and "." not in f[len("model.ckpt-"):])


def write_fixtures(root, groups):
    """Writes the fixture groups under `root` and updates `root/manifest.json`."""
    manifest_path = os.path.join(root, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    scratch = tempfile.mkdtemp(prefix="ckpt-fixtures-")
    for name, build in FIXTURES.items():
        if name not in groups:
            continue
        out = os.path.join(scratch, name)
        os.makedirs(out)
        build(out)
        manifest[name] = [describe(p, scratch) for p in prefixes(out)]
        if legacy_v1(out):
            manifest[name + "_v1"] = [describe(p, scratch) for p in legacy_v1(out)]
        target = os.path.join(root, name)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(out, target)
    shutil.rmtree(scratch)
    manifest["tensorflow_version"] = tf.__version__
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    diffs = [diff_report(os.path.join(root, a), os.path.join(root, b), root) for a, b in DIFF_PAIRS
             if all(os.path.exists(os.path.join(root, p) + ".index") for p in (a, b))]
    with open(os.path.join(root, "diffs.json"), "w") as f:
        json.dump(diffs, f, indent=1, ensure_ascii=False)
        f.write("\n")


def object_graph(prefix):
    """The object graph of the checkpoint at `prefix`, as TensorFlow's own proto parser reads it."""
    from tensorflow.core.protobuf import trackable_object_graph_pb2
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(tf.train.load_checkpoint(prefix).get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    return [{
        "children": [[c.node_id, c.local_name] for c in node.children],
        "attributes": [[a.name, a.full_name, a.checkpoint_key] for a in node.attributes],
        "slots": [[s.original_variable_node_id, s.slot_name, s.slot_variable_node_id] for s in node.slot_variables],
    } for node in graph.nodes]


def check_npy(triples):
    """For each (prefix, key, file): whether numpy.load(file) equals TensorFlow's value of the
    tensor, NaN for NaN, bytes for bytes; and numpy's printed form of that value."""
    results = []
    for prefix, key, path in triples:
        theirs = tf.train.load_checkpoint(prefix).get_tensor(key)
        ours = np.load(path)
        theirs_array = np.asarray(theirs)
        if theirs_array.dtype == object:
            equal = ours.shape == theirs_array.shape and all(bytes(a) == bytes(b) for a, b in zip(ours.reshape(-1), theirs_array.reshape(-1)))
        else:
            wide = theirs_array.astype(ours.dtype) if theirs_array.dtype.kind == "V" or theirs_array.dtype.name.startswith(("bfloat", "float8", "float4", "int4", "uint4", "int2", "uint2")) else theirs_array
            equal = ours.shape == wide.shape and ours.dtype.kind == wide.dtype.kind and bool(np.array_equal(ours, wide, equal_nan=ours.dtype.kind in "fc"))
        results.append({"key": key, "equal": equal, "printed": str(theirs)})
    return results


def main(argv):
    if argv[1:2] == ["--check-npy"]:
        rest = argv[2:]
        json.dump(check_npy([rest[i:i + 3] for i in range(0, len(rest), 3)]), sys.stdout, ensure_ascii=False)
        return
    if argv[1:2] == ["--object-graph"]:
        json.dump(object_graph(argv[2]), sys.stdout, ensure_ascii=False)
        return
    if argv[1:2] == ["--diff"]:
        json.dump(diff_report(argv[2], argv[3], "/") | {"a": argv[2], "b": argv[3]}, sys.stdout, ensure_ascii=False)
        return
    if argv[1:2] == ["--resume-tf1"]:
        json.dump(resume_tf1(argv[2]), sys.stdout)
        return
    if argv[1:2] == ["--describe"]:
        json.dump([describe(p, "/") | {"prefix": p} for p in argv[2:]], sys.stdout, ensure_ascii=False)
        return
    root = HERE
    args = argv[1:]
    if args[:1] == ["--out"]:
        root = args[1]
        os.makedirs(root, exist_ok=True)
        args = args[2:]
    write_fixtures(root, set(args) or set(FIXTURES))


if __name__ == "__main__":
    main(sys.argv)
