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
        self.accumulator = ResponseAccumulator(maxBodyBytes: request.maxBodyBytes)
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
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_URL, request.url)
        try configureMethodAndBody()
        try configureHeaders()
        try configureLimits(timeout: timeout)
        try configureProtocol()
        try configureTLS()
        try configureCallbacks()
    }

    private func configureMethodAndBody() throws {
        let method = request.method
        if method == .head {
            try set(CURLOPT_NOBODY, 1)
            return
        }
        if request.sendsBody {
            let body = request.body ?? Data()
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
            // COPYPOSTFIELDS copies POSTFIELDSIZE bytes now; a NULL pointer would make libcurl
            // read the body from stdin instead, so an empty body points at an empty C string.
            try body.withUnsafeBytes { bytes in
                try "".withCString { empty in
                    try set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(empty)))
                }
            }
        }
        if method != .get && method != .post {
            try set(CURLOPT_CUSTOMREQUEST, method.rawValue)
        }
    }

    private func configureHeaders() throws {
        var lines = request.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        if request.headers["Expect"] == nil {
            lines.append("Expect:")
        }
        if request.sendsBody && request.headers["Content-Type"] == nil {
            lines.append("Content-Type:")
        }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPError(code: .other, message: "out of memory building the header list", url: request.url)
            }
            headerList = appended
        }
        try check(quake_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), CURLOPT_HTTPHEADER)
    }

    private func configureLimits(timeout: Duration?) throws {
        if let timeout {
            try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
        }
        if let connectTimeout = request.connectTimeout {
            try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout))
        }
        if request.maxBodyBytes > 0 {
            try set(CURLOPT_MAXFILESIZE_LARGE, offset: curl_off_t(request.maxBodyBytes))
        }
    }

    private func configureProtocol() throws {
        switch request.http2 {
        case .off:
            try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        case .negotiate:
            try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
            try set(CURLOPT_PIPEWAIT, 1)
        case .priorKnowledge where request.url.lowercased().hasPrefix("http:"):
            // h2c: libcurl 7.88.1 fails every request that reuses an h2c prior-knowledge connection
            // ("Error in the HTTP2 framing layer", error 16), so each such request gets a
            // connection of its own, closed afterwards. HTTP/2 over TLS multiplexes normally.
            try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE))
            try set(CURLOPT_FRESH_CONNECT, 1)
            try set(CURLOPT_FORBID_REUSE, 1)
        case .priorKnowledge:
            try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE))
            try set(CURLOPT_PIPEWAIT, 1)
        }
        if request.maxRedirects > 0 {
            try set(CURLOPT_FOLLOWLOCATION, 1)
            try set(CURLOPT_MAXREDIRS, request.maxRedirects)
            try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        } else {
            try set(CURLOPT_FOLLOWLOCATION, 0)
        }
    }

    private func configureTLS() throws {
        let tls = request.tls
        try set(CURLOPT_SSL_VERIFYPEER, tls.verifyPeer ? 1 : 0)
        try set(CURLOPT_SSL_VERIFYHOST, tls.verifyHost ? 2 : 0)
        if let caFile = tls.caFile {
            try set(CURLOPT_CAINFO, caFile)
        }
        if let caPEM = tls.caPEM {
            try set(CURLOPT_CAINFO_BLOB, blob: caPEM)
        }
        guard let certificate = tls.clientCertificate else { return }
        switch certificate.source {
        case .files(let certificateFile, let keyFile):
            try set(CURLOPT_SSLCERT, certificateFile)
            try set(CURLOPT_SSLKEY, keyFile)
        case .pem(let certificatePEM, let keyPEM):
            try set(CURLOPT_SSLCERTTYPE, "PEM")
            try set(CURLOPT_SSLCERT_BLOB, blob: certificatePEM)
            try set(CURLOPT_SSLKEYTYPE, "PEM")
            try set(CURLOPT_SSLKEY_BLOB, blob: keyPEM)
        }
        if let password = certificate.keyPassword {
            try set(CURLOPT_KEYPASSWD, password)
        }
    }

    private func configureCallbacks() throws {
        let accumulator = Unmanaged.passUnretained(self.accumulator).toOpaque()
        try check(quake_curl_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let length = size * count
            let chunk = Data(bytesNoCopy: buffer, count: length, deallocator: .none)
            return Unmanaged<ResponseAccumulator>.fromOpaque(userdata).takeUnretainedValue().appendBody(chunk) ? length : 0
        }, CURLOPT_WRITEFUNCTION)
        try set(CURLOPT_WRITEDATA, pointer: accumulator)
        try check(quake_curl_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let length = size * count
            EasyHandle.receiveHeaderLine(
                UnsafeRawBufferPointer(start: buffer, count: length),
                into: Unmanaged<ResponseAccumulator>.fromOpaque(userdata).takeUnretainedValue())
            return length
        }, CURLOPT_HEADERFUNCTION)
        try set(CURLOPT_HEADERDATA, pointer: accumulator)
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

    // MARK: libcurl calls

    private func set(_ option: CURLoption, _ value: Int) throws {
        try check(quake_curl_easy_setopt_long(handle, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws {
        try check(quake_curl_easy_setopt_string(handle, option, value), option)
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer) throws {
        try check(quake_curl_easy_setopt_pointer(handle, option, pointer), option)
    }

    private func set(_ option: CURLoption, offset: curl_off_t) throws {
        try check(quake_curl_easy_setopt_off_t(handle, option, offset), option)
    }

    /// Sets a `struct curl_blob` option; libcurl copies the bytes before returning (`CURL_BLOB_COPY`).
    private func set(_ option: CURLoption, blob: Data) throws {
        try blob.withUnsafeBytes { bytes in
            var value = curl_blob(data: UnsafeMutableRawPointer(mutating: bytes.baseAddress), len: bytes.count, flags: UInt32(CURL_BLOB_COPY))
            try withUnsafeMutablePointer(to: &value) { try set(option, pointer: UnsafeMutableRawPointer($0)) }
        }
    }

    private func check(_ result: CURLcode, _ option: CURLoption) throws {
        guard result == CURLE_OK else {
            throw HTTPError(
                code: .other,
                message: "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(result)))",
                url: request.url
            )
        }
    }

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

    /// A libcurl millisecond limit for `duration`, rounded up and at least 1, since 0 would mean no limit.
    private static func milliseconds(_ duration: Duration) -> Int {
        let milliseconds = (duration / .milliseconds(1)).rounded(.up)
        return milliseconds >= Double(Int.max) ? Int.max : max(1, Int(milliseconds))
    }
}
