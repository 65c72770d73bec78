// swift-tools-version:6.0
import PackageDescription

// Release builds use whole-module optimization (SwiftPM's default for -c release).
// The numeric modules are compiled for the AVX2/FMA (haswell-class) machines vidgen runs on, so that
// Swift's SIMD types lower to 256-bit fused multiply-adds in the hand-written kernels.
let simd: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]

let package = Package(
    name: "vidgen",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vidgen", targets: ["vidgen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .target(name: "Tensor", dependencies: ["CBLAS"], swiftSettings: simd),
        .target(name: "World", dependencies: ["Tensor"], swiftSettings: simd),
        .target(name: "Diffusion", dependencies: ["Tensor"], swiftSettings: simd),
        .target(name: "Dynamics", dependencies: ["World", "Tensor"], swiftSettings: simd),
        .target(name: "Checkpoints", dependencies: ["Dynamics", "Diffusion", "World", "Tensor"], swiftSettings: simd),
        .target(name: "Train", dependencies: ["Checkpoints", "Dynamics", "Diffusion", "World", "Tensor"], swiftSettings: simd),
        .target(name: "Sample", dependencies: ["Diffusion", "World", "Tensor"], swiftSettings: simd),
        .target(name: "Eval", dependencies: ["Checkpoints", "Dynamics", "Sample", "Diffusion", "World", "Tensor"], swiftSettings: simd),
        .executableTarget(
            name: "vidgen",
            dependencies: [
                "Eval", "Train", "Checkpoints", "Dynamics", "Sample", "Diffusion", "World", "Tensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: simd
        ),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], swiftSettings: simd),
        .testTarget(name: "WorldTests", dependencies: ["World", "Tensor"], swiftSettings: simd),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion", "Tensor"], swiftSettings: simd),
        .testTarget(name: "DynamicsTests", dependencies: ["Dynamics", "Checkpoints", "World", "Tensor"], swiftSettings: simd),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "Dynamics", "Diffusion", "World", "Tensor"], swiftSettings: simd),
        .testTarget(name: "TrainTests", dependencies: ["Train", "Checkpoints", "Diffusion", "Tensor"], swiftSettings: simd),
        .testTarget(name: "SampleTests", dependencies: ["Sample", "Diffusion", "World", "Tensor"], swiftSettings: simd),
        .testTarget(name: "EvalTests", dependencies: ["Eval", "Checkpoints", "Dynamics", "Sample", "Train", "Diffusion", "World", "Tensor"], swiftSettings: simd),
        .testTarget(name: "vidgenTests", dependencies: ["vidgen", "Tensor"]),
    ],
    swiftLanguageModes: [.v5]
)
