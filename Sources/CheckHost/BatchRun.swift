import CheckAPI
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Buffered output to standard output or a report file. If the reader goes away (a closed
/// pipe, as with `check … | head`), the process ends quietly with status 141, as a process
/// killed by SIGPIPE would (SIGPIPE itself is ignored so isolated workers cannot kill the host).
public final class OutputSink {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let ownsDescriptor: Bool

    /// Standard output, or the file at `path` (created or truncated).
    public init(path: String?) throws {
        if let path {
            let opened = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard opened >= 0 else { throw HostError("cannot write \(path): \(String(cString: strerror(errno)))") }
            descriptor = opened
            ownsDescriptor = true
        } else {
            descriptor = 1
            ownsDescriptor = false
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
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written >= 0 {
                    offset += written
                } else if errno == EPIPE {
                    exit(141)
                } else if errno != EINTR {
                    FileHandle.standardError.write(Data("check: error: cannot write the report: \(String(cString: strerror(errno)))\n".utf8))
                    exit(2)
                }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes a report file.
    public func close() {
        flush()
        if ownsDescriptor { Glibc.close(descriptor) }
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

    /// Reports `done` applications, `fraction` of the input read (nil if unknown).
    public func update(done: Int, fraction: Double?) {
        guard enabled, done > threshold else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        var text = "\r\(done)"
        if let fraction, fraction > 0 {
            let remaining = elapsed * (1 - min(fraction, 1)) / fraction
            text += String(format: " (%.0f%%)  %.0f/s  ETA %.0fs", min(fraction, 1) * 100, rate, remaining)
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

/// Evaluates a batch: input records streamed from a ``RecordReader``, evaluated in batches on
/// `jobs` threads (each with its own ``Evaluator``), rendered in parallel where the format
/// allows, and written in input order. Memory stays constant: at most a few batches per thread
/// are in flight.
public enum BatchRun {
    /// Applications evaluated together (one round trip to each isolated plugin's worker).
    public static let batchSize = 64

    /// Runs everything `reader` yields and returns the summary.
    public static func run(_ session: CheckSession, reader: RecordReader, renderer: inout any ReportRenderer,
                           output: OutputSink, progress: ProgressLine, jobs: Int) -> ReportSummary {
        var summary = ReportSummary()
        output.write(renderer.begin())
        var processedBytes = 0
        func write(_ batch: Processed) {
            for (result, piece) in batch.items {
                summary.add(result)
                output.write(renderer.add(result, piece: piece))
            }
            processedBytes += batch.bytes
            progress.update(done: summary.applications, fraction: reader.totalBytes.map { Double(processedBytes) / Double(max($0, 1)) })
        }
        if jobs <= 1 {
            let evaluator = session.makeEvaluator()
            while case let records = reader.next(batchSize), !records.isEmpty {
                write(process(records, evaluator: evaluator, renderer: renderer))
            }
        } else {
            let pipeline = Pipeline(jobs: jobs)
            let pieces = RendererBox(renderer)
            for _ in 0..<jobs {
                Thread {
                    let evaluator = session.makeEvaluator()
                    while let (sequence, records) = pipeline.nextWork() {
                        pipeline.complete(sequence, process(records, evaluator: evaluator, renderer: pieces.renderer))
                    }
                }.start()
            }
            let feeder = ReaderBox(reader)
            Thread {
                var sequence = 0
                while pipeline.acquireSlot(), case let records = feeder.reader.next(batchSize), !records.isEmpty {
                    pipeline.submit(sequence, records)
                    sequence += 1
                }
                pipeline.finishInput(total: sequence)
            }.start()
            while let batch = pipeline.nextInOrder() {
                write(batch)
                pipeline.releaseSlot()
            }
        }
        output.write(renderer.finish(summary))
        progress.finish()
        output.flush()
        return summary
    }

    /// The results of one batch, with their rendered pieces, and the input bytes they came from.
    struct Processed: Sendable {
        let items: [(ApplicationResult, [UInt8]?)]
        let bytes: Int
    }

    static func process(_ records: [InputRecord], evaluator: Evaluator, renderer: any ReportRenderer) -> Processed {
        let bytes = records.reduce(0) { total, record in
            if case .application(let data, _, _) = record { return total + data.count + 1 }
            return total
        }
        return Processed(items: evaluator.evaluate(records).map { ($0, renderer.piece($0)) }, bytes: bytes)
    }
}

/// The renderer, shared read-only with the evaluating threads (they only call `piece`).
private final class RendererBox: @unchecked Sendable {
    let renderer: any ReportRenderer
    init(_ renderer: any ReportRenderer) { self.renderer = renderer }
}

/// The reader, used by the feeding thread only.
private final class ReaderBox: @unchecked Sendable {
    let reader: RecordReader
    init(_ reader: RecordReader) { self.reader = reader }
}

/// The hand-offs of the parallel run: work for the evaluating threads, finished batches for the
/// writer (which takes them in input order), and a bound on batches in flight.
private final class Pipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [(Int, [InputRecord])] = []
    private var finished: [Int: BatchRun.Processed] = [:]
    private var inputDone = false
    private var total: Int? = nil
    private var next = 0
    private var inFlight = 0
    private let limit: Int

    init(jobs: Int) {
        limit = jobs * 4
    }

    /// Waits until fewer than `limit` batches are in flight; claims a slot.
    func acquireSlot() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while inFlight >= limit { condition.wait() }
        inFlight += 1
        return true
    }

    func releaseSlot() {
        condition.lock()
        inFlight -= 1
        condition.broadcast()
        condition.unlock()
    }

    func submit(_ sequence: Int, _ records: [InputRecord]) {
        condition.lock()
        work.append((sequence, records))
        condition.broadcast()
        condition.unlock()
    }

    func finishInput(total: Int) {
        condition.lock()
        inputDone = true
        self.total = total
        inFlight -= 1  // the slot claimed for the empty read
        condition.broadcast()
        condition.unlock()
    }

    func nextWork() -> (Int, [InputRecord])? {
        condition.lock()
        defer { condition.unlock() }
        while work.isEmpty && !inputDone { condition.wait() }
        return work.isEmpty ? nil : work.removeFirst()
    }

    func complete(_ sequence: Int, _ batch: BatchRun.Processed) {
        condition.lock()
        finished[sequence] = batch
        condition.broadcast()
        condition.unlock()
    }

    func nextInOrder() -> BatchRun.Processed? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let batch = finished.removeValue(forKey: next) {
                next += 1
                return batch
            }
            if let total, next >= total { return nil }
            condition.wait()
        }
    }
}
