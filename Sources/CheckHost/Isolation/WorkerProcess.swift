import CCheckABI
import CheckAPI
import CheckJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What came back from a worker for one application.
enum WorkerOutcome {
    /// The plugin returned `status` after these sink calls (``WorkerEvent``s, as encoded).
    case events(status: Int32, events: ArraySlice<UInt8>)
    /// The worker could not evaluate it: crash, timeout, malformed output.
    case failed(String)
}

/// One plugin in a child process (`check __worker FILE`), fed batches of applications over pipes
/// with a deadline per application. A worker that crashes, hangs or garbles its output is killed;
/// the application it was on gets a `failed` outcome and a fresh worker takes the rest.
final class WorkerProcess {
    struct Launch: Sendable {
        /// The `check` executable (which has the worker mode).
        let executable: String
        /// The plugin file.
        let plugin: String
        /// Rules roots and the allowlist, passed on.
        let rulesRoots: [URL]
        let allowlist: String?
        /// The per-application time limit, seconds.
        let timeout: Double
        /// The message languages the worker asks its plugin for.
        let messageLanguages: MessageLanguages
    }

    enum Hello {
        case plugin(PluginDescription, abi: UInt32)
        case refused(String)
    }

    let launch: Launch
    private var pid: pid_t = 0
    private var toWorker: Int32 = -1
    private var fromWorker: Int32 = -1
    private var errorsFromWorker: Int32 = -1
    private var stderrTail: [UInt8] = []
    /// The buffer every read goes through (allocated once, not zeroed per read).
    private var readChunk = [UInt8](repeating: 0, count: 1 << 16)  // the start of the current worker's stderr
    /// How many times a worker was started.
    private(set) var starts = 0

    init(_ launch: Launch) {
        self.launch = launch
    }

    deinit { stop() }

    var isRunning: Bool { pid > 0 }

    /// Serialises pipe creation and spawning, so no child inherits another worker's pipe ends
    /// in the moment before they are marked close-on-exec.
    private static let spawnLock = NSLock()

    /// Starts the worker and reads its hello (or refusal).
    func start() throws(WorkerProtocolError) -> Hello {
        stop()
        starts += 1
        WorkerProcess.spawnLock.lock()
        var locked = true
        defer { if locked { WorkerProcess.spawnLock.unlock() } }
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0, pipe(&errors) == 0 else {
            throw WorkerProtocolError("cannot create pipes: \(String(cString: strerror(errno)))")
        }
        // The parent's ends must not leak into other workers.
        for descriptor in input + output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        var arguments = [launch.executable, "__worker", launch.plugin]
        for root in launch.rulesRoots { arguments += ["--rules", root.path] }
        if let allowlist = launch.allowlist { arguments += ["--plugin-allowlist", allowlist] }
        arguments += ["--message-languages", String(launch.messageLanguages.rawValue)]
        var environment = ProcessInfo.processInfo.environment
        // Swift's crash handler can take seconds to symbolicate; the host reports the signal instead.
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, launch.executable, &actions, nil, argv, envp)
        close(input[0])
        close(output[1])
        close(errors[1])
        WorkerProcess.spawnLock.unlock()
        locked = false
        guard status == 0 else {
            close(input[1]); close(output[0]); close(errors[0])
            throw WorkerProtocolError("cannot start \(launch.executable): \(String(cString: strerror(status)))")
        }
        pid = child
        toWorker = input[1]
        fromWorker = output[0]
        errorsFromWorker = errors[0]
        stderrTail = []
        for descriptor in [toWorker, fromWorker, errorsFromWorker] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        _ = fcntl(toWorker, 1031 /* F_SETPIPE_SZ */, 1 << 20)

