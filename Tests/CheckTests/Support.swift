import CheckAPI
import CheckHost
import Foundation
import XCTest

/// Locations the tests need: the package root, fixtures, rule data and the build folder.
enum TestPaths {
    /// The package root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `Tests/Fixtures`.
    static let fixtures = root.appendingPathComponent("Tests/Fixtures")
    /// The shipped rule data.
    static let rules = root.appendingPathComponent("rules")
    /// `examples/`.
    static let examples = root.appendingPathComponent("examples")
    /// The build folder holding the built plugins and the `check` executable: the folder of the
    /// running test bundle, or `CHECK_BUILD_DIR`.
    static let build: URL = {
        if let override = ProcessInfo.processInfo.environment["CHECK_BUILD_DIR"] { return URL(fileURLWithPath: override) }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // An .xctest bundle may be a folder: walk up to the folder holding the plugins.
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("libcheck-plugin-negative-list.so").path),
              folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder
    }()
    /// The `check` executable.
    static let checkExecutable = build.appendingPathComponent("check")
}

/// Builds test fixtures: C plugins compiled into a fresh temporary folder.
enum Fixtures {
    /// A new empty temporary folder.
    static func temporaryFolder(_ name: String = #function) throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("check-tests-\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Compiles `source` (a file under Tests/Fixtures/plugins or examples/) into `folder/name`,
    /// with `arguments` (defines, link options) after the source.
    @discardableResult
    static func compileC(_ source: URL, into folder: URL, name: String, arguments: [String] = []) throws -> URL {
        let output = folder.appendingPathComponent(name)
        // CHECK_TEST_CC and CHECK_TEST_CFLAGS choose the compiler and add flags for every fixture:
        // the ASan run uses the Swift toolchain's clang with -fsanitize=address (GCC's ASan
        // runtime cannot load into a process running clang's).
        let environment = ProcessInfo.processInfo.environment
        let compiler = environment["CHECK_TEST_CC"] ?? "cc"
        let extra = (environment["CHECK_TEST_CFLAGS"] ?? "").split(separator: " ").map(String.init)
        let include = TestPaths.root.appendingPathComponent("Sources/CCheckABI/include").path
        let result = try runProcess("/usr/bin/env", [compiler, "-std=c11", "-shared", "-fPIC", "-O1"] + extra
                                                        + ["-I", include, "-o", output.path, source.path] + arguments)
        guard result.status == 0 else { throw HostError("cc failed for \(source.lastPathComponent): \(result.stderr)") }
        return output
    }

    /// Compiles the fixture `Tests/Fixtures/plugins/<file>` as `libcheck-plugin-<plugin>.so`.
    @discardableResult
    static func plugin(_ file: String, as plugin: String, into folder: URL) throws -> URL {
        try compileC(TestPaths.fixtures.appendingPathComponent("plugins/\(file)"), into: folder, name: "libcheck-plugin-\(plugin).so")
    }

    /// Builds the example C plugin of `examples/c-plugin` into a new folder.
    static func exampleCPlugin() throws -> URL {
        let folder = try temporaryFolder("example-c")
        try compileC(TestPaths.examples.appendingPathComponent("c-plugin/investor_shares.c"), into: folder, name: "libcheck-plugin-investor-shares.so")
        return folder
    }
}

/// What a process printed and how it ended.
struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
    let stdoutBytes: Data
}

/// Runs `executable` with `arguments`, feeding `input` on standard input.
func runProcess(_ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
         directory: URL? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try process.run()
    let writer = Thread {
        if let input { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let errorData = DataBox()
    let errorDone = DispatchSemaphore(value: 0)
    let errorReader = Thread {
        errorData.data = stderr.fileHandleForReading.readDataToEndOfFile()
        errorDone.signal()
    }
    errorReader.start()
    let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errorDone.wait()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                         stderr: String(decoding: errorData.data, as: UTF8.self), stdoutBytes: outputData)
}

/// A buffer one thread fills and another reads after a semaphore.
final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// How a run of `check` measured by its parent went: its peak resident memory (Python's
/// `RUSAGE_CHILDREN`, so the figure is the child's alone), its status (nil: killed at the time
/// limit) and what it printed.
struct MeasuredRun {
    let peakKiB: Int
    let status: Int32?
    let stdout: String
}

/// Runs `check` with `arguments` under a Python parent that feeds it `standardInput` (a file
/// such as /dev/zero) and kills it after `seconds`, then reads its peak memory.
func measuredCheck(_ arguments: [String], standardInput: String = "/dev/null", seconds: Int = 60) throws -> MeasuredRun {
    let script = """
        import resource, subprocess, sys
        seconds, stdin, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
        try:
            run = subprocess.run(command, stdin=open(stdin, "rb"), capture_output=True, timeout=seconds)
            status, out = str(run.returncode), run.stdout
        except subprocess.TimeoutExpired as killed:
            status, out = "killed", killed.stdout or b""
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, status)
        sys.stdout.flush()
        sys.stdout.buffer.write(out)
        """
    let result = try runProcess("/usr/bin/env", ["python3", "-c", script, String(seconds), standardInput, TestPaths.checkExecutable.path] + arguments,
                                directory: TestPaths.root)
    let header = result.stdout.prefix { $0 != "\n" }.split(separator: " ")
    guard header.count == 2, let peak = Int(header[0]) else { throw HostError("measuring check failed: \(result.stdout) \(result.stderr)") }
    return MeasuredRun(peakKiB: peak, status: Int32(header[1]), stdout: String(result.stdout.drop { $0 != "\n" }.dropFirst()))
}

/// Runs the built `check` executable from the package root.
func check(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env["LANG"] = "C"
    env.removeValue(forKey: "CHECK_PLUGIN_PATH")
    env.removeValue(forKey: "CHECK_RULES_PATH")
    // A crash must end check, not wait on the Swift runtime's backtracer (see CrashNotice).
    env.removeValue(forKey: "SWIFT_BACKTRACE")
    for (key, value) in environment { env[key] = value }
    return try runProcess(TestPaths.checkExecutable.path, arguments, input: input, environment: env, directory: TestPaths.root)
}

/// A session over the shipped rules and the built-in plugins (plus `extraPlugins`).
func makeSession(extraPlugins: [URL] = [], builtIn: Bool = true, rules: [URL] = [TestPaths.rules], asOf: Day? = nil) throws -> CheckSession {
    try CheckSession(SessionConfiguration(pluginDirectories: extraPlugins + (builtIn ? [TestPaths.build] : []), rulesRoots: rules, asOf: asOf))
}

/// Parses `text` as JSON with Foundation (an independent reader, for checking our output).
func foundationJSON(_ data: Data) throws -> Any {
    try JSONSerialization.jsonObject(with: data)
}

extension ApplicationResult {
    /// The verdict of plugin `id`, if it was evaluated.
    func verdict(of id: String) -> Verdict? { plugins.first { $0.id == id }?.verdict }
}
