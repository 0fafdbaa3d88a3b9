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

    @Test func noResponseFailsWithTheErrorKind() {
        let verdict = Self.judge().judge(failure: HTTPError(code: .timeout, message: "Operation timed out after 1000 milliseconds", url: "http://x/"))
        #expect(!verdict.passed)
        #expect(verdict.reason == "timeout: Operation timed out after 1000 milliseconds")
        #expect(verdict.description == "fail: timeout: Operation timed out after 1000 milliseconds")
    }
}
