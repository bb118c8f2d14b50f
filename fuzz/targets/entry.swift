// The libFuzzer entry point: one binary for all targets, chosen by CHECK_FUZZ_TARGET.
import Foundation

private let target = ProcessInfo.processInfo.environment["CHECK_FUZZ_TARGET"] ?? "application"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntry(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    switch target {
    case "ruledata": fuzzRuleData(data, count)
    case "results": fuzzResults(data, count)
    default: fuzzApplication(data, count)
    }
}
