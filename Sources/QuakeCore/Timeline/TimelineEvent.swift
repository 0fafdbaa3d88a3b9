/// Something that happened during a run, at a time from its start.
public struct TimelineEvent: Sendable, Equatable, CustomStringConvertible {
    /// The kinds of event every target reports.
    public enum Kind: String, Sendable, CaseIterable {
        case faultInjected = "fault-injected", faultReverted = "fault-reverted", faultCounted = "fault-counted"
        case nodeNotReady = "node-not-ready", nodeReady = "node-ready"
        case taintAdded = "taint-added", taintRemoved = "taint-removed"
        case endpointsDropped = "endpoints-dropped", endpointsAdded = "endpoints-added"
        case hostEjected = "host-ejected", hostReturned = "host-returned", ejectionBlocked = "ejection-blocked"
        case membershipChanged = "membership-changed"
        case podEvicted = "pod-evicted", podCreated = "pod-created", podReady = "pod-ready", podKilled = "pod-killed"
        case zoneStateChanged = "zone-state-changed"
        case clusterNotReady = "cluster-not-ready", clusterReady = "cluster-ready"
        case bindingEvicted = "binding-evicted", replicasChanged = "replicas-changed"
        case procedureStep = "procedure-step"
        case probeFailing = "probe-failing", probePassing = "probe-passing"
    }

    /// When it happened.
    public var at: TimeSpan
    /// What happened.
    public var kind: Kind
    /// What it happened to: a node, host, cluster, service or fault.
    public var subject: String
    /// More, for people.
    public var detail: String

    /// An event from its parts.
    public init(at: TimeSpan, kind: Kind, subject: String, detail: String = "") {
        self.at = at
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(at) \(kind.rawValue) \(subject)" + (detail.isEmpty ? "" : ": \(detail)") }
}
