@testable import QuakeObserve
import QuakeTestSupport
import Testing

/// The fast path for Envoy's default format reads every line exactly as the general matcher
/// does: the same records, the same interned names, the same errors.
@Suite struct AccessLogFastPathTests {
    static let lines = [
        #"[2024-05-01T11:59:59.961Z] "GET / HTTP/1.1" 200 - 0 250 18 17 "10.1.0.0,10.0.0.1" "curl/8.5.0" "00000000-6770-4aa5-88d4-e56118165a7d" "checkout:8080" "10.0.0.1:8080""#,
        #"[2024-05-01T12:00:01.002Z] "GET /items?page=2 HTTP/1.1" 503 URX,UF 0 91 12 - "127.0.0.1,127.0.0.1" "Mozilla/5.0 "evil" \ agent" "a1" "checkout:8080" "127.0.0.1:18002""#,
        #"[2024-05-01T12:00:02.100Z] "- - HTTP/1.1" 400 DPE 0 0 0 - "-" "-" "-" "-" "-""#,
        #"[2024-05-01T12:00:02.200Z] "GET /x HTTP/1.1" 0 DC 0 0 3 - "-" "curl/8.5.0" "a3" "checkout:8080" "127.0.0.1:18001""#,
        #"[2024-05-01T12:00:00.001Z] "GET /a"b HTTP/1.1" 200 - 0 5 7 6 "-" "ünïcødé-client/2.0 (x; y)" "" " "x" "ünïcødé.example:80" "10.0.0.7:8080""#,
        #"[2024-05-01T12:00:00.900Z] "GET /a b HTTP/1.1" 200 UT 0 10 15000 15000 "-" "curl/8.5.0" "a2" "cart.shop.svc.cluster.local:80" "127.0.0.1:18001""#,
        #"[1970-01-35T01:00:00.000Z] "GET /pay HTTP/1.1" 504 UT 0 0 2000 - "-" "quake-model" "quake-0001325867" "svc2" "svc2-cluster1-10:8080""#,
        #"[2024-05-01T12:00:00.123+02:00] "GET / HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0" "locations" "tcp://10.0.2.1:80""#,
        #"[2024-05-01 12:00:00.123Z] "GET / HTTP/2" 0200 - 154 0 1234567890123 100 "a "b" c" "nsq2http" "c"c" "loc"a "tions" "tcp://10.0.2.1:80""#,
        "[2024-05-01T12:00:00.001Z] \"GET / HTTP/1.1\" 503 UH 0 0 1 - \"-\" \"tab\there\" \"id\" \"svc\" \"-\"",
    ]

    static let alphabet = Array(#" "[]-,:.0123456789AZTU"#.utf8) + [0x09, 0x7F, 0xC3, 0xA9]

    /// Reads `line` with `parser`: the record with its names resolved, or the error message.
    static func read(_ line: [UInt8], _ parser: inout AccessLogParser) -> String {
        do throws(ObserveError) {
            let r = try line.withUnsafeBufferPointer { (bytes) throws(ObserveError) in try parser.parse(bytes) }
            let s = parser.symbols
            return "\(r.start) \(String(describing: r.duration)) \(r.status) \(r.flags.rawValue) \(r.flagText.rawValue):\(s.string(r.flagText) ?? "-") "
                + "\(r.upstreamHost.rawValue):\(s.string(r.upstreamHost) ?? "-") \(r.upstreamCluster.rawValue) \(r.authority.rawValue):\(s.string(r.authority) ?? "-")"
        } catch {
            return "error \(error.code) \(error.message)"
        }
    }

    @Test func commonLinesTakeTheFastPath() {
        var parser = AccessLogParser(syntax: .envoy)
        for line in Self.lines.prefix(4) {
            var bytes = Array(line.utf8)
            let record = bytes.withUnsafeMutableBufferPointer { parser.envoyDefaultRecord(UnsafeBufferPointer($0)) }
            #expect(record != nil, "\(line)")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func mutatedLinesReadTheSameAsTheGeneralMatcher() {
        var rng = SeededGenerator(seed: 0xFA57_9A7E)
        var fast = AccessLogParser(syntax: .envoy)
        var general = AccessLogParser(generalOnly: .envoy)
        var accepted = 0, differing: [String] = []
        for n in 0..<150_000 {
            var bytes = Array(Self.lines[n % Self.lines.count].utf8)
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                guard !bytes.isEmpty else { break }
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: bytes[i] = Self.alphabet.randomElement(using: &rng) ?? 0
                case 1: bytes.remove(at: i)
                case 2: bytes.insert(Self.alphabet.randomElement(using: &rng) ?? 0, at: i)
                case 3: bytes.insert(contentsOf: Array(#"" ""#.utf8), at: i)
                case 4: bytes.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...12, using: &rng)))
                default: bytes.insert(contentsOf: bytes[i..<min(bytes.count, i + Int.random(in: 1...20, using: &rng))], at: i)
                }
            }
            let a = Self.read(bytes, &fast), b = Self.read(bytes, &general)
            if !a.hasPrefix("error") { accepted += 1 }
            if a != b, differing.count < 5 { differing.append("\(String(decoding: bytes, as: UTF8.self))\n  fast:    \(a)\n  general: \(b)") }
        }
        #expect(differing.isEmpty, "\(differing.joined(separator: "\n"))")
        #expect(accepted > 30_000)
        #expect(fast.symbols.count == general.symbols.count)
    }
}
