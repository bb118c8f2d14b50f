// swift-tools-version:6.0
// `check`: a plugin-based compliance checker for foreign-investment project applications.
// No package dependencies: Foundation, Glibc, Dispatch and the toolchain's test frameworks only.
import PackageDescription

/// The built-in rule plugins: (product name, target name, folder under Plugins/).
/// Product names start with `check-plugin-` because the host loads `libcheck-plugin-*.so`.
let builtInPlugins: [(product: String, target: String, folder: String)] = [
    ("check-plugin-negative-list", "NegativeListPlugin", "NegativeList"),
    ("check-plugin-encouraged-catalogue", "EncouragedCataloguePlugin", "EncouragedCatalogue"),
    ("check-plugin-high-energy", "HighEnergyPlugin", "HighEnergy"),
    ("check-plugin-rd-centre", "RDCentrePlugin", "RDCentre"),
]

let package = Package(
    name: "check",
    products: [
        .executable(name: "check", targets: ["check"]),
        .library(name: "CheckAPI", targets: ["CheckAPI"]),
    ] + builtInPlugins.map { .library(name: $0.product, type: .dynamic, targets: [$0.target + "Entry"]) },
    targets: [
        // The C header of the plugin contract (normative; see docs/PLUGIN-ABI.md).
        .target(name: "CCheckABI", path: "Sources/CCheckABI"),
        // System facilities the host needs beyond Swift's Glibc module (allocator settings).
        // DWARF 4: valgrind 3.19 (bench/instructions) cannot read clang's default DWARF 5.
        .target(name: "CHostSystem", path: "Sources/CHostSystem", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // The document tape: a strict JSON reader producing it, and views over it.
        .target(name: "CheckJSON", dependencies: ["CCheckABI"], linkerSettings: [.linkedLibrary("m")]),
        // The Swift side of the plugin contract: what a plugin author imports.
        .target(name: "CheckAPI", dependencies: ["CCheckABI", "CheckJSON"]),
        // Discovery, loading, evaluation and reports.
        .target(name: "CheckHost", dependencies: ["CheckAPI", "CheckJSON", "CCheckABI", "CHostSystem"]),
        // The command line: argument parsing and exit codes only.
        .executableTarget(name: "check", dependencies: ["CheckHost"]),
        // (The tests also link the plugins' rule logic, to run them in process: `InProcessPlugin`.)
        .testTarget(name: "CheckTests", dependencies: ["CheckHost", "CheckAPI", "CheckJSON"] + builtInPlugins.map { .target(name: $0.target) }),
    ] + builtInPlugins.flatMap { plugin -> [Target] in [
        // A plugin's rule logic, and apart from it the one-line entry point its library exports
        // (`check_plugin_entry`: one per library, so the logic can also be linked into a test).
        .target(name: plugin.target, dependencies: ["CheckAPI"], path: "Plugins/\(plugin.folder)", exclude: ["Entry"]),
        .target(name: plugin.target + "Entry", dependencies: [.target(name: plugin.target), "CheckAPI"], path: "Plugins/\(plugin.folder)/Entry"),
    ] }
)
