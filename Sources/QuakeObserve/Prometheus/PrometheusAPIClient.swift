import Foundation
import QuakeHTTP

/// A client for Prometheus' HTTP API (`/api/v1/query` and `/api/v1/query_range`), over QuakeHTTP.
///
/// Each call is one `GET` through an `HTTPClient`, which keeps the connection alive for the
/// next one (by default the process-wide shared engine). Failures come back as ``ObserveError`` with the request URL as location:
/// `invalidArgument` for a query Prometheus rejected as bad data (`errorType: bad_data`) or
/// arguments refused before sending, `server` for any other error answer, an HTTP error status,
/// an unreachable server, a timeout or an answer longer than `HTTPRequest.defaultMaxBodyBytes`
/// (cut off there, so a runaway server costs at most that much memory), and `malformed` for a
/// success answer that is not the documented JSON.
public struct PrometheusAPIClient: Sendable {
    /// The server's base URL, such as `http://127.0.0.1:9090`.
    public let baseURL: String
    /// The limit on each whole request, connecting included.
    public let timeout: Duration
    /// A file holding the bearer token each request carries, read again for each (a rotated
    /// token is picked up); none when nil. The token appears in no message.
    public let tokenFile: String?
    private let http: HTTPClient

    /// A client for the Prometheus server at `baseURL`; each request gives up after `timeout` and
    /// carries the bearer token in `tokenFile`, if given. Requests go through `http`, the shared
    /// engine unless given.
    public init(baseURL: String, timeout: Duration = .seconds(30), tokenFile: String? = nil, http: HTTPClient = HTTPClient()) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.tokenFile = tokenFile
        self.http = http
    }

    /// The request's headers: JSON, and the bearer token when there is a token file.
    private func headers(for url: String) throws -> HTTPHeaders {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        guard let tokenFile else { return headers }
        let token: String
        do {
            token = try String(contentsOfFile: (tokenFile as NSString).expandingTildeInPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw ObserveError(code: .invalidArgument, message: "cannot read the Prometheus token file \(tokenFile): \(error.localizedDescription)", location: url)
        }
        guard !token.isEmpty else {
            throw ObserveError(code: .invalidArgument, message: "the Prometheus token file \(tokenFile) is empty", location: url)
        }
        headers.append(name: "Authorization", value: "Bearer " + token)
        return headers
    }

    /// Evaluates `query` at one time (`/api/v1/query`); the server's current time when `time` is `nil`.
    public func query(_ query: String, at time: Date? = nil) async throws -> PrometheusQueryResult {
        try Self.checkQuery(query)
        var parameters = [("query", query)]
        if let time { parameters.append(("time", Self.seconds(time))) }
        return try await get("/api/v1/query", parameters)
    }

    /// Evaluates `query` from `start` to `end` every `step` (`/api/v1/query_range`); the result is a matrix.
    public func queryRange(_ query: String, start: Date, end: Date, step: Duration) async throws -> PrometheusQueryResult {
        try Self.checkQuery(query)
        guard end >= start else {
            throw ObserveError(code: .invalidArgument, message: "query_range: end is before start")
        }
        let stepSeconds = Double(step.components.seconds) + Double(step.components.attoseconds) / 1e18
        guard stepSeconds >= 0.001 else {
            throw ObserveError(code: .invalidArgument, message: "query_range: step must be at least 1 ms")
        }
        return try await get("/api/v1/query_range", [
            ("query", query), ("start", Self.seconds(start)), ("end", Self.seconds(end)),
            ("step", String(format: "%.3f", stepSeconds)),
        ])
    }

    private static func checkQuery(_ query: String) throws {
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ObserveError(code: .invalidArgument, message: "the PromQL query is empty")
        }
    }

    private static func seconds(_ date: Date) -> String {
        String(format: "%.3f", date.timeIntervalSince1970)
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private func get(_ path: String, _ parameters: [(String, String)]) async throws -> PrometheusQueryResult {
        let url = baseURL + path + "?" + parameters.map { "\($0)=\(Self.encode($1))" }.joined(separator: "&")
        let request = HTTPRequest(url: url, headers: try headers(for: url), timeout: timeout, connectTimeout: min(timeout, .seconds(10)))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError {
            switch error.code {
            case .timeout:
                throw ObserveError(code: .server, message: "Prometheus did not answer within \(timeout) (timeout)", location: url)
            case .tooLarge:
                throw ObserveError(
                    code: .server, message: "Prometheus's answer is longer than the client's limit of \(request.maxBodyBytes) bytes; it was not read further",
                    location: url)
            default:
                throw ObserveError(code: .server, message: "could not reach Prometheus (\(error.code)): \(error.message)", location: url)
            }
        }
        return try Self.decode(response, url: url)
    }

    /// Turns an answer into a result, or into the error it reports.
    static func decode(_ response: HTTPResponse, url: String) throws -> PrometheusQueryResult {
        let decoded: PrometheusAPIResponse
        do {
            decoded = try JSONDecoder().decode(PrometheusAPIResponse.self, from: response.body)
        } catch {
            guard (200..<300).contains(response.status) else {
                let body = String(decoding: response.body.prefix(200), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                throw ObserveError(
                    code: .server, message: "Prometheus answered HTTP \(response.status)\(body.isEmpty ? "" : ": \(body)")",
                    location: url)
            }
            throw ObserveError(code: .malformed, message: "not a Prometheus API answer: \(Self.describe(error))", location: url)
        }
        guard decoded.status == "success", (200..<300).contains(response.status) else {
            let type = decoded.errorType ?? "unknown"
            let message = decoded.error ?? "no error message"
            throw ObserveError(
                code: type == "bad_data" ? .invalidArgument : .server,
                message: "Prometheus answered HTTP \(response.status), \(type): \(message)", location: url)
        }
        guard let data = decoded.data else {
            throw ObserveError(code: .malformed, message: "a success answer without \"data\"", location: url)
        }
        return PrometheusQueryResult(data: data.result, warnings: decoded.warnings ?? [])
    }

    /// A one-line account of a JSON decoding failure: what was wrong and where in the document.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            return describe(context)
        case .keyNotFound(let key, let context):
            return "no \"\(key.stringValue)\"" + (context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))")
        @unknown default:
            return "\(error)"
        }
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        let underlying = (context.underlyingError as NSError?)?.localizedDescription
        let reason = underlying.map { "\(context.debugDescription) (\($0))" } ?? context.debugDescription
        return context.codingPath.isEmpty ? reason : "\(reason) at \(path(context.codingPath))"
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
