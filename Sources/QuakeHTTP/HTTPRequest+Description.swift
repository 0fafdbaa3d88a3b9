extension HTTPRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The method, URL, headers (credentials replaced by `<redacted>`), body size and the
    /// settings that differ from the defaults, on one line.
    public var description: String {
        var parts = ["\(method) \(url)"]
        if !headers.isEmpty { parts.append("headers \(headers)") }
        if let body { parts.append("body \(body.count) bytes") }
        if http2 != .off { parts.append("http2 \(http2)") }
        if maxRedirects > 0 { parts.append("up to \(maxRedirects) redirects") }
        if url.lowercased().hasPrefix("https:") || tls != HTTPTLSOptions() { parts.append("TLS \(tls)") }
        return parts.joined(separator: ", ")
    }

    /// The same as ``description``: credentials stay hidden in debug output too.
    public var debugDescription: String { description }

    /// The request's fields, with the headers' own redacting mirror and the body as a byte count.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "method": method,
            "url": url,
            "headers": headers,
            "body": body.map { "\($0.count) bytes" } as Any,
            "timeout": timeout as Any,
            "connectTimeout": connectTimeout as Any,
            "tls": tls.description,
            "http2": http2,
            "maxRedirects": maxRedirects,
            "maxBodyBytes": maxBodyBytes,
        ])
    }
}
