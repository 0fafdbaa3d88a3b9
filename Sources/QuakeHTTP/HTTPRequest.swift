import Foundation

/// One HTTP request: method, URL, headers, optional body and the limits that apply to its transfer.
///
/// Redirects are not followed unless ``maxRedirects`` says so: a 3xx response is returned as it
/// is. Only `http` and `https` URLs are accepted. Printing a request never shows the value of an
/// `Authorization` header (see ``HTTPHeaders/redactedNames``).
public struct HTTPRequest: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The absolute `http://` or `https://` URL.
    public var url: String
    /// Headers sent in this order, after the ones libcurl adds itself (`Host`, `Accept: */*`
    /// unless given here, `Content-Length`).
    ///
    /// A header with an empty value is sent empty. Neither `Expect: 100-continue` nor libcurl's
    /// form-encoded `Content-Type` for bodies is sent unless set here.
    public var headers: HTTPHeaders
    /// The body, copied into the transfer when it starts; `nil` sends none.
    public var body: Data?
    /// The limit on the whole transfer, connecting included; `nil` waits for ever.
    public var timeout: Duration?
    /// The limit on establishing the connection, TLS included; `nil` uses libcurl's 300 seconds.
    public var connectTimeout: Duration?
    /// How the server's certificate is checked for `https` URLs, and the client's own certificate.
    public var tls: HTTPTLSOptions
    /// The largest response body accepted; a longer one fails with ``HTTPError/Code/tooLarge``
    /// and the transfer is stopped.
    public var maxBodyBytes: Int
    /// Whether the request may use HTTP/2; HTTP/1.1 by default.
    public var http2: HTTP2Mode
    /// How many redirects are followed (to `http` and `https` URLs only); 0, the default,
    /// returns a 3xx response as it is. An `Authorization` header is not sent to another host.
    public var maxRedirects: Int
    /// Receives the body as it arrives instead of the response collecting it; `nil`, the
    /// default, collects it (up to ``maxBodyBytes``).
    public var bodySink: HTTPBodySink?

    /// The default response body cap: 64 MiB.
    public static let defaultMaxBodyBytes = 64 << 20

    /// Creates a request; by default a `GET` over HTTP/1.1 with a 30 s timeout, a 10 s connect
    /// timeout, full TLS verification and no redirects followed.
    public init(
        method: HTTPMethod = .get,
        url: String,
        headers: HTTPHeaders = [:],
        body: Data? = nil,
        timeout: Duration? = .seconds(30),
        connectTimeout: Duration? = .seconds(10),
        tls: HTTPTLSOptions = HTTPTLSOptions(),
        maxBodyBytes: Int = HTTPRequest.defaultMaxBodyBytes,
        http2: HTTP2Mode = .off,
        maxRedirects: Int = 0
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.tls = tls
        self.maxBodyBytes = maxBodyBytes
        self.http2 = http2
        self.maxRedirects = maxRedirects
    }
}

extension HTTPRequest {
    /// Whether the request carries a body, empty if none was given: every method but `HEAD`
    /// with a body, and `POST`, `PUT` and `PATCH` always, so that they send `Content-Length`.
    var sendsBody: Bool {
        method != .head && (body != nil || method == .post || method == .put || method == .patch)
    }
}
