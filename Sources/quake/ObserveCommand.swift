import ArgumentParser
import Foundation
import QuakeCore
import QuakeObserve

/// `quake observe FILE...`: what Envoy access logs (or a saved `/stats/prometheus` page) show,
/// without a plan; with `--follow`, one log as it grows, a row per window as it settles.
struct ObserveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observe",
        abstract: "Summarise Envoy access logs, or a saved Envoy /stats/prometheus page, without a plan.",
        discussion: """
            Access logs (Envoy's default text format, Istio's, JSON lines, or a given Envoy format string) \
            are read together: requests by response code, by flag (each on its own and per combination), \
            by upstream cluster and host, latency percentiles, and the same per window of start time. \
            Malformed lines are counted and the first few shown; they do not stop the reading.
            With --follow, one access log is followed as it grows (like tail -F, through truncation and \
            rotation): each window's row is printed once --settle has passed since its end, a window \
            without a line as zero requests, and Ctrl-C prints the summary of everything read.
            Exit 0 when the files were read, 2 for a usage error or a format that cannot be told, \
            5 when a file cannot be read.
            """
    )

    @Argument(help: "Access-log files, or saved /stats/prometheus pages.")
    var files: [String]

    @Option(help: ArgumentHelp("envoy, istio, json, or an Envoy format string such as '[%START_TIME%] %RESPONSE_CODE% %RESPONSE_FLAGS% %DURATION%'. Default: detected from the first lines of each file.", valueName: "format"))
    var format: String?

    @Option(help: "The window length, e.g. 1s, 10s, 1m.")
    var window = "1s"

    @Flag(help: "Print the figures as JSON on standard output (with --follow: a line per window, then the summary).")
    var json = false

    @Flag(name: [.short, .long], help: "Follow one access log as it grows, printing each window as it settles, until Ctrl-C.")
    var follow = false

    @Option(help: "With --follow, how long after a window ends its row is printed (Envoy flushes its log every 10 s by default).")
    var settle = "10s"

    func run() async throws {
        guard let span = TimeSpan(parsing: window), span.microseconds >= 1000 else {
            throw Self.usage("--window \(window): give a length of at least 1ms, such as 1s or 10s")
        }
        var given: AccessLogSyntax?
        if let format {
            do { given = try AccessLogSyntax(argument: format) } catch { throw Self.usage(error.description) }
        }
        if follow {
            guard files.count == 1 else { throw Self.usage("--follow follows one access log; give one file") }
            guard let wait = TimeSpan(parsing: settle), wait.microseconds >= 0 else {
                throw Self.usage("--settle \(settle): give a length such as 10s or 0s")
            }
            try await followLog(files[0], syntax: given, window: span, settle: wait)
            return
        }
        var logs: [(path: String, syntax: AccessLogSyntax)] = []
        var pages: [String] = []
        for path in files {
            let head: [UInt8]
            do { head = try AccessLogFile.head(path: path) } catch { throw Self.failure(error.description) }
            // Split on bytes: a `\r\n` is one Character, and walking 64 KiB by Character costs more than reading the file's first lines.
            let lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).prefix(20).map { Substring(String(decoding: $0, as: UTF8.self)) }
            if given == nil, Self.isPrometheusPage(lines) {
                pages.append(path)
                continue
            }
            guard let syntax = given ?? AccessLogSyntax.detect(lines) else {
                throw Self.usage(Self.formatUnknown(path))
            }
            logs.append((path, syntax))
        }
        guard pages.isEmpty || logs.isEmpty else {
            throw Self.usage("\(pages[0]) is a Prometheus page and \(logs[0].path) an access log; read them in separate runs")
        }
        if !pages.isEmpty {
            try printPages(pages)
            return
        }
        var aggregator = AccessLogAggregator(window: span)
        var symbols = AccessLogSymbols()
        var malformed = AccessLogMalformedLines()
        var read: [String] = []
        for log in logs {
            var parser = AccessLogParser(syntax: log.syntax, source: log.path, symbols: symbols)
            do {
                try AccessLogFile.read(path: log.path, into: &parser, aggregator: &aggregator)
            } catch {
                throw Self.failure(error.description)
            }
            symbols = parser.symbols
            malformed.merge(parser.malformed)
            read.append("\(log.path): \(parser.records) requests in \(parser.lineNumber) lines (\(Self.name(of: log.syntax)))")
        }
        let summary = aggregator.summary(symbols: symbols, malformed: malformed)
        if json {
            print(summary.renderJSON())
        } else {
            print(read.joined(separator: "\n") + "\n")
            print(summary.renderText(), terminator: "")
        }
    }

    /// Follows `path` until Ctrl-C: the format from `syntax` or from its first lines (waiting for
    /// them), a row per window as ``ObservedWindowFeed`` makes it due, then the summary. One
    /// signal handling covers it all (the dispatch sources it uses can be set up once a process).
    private func followLog(_ path: String, syntax given: AccessLogSyntax?, window: TimeSpan, settle: TimeSpan) async throws {
        let json = json
        let outcome = try await SignalCancellation.run(notice: nil) { () async throws -> (AccessLogSyntax, AccessLogParser, AccessLogAggregator)? in
            let syntax: AccessLogSyntax
            if let given {
                syntax = given
            } else {
                guard let lines = await Self.firstLines(of: path) else { return nil }
                if Self.isPrometheusPage(lines) { throw Self.usage("\(path) is a Prometheus page; --follow reads an access log") }
                guard let found = AccessLogSyntax.detect(lines) else {
                    throw Self.usage(Self.formatUnknown(path))
                }
                syntax = found
            }
            var parser = AccessLogParser(syntax: syntax, source: path)
            var aggregator = AccessLogAggregator(window: window)
            var feed = ObservedWindowFeed(window: window, settle: settle, startedAt: Self.nowMicroseconds())
            // Rows go out as they come, unbuffered, for whoever watches or pipes them.
            if !json { FileHandle.standardOutput.write(Data(ObservedSummary.windowHeader.utf8)) }
            do throws(ObserveError) {
                try await AccessLogTail(path: path).follow(into: &parser, { aggregator.add($0) }, idle: { parser in
                    let now = Self.nowMicroseconds()
                    guard feed.hasDue(now: now) else { return true }
                    let rows = feed.due(in: aggregator.summary(symbols: parser.symbols), now: now)
                    let text = rows.map { json ? ObservedSummary.windowJSON($0.counts) + "\n" : ObservedSummary.windowRow($0.counts, start: $0.start) }.joined()
                    if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)) }
                    return true
                })
            } catch {
                throw Self.failure(error.description)
            }
            return (syntax, parser, aggregator)
        }
        guard let (syntax, parser, aggregator) = outcome else { return }
        let summary = aggregator.summary(symbols: parser.symbols, malformed: parser.malformed)
        if json {
            print(summary.renderJSON())
        } else {
            print("\n\(path): \(parser.records) requests in \(parser.lineNumber) lines (\(Self.name(of: syntax)))\n")
            print(summary.renderText(), terminator: "")
        }
    }

    /// The first lines of `path`, once it has any (waiting for it to be created and written, as
    /// `tail -F` does); nil if the task is cancelled first.
    private static func firstLines(of path: String) async -> [Substring]? {
        var told = false
        while true {
            if let head = try? AccessLogFile.head(path: path), head.contains(UInt8(ascii: "\n")) {
                return head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).prefix(20).map { Substring(String(decoding: $0, as: UTF8.self)) }
            }
            if !told {
                FileHandle.standardError.write(Data("quake observe: waiting for the first lines of \(path) to tell its format (or give --format)\n".utf8))
                told = true
            }
            do { try await Task.sleep(for: .milliseconds(200)) } catch { return nil }
        }
    }

    private static func nowMicroseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    private func printPages(_ pages: [String]) throws {
        var outputs: [String] = []
        for path in pages {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw Self.failure("cannot read \(path): \(error.localizedDescription)") }
            do {
                let page = try EnvoyStatsReport.render(data, json: json)
                outputs.append(json ? page : "== \(path)\n" + page)
            } catch {
                throw Self.usage("\(path): \(error)")
            }
        }
        print(json && outputs.count > 1 ? "[\n" + outputs.joined(separator: ",\n") + "\n]" : outputs.joined(separator: "\n"))
    }

    /// Whether the first lines are Prometheus text: `# TYPE`/`# HELP` lines or `name{labels} value` samples.
    static func isPrometheusPage<S: Sequence>(_ lines: S) -> Bool where S.Element == Substring {
        guard let first = lines.first(where: { !$0.allSatisfy(\.isWhitespace) }) else { return false }
        if first.hasPrefix("# TYPE ") || first.hasPrefix("# HELP ") { return true }
        guard let name = first.first, name.isLetter || name == "_" || name == ":" else { return false }
        let metric = first.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        var rest = first.dropFirst(metric.count)
        if rest.first == "{" {
            guard let close = rest.lastIndex(of: "}") else { return false }
            rest = rest[rest.index(after: close)...]
        }
        let fields = rest.split(separator: " ")
        return (1...2).contains(fields.count) && Double(fields[0]) != nil
    }

    static func name(of syntax: AccessLogSyntax) -> String {
        switch syntax {
        case .json: return "json"
        case .text(let format) where format == .envoy: return "envoy"
        case .text(let format) where format == .istio: return "istio"
        case .text: return "given format"
        }
    }

    /// Why a log whose format could not be told from its first lines is refused.
    private static func formatUnknown(_ path: String) -> String {
        "\(path): cannot tell the access-log format from its first lines; give --format envoy, istio, json or a format string"
    }

    private static func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("quake observe: \(message)\n".utf8))
        return ExitStatus.invalid.exitCode
    }

    private static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("quake observe: \(message)\n".utf8))
        return ExitStatus.targetError.exitCode
    }
}
