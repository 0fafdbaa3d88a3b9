import CCurl

extension HTTPError {
    /// Maps a failed transfer's libcurl result to the error users see: the one place where curl
    /// codes become ``HTTPError/Code``s.
    ///
    /// - Parameters:
    ///   - curlCode: the transfer's result from `curl_multi_info_read`; not `CURLE_OK`.
    ///   - detail: libcurl's explanation: its error buffer, or `curl_easy_strerror` when that is empty.
    ///   - bodyCapExceeded: whether the write callback refused a body longer than `request.maxBodyBytes`.
    init(curlCode: CURLcode, detail: String, request: HTTPRequest, bodyCapExceeded: Bool) {
        let code: Code
        switch curlCode {
        case CURLE_COULDNT_CONNECT:
            code = .refused
        case CURLE_OPERATION_TIMEDOUT:
            code = .timeout
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            code = .reset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            code = .tls
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            code = .dns
        case CURLE_FILESIZE_EXCEEDED:
            code = .tooLarge
        case CURLE_WRITE_ERROR where bodyCapExceeded:
            code = .tooLarge
        case CURLE_ABORTED_BY_CALLBACK:
            code = .cancelled
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            code = .invalidURL
        default:
            code = .other
        }
        let message = code == .tooLarge
            ? "the response body is longer than maxBodyBytes (\(request.maxBodyBytes) bytes)"
            : "\(detail) (curl error \(curlCode.rawValue))"
        self.init(code: code, message: message, url: request.url)
    }
}
