import CCurl
import Foundation

/// Sets options on one libcurl easy handle through the typed `CCurl` wrappers; a refused option
/// becomes an ``HTTPError`` naming the option and the request's URL. Holds the option groups that
/// the client's transfers (``EasyHandle``) and the load generator's template handle (``LoadWorker``)
/// configure alike: the body, the header list and TLS.
///
/// A view of a handle its owner keeps alive, on the owner's thread; it frees nothing.
struct EasyOptions {
    let handle: UnsafeMutableRawPointer
    /// The request's URL, for error messages.
    let url: String

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(quake_curl_easy_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws {
        try check(quake_curl_easy_setopt_string(handle, option, value), option)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer) throws {
        try check(quake_curl_easy_setopt_pointer(handle, option, pointer), option)
    }

    func set(_ option: CURLoption, offset: curl_off_t) throws {
        try check(quake_curl_easy_setopt_off_t(handle, option, offset), option)
    }

    /// Sets a `struct curl_blob` option; libcurl copies the bytes before returning
    /// (`CURL_BLOB_COPY`), and so does every duplicate of the handle.
    func set(_ option: CURLoption, blob: Data) throws {
        try blob.withUnsafeBytes { bytes in
            var value = curl_blob(data: UnsafeMutableRawPointer(mutating: bytes.baseAddress), len: bytes.count, flags: UInt32(CURL_BLOB_COPY))
            try withUnsafeMutablePointer(to: &value) { try set(option, pointer: UnsafeMutableRawPointer($0)) }
        }
    }

    /// Turns the result of setting `option` (a callback, say) into an error if libcurl refused it.
    func check(_ result: CURLcode, _ option: CURLoption) throws {
        guard result == CURLE_OK else {
            throw HTTPError(
                code: .other,
                message: "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(result)))",
                url: url
            )
        }
    }

    // MARK: Option groups

    /// Copies `body` into the handle as the request body (`CURLOPT_POSTFIELDSIZE_LARGE`, then
    /// `CURLOPT_COPYPOSTFIELDS`, which copies that many bytes now). An empty body points at an
    /// empty C string, since a NULL pointer would make libcurl read the body from stdin.
    func setBody(_ body: Data) throws {
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
        try body.withUnsafeBytes { bytes in
            try "".withCString { empty in
                try set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(empty)))
            }
        }
    }

    /// Builds the header list for `request` into `list` (which the caller frees with
    /// `curl_slist_free_all` once no transfer uses it) and sets it as `CURLOPT_HTTPHEADER`.
    ///
    /// Neither `Expect: 100-continue` nor libcurl's form `Content-Type` is sent unless the request
    /// names it. Both only come with a body, so without one the list holds the request's own
    /// headers alone (libcurl checks every entry of it for each header it would add itself).
    func setHeaders(of request: HTTPRequest, into list: inout UnsafeMutablePointer<curl_slist>?) throws {
        var lines = request.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        if request.sendsBody && request.headers["Expect"] == nil { lines.append("Expect:") }
        if request.sendsBody && request.headers["Content-Type"] == nil { lines.append("Content-Type:") }
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                throw HTTPError(code: .other, message: "out of memory building the header list", url: url)
            }
            list = appended
        }
        try check(quake_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list), CURLOPT_HTTPHEADER)
    }

    /// Verification (on unless turned off), trust (a CA file or PEM text) and the client certificate.
    func setTLS(_ tls: HTTPTLSOptions) throws {
        try set(CURLOPT_SSL_VERIFYPEER, tls.verifyPeer ? 1 : 0)
        try set(CURLOPT_SSL_VERIFYHOST, tls.verifyHost ? 2 : 0)
        if let caFile = tls.caFile { try set(CURLOPT_CAINFO, caFile) }
        if let caPEM = tls.caPEM { try set(CURLOPT_CAINFO_BLOB, blob: caPEM) }
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
        if let password = certificate.keyPassword { try set(CURLOPT_KEYPASSWD, password) }
    }

    /// A libcurl millisecond limit for `duration`, rounded up and at least 1, since 0 would mean no limit.
    static func milliseconds(_ duration: Duration) -> Int {
        let milliseconds = (duration / .milliseconds(1)).rounded(.up)
        return milliseconds >= Double(Int.max) ? Int.max : max(1, Int(milliseconds))
    }
}
