import CheckAPI
@testable import CheckHost
import EncouragedCataloguePlugin
import HighEnergyPlugin
import NegativeListPlugin
import RDCentrePlugin
import XCTest

/// The built-in plugins run in this process, linked into the tests rather than loaded from
/// their libraries: what a plugin author's own tests can do (`InProcessPlugin`).
final class InProcessPluginTests: XCTestCase {
    static let plugins: [(id: String, plugin: InProcessPlugin)] = [
        ("negative-list", InProcessPlugin(name: "NegativeListPlugin (in process)") { exportPlugin(NegativeListPlugin.self) }),
        ("encouraged-catalogue", InProcessPlugin(name: "EncouragedCataloguePlugin (in process)") { exportPlugin(EncouragedCataloguePlugin.self) }),
        ("high-energy", InProcessPlugin(name: "HighEnergyPlugin (in process)") { exportPlugin(HighEnergyPlugin.self) }),
        ("rd-centre", InProcessPlugin(name: "RDCentrePlugin (in process)") { exportPlugin(RDCentrePlugin.self) }),
    ]

    /// Each plugin, alone in a session with no plugin folder and no built-in folder, passes
    /// every example of `examples/<id>/` through the host's whole path (validation,
    /// normalisation, the sink's checks).
    func testBuiltInPluginsPassTheirExamplesInProcess() throws {
        for (id, plugin) in Self.plugins {
            var configuration = SessionConfiguration(pluginDirectories: [], rulesRoots: [TestPaths.rules])
            configuration.inProcessPlugins = [plugin]
            let session = try CheckSession(configuration)
            XCTAssertEqual(session.refusals.map(\.description), [], id)
            XCTAssertEqual(session.plugins.map(\.id), [id])
            XCTAssertEqual(session.plugins.first?.file, plugin.name)
            XCTAssertEqual(session.plugins.first?.isIsolated, false)
            let report = try PluginTester.run(plugin: id, examples: TestPaths.root.appendingPathComponent("examples/\(id)"), session: session)
            XCTAssertTrue(report.passed, report.text)
            XCTAssertGreaterThan(report.outcomes.count, 3, id)
        }
    }

    /// An in-process plugin gets the checks a file's does: rule data it cannot find is a
    /// refusal naming it, and a second plugin of the same id is refused.
    func testInProcessPluginsAreCheckedAsFilesAre() throws {
        let root = try Fixtures.temporaryFolder()
        try FileManager.default.copyItem(at: TestPaths.rules, to: root.appendingPathComponent("rules"))
        try FileManager.default.removeItem(at: root.appendingPathComponent("rules/rd-centre"))
        var configuration = SessionConfiguration(pluginDirectories: [], rulesRoots: [root.appendingPathComponent("rules")])
        configuration.inProcessPlugins = [Self.plugins[3].plugin, Self.plugins[0].plugin, Self.plugins[0].plugin]
        let session = try CheckSession(configuration)
        XCTAssertEqual(session.plugins.map(\.id), ["negative-list"])
        XCTAssertEqual(session.refusals.map(\.description), [
            "refused plugin RDCentrePlugin (in process): plugin rd-centre needs rule data folder rd-centre/, which no rules root has",
            "refused plugin NegativeListPlugin (in process): plugin id negative-list is already loaded from NegativeListPlugin (in process)",
        ])
    }
}
