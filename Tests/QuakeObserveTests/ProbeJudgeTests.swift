import Foundation
import QuakeCore
import QuakeHTTP
import QuakeObserve
import Testing

/// The pure judging of a probe check: status, then body text, then a JSON field.
@Suite struct ProbeJudgeTests {
    static func judge(status: Int = 200, contains: String? = nil, json: (String, String)? = nil) -> ProbeJudge {
        ProbeJudge(ProbeSpec(name: "p", target: .url("http://x/"), expectStatus: status, expectBodyContains: contains, expectJSON: json))
    }

    @Test func statusMustMatch() {
        #expect(Self.judge().judge(status: 200, body: Data()) == .pass)
        #expect(Self.judge().judge(status: 503, body: Data()) == .fail("status 503, expected 200"))
        #expect(Self.judge(status: 204).judge(status: 200, body: Data()) == .fail("status 200, expected 204"))
    }

    @Test func bodyMustContainTheText() {
        let judge = Self.judge(contains: "ok")
        #expect(judge.judge(status: 200, body: Data("all ok here".utf8)).passed)
        #expect(judge.judge(status: 200, body: Data("fine".utf8)) == .fail("the body does not contain \"ok\""))
        // The status is judged first.
        #expect(judge.judge(status: 500, body: Data("ok".utf8)).reason == "status 500, expected 200")
    }

    @Test("a JSON field by dotted path, compared as the plan writes it",
          arguments: [
            ("status.indicator", "none", true),
            ("status.indicator", "major", false),
            ("count", "3", true),
            ("count", "3.0", true),
            ("count", "4", false),
            ("ratio", "0.5", true),
            ("up", "true", true),
            ("up", "false", false),
            ("note", "null", true),
            ("items.1.name", "b", true),
            ("items.2.name", "c", false),
          ])
    func jsonField(path: String, equals: String, passes: Bool) {
        let body = Data(#"{"status":{"indicator":"none"},"count":3,"ratio":0.5,"up":true,"note":null,"items":[{"name":"a"},{"name":"b"}]}"#.utf8)
        #expect(Self.judge(json: (path, equals)).judge(status: 200, body: body).passed == passes)
    }

    @Test func jsonFailuresSayWhy() {
        let body = Data(#"{"status":{"indicator":"major"},"list":[1,2]}"#.utf8)
        #expect(Self.judge(json: ("status.indicator", "none")).judge(status: 200, body: body).reason == #"status.indicator is "major", expected "none""#)
        #expect(Self.judge(json: ("status.missing", "x")).judge(status: 200, body: body).reason == "the JSON has no field status.missing")
        #expect(Self.judge(json: ("status", "x")).judge(status: 200, body: body).reason == #"status is an object, expected "x""#)
        #expect(Self.judge(json: ("list", "x")).judge(status: 200, body: body).reason == #"list is an array of 2, expected "x""#)
        #expect(Self.judge(json: ("a", "b")).judge(status: 200, body: Data("<html>".utf8)).reason == "the body is not JSON, so a cannot be read")
    }

    /// The body is read as JSONDecoder read it: whole numbers however written, escapes, the last
    /// of a key given twice.
    @Test(arguments: [("1.0", "1"), ("1e2", "100"), ("-0", "0"), ("1.5", "1.5"), ("12345678901234567890", "1.2345678901234567e19"),
                      (#""caf\u00e9""#, "café"), (#""\ud83d\ude00""#, "😀"), (#"{"b": 1, "b": 2}"#, "2")])
    func jsonValuesReadAsBefore(json: String, equals: String) {
        let body = Data(#"{"a": \#(json)}"#.utf8)
        let path = json.hasPrefix("{") ? "a.b" : "a"
        #expect(Self.judge(json: (path, equals)).judge(status: 200, body: body).passed, "\(json)")
    }

    @Test(arguments: ["1e400", #""\ud800""#, "01", "[1,]", "{\"a\":1}x", "\"\u{1}\"", "tru", "-", "1.", String(repeating: "[", count: 513) + String(repeating: "]", count: 513)])
    func notJSON(body: String) {
        #expect(Self.judge(json: ("a", "b")).judge(status: 200, body: Data(body.utf8)).reason == "the body is not JSON, so a cannot be read", "\(body)")
    }

    /// A body nested 500 deep took JSONDecoder over a second: ProbeJSONValue tried each type in
    /// turn, and every failed try spelt out its coding path.
    @Test func deepBodyIsJudgedInUnderASecond() {
        let body = Data((String(repeating: #"{"a":"#, count: 500) + "1" + String(repeating: "}", count: 500)).utf8)
        let start = ContinuousClock.now
        #expect(Self.judge(json: ("a.a", "x")).judge(status: 200, body: body).reason == #"a.a is an object, expected "x""#)
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    /// An empty path names the whole body; the reason said " is an object".
    @Test func emptyPathIsTheBody() {
        #expect(Self.judge(json: ("", "x")).judge(status: 200, body: Data("[1]".utf8)).reason == #"the body is an array of 1, expected "x""#)
        #expect(Self.judge(json: ("", "x")).judge(status: 200, body: Data("<html>".utf8)).reason == "the body is not JSON")
    }

    @Test func noResponseFailsWithTheErrorKind() {
        let verdict = Self.judge().judge(failure: HTTPError(code: .timeout, message: "Operation timed out after 1000 milliseconds", url: "http://x/"))
        #expect(!verdict.passed)
        #expect(verdict.reason == "timeout: Operation timed out after 1000 milliseconds")
        #expect(verdict.description == "fail: timeout: Operation timed out after 1000 milliseconds")
    }
}
