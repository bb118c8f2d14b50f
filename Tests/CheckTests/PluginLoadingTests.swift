import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Loading real shared libraries with dlopen: the built-in plugins, the example in C, and a
/// one-line refusal (file, found versus expected) for every kind of bad plugin file.
final class PluginLoadingTests: XCTestCase {
    func testBuiltInPluginsLoadThroughDlopen() throws {
        let session = try makeSession()
        XCTAssertEqual(session.refusals.map(\.description), [])
        let plugin = try XCTUnwrap(session.plugins.first { $0.id == "negative-list" })
        XCTAssertEqual(plugin.abiVersion, 1)
        XCTAssertTrue(plugin.file.hasSuffix("libcheck-plugin-negative-list.so"))
        XCTAssertEqual(plugin.description.datasets, ["negative-list"])
        XCTAssertTrue(plugin.description.rules.map(\.id).contains("negative-list/prohibited"))
    }

    func testExamplePluginWrittenInCLoadsAndEvaluates() throws {
        let folder = try Fixtures.exampleCPlugin()
        let session = try makeSession(extraPlugins: [folder])
        XCTAssertEqual(session.refusals.map(\.description), [])
        XCTAssertEqual(Set(session.plugins.map(\.id)).intersection(["investor-shares", "negative-list"]), ["investor-shares", "negative-list"])

        let good = try Data(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/pass--market-survey-joint-venture.json"))
        let result = session.evaluate([UInt8](good), source: "jv")
        XCTAssertEqual(result.verdict(of: "investor-shares"), .pass)
        let finding = try XCTUnwrap(result.findings.first { $0.plugin == "investor-shares" })
        XCTAssertEqual(finding.evidence.prefix(2).map(\.path), ["$.investors[0].sharePercent", "$.investors[1].sharePercent"])
        XCTAssertEqual(finding.citations.map(\.id), ["wuwai-11-negative-list"])

        var application = try XCTUnwrap(String(data: good, encoding: .utf8))
        application = application.replacingOccurrences(of: "\"sharePercent\": 49", with: "\"sharePercent\": 39")
        let off = session.evaluate(Array(application.utf8), source: "jv-90")
        XCTAssertEqual(off.verdict(of: "investor-shares"), .review)
        XCTAssertTrue(off.findings.first { $0.plugin == "investor-shares" }!.message.en.contains("add up to 90%"))
        // Exactly 100 passes; 99.99 and 100.01 do not (the example sums decimals, not doubles).
        let cases: [(shares: [String], verdict: Verdict)] = [
            (["50.995", "49.005"], .pass), (["50.99", "49"], .review), (["51.01", "49"], .review),
            (["50", "8.3", "24.1", "17.6"], .pass), (["50", "8.3", "24.1", "17.59"], .review),
        ]
        for (shares, verdict) in cases {
            let investors = shares.map { #"{"name": "X", "country": "CN", "foreign": false, "sharePercent": \#($0)}"# }.joined(separator: ", ")
            let text = try XCTUnwrap(String(data: good, encoding: .utf8))
            let start = try XCTUnwrap(text.range(of: "\"investors\": [")), end = try XCTUnwrap(text.range(of: "],", range: start.upperBound..<text.endIndex))
            let changed = text.replacingCharacters(in: start.upperBound..<end.lowerBound, with: investors)
            let result = session.evaluate(Array(changed.utf8), source: "\(shares)")
            XCTAssertEqual(result.verdict(of: "investor-shares"), verdict, "\(shares): \(result.findings.first { $0.plugin == "investor-shares" }?.message.en ?? "")")
        }
    }

    func testCPluginIsListedOnlyWhenItsFolderIsGiven() throws {
        let folder = try Fixtures.exampleCPlugin()
        let without = try check(["plugins"])
        XCTAssertEqual(without.status, 0, without.stderr)
        XCTAssertFalse(without.stdout.contains("investor-shares"))
        let with = try check(["plugins", "--plugins", folder.path])
        XCTAssertEqual(with.status, 0, with.stderr)
        XCTAssertTrue(with.stdout.contains("investor-shares 1.0.0  (ABI v1)"), with.stdout)
        XCTAssertTrue(with.stdout.contains("negative-list 1.0.0  (ABI v1)"), with.stdout)
    }

    /// Each bad file is refused with one line naming it and what was found versus expected;
    /// the good plugins in the same run still load.
    func testRefusals() throws {
        let folder = try Fixtures.temporaryFolder()
        let notLibrary = folder.appendingPathComponent("libcheck-plugin-not-a-library.so")
        try Data("this is a text file, not ELF\n".utf8).write(to: notLibrary)
        try Fixtures.plugin("no_entry.c", as: "no-entry", into: folder)
        try Fixtures.plugin("abi_mismatch.c", as: "abi-mismatch", into: folder)
        try Fixtures.plugin("null_entry.c", as: "null-entry", into: folder)
        try Fixtures.plugin("bad_citation.c", as: "bad-citation", into: folder)
        try FileManager.default.copyItem(at: TestPaths.build.appendingPathComponent("libcheck-plugin-negative-list.so"),
                                         to: folder.appendingPathComponent("libcheck-plugin-zz-duplicate.so"))
        // Not a candidate name: ignored, not refused.
        try Data("ignored".utf8).write(to: folder.appendingPathComponent("README.so"))

        let session = try makeSession(extraPlugins: [folder])
        XCTAssertTrue(session.plugins.contains { $0.id == "negative-list" })
        let reasons = Dictionary(uniqueKeysWithValues: session.refusals.map { (URL(fileURLWithPath: $0.file).lastPathComponent, $0.description) })
        XCTAssertEqual(reasons.count, 6, "\(reasons)")

        let notLibraryReason = try XCTUnwrap(reasons["libcheck-plugin-not-a-library.so"])
        XCTAssertTrue(notLibraryReason.hasPrefix("refused plugin \(notLibrary.path): not a loadable shared library (dlopen: "), notLibraryReason)
        XCTAssertEqual(reasons["libcheck-plugin-no-entry.so"], "refused plugin \(folder.path)/libcheck-plugin-no-entry.so: no symbol check_plugin_entry: not a check plugin")
        XCTAssertEqual(reasons["libcheck-plugin-abi-mismatch.so"], "refused plugin \(folder.path)/libcheck-plugin-abi-mismatch.so: plugin ABI v99, host supports v1")
        XCTAssertEqual(reasons["libcheck-plugin-null-entry.so"], "refused plugin \(folder.path)/libcheck-plugin-null-entry.so: check_plugin_entry() returned NULL")
        XCTAssertEqual(reasons["libcheck-plugin-bad-citation.so"],
                       "refused plugin \(folder.path)/libcheck-plugin-bad-citation.so: rule bad-citation/rule cites no-such-clause, which is not in the rule data (see `check rules`)")
        // Folders given with --plugins come before the built-in folder, so the copy loads first
        // and the built-in file is the second with that id.
        XCTAssertEqual(reasons["libcheck-plugin-negative-list.so"],
                       "refused plugin \(TestPaths.build.appendingPathComponent("libcheck-plugin-negative-list.so").path): plugin id negative-list is already loaded from \(folder.path)/libcheck-plugin-zz-duplicate.so")

        // Refusals never crash the CLI: listed, and the exit status says something could not load.
        let listing = try check(["plugins", "--plugins", folder.path])
        XCTAssertEqual(listing.status, 2)
        XCTAssertTrue(listing.stdout.contains("negative-list 1.0.0"))
        XCTAssertEqual(listing.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("! refused plugin ") }.count, 6, listing.stdout)

        // Isolated, the same files are refused for the same reasons (a worker reads only its
        // plugin's datasets; the host checks the citations its plugin names).
        var configuration = SessionConfiguration(pluginDirectories: [folder, TestPaths.build], rulesRoots: [TestPaths.rules])
        configuration.isolateAll = true
        configuration.workerExecutable = TestPaths.checkExecutable
        let isolated = try CheckSession(configuration)
        XCTAssertEqual(isolated.plugins.map(\.id), session.plugins.map(\.id))
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: isolated.refusals.map { (URL(fileURLWithPath: $0.file).lastPathComponent, $0.description) }), reasons)
    }

    /// A plugin that breaks the contract while evaluating becomes `error` for that application;
    /// the other plugin's verdict stands.
    func testMisbehavingPluginBecomesError() throws {
        let folder = try Fixtures.temporaryFolder()
        try Fixtures.plugin("misbehaving.c", as: "misbehaving", into: folder)
        let session = try makeSession(extraPlugins: [folder])
        let data = try Data(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/fail--rare-earth-mining.json"))
        let result = session.evaluate([UInt8](data), source: "rare-earth")
        XCTAssertEqual(result.verdict(of: "misbehaving"), .error)
        XCTAssertEqual(result.verdict(of: "negative-list"), .fail)
        XCTAssertEqual(result.verdict, .error)
        let error = try XCTUnwrap(result.findings.first { $0.rule == "misbehaving/error" })
        XCTAssertTrue(error.message.en.contains("finding for undeclared rule \"misbehaving/undeclared\""), error.message.en)
        XCTAssertTrue(error.message.en.contains("out of range"), error.message.en)
        XCTAssertTrue(error.message.en.contains("citation \"no-such-clause\" is not in the rule data"), error.message.en)
        // A NULL message, one that is not UTF-8 and an empty one; then evidence with no finding to go to.
        XCTAssertEqual(error.message.en.components(separatedBy: "finding of misbehaving/rule without a valid zh and en message").count - 1, 3,
                       error.message.en)
        XCTAssertTrue(error.message.en.contains("evidence before any finding"), error.message.en)
        // The finding it did report correctly is kept, with its messages and its one citation (cited twice).
        let kept = try XCTUnwrap(result.findings.first { $0.rule == "misbehaving/rule" })
        XCTAssertEqual(kept.verdict, .pass)
        XCTAssertEqual(kept.message, Localized(zh: "通过", en: "pass"))
        // Whatever languages a plugin evaluation on this thread asked for: the stored message is whole.
        MessageLanguages.withCurrent(.zh) { XCTAssertEqual(kept.message.en, "pass") }
        XCTAssertEqual(kept.citations.map(\.id), ["wuwai-11-negative-list"])
        XCTAssertTrue(kept.evidence.isEmpty)

        // In a batch, where the applications' findings share one storage per plugin, each
        // application gets the same findings: no violation, evidence or citation of one carries
        // over to the next.
        let pass = try Data(contentsOf: TestPaths.examples.appendingPathComponent("negative-list/pass--semiconductor-packaging.json"))
        let batch = session.makeEvaluator().evaluate([data, pass, data].enumerated().map { .application(bytes: [UInt8]($1), source: "\($0)", line: nil) })
        func summary(_ result: ApplicationResult) -> [String] {
            result.findings.filter { $0.plugin == "misbehaving" }.map {
                "\($0.rule) \($0.verdict) \($0.message.en) \($0.citations.map(\.id)) \($0.evidence.map(\.path))"
            }
        }
        XCTAssertEqual(batch.map(\.source), ["0", "1", "2"])
        for result in batch { XCTAssertEqual(summary(result), summary(batch[0]), result.source) }
        XCTAssertEqual(summary(batch[0]), summary(result))
        XCTAssertEqual(batch.map { $0.verdict(of: "negative-list") }, [.fail, .pass, .fail])
    }
}
