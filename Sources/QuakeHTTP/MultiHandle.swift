import CCurl

/// Owns one libcurl multi handle — its connection pool among other things — and the easy
/// handles added to it. With ``EasyHandle``, the only code that touches libcurl's pointers.
///
/// Not `Sendable`: it is created, driven and closed on the engine's thread. Only its ``Waker``
/// crosses threads.
final class MultiHandle {
    /// Wakes the engine's thread out of ``MultiHandle/poll(timeoutMilliseconds:)`` from any
    /// thread (`curl_multi_wakeup`).
    ///
    /// Valid until the multi handle is closed: ``HTTPEngine`` keeps it under its lock and drops
    /// it, under the same lock, before the engine's thread closes the handle.
    struct Waker: @unchecked Sendable {
        fileprivate let multi: UnsafeMutableRawPointer

        /// Makes a `poll` in progress, or the next one, return at once.
        func wake() {
            _ = curl_multi_wakeup(multi)
        }
    }

    private var multi: UnsafeMutableRawPointer?
    private let waker: Waker
    private var transfers: [UnsafeMutableRawPointer: EasyHandle] = [:]

    /// A multi handle whose connection pool follows `configuration`.
    init(configuration: HTTPClient.Configuration) throws {
        guard CurlRuntime.initResult == CURLE_OK else {
            throw HTTPError(code: .other, message: "curl_global_init failed (curl error \(CurlRuntime.initResult.rawValue))", url: "")
        }
        guard let multi = curl_multi_init() else {
            throw HTTPError(code: .other, message: "curl_multi_init failed", url: "")
        }
        self.multi = multi
        self.waker = Waker(multi: multi)
        try set(CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxConnections)
        try set(CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        // Keep every connection the limit allows open for reuse (libcurl's default cache is
        // four per easy handle added, and shrinks as they finish).
        try set(CURLMOPT_MAXCONNECTS, configuration.maxConnections)
        try set(CURLMOPT_PIPELINING, configuration.multiplexing ? Int(CURLPIPE_MULTIPLEX) : Int(CURLPIPE_NOTHING))
    }

    deinit {
        close()
    }

    /// The thread-safe way to interrupt ``poll(timeoutMilliseconds:)``.
    var wakeup: Waker { waker }

    /// How many transfers have been added and have not finished or been removed.
    var count: Int { transfers.count }

    /// Starts `easy`'s transfer; it makes progress in ``perform()``.
    func add(_ easy: EasyHandle) throws {
        guard let multi else { throw Self.error("the engine has shut down") }
        try check(curl_multi_add_handle(multi, easy.handle), "curl_multi_add_handle")
        transfers[easy.handle] = easy
    }

    /// Stops `easy`'s transfer at once, closing its connection if the transfer was under way.
    func remove(_ easy: EasyHandle) {
        guard let multi, transfers.removeValue(forKey: easy.handle) != nil else { return }
        _ = curl_multi_remove_handle(multi, easy.handle)
    }

    /// Moves every transfer along as far as it can go without waiting (`curl_multi_perform`).
    func perform() throws {
        guard let multi else { return }
        var running: Int32 = 0
        try check(curl_multi_perform(multi, &running), "curl_multi_perform")
    }

    /// Waits until a socket is ready, libcurl's next timeout passes, the ``Waker`` is used, or
    /// `timeoutMilliseconds` pass, whichever is first (`curl_multi_poll`).
    func poll(timeoutMilliseconds: Int32) throws {
        guard let multi else { return }
        var ready: Int32 = 0
        try check(curl_multi_poll(multi, nil, 0, timeoutMilliseconds, &ready), "curl_multi_poll")
    }

    /// Removes each finished transfer and hands over its tag and outcome. The easy handle is
    /// released before `body` runs.
    func forEachFinished(_ body: (ObjectIdentifier, Result<HTTPResponse, any Error>) -> Void) {
        guard let multi else { return }
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            // The message is only valid until the handle is removed: read it first.
            let code = quake_curl_msg_result(message)
            guard let (tag, result) = takeFinished(handle, code, from: multi) else { continue }
            body(tag, result)
        }
    }

    /// Removes a finished transfer and returns its tag and outcome; the easy handle is released
    /// by the time this returns, unless the engine still holds it.
    private func takeFinished(
        _ handle: UnsafeMutableRawPointer, _ code: CURLcode, from multi: UnsafeMutableRawPointer
    ) -> (ObjectIdentifier, Result<HTTPResponse, any Error>)? {
        guard let easy = transfers.removeValue(forKey: handle) else { return nil }
        _ = curl_multi_remove_handle(multi, handle)
        return (easy.tag, easy.result(code))
    }

    /// Removes every transfer and frees the multi handle, closing its pooled connections. Idempotent.
    func close() {
        guard let multi else { return }
        for handle in transfers.keys {
            _ = curl_multi_remove_handle(multi, handle)
        }
        transfers.removeAll()
        _ = curl_multi_cleanup(multi)
        self.multi = nil
    }

    private func set(_ option: CURLMoption, _ value: Int) throws {
        guard let multi else { return }
        try check(quake_curl_multi_setopt_long(multi, option, value), "curl_multi_setopt(\(option.rawValue))")
    }

    private func check(_ code: CURLMcode, _ call: String) throws {
        guard code == CURLM_OK else {
            throw Self.error("\(call) failed: \(String(cString: curl_multi_strerror(code))) (curl multi error \(code.rawValue))")
        }
    }

    private static func error(_ message: String) -> HTTPError {
        HTTPError(code: .other, message: message, url: "")
    }
}
