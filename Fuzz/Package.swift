// swift-tools-version:6.1
// Coverage-guided fuzz targets (libFuzzer), in their own package: `scripts/fuzz` builds them with
// `-sanitize=fuzzer,address` and runs each for a fixed time. Every target reads what a user's
// file or a crafted file can hold and must end each input without a trap, a hang or a leak.
import PackageDescription

let package = Package(
    name: "ckpt-fuzz",
    dependencies: [
        .package(name: "ckpt-tools", path: "../"),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "Archive", package: "ckpt-tools"),
                .product(name: "Delta", package: "ckpt-tools"),
                .product(name: "MappedIO", package: "ckpt-tools"),
                .product(name: "TensorBundle", package: "ckpt-tools"),
            ]
        ),
        .executableTarget(
            name: "fuzz-index",
            dependencies: [
                "FuzzSupport",
                .product(name: "CheckpointCLI", package: "ckpt-tools"),
                .product(name: "Delta", package: "ckpt-tools"),
                .product(name: "Diffing", package: "ckpt-tools"),
                .product(name: "TrainingState", package: "ckpt-tools"),
                .product(name: "Verification", package: "ckpt-tools"),
            ]
        ),
        .executableTarget(name: "fuzz-slice-key", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "fuzz-state", dependencies: ["FuzzSupport"]),
        .executableTarget(
            name: "fuzz-delta",
            dependencies: [
                "FuzzSupport", .product(name: "CheckpointCLI", package: "ckpt-tools"), .product(name: "Checksums", package: "ckpt-tools"),
            ]
        ),
        .executableTarget(
            name: "fuzz-archive-manifest", dependencies: ["FuzzSupport", .product(name: "CheckpointCLI", package: "ckpt-tools")]),
        .executableTarget(
            name: "fuzz-object-graph",
            dependencies: ["FuzzSupport", .product(name: "TrainingState", package: "ckpt-tools")]
        ),
        .executableTarget(name: "fuzz-json", dependencies: ["FuzzSupport", .product(name: "JSON", package: "ckpt-tools")]),
        .executableTarget(
            name: "fuzz-partial-report",
            dependencies: [
                "FuzzSupport",
                .product(name: "CheckpointCLI", package: "ckpt-tools"),
                .product(name: "JSON", package: "ckpt-tools"),
                .product(name: "Verification", package: "ckpt-tools"),
            ]
        ),
        .executableTarget(name: "fuzz-s3-xml", dependencies: ["FuzzSupport", .product(name: "ObjectStore", package: "ckpt-tools")]),
        .executableTarget(
            name: "fuzz-legacy",
            dependencies: [
                "FuzzSupport", .product(name: "CheckpointCLI", package: "ckpt-tools"),
                .product(name: "Verification", package: "ckpt-tools"),
            ]
        ),
        .executableTarget(name: "fuzz-layouts", dependencies: ["FuzzSupport", .product(name: "Verification", package: "ckpt-tools")]),
        .executableTarget(name: "fuzz-aws-config", dependencies: ["FuzzSupport", .product(name: "ObjectStore", package: "ckpt-tools")]),
        .executableTarget(name: "fuzz-google", dependencies: ["FuzzSupport", .product(name: "ObjectStore", package: "ckpt-tools")]),
    ]
)
