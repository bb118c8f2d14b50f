import CheckAPI
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Buffered output to a file descriptor (standard output or a report file).
public final class OutputSink {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let ownsHandle: Bool

    /// Standard output, or the file at `path` (created or truncated).
    public init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw HostError("cannot write \(path)") }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            ownsHandle = true
        } else {
            handle = FileHandle.standardOutput
            ownsHandle = false
        }
        buffer.reserveCapacity(1 << 16)
    }

    /// Queues `bytes`, writing when 64 KiB have gathered.
    public func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes everything queued.
    public func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes a report file.
    public func close() {
        flush()
        if ownsHandle { try? handle.close() }
    }
}

/// A progress line on standard error for long batches (count, rate, ETA), only when standard
/// error is a terminal; silent otherwise.
public final class ProgressLine {
    private let enabled: Bool
    private let threshold: Int
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    /// A progress line shown once more than `threshold` items are done, if `stderr` is a terminal.
    public init(threshold: Int = 300, force: Bool? = nil) {
        enabled = force ?? (isatty(2) == 1)
        self.threshold = threshold
    }

    /// Reports `done` of `total` (nil if unknown).
    public func update(done: Int, total: Int?) {
        guard enabled, done > threshold else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        var text = "\r\(done)"
        if let total {
            text += "/\(total)"
            let remaining = Double(total - done) / max(rate, 0.001)
            text += String(format: "  %.0f/s  ETA %.0fs", rate, remaining)
        } else {
            text += String(format: "  %.0f/s", rate)
        }
        FileHandle.standardError.write(Data((text + "\u{1B}[K").utf8))
        drawn = true
    }

    /// Clears the line.
    public func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// Evaluates a batch: every input record through the session, each result to the renderer and
/// out as soon as the format allows, nothing retained otherwise.
public enum BatchRun {
    /// Applications evaluated together (one round trip to each isolated plugin's worker).
    static let batchSize = 64

    /// Runs `inputs` and returns the summary.
    public static func run(_ session: CheckSession, inputs: [String], renderer: inout any ReportRenderer,
                           output: OutputSink, progress: ProgressLine) -> ReportSummary {
        var summary = ReportSummary()
        output.write(renderer.begin())
        let records = Inputs.records(inputs)
        let evaluator = session.makeEvaluator()
        var done = 0
        for start in stride(from: 0, to: records.count, by: batchSize) {
            for result in evaluator.evaluate(Array(records[start..<min(start + batchSize, records.count)])) {
                summary.add(result)
                output.write(renderer.add(result))
                done += 1
            }
            progress.update(done: done, total: records.count)
        }
        output.write(renderer.finish(summary))
        progress.finish()
        output.flush()
        return summary
    }
}
