import FixtureSupport
import MappedIO
import TensorBundle
import Testing

/// Legacy V1 checkpoints written by TensorFlow 2.21's `Saver(write_version=V1)`, against what
/// TensorFlow's own reader returned for them.
@Suite struct LegacyReadingTests {
    @Test(arguments: Fixtures.legacyCheckpoints)
    func readsWhatTensorFlowReads(_ checkpoint: Fixtures.Checkpoint) throws {
        let legacy = try LegacyCheckpoint(prefix: Fixtures.path(checkpoint.prefix))
        #expect(legacy.problems.isEmpty)
        let view = try legacy.tensors.map { tensor in
            Fixtures.Variable(
                name: tensor.name, dtype: tensor.dtype.name, shape: tensor.shape.dimensions,
                digest: Fixtures.digest(try legacy.value(of: tensor)))
        }
        #expect(view.sorted { $0.name < $1.name } == checkpoint.variables)
    }

    /// The same variables saved as V1 and as V2 at the same step hold the same values.
    @Test func aV1CheckpointHoldsWhatItsV2TwinHolds() throws {
        let legacy = try LegacyCheckpoint(prefix: Fixtures.path("layouts/v1/model.ckpt-7"))
        let bundle = try CheckpointBundle(prefix: Fixtures.path("layouts/v2/model.ckpt-7"))
        for tensor in legacy.tensors {
            #expect(try legacy.value(of: tensor) == bundle.value(forKey: Array(tensor.name.utf8)), "\(tensor.name)")
        }
        #expect(legacy.tensors.count == bundle.variables.count)
    }

    @Test func v1FilesAreFoundByTheirTableNotTheirName() throws {
        #expect(LegacyCheckpoint.files(prefix: Fixtures.path("layouts/v1/model.ckpt-7")) == [Fixtures.path("layouts/v1/model.ckpt-7")])
        #expect(LegacyCheckpoint.files(prefix: Fixtures.path("layouts/v2/model.ckpt-7")).isEmpty)
        #expect(LegacyCheckpoint.files(prefix: Fixtures.path("layouts/keras/mlp.h5")).isEmpty)
        let directory = try CheckpointDirectory(path: Fixtures.path("layouts/v1"))
        #expect(directory.legacyPrefixes == [Fixtures.path("layouts/v1/model.ckpt-7")])
        #expect(directory.latest?.exists == true)
    }
}
