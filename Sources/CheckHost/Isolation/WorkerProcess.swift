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
/// the application it was on gets a `failed` outcome and a fresh worker takes the rest. Each
/// worker leads a process group of its own, and the whole group is killed whenever the worker
/// stops: what a plugin starts (a forked child) never outlives it, and a child holding the
/// worker's pipes cannot turn a crash into a time-out (the worker's end is seen by `waitpid`).
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
    /// The worker's status once it was reaped while its pipes were still open (see ``hasEnded()``).
    private var reapedStatus: Int32?
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

    /// Starts the worker process; ``hello()`` reads what it says once loaded. (Workers spawned
    /// one after another load their plugins side by side.)
    func spawn() throws(WorkerProtocolError) {
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
        var arguments = [launch.executable, WorkerMain.command, launch.plugin]
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
        // Its own process group (pgid = its pid), killed as a whole.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var child: pid_t = 0
        let status = posix_spawn(&child, launch.executable, &actions, &attributes, argv, envp)
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
        reapedStatus = nil
        toWorker = input[1]
        fromWorker = output[0]
        errorsFromWorker = errors[0]
        stderrTail = []
        for descriptor in [toWorker, fromWorker, errorsFromWorker] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        _ = fcntl(toWorker, 1031 /* F_SETPIPE_SZ */, 1 << 20)
        _ = fcntl(fromWorker, 1031 /* F_SETPIPE_SZ */, 1 << 20)
    }

    /// Reads the spawned worker's hello (or refusal).
    func hello() throws(WorkerProtocolError) -> Hello {
        var buffer: [UInt8] = []
        // Start-up (loading the plugin and its rule data) has the same limit as an application.
        let deadline = Date().addingTimeInterval(launch.timeout)
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
                    drainErrors()
                    let why = reap()
                    throw WorkerProtocolError("the worker ended before loading the plugin (\(why))\(tailText)")
                }
            case .timedOut:
                stop()
                throw WorkerProtocolError("the worker did not load the plugin within \(formatSeconds(launch.timeout)) (--plugin-timeout)")
            }
        }
    }

    /// One batch on one worker: what is still to be sent, what came back, and until when the
    /// application it is on may take.
    private struct Exchange {
        /// The outcome of each application answered so far, in order.
        var outcomes: [WorkerOutcome] = []
        /// The request being sent (nil until the worker is sent the applications still unanswered).
        var request: [UInt8]? = nil
        /// How much of it the worker has been given.
        var written = 0
        /// Bytes read from the worker: `received[consumed...]` is the start of a response.
        var received: [UInt8] = []
        var consumed = 0
        /// When the application the worker is on fails as timed out.
        var deadline = Date.distantFuture
    }

    /// The batch this worker is evaluating. (Unchecked: only the thread that borrowed the
    /// worker's set touches it, and a checked access cost a run-time call on every one.)
    @exclusivity(unchecked) private var exchange = Exchange()
    /// Whether applications of the batch are unanswered and not sent (the worker needs them sent, and maybe a restart).
    private func isIdle(in batch: EncodedBatch) -> Bool { exchange.outcomes.count < batch.count && exchange.request == nil }

    /// Evaluates the applications of `batch` on every worker of `workers` side by side (one
    /// `poll` over all of them, so they use the cores while the host waits), restarting each as
    /// often as needed. Returns each worker's outcomes, one per application, in the order of `workers`.
    static func evaluate(_ batch: EncodedBatch, on workers: [WorkerProcess]) -> [[WorkerOutcome]] {
        for worker in workers {
            worker.exchange = Exchange()
            worker.exchange.outcomes.reserveCapacity(batch.count)
        }
        var descriptors: [pollfd] = []
        // Each watched worker with the descriptors that are its own.
        var watched: [(worker: WorkerProcess, descriptors: Range<Int>)] = []
        while true {
            // Send the unanswered applications to every worker not yet sent them, (re)starting
            // those not running (all spawned before any hello is awaited); the time the starts take
            // does not count against the deadlines of the workers already at work.
            let idle = workers.filter { $0.isIdle(in: batch) }
            if !idle.isEmpty {
                let began = Date()
                let starting = idle.filter { !$0.isRunning }
                for worker in starting { worker.restart(batch) }
                for worker in idle where worker.exchange.outcomes.count < batch.count {
                    if starting.contains(where: { $0 === worker }) { worker.awaitHello(batch) }
                    if worker.isRunning { worker.send(batch) }
                }
                let paused = Date().timeIntervalSince(began)
                for worker in workers where worker.exchange.request != nil && !idle.contains(where: { $0 === worker }) {
                    worker.exchange.deadline += paused
                }
            }
            descriptors.removeAll(keepingCapacity: true)
            watched.removeAll(keepingCapacity: true)
            var nearest = Date.distantFuture
            for worker in workers where worker.exchange.request != nil {
                let first = descriptors.count
                worker.watch(into: &descriptors)
                watched.append((worker, first..<descriptors.count))
                nearest = min(nearest, worker.exchange.deadline)
            }
            if descriptors.isEmpty { return workers.map { $0.exchange.outcomes } }
            // At most 250 ms: a worker that died while a child of its holds its pipes shows no
            // event; each round looks for it with waitpid (``hasEnded()``).
            let ready = poll(&descriptors, nfds_t(descriptors.count), max(0, Int32(min(nearest.timeIntervalSinceNow * 1000, 250))))
            if ready < 0 {
                if errno == EINTR { continue }
                let reason = "poll failed: \(String(cString: strerror(errno)))"
                for worker in workers where worker.exchange.request != nil { worker.fail(reason) }
                continue
            }
            for (worker, range) in watched { worker.step(descriptors[range], batch) }
        }
    }

    /// Starts the worker (again, or for the first time in a new set of the pool) for the
    /// applications of `batch` not yet answered; they all fail if it cannot be started.
    private func restart(_ batch: EncodedBatch) {
        do {
            try spawn()
        } catch {
            failRest(of: batch, "the worker could not be \(startedWord): \(error)")
        }
    }

    /// Reads the hello of the worker ``restart(_:)`` started; the applications not yet answered
    /// all fail if it refuses the plugin or never says hello.
    private func awaitHello(_ batch: EncodedBatch) {
        let reason: String
        do {
            guard case .refused(let refusal) = try hello() else { return }
            reason = "the \(startedWord) worker refused the plugin: \(refusal)"
        } catch {
            stop()
            reason = "the worker could not be \(startedWord): \(error)"
        }
        failRest(of: batch, reason)
    }

    /// "restarted", or "started" for this worker's first start (a set of the pool made for
    /// another job starts its workers in the middle of a run).
    private var startedWord: String { starts > 1 ? "restarted" : "started" }

    /// Every application of `batch` not yet answered fails with `reason`.
    private func failRest(of batch: EncodedBatch, _ reason: String) {
        exchange.outcomes += repeatElement(.failed(reason), count: batch.count - exchange.outcomes.count)
    }

    /// Sends the worker the applications of `batch` not yet answered.
    private func send(_ batch: EncodedBatch) {
        exchange.request = batch.request(from: exchange.outcomes.count)
        exchange.written = 0
        exchange.received = []
        exchange.consumed = 0
        exchange.deadline = Date().addingTimeInterval(launch.timeout)
    }

    /// The descriptors to poll for this worker: its output, its standard error, and its input
    /// while some of the request is unsent.
    private func watch(into descriptors: inout [pollfd]) {
        descriptors.append(pollfd(fd: fromWorker, events: Int16(POLLIN), revents: 0))
        descriptors.append(pollfd(fd: errorsFromWorker, events: Int16(POLLIN), revents: 0))
        if exchange.written < exchange.request!.count { descriptors.append(pollfd(fd: toWorker, events: Int16(POLLOUT), revents: 0)) }
    }

    /// The application the worker is on fails with `reason`; the worker is stopped (the next
    /// round restarts it for the rest).
    private func fail(_ reason: String) {
        exchange.outcomes.append(.failed(reason))
        exchange.request = nil
        stop()
    }

    /// Acts on what `poll` reported for the descriptors ``watch(into:)`` gave: writes more of
    /// the request, reads complete responses in order, and fails the application the worker is
    /// on if the worker ended, garbled its output or passed the deadline.
    private func step(_ polled: ArraySlice<pollfd>, _ batch: EncodedBatch) {
        let output = polled[polled.startIndex], errors = polled[polled.startIndex + 1]
        if errors.revents != 0 { drainErrors() }
        if polled.count > 2, polled[polled.startIndex + 2].revents & Int16(POLLOUT | POLLERR | POLLHUP) != 0 {
            let written = exchange.written
            let count = exchange.request!.withUnsafeBytes { raw in Glibc.write(toWorker, raw.baseAddress! + written, raw.count - written) }
            if count > 0 { exchange.written += count }
        }
        // A worker that died with a child holding its output: read what it sent, then fail.
        let died = output.revents == 0 && hasEnded()
        if output.revents != 0 || died {
            let ended = readAvailable(fromWorker, into: &exchange.received) || died
            // Complete responses, in order.
            while true {
                let frame: WorkerProtocol.Response?
                do {
                    frame = try WorkerProtocol.nextResponse(exchange.received[exchange.consumed...], expected: UInt32(exchange.outcomes.count))
                } catch {
                    killGroup()
                    return fail("malformed output from the worker: \(error)")
                }
                guard let frame else { break }
                exchange.consumed += frame.length
                exchange.outcomes.append(.events(status: frame.status, events: frame.events))
                exchange.deadline = Date().addingTimeInterval(launch.timeout)
            }
            if exchange.outcomes.count == batch.count {
                exchange.request = nil
                return
            }
            // The outcomes keep the bytes read so far; later reads go to a new buffer (appending
            // to the shared one would copy all of it).
            if exchange.consumed > 0 {
                exchange.received = Array(exchange.received[exchange.consumed...])
                exchange.consumed = 0
            }
            if ended {
                // What it wrote to standard error before it ended (reap closes the pipes).
                drainErrors()
                let why = reap()
                return fail("the plugin's worker \(why) while evaluating this application\(tailText); restarted for the rest")
            }
        }
        if exchange.deadline.timeIntervalSinceNow <= 0 {
            killGroup()
            fail("timed out after \(formatSeconds(launch.timeout)) (--plugin-timeout); the worker was killed and restarted")
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
                readChunk.withUnsafeBufferPointer { target.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<count])) }
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

    /// Kills the worker's whole process group: the worker and whatever its plugin started.
    private func killGroup() {
        guard pid > 0 else { return }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
    }

    /// Whether the worker has ended, found by `waitpid` (for when its pipes stay open because a
    /// child of the plugin holds them); the rest of its group is killed at once.
    private func hasEnded() -> Bool {
        guard pid > 0 else { return false }
        if reapedStatus != nil { return true }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return false }
        reapedStatus = status
        kill(-pid, SIGKILL)
        return true
    }

    /// Waits for the worker to end and says how it ended.
    private func reap() -> String {
        guard pid > 0 else { return "ended" }
        let description = describeExit(waitForExit(milliseconds: 200))
        closePipes()
        pid = 0
        return description
    }

    /// Stops the worker: closes its input, on which an idle worker ends at once (cleanly, so a
    /// profiler or sanitizer in it writes its report); one still running after a second is killed.
    func stop() {
        guard pid > 0 else { return }
        closeInput()
        _ = waitForExit(milliseconds: 1000)
        closePipes()
        pid = 0
    }

    /// Closes the worker's input: an idle worker ends. (Closing every worker's input before
    /// stopping any lets them end side by side.)
    func closeInput() {
        guard toWorker >= 0 else { return }
        close(toWorker)
        toWorker = -1
    }

    /// The worker's exit status, once it has ended on its own within `milliseconds` or been
    /// killed; either way what is left of its process group is killed.
    private func waitForExit(milliseconds: Int) -> Int32 {
        defer { kill(-pid, SIGKILL) }
        if let reapedStatus { return reapedStatus }
        var status: Int32 = 0
        for _ in 0..<milliseconds {
            if waitpid(pid, &status, WNOHANG) != 0 { return status }
            usleep(1000)
        }
        killGroup()
        waitpid(pid, &status, 0)
        return status
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
