import CheckAPI
import CheckHost
import Foundation
import XCTest

/// The rule-author kit: `check new-plugin` scaffolds a package that builds against CheckAPI and
/// loads; `check test-plugin` runs a plugin's own examples.
final class AuthorKitTests: XCTestCase {
    func testNewPluginBuildsLoadsAndPassesItsExamples() throws {
        let parent = try Fixtures.temporaryFolder()
        let created = try check(["new-plugin", "land-use", "--output", parent.path, "--check-package", TestPaths.root.path])
        XCTAssertEqual(created.status, 0, created.stderr)
        let package = parent.appendingPathComponent("land-use")
        for file in ["Package.swift", "Sources/LandUsePlugin/LandUsePlugin.swift", "examples/pass--investment-declared.json", "examples/review--investment-missing.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: package.appendingPathComponent(file).path), file)
        }

        let build = try runProcess("/usr/bin/env", ["swift", "build"], directory: package)
        XCTAssertEqual(build.status, 0, "swift build of the scaffold failed:\n\(build.stdout)\n\(build.stderr)")
        XCTAssertFalse(build.stdout.contains("warning:"), build.stdout)

        let tested = try check(["test-plugin", package.path])
        XCTAssertEqual(tested.status, 0, tested.stdout + tested.stderr)
        XCTAssertTrue(tested.stdout.contains("2 example(s), all as declared"), tested.stdout)

        let listing = try check(["plugins", "--plugins", package.appendingPathComponent(".build/debug").path])
        XCTAssertEqual(listing.status, 0, listing.stdout)
        XCTAssertTrue(listing.stdout.contains("land-use 0.1.0  (ABI v1)"), listing.stdout)
        let run = try check(["--plugins", package.appendingPathComponent(".build/debug").path, "--only", "land-use", "--format", "json",
                             package.appendingPathComponent("examples").path])
        XCTAssertEqual(run.status, 0, run.stderr)

        XCTAssertEqual(try check(["new-plugin", "land-use", "--output", parent.path, "--check-package", TestPaths.root.path]).status, 2, "refuses to overwrite")
        XCTAssertEqual(try check(["new-plugin", "Bad Name", "--output", parent.path]).status, 2)
    }

    func testTestPluginReportsWrongExamples() throws {
        let folder = try Fixtures.temporaryFolder()
        let source = TestPaths.examples.appendingPathComponent("negative-list")
        // A pass example renamed as a fail example must be reported, with the verdict it gave.
        try FileManager.default.copyItem(at: source.appendingPathComponent("pass--semiconductor-packaging.json"),
                                         to: folder.appendingPathComponent("fail--mislabelled.json"))
        let output = try check(["test-plugin", TestPaths.build.appendingPathComponent("libcheck-plugin-negative-list.so").path, "--examples", folder.path])
        XCTAssertEqual(output.status, 1)
        XCTAssertTrue(output.stdout.contains("✗ fail--mislabelled.json  pass\n    expected fail, got pass"), output.stdout)
        XCTAssertTrue(output.stdout.contains("no example leaves it untriggered"), output.stdout)
    }
}
