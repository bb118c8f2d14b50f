import CheckJSON
import Foundation

/// `check new-plugin`: writes a Swift package for a new rule plugin that builds against
/// `CheckAPI` (this repository, by local path) into `libcheck-plugin-<name>.so`, with one
/// working rule and example applications that `check test-plugin` runs.
public enum PluginScaffold {
    /// What was written.
    public struct Created: Sendable {
        /// The package folder.
        public let folder: URL
        /// The files written, relative to it.
        public let files: [String]
    }

    /// Creates the package `name` in `parent`, depending on the check package at `checkPackage`.
    public static func create(name: String, in parent: URL, checkPackage: URL) throws -> Created {
        guard PluginLoader.isValidPluginID(name), name.count >= 2 else {
            throw HostError("plugin name \(JSONWriter.quoted(name)): use lower-case letters, digits and '-' (e.g. land-use)")
        }
        let folder = parent.appendingPathComponent(name)
        guard !FileManager.default.fileExists(atPath: folder.path) else { throw HostError("\(folder.path) already exists") }
        guard FileManager.default.fileExists(atPath: checkPackage.appendingPathComponent("Sources/CheckAPI").path) else {
            throw HostError("\(checkPackage.path) is not the check package (no Sources/CheckAPI); give it with --check-package DIR")
        }
        let typeName = name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Plugin"
        let packageIdentity = checkPackage.standardizedFileURL.lastPathComponent.lowercased()
        let files: [(String, String)] = [
            ("Package.swift", """
            // swift-tools-version:6.0
            // A rule plugin for `check`. Build: swift build   Load: check plugins --plugins .build/debug
            import PackageDescription

            let package = Package(
                name: "check-plugin-\(name)",
                products: [
                    // The host loads files named libcheck-plugin-*.so.
                    .library(name: "check-plugin-\(name)", type: .dynamic, targets: ["\(typeName)"]),
                ],
                dependencies: [
                    // The check package (for CheckAPI). Point it at your copy of check.
                    .package(path: "\(checkPackage.standardizedFileURL.path)"),
                ],
                targets: [
                    .target(name: "\(typeName)", dependencies: [.product(name: "CheckAPI", package: "\(packageIdentity)")]),
                ]
            )

            """),
            ("Sources/\(typeName)/\(typeName).swift", """
            import CheckAPI

            /// `\(name)`: replace this example rule with yours.
            ///
            /// The example rule checks that the application declares the project's total investment.
            /// Every finding must cite the clause it rests on, by id: `check rules` lists the clauses
            /// the rule data holds. Add your own policy document and clauses to a rules folder (see
            /// rules/README.md of check) and load it with `--rules`.
            struct \(typeName): RulePlugin {
                static let description = PluginDescription(
                    id: "\(name)", version: "0.1.0",
                    title: Localized(zh: "\(name)（示例插件）", en: "\(name) (example plugin)"),
                    datasets: [],
                    rules: [
                        RuleDescription(
                            id: "\(name)/total-investment-declared",
                            title: Localized(zh: "申报总投资", en: "Total investment declared"),
                            description: Localized(zh: "申请须申报项目总投资；未申报时需人工审核。",
                                                   en: "The application must declare the project's total investment; review when it does not."),
                            // TODO: cite the clause your rule rests on.
                            citations: ["wuwai-11-negative-list"]),
                    ])

                init(ruleData: RuleDataFiles) throws {
                    // Decode your rule data here (the files of `datasets`); throw RuleDataError on problems.
                }

                func evaluate(_ request: Request, into findings: inout Findings) throws {
                    let rule = "\(name)/total-investment-declared"
                    guard let amount = request.application.project?.optional("totalInvestment") else {
                        findings.report(Finding(
                            rule: rule, verdict: .review,
                            message: Localized(zh: "申请未申报项目总投资（$.project.totalInvestment），请补充。",
                                               en: "The application does not declare the project's total investment ($.project.totalInvestment); add it."),
                            evidence: [.absent("$.project.totalInvestment")], citations: ["wuwai-11-negative-list"]))
                        return
                    }
                    findings.report(Finding(
                        rule: rule, verdict: .pass,
                        message: Localized(zh: "申请已申报项目总投资。", en: "The application declares the project's total investment."),
                        evidence: [.value(amount)], citations: ["wuwai-11-negative-list"]))
                }
            }

            @_cdecl("check_plugin_entry") public func entry() -> UnsafeRawPointer { exportPlugin(\(typeName).self) }

            """),
            ("examples/pass--investment-declared.json", exampleApplication(id: "EX-\(name.uppercased())-1", investment: true)),
            ("examples/review--investment-missing.json", exampleApplication(id: "EX-\(name.uppercased())-2", investment: false)),
            ("README.md", """
            # check-plugin-\(name)

            A rule plugin for `check`, scaffolded by `check new-plugin \(name)`.

            ```sh
            swift build                                   # builds .build/debug/libcheck-plugin-\(name).so
            check test-plugin .                           # runs examples/<expected-verdict>--<what>.json
            check plugins --plugins .build/debug          # the plugin loads beside the built-in ones
            check --plugins .build/debug --only \(name) examples/
            ```

            Every example application is named after the verdict the plugin must give it
            (`pass--…`, `fail--…`, `review--…`, `not-applicable--…`): ship at least one that triggers the
            rule and one that does not. See docs/WRITING-PLUGINS.md in the check repository.

            """),
            (".gitignore", ".build/\nPackage.resolved\n"),
        ]
        for (path, content) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        return Created(folder: folder, files: files.map(\.0))
    }

    static func exampleApplication(id: String, investment: Bool) -> String {
        """
        {
          "schemaVersion": 1,
          "id": "\(id)",
          "submittedOn": "2026-03-15",
          "investors": [ { "name": "Example Holdings Ltd", "country": "HK", "foreign": true, "sharePercent": 100 } ],
          "project": {
            "name": "示例项目",
            "type": "new",
            "location": { "province": "广东省", "city": "广州市", "freeTradeZone": null },
            "industries": [ { "code": "C3973", "name": "集成电路制造" } ]\(investment ? ",\n    \"totalInvestment\": { \"amount\": 10000000, \"currency\": \"USD\" }" : "")
          }
        }

        """
    }
}
