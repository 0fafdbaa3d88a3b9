import CCurl
import Foundation

/// Owns one libcurl easy handle and the memory it points at (error buffer, header list,
/// response accumulator) for one transfer. With ``MultiHandle``, the only code that touches
/// libcurl's pointers.
///
/// Not `Sendable`: it is created, run by the multi handle and freed on the engine's thread.
final class EasyHandle {
    /// The libcurl handle, for ``MultiHandle`` to add and remove.
    let handle: UnsafeMutableRawPointer
    /// Identifies the submission this transfer carries out.
    let tag: ObjectIdentifier
    private let request: HTTPRequest
    private let accumulator: ResponseAccumulator
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let counters: EngineCounters

    /// Creates a handle configured for `request`; `timeout` replaces the request's own (what
    /// is left of it after waiting for a free transfer slot).
    init(request: HTTPRequest, tag: ObjectIdentifier, timeout: Duration?, counters: EngineCounters) throws {
        guard CurlRuntime.initResult == CURLE_OK else {
            throw HTTPError(
                code: .other,
                message: "curl_global_init failed (curl error \(CurlRuntime.initResult.rawValue))",
                url: request.url
            )
        }
        guard let handle = curl_easy_init() else {
            throw HTTPError(code: .other, message: "curl_easy_init failed", url: request.url)
        }
        self.handle = handle
        self.tag = tag
        self.request = request
        self.accumulator = ResponseAccumulator(maxBodyBytes: request.maxBodyBytes, sink: request.bodySink)
        self.counters = counters
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        counters.easyHandleCreated()
        try configure(timeout: timeout)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
        counters.easyHandleFreed()
    }

    /// The response, or the error, for a transfer that libcurl reported finished with `code`.
    func result(_ code: CURLcode) -> Result<HTTPResponse, any Error> {
        guard code == CURLE_OK else {
            let detail = errorBuffer.pointee == 0 ? String(cString: curl_easy_strerror(code)) : String(cString: errorBuffer)
            if accumulator.sinkStopped {
                return .failure(HTTPError(code: .cancelled, message: "the receiver of the streamed body stopped the transfer", url: request.url))
            }
            return .failure(HTTPError(curlCode: code, detail: detail, request: request, bodyCapExceeded: accumulator.bodyCapExceeded))
        }
        return Result {
            HTTPResponse(
                status: try info(CURLINFO_RESPONSE_CODE),
                version: Self.version(try info(CURLINFO_HTTP_VERSION)),
                headers: accumulator.headers,
                body: accumulator.body,
                timings: HTTPTimings(
                    dns: try time(CURLINFO_NAMELOOKUP_TIME_T),
                    connect: try time(CURLINFO_CONNECT_TIME_T),
                    tls: try time(CURLINFO_APPCONNECT_TIME_T),
                    firstByte: try time(CURLINFO_STARTTRANSFER_TIME_T),
                    total: try time(CURLINFO_TOTAL_TIME_T)
                )
            )
        }
    }

    private static func version(_ curlVersion: Int) -> HTTPVersion {
        switch curlVersion {
        case Int(CURL_HTTP_VERSION_1_0): .http1_0
        case Int(CURL_HTTP_VERSION_2_0): .http2
        case Int(CURL_HTTP_VERSION_3): .http3
        default: .http1_1
        }
    }

    // MARK: Configuration

    private func configure(timeout: Duration?) throws {
        let options = EasyOptions(handle: handle, url: request.url)
        try options.set(CURLOPT_NOSIGNAL, 1)
        try options.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try options.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try options.set(CURLOPT_URL, request.url)
        try configureMethodAndBody(options)
        try options.setHeaders(of: request, into: &headerList)
        try configureLimits(options, timeout: timeout)
        try configureProtocol(options)
        try options.setTLS(request.tls)
        try configureCallbacks(options)
    }

    private func configureMethodAndBody(_ options: EasyOptions) throws {
        let method = request.method
        if method == .head {
            try options.set(CURLOPT_NOBODY, 1)
            return
        }
        if request.sendsBody {
            try options.setBody(request.body ?? Data())
        }
        if method != .get && method != .post {
            try options.set(CURLOPT_CUSTOMREQUEST, method.rawValue)
        }
    }

