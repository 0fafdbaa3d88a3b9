import Foundation

/// One HTTP request as the double handles it: method, path, decoded query, headers, body and the
/// client certificate's subject, if the client presented one.
struct KubeAPIRequest: Sendable {
    let method: String
    let path: String
    let query: [String: String]
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    /// The verified client certificate's common name and organizations.
    let certificate: (commonName: String, organizations: [String])?

    init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8], certificate: (commonName: String, organizations: [String])?) {
        self.method = method
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        self.path = parts[0].removingPercentEncoding ?? parts[0]
        // Form encoding, as Go's url.Values writes it: `+` is a space.
        var query: [String: String] = [:]
        for item in (parts.count > 1 ? parts[1] : "").split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ") }
            query[pair[0].removingPercentEncoding ?? pair[0]] = pair.count > 1 ? (pair[1].removingPercentEncoding ?? pair[1]) : ""
        }
        self.query = query
        self.headers = headers
        self.body = body
        self.certificate = certificate
    }

    private init(method: String, path: String, query: [String: String], headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.certificate = nil
    }

    /// This request as Karmada's cluster proxy sends it on to a member: the same method, query,
    /// body and headers but `path`, without the caller's credentials (the proxy authenticates as
    /// itself and impersonates the caller).
    func forwarded(path: String) -> KubeAPIRequest {
        KubeAPIRequest(method: method, path: path, query: query, headers: headers.filter { $0.name.caseInsensitiveCompare("Authorization") != .orderedSame }, body: body)
    }

    /// The first header named `name`, ignoring case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// A boolean query parameter as Go's `strconv.ParseBool` reads it (`true`, `True`, `1` …).
    func flag(_ name: String) -> Bool {
        Self.isTrue(query[name])
    }

    static func isTrue(_ text: String?) -> Bool {
        ["1", "t", "T", "true", "TRUE", "True"].contains(text ?? "")
    }

    /// The media type of the body without parameters, lowercased.
    var contentType: String {
        (header("Content-Type") ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }
}

/// How a response presents objects, chosen from the `Accept` header like the real server:
/// plain JSON, or a `meta.k8s.io` Table (what `kubectl get` asks for) with each row's object
/// as `None`, `Metadata` (PartialObjectMetadata, the default) or the full `Object`.
enum KubeAPIPresentation: Sendable, Equatable {
    case json
    case table(version: String, includeObject: String)

    /// The presentation `request` accepts first, or `nil` when it accepts none the double sends.
    static func negotiate(_ request: KubeAPIRequest) -> KubeAPIPresentation? {
        guard let accept = request.header("Accept"), !accept.isEmpty else { return .json }
        for entry in accept.split(separator: ",") {
            let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { parameters[pair[0]] = pair[1] }
            }
            switch parts.first?.lowercased() {
            case "application/json":
                if parameters["as"] == "Table", parameters["g"] == "meta.k8s.io", let version = parameters["v"], ["v1", "v1beta1"].contains(version) {
                    return .table(version: version, includeObject: request.query["includeObject"] ?? "Metadata")
                }
                if parameters["as"] == nil { return .json }
            case "*/*", "application/*":
                return .json
            default:
                continue
            }
        }
        return nil
    }

    /// The `Content-Type` of a response in this presentation.
    var contentType: String {
        switch self {
        case .json: return "application/json"
        case let .table(version, _): return "application/json;as=Table;v=\(version);g=meta.k8s.io"
        }
    }
}
