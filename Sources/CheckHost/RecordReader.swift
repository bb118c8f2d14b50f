import CheckJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads input records lazily, in constant memory: files one after another (folders walked for
/// `.json` and `.jsonl`, sorted), JSON Lines in chunks, standard input as JSON Lines (or one
/// JSON document over several lines). A record larger than `maximumRecordBytes` becomes an
/// error record without being held in memory.
public final class RecordReader {
    /// The largest application accepted, in bytes.
    public let maximumRecordBytes: Int
    private var sources: [Source]
    private var current: LineSource?
    private var records: [InputRecord] = []
    /// Bytes consumed so far, and the total if known (for progress).
    public private(set) var bytesRead = 0
    /// The total size of the named files (nil when reading standard input).
    public let totalBytes: Int?

    private enum Source {
        case file(String)
        case standardInput
        case unreadable(String, InputProblem)
    }

    /// A reader over command-line `arguments` (files, folders, `-`).
    public init(_ arguments: [String], maximumRecordBytes: Int = 16 << 20) {
        self.maximumRecordBytes = maximumRecordBytes
        var sources: [Source] = []
        var total = 0
        var known = true
        for argument in arguments {
            if argument == "-" {
                sources.append(.standardInput)
                known = false
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                sources.append(.unreadable(argument, InputProblem(path: "$", expected: "a readable .json or .jsonl file, a folder, or -", found: "no such file or folder")))
                continue
            }
            var files = [argument]
            if isDirectory.boolValue {
                let (found, problems) = Inputs.applicationFiles(in: argument)
                files = found
                for (path, problem) in problems {
                    sources.append(.unreadable(path, InputProblem(path: "$", expected: "a readable .json or .jsonl file or folder", found: problem)))
                }
                if found.isEmpty && problems.isEmpty {
                    sources.append(.unreadable(argument, InputProblem(path: "$", expected: "a folder holding .json or .jsonl files", found: "none")))
                }
            }
            for file in files {
                sources.append(.file(file))
                var info = stat()
                if stat(file, &info) == 0 { total += Int(info.st_size) }
            }
        }
        self.sources = sources.reversed()
        totalBytes = known ? total : nil
    }

    /// Up to `count` records; an empty array when everything has been read.
    public func next(_ count: Int) -> [InputRecord] {
        var batch: [InputRecord] = []
        batch.reserveCapacity(count)
        while batch.count < count {
            if let line = current {
                if let record = line.next() {
                    batch.append(record)
                    continue
                }
                bytesRead += line.consumed
                current = nil
            }
            guard let source = sources.popLast() else { break }
            switch source {
            case .unreadable(let name, let problem): batch.append(.unreadable(source: name, problem: problem))
            case .standardInput: current = LineSource(descriptor: 0, name: "-", maximum: maximumRecordBytes, mode: .standardInput)
            case .file(let path):
                // Non-blocking open: a FIFO or device must not hang the run.
                let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
                guard descriptor >= 0 else {
                    batch.append(.unreadable(source: path, problem: InputProblem(path: "$", expected: "a readable file", found: "a file that cannot be read (\(String(cString: strerror(errno))))")))
                    continue
                }
                var info = stat()
                guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                    close(descriptor)
                    batch.append(.unreadable(source: path, problem: InputProblem(path: "$", expected: "a regular file", found: "a FIFO, socket or device")))
                    continue
                }
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
                current = LineSource(descriptor: descriptor, name: path, maximum: maximumRecordBytes, mode: path.hasSuffix(".jsonl") ? .lines : .document)
            }
        }
        return batch
    }
}

/// The records of one file or of standard input.
private final class LineSource {
    /// `name:line`, written in place in one string (interpolating the number cost some 1,000
    /// instructions for every line of a batch).
    static func source(_ name: String, line: Int) -> String {
        let digits = DecimalDigits.count(line)
        var name = name
        return name.withUTF8 { prefix in
            String(unsafeUninitializedCapacity: prefix.count + 1 + digits) { text in
                _ = UnsafeMutableBufferPointer(rebasing: text[..<prefix.count]).initialize(fromContentsOf: prefix)
                text[prefix.count] = UInt8(ascii: ":")
                DecimalDigits.write(line, width: digits, into: text, at: prefix.count + 1)
                return prefix.count + 1 + digits
            }
        }
    }

    enum Mode { case lines, document, standardInput }

    let descriptor: Int32
    let name: String
    let maximum: Int
    var mode: Mode
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false
    private var lineNumber = 0
    private var skippingLongLine = false
    private var delivered = 0
    private var reportedEmpty = false
    private(set) var consumed = 0

