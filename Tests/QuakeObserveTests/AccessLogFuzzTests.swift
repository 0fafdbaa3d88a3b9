import QuakeObserve
import QuakeTestSupport
import Testing

/// Seeded mutations of valid lines in every syntax: no crash, no line taking a second, and each
/// rejection a `.malformed` error with a message.
@Suite struct AccessLogFuzzTests {
    static let seeds: [(AccessLogSyntax, String)] = [
        (.envoy, #"[2024-05-01T12:00:01.002Z] "GET /items HTTP/1.1" 503 URX,UF 0 91 12 - "127.0.0.1,127.0.0.1" "Mozilla/5.0 "evil" \ agent" "a1" "checkout:8080" "127.0.0.1:18002""#),
        (.istio, #"[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "8496" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default"#),
        (.json, #"{"authority":"svc2","code":"503","duration_ms":12.5,"flags":"DI,FI","nested":{"a":[1,{"b":null}]},"start_time":"2024-05-01T12:00:00.123Z","upstream_host":null,"ua":"caf\u00e9 \"q\""}"#),
    ]


    static let alphabet = Array(#" "[]{}:,-%\0123456789ABCDEFURXZT.|nul"#.utf8) + [0x00, 0x0D, 0x09, 0xC3, 0xA9, 0xFF, 0x80]

    @Test(.timeLimit(.minutes(5)))
    func mutatedLinesNeverCrashAndRejectionsAreClear() async {
        var rng = SeededGenerator(seed: 0x5EED_ACCE55)
        var parsers = Self.seeds.map { AccessLogParser(syntax: $0.0) }
        var accepted = 0, rejected = 0
        var slowest = SlowestInput()
        for n in 0..<120_000 {
            // Let the suites running alongside have the test pool's two threads now and then.
            if n % 1_000 == 0 { await Task.yield() }
            let which = n % Self.seeds.count
            var bytes = Array(Self.seeds[which].1.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                guard !bytes.isEmpty else { break }
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes[i] = Self.alphabet.randomElement(using: &rng) ?? 0
                case 1: bytes.remove(at: i)
                case 2: bytes.insert(Self.alphabet.randomElement(using: &rng) ?? 0, at: i)
                case 3: bytes.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...20, using: &rng)))
                default: bytes.insert(contentsOf: bytes[i..<min(bytes.count, i + Int.random(in: 1...30, using: &rng))], at: i)
                }
            }
            do throws(ObserveError) {
                _ = try slowest.time(n) { () throws(ObserveError) in
                    try bytes.withUnsafeBufferPointer { (line) throws(ObserveError) in try parsers[which].parse(line) }
                }
                accepted += 1
            } catch {
                #expect(error.code == .malformed && !error.message.isEmpty, "\(error)")
                rejected += 1
            }
        }
        #expect(accepted + rejected == 120_000)
        #expect(accepted > 1000 && rejected > 1000)
        #expect(slowest.duration < .seconds(1), "\(slowest)")
    }

    @Test(.timeLimit(.minutes(1)))
    func hostileLinesCostBoundedTime() {
        var parser = AccessLogParser(syntax: .istio)
        let hostile = "[2024-05-01T12:00:00.000Z] \"GET / HTTP/1.1\" 200 - " + String(repeating: "\" \"- ", count: 5000)
        #expect(throws: ObserveError.self) { try parser.parse(hostile) }
        var json = AccessLogParser(syntax: .json)
        #expect(throws: ObserveError.self) { try json.parse(String(repeating: "[", count: 10000)) }
        #expect(throws: ObserveError.self) { try json.parse("{\"a\":" + String(repeating: "[", count: 10000)) }
    }
}
