extension HTTPRequest {
    /// Checks what libcurl cannot check for us: text that would be cut short or split when
    /// passed on as C strings and header lines.
    func validate() throws {
        if url.isEmpty || url.utf8.contains(0) {
            throw invalid(.invalidURL, "the URL is empty or contains a NUL byte")
        }
        if method.rawValue.isEmpty || method.rawValue.utf8.contains(where: Self.isDelimiter) {
            throw invalid(.invalidRequest, "the method \"\(method)\" is not a single token")
        }
        for (name, value) in headers {
            if name.isEmpty || name.utf8.contains(where: { Self.isDelimiter($0) || $0 == UInt8(ascii: ":") }) {
                throw invalid(.invalidRequest, "the header name \"\(name)\" is not a single token")
            }
            if value.utf8.contains(where: Self.isLineBreakOrNUL) {
                throw invalid(.invalidRequest, "the value of header \"\(name)\" contains a line break or NUL byte")
            }
        }
        if method == .head && body != nil {
            throw invalid(.invalidRequest, "a HEAD request cannot carry a body")
        }
        if maxBodyBytes < 0 {
            throw invalid(.invalidRequest, "maxBodyBytes is negative (\(maxBodyBytes))")
        }
        if maxRedirects < 0 {
            throw invalid(.invalidRequest, "maxRedirects is negative (\(maxRedirects))")
        }
        for (what, path) in tlsPaths where path.isEmpty || path.utf8.contains(0) {
            throw invalid(.invalidRequest, "the TLS \(what) path is empty or contains a NUL byte")
        }
        if tls.caPEM?.isEmpty == true {
            throw invalid(.invalidRequest, "the CA bundle PEM data is empty")
        }
        if case .pem(let certificate, let key) = tls.clientCertificate?.source, certificate.isEmpty || key.isEmpty {
            throw invalid(.invalidRequest, "the client certificate or key PEM data is empty")
        }
        if let password = tls.clientCertificate?.keyPassword, password.utf8.contains(0) {
            throw invalid(.invalidRequest, "the client key password contains a NUL byte")
        }
    }

    /// The file paths of the TLS options, named, which libcurl takes as C strings.
    private var tlsPaths: [(String, String)] {
        var paths: [(String, String)] = []
        if let caFile = tls.caFile { paths.append(("CA file", caFile)) }
        if case .files(let certificate, let key) = tls.clientCertificate?.source {
            paths += [("client certificate", certificate), ("client key", key)]
        }
        return paths
    }

    private func invalid(_ code: HTTPError.Code, _ message: String) -> HTTPError {
        HTTPError(code: code, message: message, url: url)
    }

    private static func isLineBreakOrNUL(_ byte: UInt8) -> Bool {
        byte == 0 || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        isLineBreakOrNUL(byte) || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
