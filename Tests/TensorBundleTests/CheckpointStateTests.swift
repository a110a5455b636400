import FixtureSupport
import TensorBundle
import Testing

@Suite struct CheckpointStateTests {
    static func parse(_ text: String) throws(StateFileError) -> CheckpointState {
        try CheckpointState(parsing: Array(text.utf8))
    }

    @Test func parsesWhatCheckpointManagerWrites() throws {
        let text = """
            model_checkpoint_path: "ckpt-3"
            all_model_checkpoint_paths: "ckpt-2"
            all_model_checkpoint_paths: "ckpt-3"
            all_model_checkpoint_timestamps: 1795745737.1577344
            all_model_checkpoint_timestamps: 1795745737.1657615
            last_preserved_timestamp: 1795745736.1121278

            """
        let state = try Self.parse(text)
        #expect(state.modelCheckpointPath == "ckpt-3")
        #expect(state.allModelCheckpointPaths == ["ckpt-2", "ckpt-3"])
        #expect(state.allModelCheckpointTimestamps == [1795745737.1577344, 1795745737.1657615])
        #expect(state.lastPreservedTimestamp == 1795745736.1121278)
        #expect(state.formatted() == text)
    }

    @Test func acceptsEverythingTextFormatMergeAccepts() throws {
        let state = try Self.parse(
            """
            # a comment
            all_model_checkpoint_paths: 'a\\303\\251' ; all_model_checkpoint_paths: "b\\xc3\\xa9",
            model_checkpoint_path: "old"
            all_model_checkpoint_timestamps: [1.0, 2e3, inf, 4f]
            model_checkpoint_path: "ck" 'pt-1'   # the last value wins, adjacent literals join
            all_model_checkpoint_paths: "é\\u00e9\\"\\\\\\n\\t"
            last_preserved_timestamp: -Infinity
            """)
        #expect(state.modelCheckpointPath == "ckpt-1")
        #expect(state.allModelCheckpointPaths == ["aé", "bé", "éé\"\\\n\t"])
        #expect(state.allModelCheckpointTimestamps == [1.0, 2000.0, .infinity, 4.0])
        #expect(state.lastPreservedTimestamp == -.infinity)
    }

    @Test func roundTripsEscapesAsTensorFlowWritesThem() throws {
        var state = CheckpointState()
        state.modelCheckpointPath = "a\"b\\cé\n-1"
        state.allModelCheckpointPaths = ["a\"b\\cé\n-1"]
        #expect(state.formatted() == "model_checkpoint_path: \"a\\\"b\\\\cé\\n-1\"\nall_model_checkpoint_paths: \"a\\\"b\\\\cé\\n-1\"\n")
        #expect(try CheckpointState(parsing: Array(state.formatted().utf8)) == state)
    }

    @Test func errorsNameTheLineAndColumn() {
        let unknown = #expect(throws: StateFileError.self) { try Self.parse("model_checkpoint_path: \"a\"\n  bogus: 1\n") }
        #expect(unknown?.line == 2)
        #expect(unknown?.column == 3)
        #expect(unknown?.cause.contains("unknown field bogus") == true)
        let unterminated = #expect(throws: StateFileError.self) { try Self.parse("model_checkpoint_path: \"a\n") }
        #expect(unterminated?.description.hasPrefix("line 1, column 24: unterminated string") == true)
        #expect(throws: StateFileError.self) { try Self.parse("model_checkpoint_path \"a\"") }
        #expect(throws: StateFileError.self) { try Self.parse("all_model_checkpoint_timestamps: \"x\"") }
        #expect(throws: StateFileError.self) { try Self.parse("model_checkpoint_path: \"\\xff\"") }  // not UTF-8
        #expect(throws: StateFileError.self) { try Self.parse("all_model_checkpoint_timestamps: [1.0 2.0]") }
    }

    @Test func resolvesRelativePathsAndRelocatesStaleAbsoluteOnes() throws {
        let moved = try CheckpointDirectory(path: Fixtures.path("tf1_saver"))
        let latest = try #require(moved.latest)
        #expect(latest.written.hasPrefix("/"))
        #expect(latest.relocated)
        #expect(latest.exists)
        #expect(latest.prefix == Fixtures.path("tf1_saver/model.ckpt-50"))
        let relative = try CheckpointDirectory(path: Fixtures.path("tf2_keras_adam"))
        let newest = try #require(relative.latest)
        #expect(!newest.relocated)
        #expect(newest.prefix == Fixtures.path("tf2_keras_adam/ckpt-40"))
        #expect(relative.prefixes.count == 6)
        #expect(relative.resolve("ckpt-999").exists == false)
        #expect(relative.resolve("gs://bucket/ckpt-1").prefix == Fixtures.path("tf2_keras_adam/gs://bucket/ckpt-1"))
    }
}
