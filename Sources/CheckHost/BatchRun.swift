import CheckAPI
import CHostSystem
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Buffered output to standard output or a report file. If the reader goes away (a closed
/// pipe, as with `check … | head`), the process ends quietly with status 141, as a process
/// killed by SIGPIPE would (SIGPIPE itself is ignored so isolated workers cannot kill the host).
///
/// A report file is written whole or not at all (SPEC §6): into a temporary file beside it,
/// renamed over it when complete, so a failed or killed run leaves the previous report as it
/// was and concurrent runs never splice one file. A path that is not a regular file (a device
/// such as `/dev/null`, a FIFO) is written directly, never replaced.
public final class OutputSink {
    /// The descriptor reports go to when no file is named: the standard output the process
    /// started with. (`check` moves its own standard output to standard error before any plugin
    /// loads, so what a plugin prints can never land in a report, and sets this to a duplicate
    /// of the original.)
    nonisolated(unsafe) public static var standardOutput: Int32 = 1

    /// Why a report could not be written.
    public enum Failure: Error, CustomStringConvertible {
        /// The reader went away (a closed pipe, as `check … | head` closes it).
        case closedPipe
        /// Anything else, said in words (a full disk, a failed rename …).
        case error(String)

        public var description: String {
            switch self {
            case .closedPipe: "the report's reader closed the pipe"
            case .error(let message): message
            }
        }
    }

    /// The first write that failed, if any: nothing more is written after it, and ``close()``
    /// throws it. (The sink does not end the process: its caller decides how to stop.)
    public private(set) var failure: Failure?

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let ownsDescriptor: Bool
    /// For a regular file: the temporary file written, and the path it becomes.
    private let staged: (temporary: String, final: String)?

    /// Standard output, or the file at `path`.
    public init(path: String?) throws {
        guard let path else {
            descriptor = OutputSink.standardOutput
            ownsDescriptor = false
            staged = nil
            buffer.reserveCapacity(1 << 16)
            return
        }
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            // A device or a FIFO: written as it is.
            let opened = open(path, O_WRONLY | O_CLOEXEC)
            guard opened >= 0 else { throw HostError("cannot write \(path): \(String(cString: strerror(errno)))") }
            descriptor = opened
            staged = nil
        } else {
            let url = URL(fileURLWithPath: path)
            var template = Array(url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).check-XXXXXX").path.utf8CString)
            let opened = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard opened >= 0 else { throw HostError("cannot write \(path): \(String(cString: strerror(errno)))") }
            _ = fcntl(opened, F_SETFD, FD_CLOEXEC)
            fchmod(opened, 0o644 & ~OutputSink.umask)
            descriptor = opened
            staged = (String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), path)
        }
        ownsDescriptor = true
        buffer.reserveCapacity(1 << 16)
    }

    /// The process's file-creation mask (read once: setting it is the only way to read it).
    private static let umask: mode_t = {
        let mask = Glibc.umask(0o022)
        Glibc.umask(mask)
        return mask
    }()

    /// Queues `bytes`, as the buffer-pointer `write` does.
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer(write)
    }

    /// Queues `bytes`, writing when 64 KiB have gathered; a piece that large on its own (a
    /// batch of results) is written as it is, after what was queued, without a copy.
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard failure == nil else { return }
        if buffer.count + bytes.count < 1 << 16 {
            buffer.append(contentsOf: bytes)
            return
        }
        flush()
        if bytes.count >= 1 << 16 {
            writeAll(UnsafeRawBufferPointer(bytes))
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Writes everything queued.
    public func flush() {
        if failure == nil { buffer.withUnsafeBytes(writeAll) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < raw.count {
            let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            if written >= 0 {
                offset += written
            } else if errno == EPIPE {
                discard()
                failure = .closedPipe
                return
            } else if errno != EINTR {
                let reason = String(cString: strerror(errno))
                discard()
                failure = .error("cannot write the report: \(reason)\(staged.map { "; \($0.final) was left as it was" } ?? "")")
                return
            }
        }
    }

    /// Removes the temporary file of an unfinished report.
    private func discard() {
        if let staged { unlink(staged.temporary) }
    }

    /// Flushes and closes the report: a report file is synced and renamed over its path. Throws
    /// the first failure (a report file is then left as it was).
    public func close() throws(Failure) {
        flush()
        if let failure {
            if ownsDescriptor { Glibc.close(descriptor) }
            throw failure
        }
        guard ownsDescriptor else { return }
        if let staged {
            guard fsync(descriptor) == 0 || errno == EINVAL else {
                let reason = String(cString: strerror(errno))
                Glibc.close(descriptor)
                discard()
                throw .error("cannot write the report: \(reason); \(staged.final) was left as it was")
            }
            Glibc.close(descriptor)
            guard rename(staged.temporary, staged.final) == 0 else {
                let reason = String(cString: strerror(errno))
                discard()
                throw .error("cannot write \(staged.final): \(reason)")
            }
        } else {
            Glibc.close(descriptor)
        }
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
/// `jobs` threads (each with its own ``Evaluator``; the calling thread is one of them, and also
/// writes), rendered on those threads where the format streams, and written in input order.
/// Each thread reads its own batches, so records, results and the rendered text are made and
/// freed on one thread; the writing receives one buffer per batch of the others. Memory stays
/// constant: at most a few batches per thread are in flight.
public enum BatchRun {
    /// Applications evaluated together (one round trip to each isolated plugin's worker). 128
    /// rather than 64: half the hand-offs between threads, 3 % faster on two threads, for
    /// ~6 MB more in flight.
    public static let batchSize = 128

    /// Runs everything `reader` yields and returns the summary; stops early if the report can no
    /// longer be written (``OutputSink/failure``, which the caller reports).
    public static func run(_ session: CheckSession, reader: RecordReader, renderer: inout any ReportRenderer,
                           output: OutputSink, progress: ProgressLine, jobs: Int) -> ReportSummary {
        var summary = ReportSummary()
        output.write(renderer.begin())
        let streaming = renderer.streaming
        var kept: [ApplicationResult] = []
        var processedBytes = 0
        func write(_ batch: Processed) {
            summary.add(batch.summary)
            batch.output?.text.withBytes(output.write)
            kept += batch.results
            processedBytes += batch.bytes
            progress.update(done: summary.applications, fraction: reader.totalBytes.map { Double(processedBytes) / Double(max($0, 1)) })
        }
        // An arena per evaluating thread: keep what they free (see the header) — 20,000 page
        // faults for 100,000 applications on two threads became 4,700 (3,000 on one).
        let jobs = max(jobs, 1)
        if jobs > 1 { check_keep_freed_memory() }
        let pipeline = Pipeline(reader: reader, jobs: jobs)
        for _ in 1..<jobs {
            Thread {
                CrashNotice.prepareThread()
                let evaluator = session.makeEvaluator()
                while case .work(let sequence, let records) = pipeline.nextWork(waiting: true) {
                    pipeline.complete(sequence, process(records, sequence: sequence, evaluator: evaluator, renderer: streaming))
                }
            }.start()
        }
        // This thread is the last job (the only one for `--jobs 1`): it writes what is finished,
        // in order, and evaluates a batch whenever it has nothing to write (a thread that only
        // wrote woke for every batch and took the core from an evaluating one).
        let evaluator = session.makeEvaluator()
        // (A report that can no longer be written ends the run: `check … | head` stops early.)
        evaluating: while output.failure == nil {
            while let batch = pipeline.nextInOrder(waiting: false) { write(batch) }
            switch pipeline.nextWork(waiting: false) {
            case .work(let sequence, let records):
                pipeline.complete(sequence, process(records, sequence: sequence, evaluator: evaluator, renderer: streaming))
            case .full:
                // As many batches are out as allowed: the next to write is another thread's.
                guard let batch = pipeline.nextInOrder(waiting: true) else { break evaluating }
                write(batch)
            case .done:
                break evaluating
            }
        }
        while output.failure == nil, let batch = pipeline.nextInOrder(waiting: true) { write(batch) }
        progress.finish()
        guard output.failure == nil else {
            pipeline.stop()
            return summary
        }
        renderer.keep(kept)
        output.write(renderer.finish(summary))
        output.flush()
        return summary
    }

    /// A batch's part of a streaming report (a class: it is handed to the writing thread, and
    /// the text is not copied out of the buffer it was written into).
    /// (Unchecked `Sendable`: written by the evaluating thread before the pipeline's lock hands
    /// it over, only read after.)
    final class BatchText: @unchecked Sendable {
        let text: JSONPieces
        init(_ text: consuming JSONPieces) { self.text = text }
    }

    /// One batch, evaluated: its text (streaming formats) or its results (document formats),
    /// its summary, and the input bytes it came from.
    struct Processed: Sendable {
        /// Nil for a report that is written at the end.
        let output: BatchText?
        let results: [ApplicationResult]
        let summary: ReportSummary
        let bytes: Int
    }

    static func process(_ records: [InputRecord], sequence: Int, evaluator: Evaluator, renderer: (any StreamingReportRenderer)?) -> Processed {
        let bytes = records.reduce(0) { total, record in
            if case .application(let data, _, _) = record { return total + data.count + 1 }
            return total
        }
        let results = evaluator.evaluate(records)
        var summary = ReportSummary()
        summary.add(contentsOf: results)
        guard let renderer else { return Processed(output: nil, results: results, summary: summary, bytes: bytes) }
        // Room for the results (~9 KB each in the benchmark) without growing.
        var output = JSONPieces(capacity: results.count * 12_288)
        for (index, result) in results.enumerated() {
            renderer.write(result, first: sequence == 0 && index == 0, to: &output)
        }
        return Processed(output: BatchText(output), results: [], summary: summary, bytes: bytes)
    }
}

/// The hand-offs of the parallel run: the evaluating threads take numbered batches from the
/// reader (one at a time) and hand back finished ones; the writing thread (itself evaluating
/// between writes) takes them in input order. At most `limit` batches are read and not yet
/// written.
/// (Unchecked `Sendable`: every stored variable, and the reader, is used only under `condition`.)
private final class Pipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private let reader: RecordReader
    private var finished: [Int: BatchRun.Processed] = [:]
    private var inputDone = false
    private var read = 0
    private var next = 0
    private let limit: Int

    init(reader: RecordReader, jobs: Int) {
        self.reader = reader
        limit = jobs * 4
    }

    /// What ``nextWork(waiting:)`` found.
    enum Work {
        /// A batch to evaluate, with its sequence number.
        case work(Int, [InputRecord])
        /// As many batches are read and not written as allowed (only when not waiting).
        case full
        /// The input is done.
        case done
    }

    /// The next batch to evaluate; when as many are out as allowed, waits for one to be written,
    /// or (`waiting` false) says so at once.
    func nextWork(waiting: Bool) -> Work {
        condition.lock()
        defer { condition.unlock() }
        while !inputDone && read - next >= limit {
            guard waiting else { return .full }
            condition.wait()
        }
        guard !inputDone else { return .done }
        let records = reader.next(BatchRun.batchSize)
        guard !records.isEmpty else {
            inputDone = true
            condition.broadcast()
            return .done
        }
        read += 1
        return .work(read - 1, records)
    }

    /// Ends the run early (the report cannot be written): no more batches are handed out; the
    /// threads finish the one they hold and stop.
    func stop() {
        condition.lock()
        inputDone = true
        condition.broadcast()
        condition.unlock()
    }

    func complete(_ sequence: Int, _ batch: BatchRun.Processed) {
        condition.lock()
        finished[sequence] = batch
        condition.broadcast()
        condition.unlock()
    }

    /// The next finished batch in input order; nil after the last, or (`waiting` false) when
    /// it is not finished yet.
    func nextInOrder(waiting: Bool) -> BatchRun.Processed? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let batch = finished.removeValue(forKey: next) {
                next += 1
                condition.broadcast()
                return batch
            }
            if !waiting || inputDone && next >= read { return nil }
            condition.wait()
        }
    }
}