    private func configureLimits(_ options: EasyOptions, timeout: Duration?) throws {
        if let timeout {
            try options.set(CURLOPT_TIMEOUT_MS, EasyOptions.milliseconds(timeout))
        }
        if let connectTimeout = request.connectTimeout {
            try options.set(CURLOPT_CONNECTTIMEOUT_MS, EasyOptions.milliseconds(connectTimeout))
        }
        if request.maxBodyBytes > 0 && request.bodySink == nil {
            try options.set(CURLOPT_MAXFILESIZE_LARGE, offset: curl_off_t(request.maxBodyBytes))
        }
    }

    private func configureProtocol(_ options: EasyOptions) throws {
        switch request.http2 {
        case .off:
            try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        case .negotiate:
            try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
            try options.set(CURLOPT_PIPEWAIT, 1)
        case .priorKnowledge where request.url.lowercased().hasPrefix("http:"):
            // h2c: libcurl 7.88.1 fails every request that reuses an h2c prior-knowledge connection
            // ("Error in the HTTP2 framing layer", error 16), so each such request gets a
            // connection of its own, closed afterwards. HTTP/2 over TLS multiplexes normally.
            try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE))
            try options.set(CURLOPT_FRESH_CONNECT, 1)
            try options.set(CURLOPT_FORBID_REUSE, 1)
        case .priorKnowledge:
            try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE))
            try options.set(CURLOPT_PIPEWAIT, 1)
        }
        if request.maxRedirects > 0 {
            try options.set(CURLOPT_FOLLOWLOCATION, 1)
            try options.set(CURLOPT_MAXREDIRS, request.maxRedirects)
            try options.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        } else {
            try options.set(CURLOPT_FOLLOWLOCATION, 0)
        }
    }

    private func configureCallbacks(_ options: EasyOptions) throws {
        let accumulator = Unmanaged.passUnretained(self.accumulator).toOpaque()
        try options.check(quake_curl_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let length = size * count
            let chunk = Data(bytesNoCopy: buffer, count: length, deallocator: .none)
            return Unmanaged<ResponseAccumulator>.fromOpaque(userdata).takeUnretainedValue().appendBody(chunk) ? length : 0
        }, CURLOPT_WRITEFUNCTION)
        try options.set(CURLOPT_WRITEDATA, pointer: accumulator)
        try options.check(quake_curl_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let length = size * count
            EasyHandle.receiveHeaderLine(
                UnsafeRawBufferPointer(start: buffer, count: length),
                into: Unmanaged<ResponseAccumulator>.fromOpaque(userdata).takeUnretainedValue())
            return length
        }, CURLOPT_HEADERFUNCTION)
        try options.set(CURLOPT_HEADERDATA, pointer: accumulator)
    }

    /// Splits one header line as libcurl delivers it (line ending included) into a field, on
    /// the bytes: a status line starts a new response; a line without a colon (the blank line
    /// ending the head) is ignored. Spaces and tabs around the value are dropped.
    private static func receiveHeaderLine(_ line: UnsafeRawBufferPointer, into accumulator: ResponseAccumulator) {
        if line.starts(with: "HTTP/".utf8) {
            accumulator.beginResponse()
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        var start = colon + 1
        var end = line.count
        while start < end && isBlank(line[start]) { start += 1 }
        while end > start && (isBlank(line[end - 1]) || line[end - 1] == UInt8(ascii: "\r") || line[end - 1] == UInt8(ascii: "\n")) { end -= 1 }
        accumulator.append(
            name: String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self),
            value: String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<end]), as: UTF8.self))
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    // MARK: Info

    private func info(_ info: CURLINFO) throws -> Int {
        var value = 0
        try checkInfo(quake_curl_easy_getinfo_long(handle, info, &value), info)
        return value
    }

    private func time(_ info: CURLINFO) throws -> Duration {
        var microseconds: curl_off_t = 0
        try checkInfo(quake_curl_easy_getinfo_off_t(handle, info, &microseconds), info)
        return .microseconds(microseconds)
    }

    private func checkInfo(_ result: CURLcode, _ info: CURLINFO) throws {
        guard result == CURLE_OK else {
            throw HTTPError(
                code: .other,
                message: "libcurl could not report info \(info.rawValue): \(String(cString: curl_easy_strerror(result)))",
                url: request.url
            )
        }
    }
}
