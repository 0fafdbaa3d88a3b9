import CCurl

extension LoadErrorKind {
    /// The kind for a failed transfer's libcurl result, mapped exactly as the client maps it
    /// (through ``HTTPError``'s own mapping of curl codes).
    init(curlCode: CURLcode, request: HTTPRequest) {
        self.init(HTTPError(curlCode: curlCode, detail: "", request: request, bodyCapExceeded: false).code)
    }
}
