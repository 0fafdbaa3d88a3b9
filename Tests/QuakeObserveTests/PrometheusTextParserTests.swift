import Foundation
import QuakeObserve
import Testing

@Suite struct PrometheusTextParserTests {
    private func samples(_ text: String, mode: PrometheusTextParser.Mode = .strict) throws -> [PrometheusSample] {
        try PrometheusTextParser.samples(in: Data(text.utf8), mode: mode)
    }

    /// The error a strict parse of `text` throws.
    private func failure(_ text: String) -> ObserveError? {
        do {
            _ = try samples(text)
            return nil
        } catch {
            return error as? ObserveError
        }
    }

    @Test func specExampleReadsEverySampleWithTypesAndFamilies() throws {
        var parser = PrometheusTextParser(source: "spec-example.txt")
        var read: [PrometheusSample] = []
        try parser.feed(try PrometheusFixtures.data(PrometheusFixtures.specExample)) { read.append($0) }
        try parser.finish { read.append($0) }
        #expect(read.count == 20)
        #expect(parser.lineCount == 36)

        let first = read[0]
        #expect(first.name == "http_requests_total")
        #expect(first.type == .counter)
        #expect(first.labels == [PrometheusLabel(name: "method", value: "post"), PrometheusLabel(name: "code", value: "200")])
        #expect(first.value == 1027)
        #expect(first.timestamp == 1_395_066_363_000)
        #expect(first.line == 3)
        #expect(read[1].value == 3 && read[1].label("code") == "400")

        let escaped = read[2]
        #expect(escaped.label("path") == #"C:\DIR\FILE.TXT"#)
        #expect(escaped.label("error") == "Cannot find file:\n\"FILE.TXT\"")
        #expect(escaped.value == 1.458255915e9)
        #expect(escaped.type == .untyped)

        #expect(read[3].name == "metric_without_timestamp_and_labels" && read[3].labels.isEmpty && read[3].value == 12.47)
        #expect(read[4].value == .infinity && read[4].timestamp == -3_982_045)

        let buckets = read.filter { $0.name == "http_request_duration_seconds_bucket" }
        #expect(buckets.map { $0.label("le") } == ["0.05", "0.1", "0.2", "0.5", "1", "+Inf"])
        #expect(buckets.allSatisfy { $0.type == .histogram && $0.family == "http_request_duration_seconds" })
        let histogramSum = try #require(read.first { $0.name == "http_request_duration_seconds_sum" })
        #expect(histogramSum.family == "http_request_duration_seconds" && histogramSum.value == 53423)

        let quantiles = read.filter { $0.name == "rpc_duration_seconds" }
        #expect(quantiles.map { $0.label("quantile") } == ["0.01", "0.05", "0.5", "0.9", "0.99"])
        #expect(quantiles.allSatisfy { $0.type == .summary })
        let summarySum = try #require(read.first { $0.name == "rpc_duration_seconds_sum" })
        #expect(summarySum.type == .summary && summarySum.value == 1.7560473e+07)

        #expect(parser.families.map(\.name) == [
            "http_requests_total", "msdos_file_access_time_seconds", "metric_without_timestamp_and_labels",
            "something_weird", "http_request_duration_seconds", "rpc_duration_seconds",
        ])
        #expect(parser.families[0] == PrometheusFamily(name: "http_requests_total", type: .counter, help: "The total number of HTTP requests."))
        #expect(parser.families[4].type == .histogram)
    }

    @Test func valuesInEverySpelling() throws {
        let page = """
            a 1
            b -2.5
            c 1e3
            d 1.5E-3
            e +7
            f NaN
            g +Inf
            h -Inf
            i Inf
            j 0.000000000000000000001
            k 12345678901234567890123
            l 342.60068837887098425198928453028
            m .5
            n 5.
            o -0
            """
        let values = try samples(page).map(\.value)
        #expect(values[0] == 1 && values[1] == -2.5 && values[2] == 1000 && values[3] == 0.0015 && values[4] == 7)
        #expect(values[5].isNaN)
        #expect(values[6] == .infinity && values[7] == -.infinity && values[8] == .infinity)
        #expect(values[9] == 1e-21)
        #expect(values[10] == 12345678901234567890123.0)
        #expect(values[11] == 342.60068837887098425198928453028)
        #expect(values[12] == 0.5 && values[13] == 5)
        #expect(values[14] == 0 && values[14].sign == .minus)
    }

    @Test func layoutVariants() throws {
        let page = "  \t\n# just a comment\n#\n# HELP x Text with \\\\ and \\n escapes  \nx{} 1\n\tx{a=\"1\",} 2 \t\n y { a = \"2\" , b=\"\" } 3 -5\nlast 4"
        var parser = PrometheusTextParser()
        var read: [PrometheusSample] = []
        try parser.feed(Data(page.utf8)) { read.append($0) }
        try parser.finish { read.append($0) }
        #expect(read.map(\.name) == ["x", "x", "y", "last"])
        #expect(read[0].labels.isEmpty)
        #expect(read[1].labels == [PrometheusLabel(name: "a", value: "1")])
        #expect(read[2].labels == [PrometheusLabel(name: "a", value: "2"), PrometheusLabel(name: "b", value: "")])
        #expect(read[2].timestamp == -5)
        #expect(read[3].value == 4 && read[3].line == 8)
        #expect(parser.families.first?.help == "Text with \\ and \n escapes")
    }

    @Test func chunksOfAnySizeGiveTheSameSamples() throws {
        let page = try PrometheusFixtures.data(PrometheusFixtures.envoyPage)
        let whole = try PrometheusTextParser.samples(in: page)
        for size in [1, 7, 64, 4096] {
            var parser = PrometheusTextParser()
            var read: [PrometheusSample] = []
            var offset = 0
            while offset < page.count {
                try parser.feed(page.subdata(in: offset..<min(offset + size, page.count))) { read.append($0) }
                offset += size
            }
            try parser.finish { read.append($0) }
            #expect(read == whole, "chunk size \(size)")
        }
    }

    @Test(arguments: [
        ("metric", "line 1", "expected a value"),
        ("9metric 1", "line 1", "expected a metric name, found '9'"),
        ("m{a=\"1\" 2", "line 1", "expected ',' or '}'"),
        ("m{a=1} 2", "line 1", "expected '\"' to open the label value"),
        ("m{a=\"1} 2", "line 1", "unterminated label value"),
        ("m{a=\"\\t\"} 2", "line 1", "invalid escape \\t"),
        ("m{1a=\"x\"} 2", "line 1", "expected a label name or '}'"),
        ("m{a=\"x\",a=\"y\"} 2", "line 1", "label a appears twice"),
        ("m{a \"x\"} 2", "line 1", "expected '=' after label name"),
        ("m 1.2.3", "line 1", "invalid value \"1.2.3\""),
        ("m 0x10", "line 1", "invalid value"),
        ("m 1 2.5", "line 1", "invalid timestamp \"2.5\""),
        ("m 1 99999999999999999999", "line 1", "invalid timestamp"),
        ("m 1 2 3", "line 1", "unexpected text after the timestamp"),
        ("ok 1\n# TYPE m gauge extra\n", "line 2", "expected counter, gauge, histogram, summary or untyped"),
        ("# TYPE m gauge\n# TYPE m counter\n", "line 2", "second TYPE line for m"),
        ("# HELP m a\n# HELP m b\n", "line 2", "second HELP line for m"),
        ("m 1\n# TYPE m gauge\n", "line 2", "TYPE line for m comes after its samples"),
        ("# TYPE\n", "line 1", "TYPE line without a metric name"),
        ("# TYPE h histogram\nh_bucket 1\n", "line 2", "le label missing"),
        ("# TYPE h histogram\nh_bucket{le=\"high\"} 1\n", "line 2", "le label \"high\" is not a number"),
        ("# TYPE h histogram\nh 1\n", "line 2", "a histogram's samples end in _bucket, _sum or _count"),
        ("# TYPE s summary\ns 1\n", "line 2", "quantile label missing"),
    ])
    func malformedLinesSayWhatAndWhere(page: String, location: String, message: String) throws {
        let error = try #require(failure(page))
        #expect(error.code == .malformed)
        #expect(error.location == location)
        #expect(error.message.contains(message), "\(error)")
        #expect(error.message.contains("(column "))
    }

    @Test func invalidUTF8InALabelValueIsRejected() throws {
        var bytes = Array("m{a=\"".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"} 1\n".utf8)
        #expect(throws: ObserveError.self) { try PrometheusTextParser.samples(in: Data(bytes)) }
        do {
            _ = try PrometheusTextParser.samples(in: Data(bytes), source: "page.txt")
        } catch let error as ObserveError {
            #expect(error.description == "page.txt:1: label value is not valid UTF-8 (column 6)")
        }
    }

    @Test func lenientModeSkipsAndCountsMalformedLines() throws {
        let page = "good 1\nbad{ 2\n# TYPE x nonsense\nalso_good{a=\"b\"} 3\nm 1 2 3\n"
        var read: [PrometheusSample] = []
        let parser = try PrometheusTextParser.parse(Data(page.utf8), source: "p", mode: .lenient) { read.append($0) }
        #expect(read.map(\.name) == ["good", "also_good"])
        #expect(parser.skippedLineCount == 3)
        #expect(parser.skippedLines.map(\.location) == ["p:2", "p:3", "p:5"])
        #expect(parser.sampleCount == 2 && parser.lineCount == 5)
    }

    @Test func callbackErrorsEndTheParseEvenWhenLenient() throws {
        struct Stop: Error {}
        var seen = 0
        #expect(throws: Stop.self) {
            try PrometheusTextParser.parse(Data("a 1\nb 2\nc 3\n".utf8), mode: .lenient) { _ in
                seen += 1
                if seen == 2 { throw Stop() }
            }
        }
        #expect(seen == 2)
    }

    @Test func envoyPageParsesCompletely() throws {
        let page = try PrometheusFixtures.data(PrometheusFixtures.envoyPage)
        var parser = PrometheusTextParser(source: PrometheusFixtures.envoyPage)
        var read: [PrometheusSample] = []
        try parser.feed(page) { read.append($0) }
        try parser.finish { read.append($0) }
        let text = String(decoding: page, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(parser.lineCount == lines.count)
        #expect(read.count == lines.filter { !$0.hasPrefix("#") && !$0.isEmpty }.count)
        #expect(parser.families.count == lines.filter { $0.hasPrefix("# TYPE ") }.count)
        #expect(!text.contains("# HELP"))

        let empty = try #require(read.first { $0.name == "envoy_cluster_manager_cluster_added" })
        #expect(empty.labels.isEmpty && empty.type == .counter && empty.value == 3)
        let bucket = try #require(read.first { $0.name == "envoy_cluster_upstream_rq_time_bucket" })
        #expect(bucket.type == .histogram && bucket.family == "envoy_cluster_upstream_rq_time" && bucket.label("le") != nil)
        let longSum = try #require(read.first { $0.name == "envoy_cluster_external_upstream_rq_time_sum" && $0.label("envoy_cluster_name") == "ratings" })
        #expect(longSum.value == 377.8438766065107756730867549777)
        let healthy = try #require(read.first { $0.name == "envoy_cluster_membership_healthy" && $0.label("envoy_cluster_name") == "reviews" })
        #expect(healthy.type == .gauge && healthy.value == 2)
    }
}
