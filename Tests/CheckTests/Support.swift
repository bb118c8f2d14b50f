import Foundation

/// Locations the tests need: the package root, fixtures and the build folder.
enum TestPaths {
    /// The package root (three levels above this file).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `Tests/Fixtures`.
    static let fixtures = root.appendingPathComponent("Tests/Fixtures")
}
