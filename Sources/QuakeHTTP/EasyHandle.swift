import CCurl
import Foundation

/// Owns one libcurl easy handle and the memory it points at (error buffer, header list,
/// response accumulator) for one transfer. The only file with unsafe pointer code.
///
/// Not `Sendable`: it is created, performed and freed on one thread.
final class EasyHandle {
    private let handle: UnsafeMutableRawPointer
    private let request: HTTPRequest
    private let accumulator: ResponseAccumulator
    private let cancellation: TransferCancellation
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?

    /// Creates a handle configured for `request`.
    init(request: HTTPRequest, cancellation: TransferCancellation) throws {
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
        self.request = request
        self.accumulator = ResponseAccumulator(maxBodyBytes: request.maxBodyBytes)
        self.cancellation = cancellation
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
        try configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Runs the transfer to completion, blocking the calling thread.
    ///
    /// Throws `CancellationError` if the transfer was stopped through its ``TransferCancellation``.
    func perform() throws -> HTTPResponse {
        let result = curl_easy_perform(handle)
        if result == CURLE_ABORTED_BY_CALLBACK && cancellation.isCancelled {
            throw CancellationError()
        }
        guard result == CURLE_OK else {
            let detail = errorBuffer.pointee == 0 ? String(cString: curl_easy_strerror(result)) : String(cString: errorBuffer)
            throw HTTPError(curlCode: result, detail: detail, request: request, bodyCapExceeded: accumulator.bodyCapExceeded)
        }
        return HTTPResponse(
            status: try info(CURLINFO_RESPONSE_CODE),
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

    // MARK: Configuration

    private func configure() throws {
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_URL, request.url)
        try configureMethodAndBody()
        try configureHeaders()
        try configureLimits()
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
        try setHeaderList(headerList)
    }

    private func configureLimits() throws {
        if let timeout = request.timeout {
            try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
        }
        if let connectTimeout = request.connectTimeout {
            try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout))
        }
        if request.maxBodyBytes > 0 {
            try set(CURLOPT_MAXFILESIZE_LARGE, offset: curl_off_t(request.maxBodyBytes))
        }
    }

    private func configureTLS() throws {
        try set(CURLOPT_SSL_VERIFYPEER, request.tls.verifyPeer ? 1 : 0)
        try set(CURLOPT_SSL_VERIFYHOST, request.tls.verifyHost ? 2 : 0)
        if let caFile = request.tls.caFile {
            try set(CURLOPT_CAINFO, caFile)
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
            let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
            Unmanaged<ResponseAccumulator>.fromOpaque(userdata).takeUnretainedValue().receiveHeaderLine(line)
            return length
        }, CURLOPT_HEADERFUNCTION)
        try set(CURLOPT_HEADERDATA, pointer: accumulator)
        try check(quake_curl_easy_setopt_xferinfo_callback(handle, CURLOPT_XFERINFOFUNCTION) { userdata, _, _, _, _ in
            guard let userdata else { return 0 }
            return Unmanaged<TransferCancellation>.fromOpaque(userdata).takeUnretainedValue().isCancelled ? 1 : 0
        }, CURLOPT_XFERINFOFUNCTION)
        try set(CURLOPT_XFERINFODATA, pointer: Unmanaged.passUnretained(cancellation).toOpaque())
        try set(CURLOPT_NOPROGRESS, 0)
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

    private func setHeaderList(_ list: UnsafeMutablePointer<curl_slist>?) throws {
        try check(quake_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list), CURLOPT_HTTPHEADER)
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
