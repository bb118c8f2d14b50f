/// An error the host reports as one line and exits on (usage, configuration, rule data).
public struct HostError: Error, Sendable, CustomStringConvertible {
    /// The message.
    public let description: String

    /// An error with `message`.
    public init(_ message: String) {
        description = message
    }
}
