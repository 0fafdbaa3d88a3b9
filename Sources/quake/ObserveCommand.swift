import ArgumentParser
import Foundation
import QuakeCore
import QuakeObserve

/// `quake observe FILE...`: what Envoy access logs (or a saved `/stats/prometheus` page) show,
/// without a plan.
struct ObserveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observe",
        abstract: "Summarise Envoy access logs, or a saved Envoy /stats/prometheus page, without a plan.",
        discussion: """
            Access logs (Envoy's default text format, Istio's, JSON lines, or a given Envoy format string) \
            are read together: requests by response code, by flag (each on its own and per combination), \
            by upstream cluster and host, latency percentiles, and the same per window of start time. \
            Malformed lines are counted and the first few shown; they do not stop the reading.
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

    @Flag(help: "Print the figures as JSON on standard output.")
    var json = false

    func run() throws {
        guard let span = TimeSpan(parsing: window), span.microseconds >= 1000 else {
            throw usage("--window \(window): give a length of at least 1ms, such as 1s or 10s")
        }
        var given: AccessLogSyntax?
        if let format {
            do { given = try AccessLogSyntax(argument: format) } catch { throw usage(error.description) }
        }
        var logs: [(path: String, syntax: AccessLogSyntax)] = []
        var pages: [String] = []
        for path in files {
            let head: [UInt8]
            do { head = try AccessLogFile.head(path: path) } catch { throw failure(error.description) }
            // Split on bytes: a `\r\n` is one Character, and walking 64 KiB by Character costs more than reading the file's first lines.
            let lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).prefix(20).map { Substring(String(decoding: $0, as: UTF8.self)) }
            if given == nil, Self.isPrometheusPage(lines) {
                pages.append(path)
                continue
            }
            guard let syntax = given ?? AccessLogSyntax.detect(lines) else {
                throw usage("\(path): cannot tell the access-log format from its first lines; give --format envoy, istio, json or a format string")
            }
            logs.append((path, syntax))
        }
        guard pages.isEmpty || logs.isEmpty else {
            throw usage("\(pages[0]) is a Prometheus page and \(logs[0].path) an access log; read them in separate runs")
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
                throw failure(error.description)
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

    private func printPages(_ pages: [String]) throws {
        var outputs: [String] = []
        for path in pages {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw failure("cannot read \(path): \(error.localizedDescription)") }
            do {
                let page = try EnvoyStatsReport.render(data, json: json)
                outputs.append(json ? page : "== \(path)\n" + page)
            } catch {
                throw usage("\(path): \(error)")
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

    private func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("quake observe: \(message)\n".utf8))
        return ExitStatus.invalid.exitCode
    }

    private func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("quake observe: \(message)\n".utf8))
        return ExitStatus.targetError.exitCode
    }
}