        var buffer: [UInt8] = []
        let deadline = Date().addingTimeInterval(max(30, launch.timeout))
        while true {
            if buffer.count >= 8 {
                let (magic, length) = try buffer.withUnsafeBufferPointer { bytes throws(WorkerProtocolError) in
                    var reader = ByteReader(bytes)
                    return (try reader.uint32(), Int(try reader.uint32()))
                }
                guard length <= WorkerProtocol.maximumFrame else { throw WorkerProtocolError("hello of \(length) bytes") }
                if buffer.count >= 8 + length {
                    let payload = Array(buffer[8..<8 + length])
                    switch magic {
                    case WorkerProtocol.hello:
                        do {
                            let (description, abi) = try PluginMetadata.decode(payload)
                            return .plugin(description, abi: abi)
                        } catch {
                            throw WorkerProtocolError("unreadable hello: \(error)")
                        }
                    case WorkerProtocol.refused:
                        stop()
                        return .refused(String(decoding: payload, as: UTF8.self))
                    default:
                        throw WorkerProtocolError("expected a hello, found bytes \(buffer.prefix(8).map { String($0, radix: 16) }.joined(separator: " "))")
                    }
                }
            }
            switch wait(for: fromWorker, until: deadline) {
            case .ready:
                let ended = readAvailable(fromWorker, into: &buffer)
                if ended && buffer.count < 8 {
                    let why = reap()
                    throw WorkerProtocolError("the worker ended before loading the plugin (\(why))\(tailText)")
                }
            case .timedOut:
                stop()
                throw WorkerProtocolError("the worker did not load the plugin within \(Int(max(30, launch.timeout))) s")
            }
        }
    }

    /// Evaluates the applications of `batch`, restarting the worker as often as needed.
    func evaluate(_ batch: EncodedBatch) -> [WorkerOutcome] {
        var outcomes: [WorkerOutcome] = []
        outcomes.reserveCapacity(batch.count)
        while outcomes.count < batch.count {
            if !isRunning {
                do {
                    if case .refused(let reason) = try start() {
                        return outcomes + Array(repeating: .failed("the restarted worker refused the plugin: \(reason)"), count: batch.count - outcomes.count)
                    }
                } catch {
                    return outcomes + Array(repeating: .failed("the worker could not be restarted: \(error)"), count: batch.count - outcomes.count)
                }
            }
            run(batch, from: outcomes.count, into: &outcomes)
        }
        return outcomes
    }

    /// Sends applications `first…` and collects outcomes until done or the worker fails (then
    /// the application it was on gets `failed` and the worker is stopped).
    private func run(_ batch: EncodedBatch, from first: Int, into outcomes: inout [WorkerOutcome]) {
        let request = batch.request(from: first)
        var written = 0
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        var consumed = 0
        var deadline = Date().addingTimeInterval(launch.timeout)

        func fail(_ reason: String) {
            outcomes.append(.failed(reason))
            stop()
        }

        while outcomes.count < batch.count {
            var fds = [pollfd(fd: fromWorker, events: Int16(POLLIN), revents: 0), pollfd(fd: errorsFromWorker, events: Int16(POLLIN), revents: 0)]
            if written < request.count { fds.append(pollfd(fd: toWorker, events: Int16(POLLOUT), revents: 0)) }
            let wait = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 {
                if errno == EINTR { continue }
                return fail("poll failed: \(String(cString: strerror(errno)))")
            }
            if ready == 0 {
                kill(pid, SIGKILL)
                return fail("timed out after \(formatSeconds(launch.timeout)) (--plugin-timeout); the worker was killed and restarted")
            }
            if fds[1].revents != 0 { drainErrors() }
            if fds.count > 2, fds[2].revents & Int16(POLLOUT | POLLERR | POLLHUP) != 0 {
                let count = request.withUnsafeBytes { raw in Glibc.write(toWorker, raw.baseAddress! + written, raw.count - written) }
                if count > 0 { written += count }
            }
            if fds[0].revents != 0 {
                let ended = readAvailable(fromWorker, into: &buffer)
                // Complete responses, in order.
                while true {
                    let frame: WorkerProtocol.Response?
                    do {
                        frame = try WorkerProtocol.nextResponse(buffer[consumed...], expected: UInt32(outcomes.count))
                    } catch {
                        kill(pid, SIGKILL)
                        return fail("malformed output from the worker: \(error)")
                    }
                    guard let frame else { break }
                    consumed += frame.length
                    outcomes.append(.events(status: frame.status, events: frame.events))
                    deadline = Date().addingTimeInterval(launch.timeout)
                }
                if consumed > 1 << 20 {
                    buffer.removeFirst(consumed)
                    consumed = 0
                }
                if ended && outcomes.count < batch.count {
                    let why = reap()
                    drainErrors()
                    return fail("the plugin's worker \(why) while evaluating this application\(tailText); restarted for the rest")
                }
            }
        }
    }

    /// The first lines the worker wrote to standard error (where a crash message comes first).
    private var tailText: String {
        let text = String(decoding: stderrTail, as: UTF8.self).split(separator: "\n").prefix(2).joined(separator: " | ")
        return text.isEmpty ? "" : " (stderr: \(text))"
    }

    /// Keeps the first 1 KiB the worker writes to standard error; drains the rest.
    private func keepTail(_ bytes: [UInt8]) {
        stderrTail += bytes.prefix(max(0, 1024 - stderrTail.count))
    }

    private enum Wait { case ready, timedOut }

    private func wait(for descriptor: Int32, until deadline: Date) -> Wait {
        while true {
            var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: errorsFromWorker, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, max(0, Int32(deadline.timeIntervalSinceNow * 1000)))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { return .timedOut }
            if fds[1].revents != 0 { drainErrors() }
            if fds[0].revents != 0 { return .ready }
        }
    }

    /// Everything readable now, and whether the other end has closed.
    /// Appends what can be read from `descriptor` now to `target`; true when the other end closed.
    private func readAvailable(_ descriptor: Int32, into target: inout [UInt8]) -> Bool {
        while true {
            let count = readChunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count > 0 {
                target += readChunk[0..<count]
                continue
            }
            if count == 0 { return true }
            if errno == EINTR { continue }
            return errno != EAGAIN && errno != EWOULDBLOCK
        }
    }

    /// Drains the worker's standard error, keeping its start.
    private func drainErrors() {
        var bytes: [UInt8] = []
        _ = readAvailable(errorsFromWorker, into: &bytes)
        keepTail(bytes)
    }

    /// Waits for the worker to end and says how it ended.
    private func reap() -> String {
        guard pid > 0 else { return "ended" }
        var status: Int32 = 0
        var waited: pid_t = 0
        for _ in 0..<200 {
            waited = waitpid(pid, &status, WNOHANG)
            if waited != 0 { break }
            usleep(1000)
        }
        if waited == 0 {
            kill(pid, SIGKILL)
            waited = waitpid(pid, &status, 0)
        }
        let description = describeExit(status)
        closePipes()
        pid = 0
        return description
    }

    /// Stops the worker (closing its input first, then killing it).
    func stop() {
        guard pid > 0 else { return }
        close(toWorker)
        toWorker = -1
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        closePipes()
        pid = 0
    }

    private func closePipes() {
        for descriptor in [toWorker, fromWorker, errorsFromWorker] where descriptor >= 0 { close(descriptor) }
        toWorker = -1
        fromWorker = -1
        errorsFromWorker = -1
    }
}

/// "crashed with signal 11 (SIGSEGV)", "exited with status 3".
func describeExit(_ status: Int32) -> String {
    let signal = status & 0x7F
    if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
    let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGILL: "SIGILL", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
                                  SIGKILL: "SIGKILL", SIGTRAP: "SIGTRAP", SIGTERM: "SIGTERM"]
    return "crashed with signal \(signal) (\(names[signal] ?? "signal"))"
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.2f s", seconds)
}
