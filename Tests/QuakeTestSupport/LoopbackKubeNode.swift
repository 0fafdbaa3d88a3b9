import Foundation
import Synchronization

/// A stand-in API server for one cluster with two nodes, `ip-a` (zone `eu-1a`) and `ip-b` (zone
/// `eu-1b`), whose `ip-a` takes and loses Quake's taint and cordon by JSON patch: enough to follow
/// a node fault's calls end to end over plain HTTP. Watches hang (no events), as on a quiet cluster.
public final class LoopbackKubeNode: Sendable {
    /// Whether `ip-a` carries the taint and cordon now.
    public let tainted = Mutex(false)

    public init() {}

    /// `ip-a` as the API would show it now.
    public func object() -> String {
        tainted.withLock { tainted in
            let taints = tainted ? #","taints":[{"key":"quake.io/chaos","value":"run-1","effect":"NoExecute"}],"unschedulable":true"# : ""
            return #"{"kind":"Node","metadata":{"name":"ip-a","resourceVersion":"\#(tainted ? 2 : 1)","labels":{"topology.kubernetes.io/zone":"eu-1a"}},"spec":{"podCIDR":"10.0.0.0/24"\#(taints)}}"#
        }
    }

    /// The answer to `request`.
    public func answer(_ request: LoopbackHTTPRequest) -> LoopbackHTTPReply {
        switch (request.method, request.path) {
        case ("GET", "/api/v1/nodes"):
            return .respond(LoopbackHTTPResponse(text: #"{"kind":"NodeList","metadata":{"resourceVersion":"1"},"items":[\#(object()),{"metadata":{"name":"ip-b","resourceVersion":"1","labels":{"topology.kubernetes.io/zone":"eu-1b"}}}]}"#))
        case ("GET", "/api/v1/nodes/ip-a"):
            return .respond(LoopbackHTTPResponse(text: object()))
        case ("PATCH", "/api/v1/nodes/ip-a"):
            let body = String(decoding: request.body, as: UTF8.self)
            tainted.withLock { $0 = body.contains(#""op":"add""#) }
            return .respond(LoopbackHTTPResponse(text: object()))
        case ("GET", let path) where path.hasPrefix("/api/v1/nodes?watch=true"):
            return .hang
        default:
            return .respond(LoopbackHTTPResponse(status: 404, text: #"{"kind":"Status","status":"Failure","reason":"NotFound","code":404}"#))
        }
    }
}
