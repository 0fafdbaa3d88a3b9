import Foundation
import QuakeHTTP
import Synchronization

/// One event of a watch: `ADDED`, `MODIFIED`, `DELETED` or `BOOKMARK` (only a resourceVersion to
/// resume from), with the object.
public struct KubeWatchEvent: Sendable, Equatable {
    public var type: String
    public var object: KubeJSON

    /// The object's `metadata.resourceVersion`, from which a new watch resumes.
    public var resourceVersion: String? { object[path: "metadata.resourceVersion"]?.string }
}

extension KubeClient {
    /// The most events a watch holds for a consumer that has not taken them yet; past that it
    /// stops with an error, and the caller lists again.
    public static let watchBacklog = 10_000

    /// Watches `path` from `resourceVersion` (`GET …?watch=true&allowWatchBookmarks=true`): the
    /// events as the server streams them, until it closes the watch after `timeoutSeconds`.
    ///
    /// The stream throws ``KubeError`` `gone` when the server says the version is too old (an
    /// `ERROR` event with a 410 Status, or a 410 answer): list again and watch from there. Ending
    /// the iteration early stops the transfer.
    public func watch(_ path: String, query: [(String, String)] = [], resourceVersion: String, timeoutSeconds: Int = 300) -> AsyncThrowingStream<KubeWatchEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: KubeWatchEvent.self, bufferingPolicy: .bufferingOldest(Self.watchBacklog))
        let location = "GET \(path) (watch)"
        let lines = KubeWatchLines(location: location, continuation: continuation)
        let parameters = query + [("watch", "true"), ("resourceVersion", resourceVersion), ("allowWatchBookmarks", "true"), ("timeoutSeconds", String(timeoutSeconds))]
        let task = Task {
            do {
                let sink = HTTPBodySink { lines.receive($0) }
                let status = try await streamBody(path, query: parameters, sink: sink, timeout: .seconds(timeoutSeconds + 30))
                if let failure = lines.failure { throw failure }
                guard (200..<300).contains(status) else {
                    throw KubeStatus.error(status: status, body: lines.unparsed, location: location)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: lines.failure ?? error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

/// Splits a watch's streamed body into JSON lines and hands each event on; runs on the HTTP
/// engine's thread. A line longer than 16 MiB, a line that is not an event, an `ERROR` event or
/// a consumer that falls behind stops the transfer and becomes the stream's error.
final class KubeWatchLines: Sendable {
    static let lineLimit = 16 << 20

    private let location: String
    private let continuation: AsyncThrowingStream<KubeWatchEvent, any Error>.Continuation
    private let state = Mutex((pending: Data(), failure: KubeError?.none))

    init(location: String, continuation: AsyncThrowingStream<KubeWatchEvent, any Error>.Continuation) {
        self.location = location
        self.continuation = continuation
    }

    /// Why the watch stopped, if it was not the server closing it.
    var failure: KubeError? { state.withLock { $0.failure } }

    /// What is left of the body that was not a whole line (an error answer's Status, when the
    /// watch was refused outright).
    var unparsed: Data { state.withLock { $0.pending } }

    /// Takes one chunk; returns whether the transfer goes on.
    func receive(_ chunk: Data) -> Bool {
        state.withLock { state in
            guard state.failure == nil else { return false }
            state.pending.append(chunk)
            while let newline = state.pending.firstIndex(of: 0x0A) {
                let line = state.pending[state.pending.startIndex..<newline]
                state.pending.removeSubrange(state.pending.startIndex...newline)
                guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) else { continue }
                if let failure = deliver(Data(line)) {
                    state.failure = failure
                    return false
                }
            }
            if state.pending.count > Self.lineLimit {
                state.failure = KubeError(code: .api, message: "a watch event is longer than \(Self.lineLimit) bytes", location: location)
                return false
            }
            return true
        }
    }

    /// Hands one line's event on; the error that ends the watch, if any.
    private func deliver(_ line: Data) -> KubeError? {
        let json = try? KubeJSON.parse(line, what: "a watch event")
        // A refused watch answers with a Status, not events (the body comes before its status is read).
        if let json, json["kind"]?.string == "Status", json["type"] == nil {
            return KubeStatus.error(status: Int(json["code"]?.number ?? 500), body: line, location: location)
        }
        guard let json, let type = json["type"]?.string, let object = json["object"] else {
            return KubeError(code: .api, message: "the watch sent a line that is not an event: \(String(decoding: line.prefix(200), as: UTF8.self))", location: location)
        }
        if type == "ERROR" {
            let code = Int(object["code"]?.number ?? 500)
            return KubeStatus.error(status: code, body: object.data, location: location)
        }
        if case .dropped = continuation.yield(KubeWatchEvent(type: type, object: object)) {
            return KubeError(code: .api, message: "more than \(KubeClient.watchBacklog) watch events were waiting to be read", location: location)
        }
        return nil
    }
}
