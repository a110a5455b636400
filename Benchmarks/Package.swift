// swift-tools-version:6.1
// Benchmarks live in their own package so the main package never builds them.
import PackageDescription

let package = Package(
    name: "ckpt-benchmarks",
    dependencies: [
        .package(name: "ckpt-tools", path: "../"),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "MappedIO", package: "ckpt-tools"),
                .product(name: "TensorBundle", package: "ckpt-tools"),
            ]
        ),
        .executableTarget(
            name: "throughput",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Checksums", package: "ckpt-tools"),
                .product(name: "MappedIO", package: "ckpt-tools"),
                .product(name: "TensorBundle", package: "ckpt-tools"),
            ]
        ),
        .executableTarget(name: "verify", dependencies: ["BenchmarkSupport"]),
        .executableTarget(name: "diff", dependencies: ["BenchmarkSupport"]),
        .executableTarget(name: "delta", dependencies: ["BenchmarkSupport"]),
        .executableTarget(name: "archive", dependencies: ["BenchmarkSupport"]),
        .executableTarget(
            name: "objectstore",
            dependencies: ["BenchmarkSupport", .product(name: "ObjectStore", package: "ckpt-tools")]),
    ]
)
