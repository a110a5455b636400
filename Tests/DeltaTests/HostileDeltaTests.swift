import BinaryCoding
import Checksums
import FixtureSupport
import Foundation
import MappedIO
import Testing

@testable import Delta

/// Deltas whose manifest is rewritten with extreme values and framed anew, so that every
/// section hash holds: what a hash cannot catch, the manifest's validation must.
@Suite struct HostileDeltaTests {
    let directory = TemporaryDirectory()
    let base = Fixtures.path("tf2_keras_adam/ckpt-10")
    let target = Fixtures.path("tf2_keras_adam/ckpt-11")

    /// A real delta of ckpt-11 against ckpt-10.
    func original() throws -> String {
        let path = directory.path("original.ckptdelta")
        if !FileSystem.exists(path) { try DeltaCreator().create(base: base, target: target, output: path) }
        return path
    }

    /// Writes `original`'s sections with `manifest` in place of its own, with valid hashes;
    /// `edit` may change the encoded manifest's bytes first.
    static func reframed(_ original: String, manifest: Manifest, to path: String, edit: (inout [UInt8]) -> Void = { _ in }) throws {
        let bytes = TestFiles.read(original)
        let trailer = bytes.count - DeltaFormat.trailerLength
        let manifestOffset = bytes.withUnsafeBytes { Int($0.loadUInt64LE(at: trailer)) }
        var out = Array(bytes[..<manifestOffset])
        var encoded = manifest.encoded()
        edit(&encoded)
        let section = DeltaFormat.section(.manifest, encoded)
        out += section
        out += DeltaFormat.trailer(manifestOffset: manifestOffset, manifestLength: section.count)
        TestFiles.write(out, to: path)
    }

    /// A manifest like `manifest` with the first data file's runs replaced.
    static func replacingRuns(_ manifest: Manifest, _ runs: [Run]) -> Manifest {
        Manifest(base: manifest.base, target: manifest.target, indexSection: manifest.indexSection, files: [FilePlan(runs: runs)])
    }

    /// A manifest like `manifest` whose target is renamed (its files named after the new name
    /// only when `consistently`).
    static func renamingTarget(_ manifest: Manifest, to name: String, dataName: String? = nil) -> Manifest {
        let old = manifest.target
        let data = old.dataFiles.map {
            FileDigest(name: dataName ?? name + $0.name.dropFirst(old.name.count), size: $0.size, hash: $0.hash)
        }
        let index = FileDigest(name: name + ".index", size: old.index.size, hash: old.index.hash)
        return Manifest(
            base: manifest.base, target: BundleIdentity(name: name, index: index, dataFiles: data),
            indexSection: manifest.indexSection, files: manifest.files)
    }

    /// A predicted run over `length` bytes reading `inputs` base locations at `offset`, with
    /// a program of three inputs.
    static func predicted(_ length: Int, level: Int, inputs: Int, offset: Int = 0) -> Run {
        let builder = ProgramBuilder<Int>()
        let sum = builder.input(0) + builder.input(1) + builder.input(2)
        let locations = (0..<inputs).map { _ in TensorLocation(source: .base, file: 0, offset: offset) }
        let prediction = Run.Prediction(level: level, program: builder.program(returning: sum), inputs: locations)
        return .predicted(length: length, encoding: .xorPlanes, section: 16, prediction: prediction, name: "p")
    }

    static func cases(_ manifest: Manifest) -> [(String, Manifest)] {
        let size = manifest.target.dataFiles[0].size
        let section =
            manifest.files[0].runs.compactMap { run -> Int? in
                if case .chunk(_, _, _, let section, _, _) = run { return section }
                return nil
            }.first ?? 16
        return [
            (
                "runs summing past Int.max",
                replacingRuns(
                    manifest,
                    [
                        .copy(baseFile: 0, offset: 0, length: .max - 10, name: "a"), .copy(baseFile: 0, offset: 0, length: 100, name: "b"),
                    ])
            ),
            ("a copy past the end of its base file", replacingRuns(manifest, [.copy(baseFile: 0, offset: 1, length: size, name: "a")])),
            ("a copy from base file 99", replacingRuns(manifest, [.copy(baseFile: 99, offset: 0, length: size, name: "a")])),
            ("a copy at offset Int.max", replacingRuns(manifest, [.copy(baseFile: 0, offset: .max, length: size, name: "a")])),
            ("an empty run", replacingRuns(manifest, manifest.files[0].runs + [.copy(baseFile: 0, offset: 0, length: 0, name: "")])),
            (
                "element size 0",
                replacingRuns(manifest, [.chunk(length: size, encoding: .planes, elementSize: 0, section: section, base: nil, name: "")])
            ),
            (
                "a 2^40-byte chunk",
                replacingRuns(manifest, [.chunk(length: 1 << 40, encoding: .raw, elementSize: 1, section: section, base: nil, name: "")])
            ),
            ("a prediction at level 0", replacingRuns(manifest, [predicted(size, level: 0, inputs: 3)])),
            ("a prediction with fewer inputs than its program reads", replacingRuns(manifest, [predicted(size, level: 1, inputs: 2)])),
            ("a prediction reading past its base file", replacingRuns(manifest, [predicted(size, level: 1, inputs: 3, offset: 4)])),
            (
                "a prediction of a partial float",
                replacingRuns(manifest, [predicted(size - 2, level: 1, inputs: 3), .copy(baseFile: 0, offset: 0, length: 2, name: "")])
            ),
            ("a target named ..", renamingTarget(manifest, to: "..")),
            ("a target with a slash", renamingTarget(manifest, to: "../escaped")),
            ("a target with a newline", renamingTarget(manifest, to: "ckpt-11\nok")),
            ("a target with an escape sequence", renamingTarget(manifest, to: "ckpt-\u{1B}[2J11")),
            ("a target with a NUL", renamingTarget(manifest, to: "ckpt-11\u{0}.x")),
            (
                "target files whose sizes add up past Int.max",
                Manifest(
                    base: manifest.base,
                    target: BundleIdentity(
                        name: manifest.target.name,
                        index: FileDigest(name: manifest.target.index.name, size: .max, hash: manifest.target.index.hash),
                        dataFiles: manifest.target.dataFiles),
                    indexSection: manifest.indexSection, files: manifest.files)
            ),
            (
                "a tensor name with an escape sequence",
                replacingRuns(manifest, [.copy(baseFile: 0, offset: 0, length: size, name: "kernel\u{1B}]0;owned\u{7}")])
            ),
            ("a data file outside the directory", renamingTarget(manifest, to: "ckpt-11", dataName: "/tmp/escaped.data-00000-of-00001")),
        ]
    }

