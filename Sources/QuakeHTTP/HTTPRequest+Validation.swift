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
