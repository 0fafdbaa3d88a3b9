import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide libcurl set-up, done once before the first transfer.
enum CurlRuntime {
    /// The result of `curl_global_init`, which runs on first access, after SIGPIPE is
    /// ignored so that a peer closing a socket cannot kill the process, and after OpenSSL is told
    /// to keep its state until the process is gone (see ``keepOpenSSLUntilExit()``).
    static let initResult: CURLcode = {
        signal(SIGPIPE, SIG_IGN)
        keepOpenSSLUntilExit()
        return curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    /// Initialises the OpenSSL that libcurl uses with `OPENSSL_INIT_NO_ATEXIT`, so that it
    /// registers no exit handler; a no-op when libcurl uses another TLS library.
    ///
    /// OpenSSL's exit handler (`OPENSSL_cleanup`) frees every thread's OpenSSL state and assumes
    /// no other thread runs meanwhile. Quake's HTTP threads — load workers, client engines, the
    /// shared engine — may still be ending, or running, as the process exits: a thread whose
    /// exit-time OpenSSL destructor ran during that cleanup freed the same memory twice or used
    /// it after it was freed (seen once as `malloc_consolidate(): invalid chunk size` at the end
    /// of `quake load`). Without the handler, the process's memory simply goes with it.
    ///
    /// Only the first initialisation of OpenSSL in a process decides this, so it runs before
    /// `curl_global_init`. The function is found at run time, in the OpenSSL that libcurl
    /// loaded, rather than linked: Quake builds against libcurl's headers alone.
    private static func keepOpenSSLUntilExit() {
        typealias InitCrypto = @convention(c) (UInt64, UnsafeRawPointer?) -> Int32
        // A nil handle is RTLD_DEFAULT: every library the process has loaded.
        guard let symbol = dlsym(nil, "OPENSSL_init_crypto") else { return }
        let noAtExit: UInt64 = 0x0008_0000  // OPENSSL_INIT_NO_ATEXIT, OpenSSL 1.1.1b and later
        _ = unsafeBitCast(symbol, to: InitCrypto.self)(noAtExit, nil)
    }
}
