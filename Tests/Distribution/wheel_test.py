"""The Python package as a user meets it: run by Tests/Distribution/wheel-test.sh with a fresh
virtualenv's Python, after `pip install tensorflow-cpu WHEEL`. Compares what ckpt_tools reports
with what TensorFlow itself reads, and trains a small Keras model with the callback.

    python wheel_test.py FIXTURES
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import tensorflow as tf

import ckpt_tools
from ckpt_tools.keras import VerifiedCheckpoints

FIXTURES = Path(sys.argv.pop(1)).resolve()
KERAS_RUN = FIXTURES / "tf2_keras_adam"


def flip_byte(path: Path, offset: int) -> None:
    with open(path, "r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 0xFF]))


class InstalledPackage(unittest.TestCase):
    def test_bundled_executable_and_console_scripts(self) -> None:
        self.assertTrue(ckpt_tools.EXECUTABLE.is_file(), ckpt_tools.EXECUTABLE)
        self.assertIn(str(Path(sys.prefix).resolve()), str(ckpt_tools.EXECUTABLE))
        scripts = Path(sys.executable).parent
        version = subprocess.run([scripts / "ckptverify", "--version"], capture_output=True, text=True, check=True)
        self.assertRegex(version.stdout, r"^\d+\.\d+\.\d+")
        listing = subprocess.run([scripts / "ckptverify", "--quiet", KERAS_RUN], capture_output=True, text=True)
        self.assertEqual(listing.returncode, 0, listing.stderr)


class Reading(unittest.TestCase):
    def test_verify_reports_every_checkpoint_of_a_run(self) -> None:
        report = ckpt_tools.verify(KERAS_RUN)
        self.assertTrue(report.ok, report.findings)
        self.assertEqual(len(report.checkpoints), len(tf.train.get_checkpoint_state(str(KERAS_RUN)).all_model_checkpoint_paths))

    def test_damage_is_a_finding_with_code_checkpoint_and_tensor(self) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            run = Path(scratch) / "run"
            shutil.copytree(KERAS_RUN, run)
            reader = tf.train.load_checkpoint(str(run / "ckpt-40"))
            flip_byte(run / "ckpt-40.data-00000-of-00001", 30000)
            report = ckpt_tools.verify(run / "ckpt-40")
            self.assertFalse(report.ok)
            (finding,) = report.errors
            self.assertEqual(finding.code, "data.checksum_mismatch")
            self.assertEqual(finding.checkpoint, str(run / "ckpt-40"))
            self.assertIn(finding.tensor, reader.get_variable_to_shape_map())
            with self.assertRaises(Exception):  # TensorFlow, too, refuses that tensor
                tf.train.load_checkpoint(str(run / "ckpt-40")).get_tensor(finding.tensor)

    def test_list_variables_agrees_with_tensorflow(self) -> None:
        ours = ckpt_tools.list_variables(KERAS_RUN)
        theirs = dict(tf.train.list_variables(str(KERAS_RUN)))
        self.assertEqual({variable.key: list(variable.shape) for variable in ours}, theirs)
        kernel = next(variable for variable in ours if variable.name == "sequential/hidden/kernel")
        self.assertEqual((kernel.role, kernel.dtype, kernel.layer), ("weight", "float32", "sequential/hidden"))
        self.assertTrue(any(variable.slot_of == kernel.key for variable in ours))

    def test_load_equals_tensorflow_for_every_variable(self) -> None:
        prefix = KERAS_RUN / "ckpt-40"
        reader = tf.train.load_checkpoint(str(prefix))
        for variable in ckpt_tools.list_variables(prefix):
            if variable.dtype == "string":
                continue
            expected = reader.get_tensor(variable.key)
            for name in {variable.name, variable.key}:
                value = ckpt_tools.load(prefix, name)
                self.assertEqual(value.dtype, expected.dtype, name)
                np.testing.assert_array_equal(value, expected, err_msg=name)

    def test_diff_of_two_steps_and_of_a_step_with_itself(self) -> None:
        changed = ckpt_tools.diff(KERAS_RUN / "ckpt-1", KERAS_RUN / "ckpt-2")
        self.assertFalse(changed.identical)
        self.assertFalse(changed.within_tolerance)
        a = tf.train.load_checkpoint(str(KERAS_RUN / "ckpt-1"))
        b = tf.train.load_checkpoint(str(KERAS_RUN / "ckpt-2"))
        kernel = next(item for item in changed.variables if item.name == "sequential/hidden/kernel")
        before, after = a.get_tensor(kernel.key).astype(np.float64), b.get_tensor(kernel.key).astype(np.float64)
        self.assertAlmostEqual(kernel.rel_l2, np.linalg.norm(after - before) / np.linalg.norm(before), places=12)
        self.assertEqual(kernel.stats["changed"], int(np.count_nonzero(after != before)))
        same = ckpt_tools.diff(KERAS_RUN / "ckpt-2", KERAS_RUN / "ckpt-2")
        self.assertTrue(same.identical)
        self.assertEqual(same.changed, ())

    def test_a_tool_that_cannot_do_its_job_raises_with_its_line(self) -> None:
        with self.assertRaises(ckpt_tools.ToolError) as raised:
            ckpt_tools.verify("/nonexistent/run")
        self.assertEqual(raised.exception.status, 2)
        self.assertIn("/nonexistent/run", raised.exception.line)
        self.assertEqual(len(raised.exception.line.splitlines()), 1)


class DamagingManager:
    """A CheckpointManager whose save number `damaged` comes out with a flipped byte, as a
    failing disk would leave it."""

    def __init__(self, manager: tf.train.CheckpointManager, damaged: int) -> None:
        self.manager, self.damaged, self.saves = manager, damaged, 0

    @property
    def directory(self) -> str:
        return self.manager.directory

    def save(self) -> str:
        prefix = self.manager.save()
        self.saves += 1
        if self.saves == self.damaged:
            flip_byte(Path(prefix + ".data-00000-of-00001"), 100)
        return prefix


class KerasTraining(unittest.TestCase):
    @staticmethod
    def model_and_data() -> tuple:
        tf.keras.utils.set_random_seed(7)
        model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1)])
        model.compile(optimizer=tf.keras.optimizers.Adam(1e-2), loss="mse")
        x = np.random.default_rng(7).normal(size=(256, 8)).astype(np.float32)
        return model, x, x.sum(axis=1, keepdims=True)

    def test_fit_verifies_and_archives_every_save(self) -> None:
        model, x, y = self.model_and_data()
        with tempfile.TemporaryDirectory() as scratch:
            checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
            manager = tf.train.CheckpointManager(checkpoint, os.path.join(scratch, "run"), max_to_keep=None)
            callback = VerifiedCheckpoints(manager, every_n_epochs=1, archive=os.path.join(scratch, "archive"))
            model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[callback])
            self.assertEqual([report.ok for report in callback.reports], [True, True, True])
            self.assertEqual([step.step for step in callback.archived], [1, 2, 3])
            self.assertTrue(callback.archived[0].keyframe and not callback.archived[2].keyframe)
            restored = ckpt_tools.restore(os.path.join(scratch, "archive"), 2, os.path.join(scratch, "restored"))
            self.assertEqual(restored, os.path.join(scratch, "restored", "ckpt-2"))
            for suffix in (".index", ".data-00000-of-00001"):
                original = Path(manager.checkpoints[1] + suffix).read_bytes()
                self.assertEqual(Path(restored + suffix).read_bytes(), original, suffix)
            weights = tf.train.load_checkpoint(restored)
            kernel = next(v for v in ckpt_tools.list_variables(restored) if v.role == "weight" and len(v.shape) == 2)
            np.testing.assert_array_equal(ckpt_tools.load(restored, kernel.name), weights.get_tensor(kernel.key))

    def test_a_damaged_save_stops_training_with_the_finding(self) -> None:
        model, x, y = self.model_and_data()
        with tempfile.TemporaryDirectory() as scratch:
            checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
            manager = DamagingManager(tf.train.CheckpointManager(checkpoint, os.path.join(scratch, "run"), max_to_keep=None), 2)
            callback = VerifiedCheckpoints(manager, archive=os.path.join(scratch, "archive"))
            with self.assertRaises(ckpt_tools.CheckpointDamaged) as raised:
                model.fit(x, y, epochs=5, batch_size=32, verbose=0, callbacks=[callback])
            self.assertEqual(manager.saves, 2, "training went on after the damaged save")
            (finding,) = raised.exception.report.errors
            self.assertEqual(finding.code, "data.checksum_mismatch")
            self.assertIn("ckpt-2", str(raised.exception))
            self.assertEqual([step.step for step in ckpt_tools.archived_steps(os.path.join(scratch, "archive"))], [1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
