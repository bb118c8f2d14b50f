import Foundation

/// The workers of the isolated plugins, shared by a session's evaluators: a set holds one worker
/// per isolated plugin, and a batch borrows a set while its plugins evaluate. There is one set
/// for every two evaluators (workers are busy for a small part of a batch; each set costs a
/// start-up per plugin), made when first needed; an evaluator waits while all are lent.
/// (Unchecked `Sendable`: its variables are used only under `condition`; a lent set belongs to
/// the one evaluator that borrowed it until it is given back.)
final class WorkerPool: @unchecked Sendable {
    /// Workers by plugin file; a worker missing from a set is started when first needed.
    typealias WorkerSet = [String: WorkerProcess]

    private let condition = NSCondition()
    private var idle: [WorkerSet]
    private var made = 1
    private var evaluators = 0

    /// A pool whose first set holds the workers started when the plugins were loaded.
    init(first: WorkerSet) {
        idle = [first]
    }

    deinit {
        let workers = idle.flatMap(\.values)
        workers.forEach { $0.closeInput() }
        workers.forEach { $0.stop() }
    }

    /// Counts one more evaluator sharing the pool.
    func addEvaluator() {
        condition.lock()
        evaluators += 1
        condition.unlock()
    }

    /// A set for one batch: an idle one, a new one while there are fewer than one per two
    /// evaluators, or the next one given back.
    func borrow() -> WorkerSet {
        condition.lock()
        defer { condition.unlock() }
        while idle.isEmpty {
            if made < (evaluators + 1) / 2 {
                made += 1
                return [:]
            }
            condition.wait()
        }
        return idle.removeLast()
    }

    /// Returns a set borrowed with ``borrow()``, with any workers started meanwhile.
    func giveBack(_ set: WorkerSet) {
        condition.lock()
        idle.append(set)
        condition.signal()
        condition.unlock()
    }

    /// How many worker processes the idle sets' workers have started, restarts included.
    var workerStarts: Int {
        condition.lock()
        defer { condition.unlock() }
        return idle.reduce(0) { total, set in set.values.reduce(total) { $0 + $1.starts } }
    }
}
