import QuakeCore
import QuakeObserve
import Testing

/// Real Envoy 1.40 line shapes (LAB-NOTES §5, Envoy's docs), Istio's default format, the model's
/// own lines, JSON lines and a given format string, read into records.
@Suite struct AccessLogParserTests {
    /// Parses one line and resolves its names.
    static func read(_ line: String, _ syntax: AccessLogSyntax) throws -> (AccessLogRecord, AccessLogSymbols) {
        var parser = AccessLogParser(syntax: syntax)
        let record = try parser.parse(line)
        return (record, parser.symbols)
    }

    @Test func envoyDocsExample() throws {
        let (r, s) = try Self.read(#"[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80""#, .envoy)
        #expect(r.start == 1_460_751_420_310_000)
        #expect(r.status == 204 && r.flags.isEmpty && r.flagText == .none)
        #expect(r.duration == 226_000)
        #expect(s.string(r.authority) == "locations")
        #expect(s.string(r.upstreamHost) == "tcp://10.0.2.1:80")
        #expect(r.upstreamCluster == .none)
    }

    @Test func combinedFlagsAreKeptAsWrittenAndDecoded() throws {
        let (r, s) = try Self.read(#"[2024-05-01T12:00:01.002Z] "GET /items HTTP/1.1" 503 URX,UF 0 91 12 - "127.0.0.1,127.0.0.1" "curl/8.5.0" "a1" "checkout:8080" "127.0.0.1:18002""#, .envoy)
        #expect(r.status == 503)
        #expect(r.flags == [.upstreamRetryLimitExceeded, .upstreamConnectionFailure])
        #expect(s.string(r.flagText) == "URX,UF")
    }

    @Test func codeAndFlagDoNotPinEachOtherDown() throws {
        let (ut, _) = try Self.read(#"[2024-05-01T12:00:00.900Z] "GET / HTTP/1.1" 200 UT 0 10 15000 15000 "-" "curl/8.5.0" "a2" "checkout:8080" "127.0.0.1:18001""#, .envoy)
        #expect(ut.status == 200 && ut.flags == .upstreamRequestTimeout && ut.duration == 15_000_000)
        let (dc, _) = try Self.read(#"[2024-05-01T12:00:02.200Z] "GET /x HTTP/1.1" 0 DC 0 0 3 - "-" "curl/8.5.0" "a3" "checkout:8080" "127.0.0.1:18001""#, .envoy)
        #expect(dc.status == 0 && dc.flags == .downstreamConnectionTermination)
        let (dpe, s) = try Self.read(#"[2024-05-01T12:00:02.100Z] "- - HTTP/1.1" 400 DPE 0 0 0 - "-" "-" "-" "-" "-""#, .envoy)
        #expect(dpe.status == 400 && dpe.flags == .downstreamProtocolError)
        #expect(dpe.upstreamHost == .none && dpe.authority == .none && s.count == 1)
        let (old, _) = try Self.read(#"[2024-05-01T12:00:02.100Z] "GET / HTTP/1.0" 426 DPE 0 0 - - "-" "-" "-" "-" "-""#, .envoy)
        #expect(old.status == 426 && old.duration == nil)
    }

    @Test func quotesBackslashesAndUTF8InsideFieldsAreNotEscaped() throws {
        let (r, s) = try Self.read(#"[2024-05-01T12:00:00.001Z] "GET /a"b HTTP/1.1" 200 - 0 5 7 6 "-" "Mozilla/5.0 "evil" \ agent" "" " "x" "ünïcødé.example:80" "10.0.0.7:8080""#, .envoy)
        #expect(r.status == 200 && r.duration == 7000)
        #expect(s.string(r.authority) == "ünïcødé.example:80")
        #expect(s.string(r.upstreamHost) == "10.0.0.7:8080")
        let (tabbed, t) = try Self.read("[2024-05-01T12:00:00.001Z] \"GET / HTTP/1.1\" 503 UH 0 0 1 - \"-\" \"tab\there\" \"id\" \"svc\" \"-\"", .envoy)
        #expect(tabbed.status == 503 && tabbed.upstreamHost == .none && t.string(tabbed.authority) == "svc")
    }

    @Test func istioDefaultFormat() throws {
        let line = #"[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default"#
        let (r, s) = try Self.read(line, .istio)
        #expect(r.status == 418 && r.duration == 4000)
        #expect(s.string(r.upstreamCluster) == "outbound|8000||httpbin.foo.svc.cluster.local")
        #expect(s.string(r.upstreamHost) == "10.44.1.27:80")
        let failed = #"[2024-05-01T12:00:00.000Z] "GET / HTTP/1.1" 503 URX,UF upstream_reset_before_response_started{connection_failure} - "delayed connect error: 111" 0 91 30 - "-" "Mozilla "q" \ x" "id-1" "reviews:9080" "10.44.1.9:9080" outbound|9080||reviews.default.svc.cluster.local - 10.0.0.5:9080 10.44.1.23:46522 - default"#
        let (f, t) = try Self.read(failed, .istio)
        #expect(f.flags == [.upstreamRetryLimitExceeded, .upstreamConnectionFailure])
        #expect(t.string(f.authority) == "reviews:9080")
        #expect(throws: ObserveError.self) { try Self.read(line, .envoy) }
    }

    /// Lines `AccessLogFormat.render` writes (QuakeModel), as `quake run --access-log` wrote them.
    @Test(arguments: [
        (#"[1970-01-01T00:00:00.006Z] "GET / HTTP/1.1" 200 - 0 0 7 - "-" "quake-model" "quake-0000000001" "svc3" "svc3-cluster1-18:8080""#, 200, 6000 as Int64),
        (#"[1970-01-01T00:03:00.019Z] "GET / HTTP/1.1" 503 FI 0 0 0 - "-" "quake-model" "quake-0000377194" "svc2" "-""#, 503, 180_019_000),
        (#"[1970-01-35T01:00:00.000Z] "GET /pay HTTP/1.1" 504 UT 0 0 2000 - "-" "quake-model" "quake-0001325867" "svc2" "svc2-cluster1-10:8080""#, 504, 34 * 86_400_000_000 + 3_600_000_000),
    ] as [(String, Int, Int64)])
    func modelTextLines(_ line: String, _ status: Int, _ start: Int64) throws {
        let (r, _) = try Self.read(line, .envoy)
        #expect(r.status == status && r.start == start)
    }

    @Test func jsonLines() throws {
        let model = #"{"authority":"svc2","code":503,"duration_ms":0,"flags":"FI","method":"GET","path":"/","request_id":"quake-0000377194","start_time":"1970-01-01T00:03:00.019Z","upstream_cluster":"outbound|8080||svc2.default.svc.cluster.local","upstream_host":null}"#
        let (m, s) = try Self.read(model, .json)
        #expect(m.status == 503 && m.flags == .faultInjected && m.upstreamHost == .none && m.duration == 0)
        #expect(s.string(m.upstreamCluster) == "outbound|8080||svc2.default.svc.cluster.local")
        let envoy = #"{"attempts":1,"code":"503","details":"upstream_reset_before_response_started{remote_connection_failure}","duration_ms":"12","flags":"URX,UF","nested":{"a":[1,2,{"b":null}]},"start_time":"2024-05-01T12:00:00.123+02:00","upstream_host":"127.0.0.1:18002","authority":"caf\u00e9 \"q\" \ud83d\ude00"}"#
        let (e, t) = try Self.read(envoy, .json)
        #expect(e.status == 503 && e.duration == 12_000 && e.flags == [.upstreamRetryLimitExceeded, .upstreamConnectionFailure])
        #expect(e.start == 1_714_557_600_123_000)
        #expect(t.string(e.authority) == "café \"q\" 😀")
        let sparse = #"{"response_code":0,"response_flags":"DC","duration":null,"start_time":"1714564800.5","upstream_host":"-","upstream_cluster":null}"#
        let (d, _) = try Self.read(sparse, .json)
        #expect(d.status == 0 && d.duration == nil && d.start == 1_714_564_800_500_000 && d.upstreamHost == .none)
    }

    /// A JSON line's byte that is not printable ASCII is named by its value: it was shown as the
    /// Latin-1 character of that value (`Ã` for the first byte of `é`), or broke the message's line.
    @Test(arguments: [(#"{"a":é}"#, "unexpected byte 0xC3 at column 6"), ("{\"a\":\n}", "unexpected byte 0x0A at column 6"),
                      (#"{"a":"\é"}"#, "unknown escape `\\` before byte 0xC3 at column 9"), (#"{"a":"\q"}"#, "unknown escape `\\q` at column 9")])
    func jsonErrorsNameBytesByValue(line: String, message: String) {
        #expect(throws: ObserveError(code: .malformed, message: message)) { try Self.read(line, .json) }
    }

    @Test func givenFormatString() throws {
        let format = try AccessLogTextFormat("%START_TIME(%s.%3f)% %RESPONSE_CODE% %RESPONSE_FLAGS% %DURATION%ms %UPSTREAM_CLUSTER% %UPSTREAM_HOST% \"%REQ(USER-AGENT)%\" %REQUEST_HEADER(:AUTHORITY)% %BYTES_SENT%\n")
        let (r, s) = try Self.read(#"1714564800.250 504 UT 15000ms outbound|80||cart.shop.svc.cluster.local 10.0.0.3:80 "a "b" c" cart.shop:80 0"#, .text(format))
        #expect(r.start == 1_714_564_800_250_000 && r.status == 504 && r.duration == 15_000_000)
        #expect(s.string(r.upstreamCluster) == "outbound|80||cart.shop.svc.cluster.local" && s.string(r.authority) == "cart.shop:80")
        #expect(try AccessLogSyntax(argument: "[%START_TIME%] %RESPONSE_CODE%") != .json)
    }

    @Test(arguments: [
        "%RESPONSE_CODE% %DURATION%", "%START_TIME%%RESPONSE_CODE%", "%START_TIME% %RESPONSE_CODE% 100%", "%START_TIME(%Y)% %RESPONSE_CODE%", "%start_time% %RESPONSE_CODE%",
    ])
    func badFormatStringsAreRefused(_ format: String) {
        #expect { try AccessLogTextFormat(format) } throws: { ($0 as? ObserveError)?.code == .invalidArgument }
    }

    @Test func unknownFormatNameIsRefused() {
        #expect { try AccessLogSyntax(argument: "nginx") } throws: { ($0 as? ObserveError)?.code == .invalidArgument }
    }

    @Test func detection() {
        let envoy = [#"[2024-05-01T12:00:00.310Z] "GET / HTTP/1.1" 200 - 0 58 4 1 "-" "curl" "id" "a" "10.0.0.1:80""#]
        let istio = [#"[2020-11-25T21:26:18.409Z] "GET / HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl" "id" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default"#]
        #expect(AccessLogSyntax.detect(envoy) == .envoy)
        #expect(AccessLogSyntax.detect(istio) == .istio)
        #expect(AccessLogSyntax.detect([#"{"code":200,"start_time":"2024-05-01T12:00:00Z"}"#]) == .json)
        #expect(AccessLogSyntax.detect(["hello", "world"]) == nil)
    }

    @Test func malformedLinesAreCountedWithLineNumbersAndChunksMaySplitLines() {
        let good = #"[2024-05-01T12:00:00.310Z] "GET / HTTP/1.1" 200 - 0 58 4 1 "-" "curl" "id" "a" "10.0.0.1:80""#
        let text = [good, "garbage", "", good, #"[2024-05-01T12:00:00.310Z] "GET / HTTP/1.1" 2x0 - 0 58 4 1 "-" "curl" "id" "a" "10.0.0.1:80""#, #"[2024-13-01T12:00:00.310Z] "GET / HTTP/1.1" 200 - 0 58 4 1 "-" "c" "i" "a" "-""#, good + "\r"].joined(separator: "\n")
        let bytes = Array(text.utf8)
        for chunk in [1, 7, 4096] {
            var parser = AccessLogParser(syntax: .envoy, source: "x.log", sampleLimit: 2)
            var records = 0
            var i = 0
            while i < bytes.count {
                bytes[i..<min(bytes.count, i + chunk)].withUnsafeBytes { parser.feed($0) { _ in records += 1 } }
                i += chunk
            }
            parser.finish { _ in records += 1 }
            #expect(records == 3)
            #expect(parser.malformed.count == 3)
            #expect(parser.malformed.samples.map(\.location) == ["x.log:2", "x.log:5"])
            #expect(parser.malformed.samples.allSatisfy { $0.code == .malformed && !$0.message.isEmpty })
            #expect(parser.lineNumber == 7)
        }
    }
}
