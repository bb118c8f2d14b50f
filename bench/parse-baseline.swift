// Baseline for throughput: parses every line of a JSON Lines file with Foundation's
// JSONSerialization on N threads (default: all cores), and does nothing else.
// Usage: parse-baseline FILE [THREADS]
import Foundation

let path = CommandLine.arguments[1]
let threads = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2])! : ProcessInfo.processInfo.activeProcessorCount
let data = FileManager.default.contents(atPath: path)!
var lines: [Range<Int>] = []
data.withUnsafeBytes { raw in
    var start = 0
    for index in 0..<raw.count where raw[index] == 0x0A {
        if index > start { lines.append(start..<index) }
        start = index + 1
    }
}
final class Counter: @unchecked Sendable {
    let lock = NSLock()
    var parsed = 0
}
let counter = Counter()
let shared = data
DispatchQueue.concurrentPerform(iterations: threads) { worker in
    var count = 0
    for line in stride(from: worker, to: lines.count, by: threads) {
        if (try? JSONSerialization.jsonObject(with: shared.subdata(in: lines[line]))) != nil { count += 1 }
    }
    counter.lock.lock()
    counter.parsed += count
    counter.lock.unlock()
}
print(counter.parsed)
