// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Quake",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "quake", targets: ["quake"]),
        .library(name: "QuakeCore", targets: ["QuakeCore"]),
        .library(name: "QuakePlan", targets: ["QuakePlan"]),
        .library(name: "QuakeHTTP", targets: ["QuakeHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        .target(
            name: "QuakeCore",
            swiftSettings: strict
        ),
        .target(
            name: "QuakePlan",
            dependencies: ["QuakeCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "QuakeModel",
            dependencies: ["QuakeCore"],
            swiftSettings: strict
        ),
        .target(
            name: "QuakeReport",
            dependencies: ["QuakeCore"],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "QuakeHTTP",
            dependencies: ["CCurl", .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: strict
        ),
        .target(
            name: "QuakeObserve",
            dependencies: ["QuakeCore", "QuakeHTTP"],
            swiftSettings: strict
        ),
        .target(
            name: "QuakeRunner",
            dependencies: ["QuakeCore"],
            swiftSettings: strict
        ),
        .target(
            name: "QuakeKube",
            dependencies: ["QuakeCore", "QuakeHTTP", "QuakeObserve", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "QuakeLab",
            dependencies: [
                "QuakeCore", "QuakeHTTP", "QuakeObserve",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "QuakeHistory",
            dependencies: ["QuakeCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "quake",
            dependencies: [
                "QuakeCore", "QuakePlan", "QuakeModel", "QuakeReport", "QuakeHTTP", "QuakeObserve", "QuakeLab", "QuakeKube", "QuakeRunner", "QuakeHistory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "QuakeTestSupport",
            dependencies: [
                "QuakeCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/QuakeTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeCoreTests",
            dependencies: ["QuakeCore", "QuakeTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakePlanTests",
            dependencies: ["QuakePlan", "QuakeCore", "QuakeTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeModelTests",
            dependencies: ["QuakeModel", "QuakePlan", "QuakeCore", "QuakeTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeObserveTests",
            dependencies: ["QuakeObserve", "QuakeCore", "QuakeHTTP", "QuakeTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeReportTests",
            dependencies: ["QuakeReport", "QuakePlan", "QuakeModel", "QuakeCore", "QuakeTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeHTTPTests",
            dependencies: ["QuakeHTTP", "QuakeTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeRunnerTests",
            dependencies: ["QuakeRunner", "QuakeCore", "QuakePlan", "QuakeTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeKubeTests",
            dependencies: ["QuakeKube", "QuakeCore", "QuakePlan", "QuakeHTTP", "QuakeObserve", "QuakeRunner", "QuakeTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeKubeAPITests",
            dependencies: ["QuakeTestSupport", "QuakeKube", "QuakeHTTP"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeLabTests",
            dependencies: ["QuakeLab", "QuakeCore", "QuakePlan", "QuakeHTTP", "QuakeObserve", "QuakeTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeHistoryTests",
            dependencies: ["QuakeHistory", "QuakeTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeDeployTests",
            dependencies: ["QuakePlan", "QuakeKube", "QuakeTestSupport", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuakeCLITests",
            dependencies: ["quake", "QuakeTestSupport"],
            swiftSettings: strict
        ),
    ]
)
