import CCurl

/// Remembers the kind of each libcurl result code seen, so that counting an error on a worker's
/// hot path costs an array read instead of building an ``HTTPError``.
struct LoadErrorKindCache {
    private var kinds: [Int8]
    private let request: HTTPRequest

    /// A cache for the results of transfers of `request`.
    init(request: HTTPRequest) {
        self.request = request
        kinds = [Int8](repeating: -1, count: 128)
    }

    /// The kind for `curlCode`.
    mutating func kind(_ curlCode: CURLcode) -> LoadErrorKind {
        let raw = Int(curlCode.rawValue)
        guard raw >= 0, raw < kinds.count else { return LoadErrorKind(curlCode: curlCode, request: request) }
        if kinds[raw] < 0 { kinds[raw] = Int8(LoadErrorKind(curlCode: curlCode, request: request).rawValue) }
        return LoadErrorKind(rawValue: Int(kinds[raw])) ?? .other
    }
}
