import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide libcurl set-up, done once before the first transfer.
enum CurlRuntime {
    /// The result of `curl_global_init`, which runs on first access, after SIGPIPE is
    /// ignored so that a peer closing a socket cannot kill the process.
    static let initResult: CURLcode = {
        signal(SIGPIPE, SIG_IGN)
        return curl_global_init(Int(CURL_GLOBAL_ALL))
    }()
}
