// swift-tools-version:6.1
//
// The Swift userland of pgm: packet codec, reference model, socket library,
// netlink client and tools. The kernel module lives in kernel/ and is built
// by the Makefile; the one header both sides share is
// kernel/include/uapi/linux/pgm.h, imported here through the CPGM shim.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "pgm",
    products: [
        .library(name: "PGMTypes", targets: ["PGMTypes"]),
        .library(name: "PGMWire", targets: ["PGMWire"]),
        .library(name: "PGMModel", targets: ["PGMModel"]),
        .library(name: "PGM", targets: ["PGM"]),
        .library(name: "PGMNetlink", targets: ["PGMNetlink"]),
        .library(name: "PGMFEC", targets: ["PGMFEC"]),
        .executable(name: "pgm-info", targets: ["pgm-info"]),
        .executable(name: "pgm-dump", targets: ["pgm-dump"]),
        .executable(name: "pgm-sim", targets: ["pgm-sim"]),
        .executable(name: "pgm-send", targets: ["pgm-send"]),
        .executable(name: "pgm-recv", targets: ["pgm-recv"]),
        .executable(name: "pgm-conform", targets: ["pgm-conform"]),
        .executable(name: "pgm-perf", targets: ["pgm-perf"]),
        .executable(name: "pgmctl", targets: ["pgmctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        // 1.8: options with an optional value (`defaultAsFlag`), pgm-recv's --confirm[=INTERVAL].
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // C shim: the uapi header plus helpers Glibc does not import.
        .target(name: "CPGM"),
        // libmnl, found through pkg-config.
        .systemLibrary(
            name: "CMnl",
            pkgConfig: "libmnl",
            providers: [.apt(["libmnl-dev"])]
        ),
        // The vocabulary every other target speaks: TSI, GSI, IPv4 address and
        // endpoint, sequence number, session-end reason, the tunables' profiles.
        // No dependencies.
        .target(name: "PGMTypes", swiftSettings: strict),
        .target(name: "PGMWire", dependencies: ["PGMTypes"], swiftSettings: strict),
        // The model's queues are swift-collections': Deque for the windows and the
        // repair queue, Heap for NAK timers and the simulator's events.
        .target(
            name: "PGMModel",
            dependencies: [
                "PGMTypes", "PGMWire", "PGMFEC",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PGM",
            dependencies: ["PGMTypes", "CPGM", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strict
        ),
        .target(
            name: "PGMNetlink",
            dependencies: ["PGMTypes", "CMnl", "CPGM", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strict
        ),
        // FEC: the Reed-Solomon code OpenPGM's parity packets use (RFC 3208
        // appendix A), the kernel's kernel/fec.c in the model's terms. No dependencies.
        .target(name: "PGMFEC", swiftSettings: strict),
        // What every tool's command line shares: JSON lines, Failure and standard
        // error, text tables. Depends on nothing, so that a tool takes it without
        // the socket library (pgmctl: PGMNetlink, this and ArgumentParser, not PGM).
        .target(name: "PGMCLISupport", swiftSettings: strict),
        .executableTarget(
            name: "pgm-info",
            dependencies: [
                "PGM", "PGMCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // What the socket tools share: SHA-256, made-up APDUs, options, counters as
        // JSON, pgm-perf's header. SHA-256 is swift-crypto's: BoringSSL's assembly,
        // fast in debug builds too (the tools hash every byte they move).
        .target(
            name: "PGMToolSupport",
            dependencies: [
                "PGM", "PGMCLISupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "pgm-send",
            dependencies: [
                "PGM", "PGMToolSupport", "PGMCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "pgm-recv",
            dependencies: [
                "PGM", "PGMToolSupport", "PGMCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "pgm-perf",
            dependencies: [
                "PGM", "PGMToolSupport", "PGMCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "pgmctl",
            dependencies: [
                "PGMNetlink", "PGMCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The README's examples, built by `swift build` so that they keep compiling.
        .executableTarget(
            name: "example-sender",
            dependencies: ["PGM", .product(name: "SystemPackage", package: "swift-system")],
            path: "Examples/swift/Sender",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "example-receiver",
            dependencies: ["PGM", .product(name: "SystemPackage", package: "swift-system")],
            path: "Examples/swift/Receiver",
            swiftSettings: strict
        ),
        // pgm-dump's testable parts: capture readers, dissection, filters, output.
        .target(name: "PGMDump", dependencies: ["PGMWire", "PGMCLISupport"], swiftSettings: strict),
        .executableTarget(
            name: "pgm-dump",
            dependencies: [
                "PGMWire", "PGMDump", "CPGM", "PGMCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "pgm-sim",
            dependencies: [
                "PGMModel", "PGMWire", "PGMCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The conformance suite: scenario language, runner, model backend.
        .target(name: "PGMConformance", dependencies: ["PGMModel", "PGMTypes", "PGMWire", "PGMFEC"], swiftSettings: strict),
        .executableTarget(
            name: "pgm-conform",
            dependencies: [
                "PGMConformance", "PGM", "PGMWire", "CPGM", "PGMCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "PGMTypesTests", dependencies: ["PGMTypes"], swiftSettings: strict),
        .testTarget(
            name: "PGMWireTests",
            dependencies: ["PGMTypes", "PGMWire", .product(name: "PropertyBased", package: "swift-property-based")],
            exclude: ["Corpus"],  // fuzzing corpus, read by CorpusTests and scripts/fuzz-wire
            swiftSettings: strict
        ),
        .testTarget(name: "PGMModelTests", dependencies: ["PGMModel", "PGMTypes", "PGMFEC", "CPGM"],
                    exclude: ["policy-vectors.json"],  // also run against the kernel by Tests/kernel/policy_test.py
                    swiftSettings: strict),
        .testTarget(name: "PGMTests", dependencies: ["PGM", "CPGM", "PGMToolSupport", "PGMCLISupport"], swiftSettings: strict),
        .testTarget(name: "PGMNetlinkTests", dependencies: ["PGMNetlink", .product(name: "SystemPackage", package: "swift-system")], swiftSettings: strict),
        // pgmctl's output (its JSON and lines) from decoded messages, through @testable import.
        .testTarget(name: "pgmctlTests", dependencies: ["pgmctl", "PGMNetlink", "PGMCLISupport"], swiftSettings: strict),
        .testTarget(name: "PGMConformanceTests", dependencies: ["PGMConformance"], swiftSettings: strict),
        .testTarget(name: "PGMDumpTests", dependencies: ["PGMDump", "PGMWire"], swiftSettings: strict),
        .testTarget(
            name: "PGMFECTests",
            dependencies: ["PGMFEC", "PGMTypes"],
            exclude: ["fec-vectors.txt"],  // libpgm's parity (fec_test --vectors), read by LibpgmVectorTests
            swiftSettings: strict
        ),
    ]
)