    init(descriptor: Int32, name: String, maximum: Int, mode: Mode) {
        self.descriptor = descriptor
        self.name = name
        self.maximum = maximum
        self.mode = mode
    }

    deinit {
        if descriptor > 0 { close(descriptor) }
        chunk.deallocate()
    }

    private static let chunkSize = 1 << 20
    /// Where `read` puts the bytes before they join `buffer`. Not initialised: only the pages a
    /// read writes are touched (zeroing a mebibyte was a tenth of a millisecond and 256 page
    /// faults before a one-line file was read).
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: LineSource.chunkSize, alignment: 16)

    /// Reads more input; false at end of input.
    private func fill() -> Bool {
        guard !ended else { return false }
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > LineSource.chunkSize {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        var count = 0
        repeat {
            count = read(descriptor, chunk.baseAddress!, chunk.count)
        } while count < 0 && errno == EINTR
        guard count > 0 else {
            ended = true
            return false
        }
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        consumed += count
        return true
    }

    /// The index of the next newline at or after `start`, if the buffer holds one.
    private func newline() -> Int? {
        guard start < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { bytes -> Int? in
            guard let found = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start) else { return nil }
            return bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    func next() -> InputRecord? {
        let record = nextRecord()
        if record != nil { delivered += 1 }
        return record
    }

    private func nextRecord() -> InputRecord? {
        switch mode {
        case .document: return nextDocument()
        case .standardInput:
            // JSON Lines, unless the first non-blank line is an incomplete JSON value. At most
            // a record's bytes are read to find that line: a first line longer than that is
            // JSON Lines' too-long line (so endless input without a newline, such as
            // /dev/zero, is read in bounded memory).
            while newline() == nil && buffer.count - start <= maximum && fill() {}
            mode = .lines
            if let newline = newline() ?? (ended && buffer.count > start ? buffer.count : nil) {
                let first = Array(buffer[start..<newline])
                if first.contains(where: { !Inputs.isWhitespace($0) }) {
                    do throws(JSONSyntaxError) {
                        _ = try JSONReader.parse(first)
                    } catch {
                        if error.found == "end of input" { mode = .document }
                    }
                }
            }
            return nextRecord()
        case .lines: return nextLine()
        }
    }

    private func nextDocument() -> InputRecord? {
        guard delivered == 0 else { return nil }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            // A regular file: one read of its size (bounded).
            guard Int(info.st_size) <= maximum else {
                ended = true
                return .unreadable(source: name, problem: InputProblem(path: "$", expected: "an application of at most \(maximum >> 20) MB", found: "a file of \(Int(info.st_size) >> 20) MB"))
            }
            buffer.reserveCapacity(Int(info.st_size) + 1)
        }
        while fill() {
            if buffer.count - start > maximum {
                ended = true
                buffer = []
                start = 0
                return .unreadable(source: name, problem: InputProblem(path: "$", expected: "an application of at most \(maximum >> 20) MB", found: "a larger input"))
            }
        }
        let bytes = start == 0 ? buffer : Array(buffer[start...])
        buffer = []
        start = 0
        guard bytes.contains(where: { !Inputs.isWhitespace($0) }) else {
            return .unreadable(source: name, problem: InputProblem(path: "$", expected: "a JSON object (an application)", found: "an empty file"))
        }
        return .application(bytes: bytes, source: name, line: nil)
    }

    private func nextLine() -> InputRecord? {
        while true {
            if let newline = newline() {
                lineNumber += 1
                defer { start = newline + 1 }
                if skippingLongLine {
                    skippingLongLine = false
                    continue
                }
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                guard buffer[start..<end].contains(where: { !Inputs.isWhitespace($0) }) else { continue }
                return .application(bytes: Array(buffer[start..<end]), source: LineSource.source(name, line: lineNumber), line: lineNumber)
            }
            if buffer.count - start > maximum && !skippingLongLine {
                // Too long: report it, and drop the rest of the line as it arrives.
                skippingLongLine = true
                buffer.removeAll(keepingCapacity: true)
                start = 0
                return .unreadable(source: "\(name):\(lineNumber + 1)", problem: InputProblem(path: "$", expected: "a line of at most \(maximum >> 20) MB", found: "a longer line"))
            }
            if skippingLongLine {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            guard fill() else {
                // The last line may lack a newline.
                guard start < buffer.count, !skippingLongLine else {
                    if delivered == 0 && mode == .lines && !reportedEmpty {
                        reportedEmpty = true
                        return .unreadable(source: name, problem: InputProblem(path: "$", expected: "JSON Lines: one application per line", found: "no lines"))
                    }
                    return nil
                }
                buffer.append(0x0A)
                continue
            }
        }
    }
}
