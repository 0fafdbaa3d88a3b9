import ArgumentParser
import Foundation
import QuakeCore
import QuakeHTTP

/// `quake load URL`: sends one request over and over, open loop at a rate (like wrk2 or vegeta)
/// or closed loop as fast as the connections allow (like wrk), and prints what came back.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Send HTTP load at a fixed rate (open loop) or as fast as possible (closed loop) and summarise it.",
        discussion: """
            With --rate, requests leave at their scheduled instants whatever the server does, and latency \
            is measured from each request's scheduled instant, so a server that stalls cannot hide the stall \
            (no coordinated omission). A request due while --max-in-flight requests wait is sent late, or \
            counted unsent once it has waited longer than --timeout. Without --rate, --connections connections \
            each send their next request as soon as the previous one is answered.
            Ctrl-C (or SIGTERM) stops the load early and prints what it did so far.
            Exit 0 when the load ran (whatever the server answered), 2 for a usage error (a bad URL, rate, \
            duration or header, an unreadable body file), 5 when the load could not start.
            """
    )

    @Argument(help: "The http:// or https:// URL to send to.")
    var url: String

    @Option(help: "Requests per second, such as 2000/s or 30000/m (default: closed loop, as fast as the connections allow).")
    var rate: String?

    @Option(help: "How long to send for, such as 30s or 2m.")
    var duration = "10s"

    @Option(help: "Closed loop: connections (default 10). Open loop: the most connections open at once, each holding one request in flight (default: --max-in-flight).")
    var connections: Int?

    @Option(name: .customLong("header"), help: ArgumentHelp("A request header; repeat for more.", valueName: "name:value"))
    var headers: [String] = []

    @Option(help: "The request method (default GET, or POST with --body).")
    var method: String?

    @Option(help: ArgumentHelp("The request body: @file for a file's bytes, else the text as given.", valueName: "@file|text"))
    var body: String?

    @Option(help: "Open loop: constant (evenly spaced) or poisson arrivals.")
    var arrival: ArrivalKind = .constant

    @Option(help: "Open loop, poisson: the seed of the arrival times (default: a random one, printed).")
    var seed: UInt64?

    @Option(help: "Open loop: the most requests waiting for an answer at once; one due beyond it waits (counted late) or is given up after --timeout (counted unsent).")
    var maxInFlight = 256

    @Option(help: "Each request's time limit, connecting included, such as 10s.")
    var timeout = "10s"

    @Option(help: "Sending threads, each with its own libcurl multi handle (default: one per core, at most 4).")
    var workers: Int?

    @Option(help: ArgumentHelp("https: trust the authorities in this PEM file instead of the system's.", valueName: "file"))
    var cacert: String?

    @Flag(help: "https: do not check the server's certificate (the summary says so).")
    var insecure = false

    @Flag(help: "Print the figures as JSON on standard output.")
    var json = false

    enum ArrivalKind: String, ExpressibleByArgument {
        case constant, poisson
    }

    func run() async throws {
        let configuration = try makeConfiguration()
        let progress = Progress(enabled: !json, duration: configuration.duration)
        let result: LoadResult
        do {
            // Ctrl-C (SIGINT) or SIGTERM cancels the load, which stops early and returns the result so far.
            result = try await SignalCancellation.run(notice: nil) {
                try await LoadGenerator.run(configuration) { second, tally in progress.update(second: second, tally) }
            }
        } catch let error as HTTPError {
            progress.finish()
            if error.code == .invalidURL || error.code == .invalidRequest { throw usage(error.message) }
            throw failure(error.description)
        }
        progress.finish()
        print(json ? result.renderJSON() : result.renderText(), terminator: json ? "\n" : "")
    }

    /// The load the options describe, or a usage error (exit 2) saying which option is wrong.
    func makeConfiguration() throws -> LoadConfiguration {
        guard let span = TimeSpan(parsing: duration), span.microseconds >= 1000 else {
            throw usage("--duration \(duration): give a length of at least 1ms, such as 30s or 2m")
        }
        guard let limit = TimeSpan(parsing: timeout), limit.microseconds >= 1000 else {
            throw usage("--timeout \(timeout): give a length of at least 1ms, such as 10s")
        }
        if let workers, !(1...64).contains(workers) { throw usage("--workers takes a count from 1 to 64") }
        if let connections, !(1...100_000).contains(connections) { throw usage("--connections takes a count from 1 to 100000") }
        guard (1...1_000_000).contains(maxInFlight) else { throw usage("--max-in-flight takes a count from 1 to 1000000") }
        var fields = HTTPHeaders()
        for header in headers {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                throw usage("--header \(header): write it as name:value, such as 'Accept: application/json'")
            }
            fields.append(
                name: String(header[..<colon]).trimmingCharacters(in: .whitespaces),
                value: String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            )
        }
        var payload: Data?
        if let body {
            if body.hasPrefix("@") {
                let path = String(body.dropFirst())
                do { payload = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                    throw usage("--body @\(path): cannot read the file (\(error.localizedDescription))")
                }
            } else {
                payload = Data(body.utf8)
            }
        }
        let verb = method.map { HTTPMethod(rawValue: $0.uppercased()) } ?? (payload == nil ? .get : .post)
        var tls = insecure ? HTTPTLSOptions.insecure : HTTPTLSOptions()
        if let cacert {
            guard FileManager.default.isReadableFile(atPath: cacert) else { throw usage("--cacert \(cacert): cannot read the file") }
            tls.caFile = cacert
        }
        let request = HTTPRequest(
            method: verb, url: url, headers: fields, body: payload,
            timeout: .microseconds(limit.microseconds), connectTimeout: .microseconds(limit.microseconds), tls: tls
        )
        let mode: LoadMode
        if let rate {
            guard let parsed = Rate(parsing: rate) ?? Double(rate).map(Rate.init(perSecond:)),
                  parsed.perSecond > 0, parsed.perSecond <= 10_000_000 else {
                throw usage("--rate \(rate): give requests per time unit above 0 and at most 10000000/s, such as 2000/s or 30000/m")
            }
            let pattern: LoadArrival = arrival == .poisson ? .poisson(seed: seed ?? UInt64.random(in: 0...UInt64.max)) : .constant
            mode = .openLoop(rate: parsed.perSecond, arrival: pattern, maxInFlight: maxInFlight, connections: connections)
        } else {
            mode = .closedLoop(connections: connections ?? 10)
        }
        return LoadConfiguration(
            request: request, mode: mode, duration: .microseconds(span.microseconds),
            workers: workers ?? LoadConfiguration.defaultWorkers
        )
    }

    private func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("quake load: \(message)\n".utf8))
        return ExitStatus.invalid.exitCode
    }

    private func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("quake load: \(message)\n".utf8))
        return ExitStatus.targetError.exitCode
    }

    /// The one-line progress display of `quake load` on a terminal (standard error): each second as it closes.
    struct Progress: Sendable {
        let enabled: Bool
        let duration: Duration

        init(enabled: Bool, duration: Duration) {
            self.enabled = enabled && isatty(STDERR_FILENO) == 1
            self.duration = duration
        }

        /// Redraws the line for second `second`.
        func update(second: Int, _ tally: LoadTally) {
            guard enabled else { return }
            let p99 = tally.latency(atPercentile: 99).map { String(format: "%.1f ms", $0 / .milliseconds(1)) } ?? "-"
            let line = "\r  \(second + 1)/\(Int((duration / .seconds(1)).rounded(.up))) s: \(tally.sent) sent, "
                + "\(tally.responses) answered, \(tally.failures) failed, \(tally.unsent) unsent, p99 \(p99)   "
            FileHandle.standardError.write(Data(line.utf8))
        }

        /// Clears the line.
        func finish() {
            guard enabled else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }
    }
}
