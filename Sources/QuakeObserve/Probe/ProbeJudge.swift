import Foundation
import QuakeCore
import QuakeHTTP

/// Judges one probe check against the plan's expectations: the status, then the body text,
/// then a JSON field. Pure: no I/O, no clock.
///
/// A check that got no response (refused, timed out, reset, a TLS failure) fails with the
/// transfer's error; the model counts those the same way.
public struct ProbeJudge: Sendable {
    /// The expected status.
    public var expectStatus: Int
    /// Text the body must contain, compared as UTF-8 bytes.
    public var expectBodyContains: String?
    /// A dotted JSON path and the text its value must read as.
    public var expectJSON: (path: String, equals: String)?

    /// A judge for the expectations of `probe`.
    public init(_ probe: ProbeSpec) {
        expectStatus = probe.expectStatus
        expectBodyContains = probe.expectBodyContains
        expectJSON = probe.expectJSON
    }

    /// The verdict on a response with `status` and `body`.
    public func judge(status: Int, body: Data) -> ProbeVerdict {
        guard status == expectStatus else {
            return .fail("status \(status), expected \(expectStatus)")
        }
        if let text = expectBodyContains, !text.isEmpty, body.range(of: Data(text.utf8)) == nil {
            return .fail("the body does not contain \"\(text)\"")
        }
        if let (path, expected) = expectJSON {
            // An empty path names the whole body.
            let field = path.isEmpty ? "the body" : path
            guard let document = ProbeJSONValue(json: body) else {
                return .fail("the body is not JSON" + (path.isEmpty ? "" : ", so \(path) cannot be read"))
            }
            guard let value = document.value(at: path) else {
                return .fail("the JSON has no field \(path)")
            }
            guard value.matches(expected) else {
                return .fail("\(field) is \(value.summary), expected \"\(expected)\"")
            }
        }
        return .pass
    }

    /// The verdict on a check that got no response: the transfer's error, by kind and message.
    public func judge(failure: any Error) -> ProbeVerdict {
        if let error = failure as? HTTPError {
            return .fail("\(error.code): \(error.message)")
        }
        return .fail("\(failure)")
    }
}
