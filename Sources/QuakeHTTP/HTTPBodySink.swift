import Foundation

/// Where a response body goes when it must be read as it arrives rather than whole: a
/// Kubernetes watch, a stream that only ends when the server closes it.
///
/// ``receive`` is called on the engine's thread with each chunk, in order, and must return
/// quickly (hand the chunk over and return); returning `false` stops the transfer, which then
/// fails with ``HTTPError/Code/cancelled``. The response's ``HTTPResponse/body`` stays empty and
/// ``HTTPRequest/maxBodyBytes`` does not apply: the receiver bounds what it keeps.
public struct HTTPBodySink: Sendable {
    /// Takes one chunk; returns whether the transfer goes on.
    public let receive: @Sendable (Data) -> Bool

    /// A sink calling `receive` with each chunk.
    public init(_ receive: @escaping @Sendable (Data) -> Bool) {
        self.receive = receive
    }
}
