// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "ckpt-tools",
    // Linux only: the I/O layer (MappedIO) is written against Glibc and Linux-specific flags
    // (Sources/MappedIO/Platform.swift stops a build for another system with one line).
    products: [
        .library(name: "TensorBundle", targets: ["TensorBundle"]),
        .library(name: "Checksums", targets: ["Checksums"]),
        .library(name: "MappedIO", targets: ["MappedIO"]),
        .library(name: "Verification", targets: ["Verification"]),
        .library(name: "Diffing", targets: ["Diffing"]),
        .library(name: "Delta", targets: ["Delta"]),
        .library(name: "Archive", targets: ["Archive"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        .library(name: "RemoteCheckpoints", targets: ["RemoteCheckpoints"]),
        .library(name: "TrainingState", targets: ["TrainingState"]),
        .library(name: "JSON", targets: ["JSON"]),
        // The tools' argument parsing and output, a library for the fuzz targets that print what they read.
        .library(name: "CheckpointCLI", targets: ["CheckpointCLI"]),
        .executable(name: "ckptverify", targets: ["ckptverify"]),
        .executable(name: "ckptdiff", targets: ["ckptdiff"]),
        .executable(name: "ckptdelta", targets: ["ckptdelta"]),
        // The three tools in one executable, as the release archive and the Python package ship them.
        .executable(name: "ckpt-tools", targets: ["ckpt-tools"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        // C libraries, one system-library target each.
        .systemLibrary(name: "CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // FarmHash is a C++ library (Debian's libfarmhash-dev ships no pkg-config file): a C entry
        // point over it.
        .target(name: "CFarmHash", linkerSettings: [.linkedLibrary("farmhash")]),

        // Swift wrappers over them.
        // Byte-level encodings every format here shares: varints, little-endian integers, keys as text.
        .target(name: "BinaryCoding"),
        .target(name: "Checksums", dependencies: ["CFarmHash", "CISAL", "CXXHash"]),
        .target(name: "Zstandard", dependencies: ["CZstd"]),

        // Files: read-only memory maps and atomic outputs (written in the background where asked).
        .target(name: "MappedIO", dependencies: ["BinaryCoding", "Parallelism"]),

        // TensorFlow's fork of the LevelDB table format (the `.index` file).
        .target(name: "SSTable", dependencies: ["BinaryCoding", "Checksums"]),

        // The tensor bundle: records, dtypes, tensor bytes, reader, writer, `checkpoint` state.
        .target(name: "TensorBundle", dependencies: ["BinaryCoding", "Checksums", "MappedIO", "SSTable"]),

        // S3-compatible object stores: SigV4 signing, credentials, ranged reads, conditional writes.
        .target(
            name: "ObjectStore",
            dependencies: [
                "BinaryCoding", "Checksums", "JSON", "MappedIO",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),

        // The training a checkpoint comes from: variable names, layers, optimizer slots.
        .target(name: "TrainingState", dependencies: ["TensorBundle"]),

        // Work spread over every core.
        .target(name: "Parallelism"),

        // Integrity checks of whole checkpoints.
        .target(name: "Verification", dependencies: ["BinaryCoding", "TensorBundle", "SSTable", "Checksums", "MappedIO", "Parallelism"]),

        // Byte-exact compressed deltas between checkpoints.
        .target(
            name: "Delta",
            dependencies: [
                "BinaryCoding", "TensorBundle", "Verification", "Parallelism", "Zstandard", "Checksums", "MappedIO", "TrainingState",
            ]),

        // Training runs archived as chains of deltas, restorable step by step.
        .target(
            name: "Archive",
            dependencies: [
                "BinaryCoding", "Delta", "Verification", "TensorBundle", "TrainingState", "JSON", "MappedIO", "Parallelism", "Zstandard",
                "Checksums",
            ]),

        // Numerical comparison of two checkpoints.
        .target(name: "Diffing", dependencies: ["TensorBundle", "Parallelism"]),

        // JSON documents: deterministic output, strict parsing.
        .target(name: "JSON"),

        // Checkpoints and archives in an object store: locating, streaming, staging, publishing.
        .target(
            name: "RemoteCheckpoints",
            dependencies: ["Archive", "MappedIO", "ObjectStore", "TensorBundle", "TrainingState", "Verification"]),

        // What the command-line tools share: argument conventions, exit codes, output.
        .target(
            name: "CheckpointCLI",
            dependencies: [
                "BinaryCoding", "TensorBundle", "Verification", "Diffing", "Delta", "Archive", "JSON", "Parallelism",
                "RemoteCheckpoints", "MappedIO",
                "Checksums", "TrainingState", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildCommit"]
        ),
        // `--version` names the git commit the tools were built from.
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .executableTarget(name: "ckptverify", dependencies: ["CheckpointCLI"]),
        .executableTarget(name: "ckptdiff", dependencies: ["CheckpointCLI"]),
        .executableTarget(name: "ckptdelta", dependencies: ["CheckpointCLI"]),
        .executableTarget(name: "ckpt-tools", dependencies: ["CheckpointCLI"]),

        .target(
            name: "FixtureSupport", dependencies: ["TensorBundle", "SSTable", "Checksums", "Parallelism"], path: "Tests/FixtureSupport"),
        .testTarget(name: "ChecksumsTests", dependencies: ["Checksums"]),
        .testTarget(name: "ParallelismTests", dependencies: ["Parallelism"]),
        .testTarget(name: "ZstandardTests", dependencies: ["Zstandard"]),
        .testTarget(name: "MappedIOTests", dependencies: ["MappedIO", "FixtureSupport"]),
        .testTarget(name: "SSTableTests", dependencies: ["BinaryCoding", "SSTable", "Checksums", "FixtureSupport"]),
        .testTarget(name: "TensorBundleTests", dependencies: ["TensorBundle", "SSTable", "MappedIO", "FixtureSupport"]),
        .testTarget(name: "VerificationTests", dependencies: ["Verification", "FixtureSupport", "MappedIO", "SSTable", "TensorBundle"]),
        .testTarget(name: "DiffingTests", dependencies: ["Diffing", "TensorBundle", "FixtureSupport"]),
        .testTarget(
            name: "DeltaTests",
            dependencies: ["BinaryCoding", "Delta", "Checksums", "FixtureSupport", "TrainingState", "TensorBundle", "MappedIO"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive", "MappedIO", "TensorBundle", "FixtureSupport"]),
        .testTarget(name: "TrainingStateTests", dependencies: ["TrainingState", "TensorBundle", "FixtureSupport"]),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: [
                "ObjectStore", "Checksums", "FixtureSupport", "JSON", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "RemoteTests",
            dependencies: [
                "Archive", "FixtureSupport", "MappedIO", "ObjectStore", "RemoteCheckpoints", "TensorBundle", "TrainingState",
                "Verification",
                "ckptverify", "ckptdiff", "ckptdelta",
            ],
            exclude: ["fault_proxy.py"]),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "CheckpointCLI", "FixtureSupport", "MappedIO", "TensorBundle", "ckptverify", "ckptdiff", "ckptdelta", "ckpt-tools",
            ]),
        .testTarget(name: "InteropTests", dependencies: ["TensorBundle", "Delta", "Archive", "FixtureSupport", "MappedIO", "ckptdiff"]),
    ]
)

// Every warning in our library and tool code is an error (dependencies keep theirs; test targets
// too, where Swift Testing's macro expansions warn on this toolchain).
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + [.treatAllWarnings(as: .error)]
}