    @Test func craftedManifestsAreRefusedBeforeAnythingIsWritten() throws {
        let original = try original()
        let manifest = try DeltaFile(path: original).manifest
        for (description, hostile) in Self.cases(manifest) {
            let path = directory.path("hostile.ckptdelta")
            try? FileManager.default.removeItem(atPath: path)
            try Self.reframed(original, manifest: hostile, to: path)
            // `ckptdelta info` opens the delta this way: it refuses what apply refuses.
            #expect(throws: DeltaError.self, "\(description)") { try DeltaFile(path: path) }
            let output = directory.path("out")
            #expect(throws: DeltaError.self, "\(description)") {
                try DeltaApplier().apply(delta: path, base: base, into: output)
            }
            let written = FileSystem.exists(output) ? try FileSystem.contents(ofDirectory: output) : []
            #expect(written.isEmpty, "\(description)")
            #expect(!FileSystem.exists("/tmp/escaped.data-00000-of-00001") && !FileSystem.exists(directory.path("escaped.index")))
        }
    }

    /// A name that is not UTF-8 is refused, never applied under a repaired one (`ev\u{FFFD}il`).
    @Test func aTargetNameThatIsNotUTF8IsRefused() throws {
        let original = try original()
        let renamed = Self.renamingTarget(try DeltaFile(path: original).manifest, to: "evXil")
        let path = directory.path("utf8.ckptdelta")
        try Self.reframed(original, manifest: renamed, to: path) { bytes in
            for index in bytes.indices.dropLast(4) where bytes[index..<index + 5].elementsEqual(Array("evXil".utf8)) {
                bytes[index + 2] = 0xFF
            }
        }
        let refused = #expect(throws: DeltaError.self) { try DeltaFile(path: path) }
        #expect(refused?.cause.contains("\\xff") == true, "\(refused?.cause ?? "")")
        let output = directory.path("out-utf8")
        #expect(throws: DeltaError.self) { try DeltaApplier().apply(delta: path, base: base, into: output) }
        let listing = FileSystem.exists(output) ? try FileSystem.listing(ofDirectory: output) : nil
        #expect(listing.map { $0.names.isEmpty && $0.refused.isEmpty } ?? true)
    }

    @Test func indexSizeMustMatchItsSection() throws {
        let original = try original()
        let manifest = try DeltaFile(path: original).manifest
        let old = manifest.target
        let index = FileDigest(name: old.index.name, size: 1 << 50, hash: old.index.hash)
        let hostile = Manifest(
            base: manifest.base, target: BundleIdentity(name: old.name, index: index, dataFiles: old.dataFiles),
            indexSection: manifest.indexSection, files: manifest.files)
        let path = directory.path("index.ckptdelta")
        try Self.reframed(original, manifest: hostile, to: path)
        #expect(throws: DeltaError.self) {
            try DeltaApplier().apply(delta: path, base: base, into: directory.path("out"))
        }
        #expect(!FileSystem.exists(directory.path("out/ckpt-11.index")))
    }

    @Test func reservedHeaderBytesMustBeZero() throws {
        var bytes = TestFiles.read(try original())
        bytes[13] = 1
        TestFiles.write(bytes, to: directory.path("reserved.ckptdelta"))
        #expect(throws: DeltaError.self) { try DeltaFile(path: directory.path("reserved.ckptdelta")) }
    }
}
