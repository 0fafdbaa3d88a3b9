import Foundation
import QuakeHTTP
import QuakeTestSupport
import Testing

/// OpenSSL's exit-time cleanup frees every thread's OpenSSL state while assuming no other thread
/// runs. A `quake load` whose worker thread was still ending as the process exited aborted once
/// with `malloc_consolidate(): invalid chunk size`: the worker's own OpenSSL destructor and the
/// cleanup freed the same memory. QuakeHTTP therefore initialises OpenSSL without that cleanup.
@Suite("OpenSSL at exit", .timeLimit(.minutes(1)))
struct OpenSSLAtExitTests {
    @Test("a process that ran a load against a refused port exits without OpenSSL tearing down its threads' state")
    func noCleanupAtExit() async throws {
        let child = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let port = try LoopbackHTTPServer.unusedPort()
            let result = try await LoadGenerator.run(LoadConfiguration(
                request: HTTPRequest(url: "http://127.0.0.1:\(port)/"),
                mode: .closedLoop(connections: 4), duration: .milliseconds(200), workers: 2
            ))
            guard result.total.count(of: .refused) > 0 else { exit(2) }
            // OPENSSL_atexit handlers run inside OPENSSL_cleanup: the handler says whether it ran.
            typealias Handler = @convention(c) () -> Void
            typealias AtExit = @convention(c) (Handler) -> Int32
            guard let symbol = dlsym(nil, "OPENSSL_atexit") else { exit(3) }
            let handler: Handler = {
                let line = "OPENSSL_cleanup ran\n"
                _ = line.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
            }
            guard unsafeBitCast(symbol, to: AtExit.self)(handler) == 1 else { exit(4) }
            // As `quake` ends: through exit(3), which runs the process's exit handlers.
            exit(0)
        }
        let output = String(decoding: child?.standardOutputContent ?? [], as: UTF8.self)
        #expect(!output.contains("OPENSSL_cleanup ran"), "child stdout: \(output)")
    }
}
