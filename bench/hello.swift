// Baseline for the cold-start ratio: a Swift program that only starts Foundation and prints "ok".
import Foundation
print("ok")
