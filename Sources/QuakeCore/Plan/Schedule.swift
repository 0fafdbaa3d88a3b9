/// How long the experiment lasts and what breaks when.
public struct Schedule: Sendable {
    /// The experiment's length; traffic flows the whole time.
    public var duration: TimeSpan
    /// Faults in the order the plan lists them.
    public var faults: [FaultSpec]
    /// Multi-step procedures such as the talk's cluster canary upgrade.
    public var procedures: [Procedure]

    /// A schedule from its parts.
    public init(duration: TimeSpan, faults: [FaultSpec] = [], procedures: [Procedure] = []) {
        self.duration = duration
        self.faults = faults
        self.procedures = procedures
    }

    /// When the first fault or procedure starts; nil if nothing is scheduled.
    public var firstFaultAt: TimeSpan? {
        (faults.map(\.at) + procedures.map(\.at)).min()
    }
}

/// One scheduled fault.
public struct FaultSpec: Sendable, Equatable {
    /// When the fault is injected, from the start.
    public var at: TimeSpan
    /// How long it lasts; nil lasts until the end of the experiment.
    public var duration: TimeSpan?
    /// What is broken.
    public var fault: Fault

    /// A fault from its parts.
    public init(at: TimeSpan, duration: TimeSpan? = nil, fault: Fault) {
        self.at = at
        self.duration = duration
        self.fault = fault
    }

    /// When the fault is reverted, given the experiment's length.
    public func end(experimentDuration: TimeSpan) -> TimeSpan {
        min(duration.map { at + $0 } ?? experimentDuration, experimentDuration)
    }
}

/// What a fault breaks.
public enum Fault: Sendable, Equatable, CustomStringConvertible {
    /// A node dies: its pods refuse connections at once, its kubelet stops renewing its lease.
    case nodeCrash(node: String)
    /// A node stops answering: connections hang until timeouts, the lease is not renewed.
    case nodeHang(node: String)
    /// Every node of a zone fails; `cluster` nil means the zone in every cluster of the region.
    case zoneOutage(region: String, cluster: String?, zone: String)
    /// A whole cluster is lost: its nodes, and Karmada's view of it.
    case clusterOutage(cluster: String)
    /// Every cluster of a region is lost.
    case regionOutage(region: String)
    /// Envoy's fault filter aborts a share of requests to a service with a status.
    case httpAbort(service: String, status: Int, percentage: Percentage)
    /// Envoy's fault filter delays a share of requests to a service.
    case httpDelay(service: String, delay: TimeSpan, percentage: Percentage)
    /// Traffic between two sets of localities (`region`, `region/cluster` or `region/cluster/zone`) is dropped.
    case partition(sideA: [String], sideB: [String])
    /// Pods of a service are deleted (and replaced by their Deployment).
    case podKill(service: String, count: PodCount, cluster: String?)

    /// The kind as written in plans (`node-crash`, `http-abort` …).
    public var kind: FaultKind {
        switch self {
        case .nodeCrash: return .nodeCrash
        case .nodeHang: return .nodeHang
        case .zoneOutage: return .zoneOutage
        case .clusterOutage: return .clusterOutage
        case .regionOutage: return .regionOutage
        case .httpAbort: return .httpAbort
        case .httpDelay: return .httpDelay
        case .partition: return .partition
        case .podKill: return .podKill
        }
    }

    /// What the fault targets, as shown in reports: a node, zone path, cluster, region or service.
    public var target: String {
        switch self {
        case let .nodeCrash(n), let .nodeHang(n): return n
        case let .zoneOutage(r, c, z): return [r, c, z].compactMap { $0 }.joined(separator: "/")
        case let .clusterOutage(c): return c
        case let .regionOutage(r): return r
        case let .httpAbort(s, _, _), let .httpDelay(s, _, _): return s
        case let .partition(a, b): return a.joined(separator: ",") + " | " + b.joined(separator: ",")
        case let .podKill(s, _, c): return c.map { "\(s) in \($0)" } ?? s
        }
    }

    public var description: String {
        switch self {
        case let .httpAbort(s, status, p): return "http-abort \(s): \(status) on \(p)"
        case let .httpDelay(s, d, p): return "http-delay \(s): +\(d) on \(p)"
        case let .podKill(s, n, c): return "pod-kill \(n) of \(s)" + (c.map { " in \($0)" } ?? "")
        default: return "\(kind.rawValue) \(target)"
        }
    }
}

/// The fault kinds a plan can name.
public enum FaultKind: String, Sendable, CaseIterable {
    case nodeCrash = "node-crash", nodeHang = "node-hang", zoneOutage = "zone-outage"
    case clusterOutage = "cluster-outage", regionOutage = "region-outage"
    case httpAbort = "http-abort", httpDelay = "http-delay", partition, podKill = "pod-kill"
}

/// How many pods a pod-kill deletes.
public enum PodCount: Sendable, Equatable, CustomStringConvertible {
    /// Exactly this many.
    case count(Int)
    /// This share of the running pods, rounded up.
    case percentage(Percentage)

    public var description: String {
        switch self {
        case let .count(n): return "\(n) pod\(n == 1 ? "" : "s")"
        case let .percentage(p): return "\(p) of the pods"
        }
    }
}

/// A multi-step procedure: steps run one after another, each held for its `wait`.
public struct Procedure: Sendable, Equatable {
    /// The procedure's name in reports.
    public var name: String
    /// When the first step starts.
    public var at: TimeSpan
    /// The steps in order.
    public var steps: [ProcedureStep]

    /// A procedure from its parts.
    public init(name: String, at: TimeSpan, steps: [ProcedureStep]) {
        self.name = name
        self.at = at
        self.steps = steps
    }

    /// When each step starts: a step starts after the previous one's own time (an upgrade's `takes`) and its wait.
    public var stepStarts: [TimeSpan] {
        var t = at
        return steps.map { step in
            defer { t += step.action.ownDuration + step.wait }
            return t
        }
    }

    /// When the last step's wait ends (a `check` is counted as instant: it ends as soon as the cluster is Ready).
    public var end: TimeSpan { steps.reduce(at) { $0 + $1.action.ownDuration + $1.wait } }

    /// The talk's cluster canary upgrade of `cluster` for `services`: shift traffic away, migrate workloads,
    /// upgrade, check, restore workloads, shift traffic back.
    public static func clusterCanaryUpgrade(cluster: String, services: [String], at: TimeSpan, upgradeTakes: TimeSpan, settle: TimeSpan) -> Procedure {
        let steps: [ProcedureStep] = services.map { ProcedureStep(action: .shiftTraffic(service: $0, cluster: cluster, weight: Percentage(0)), wait: .seconds(30)) }
            + [ProcedureStep(action: .migrateWorkloads(cluster: cluster), wait: settle),
               ProcedureStep(action: .upgrade(cluster: cluster, takes: upgradeTakes), wait: .zero),
               ProcedureStep(action: .check(cluster: cluster, timeout: .minutes(5)), wait: .zero),
               ProcedureStep(action: .restoreWorkloads(cluster: cluster), wait: settle)]
            + services.map { ProcedureStep(action: .restoreTraffic(service: $0, cluster: cluster), wait: .zero) }
        return Procedure(name: "cluster canary upgrade of \(cluster)", at: at, steps: steps)
    }
}

/// One step of a procedure, then a pause before the next.
public struct ProcedureStep: Sendable, Equatable {
    /// What the step does.
    public var action: ProcedureAction
    /// How long to hold after the step before the next one starts.
    public var wait: TimeSpan

    /// A step from its parts.
    public init(action: ProcedureAction, wait: TimeSpan = .zero) {
        self.action = action
        self.wait = wait
    }
}

/// The actions a procedure step can take.
public enum ProcedureAction: Sendable, Equatable, CustomStringConvertible {
    /// Set the VirtualService weight of `cluster`'s endpoints of `service`.
    case shiftTraffic(service: String, cluster: String, weight: Percentage)
    /// Put the weights of `service` back as the VirtualService had them.
    case restoreTraffic(service: String, cluster: String)
    /// Taint the Karmada cluster NoSchedule and NoExecute so its workloads move away.
    case migrateWorkloads(cluster: String)
    /// The cluster's control plane and nodes are unavailable while it is upgraded.
    case upgrade(cluster: String, takes: TimeSpan)
    /// Wait until the cluster is Ready again (at most `timeout`).
    case check(cluster: String, timeout: TimeSpan)
    /// Remove the taints and rebalance workloads back (a WorkloadRebalancer).
    case restoreWorkloads(cluster: String)
    /// Do nothing for the step's wait.
    case pause

    /// The step kind as written in plans.
    public var kind: String {
        switch self {
        case .shiftTraffic: return "shift-traffic"
        case .restoreTraffic: return "restore-traffic"
        case .migrateWorkloads: return "migrate-workloads"
        case .upgrade: return "upgrade"
        case .check: return "check"
        case .restoreWorkloads: return "restore-workloads"
        case .pause: return "pause"
        }
    }

    /// The time the action itself takes before its step's wait starts (an upgrade's duration; zero otherwise).
    public var ownDuration: TimeSpan {
        if case let .upgrade(_, takes) = self { return takes }
        return .zero
    }

    /// How long a live target may take to confirm the step's effect before the procedure goes on
    /// without it: a `check` its timeout; `migrate-workloads` Karmada's graceful eviction timeout
    /// (10 min), for the workloads to leave the cluster. Nil for a step done once it is performed.
    public var confirmationTimeout: TimeSpan? {
        switch self {
        case let .check(_, timeout): return timeout
        case .migrateWorkloads: return .minutes(10)
        default: return nil
        }
    }

    /// The cluster the action touches; nil for a pause.
    public var cluster: String? {
        switch self {
        case let .shiftTraffic(_, c, _), let .restoreTraffic(_, c), let .migrateWorkloads(c), let .upgrade(c, _),
             let .check(c, _), let .restoreWorkloads(c):
            return c
        case .pause: return nil
        }
    }

    public var description: String {
        switch self {
        case let .shiftTraffic(s, c, w): return "shift-traffic: weight of \(s) in \(c) to \(w)"
        case let .restoreTraffic(s, c): return "restore-traffic: weight of \(s) in \(c) back"
        case let .migrateWorkloads(c): return "migrate-workloads: taint \(c) NoSchedule+NoExecute"
        case let .upgrade(c, t): return "upgrade: \(c) unavailable for \(t)"
        case let .check(c, t): return "check: wait until \(c) is Ready (at most \(t))"
        case let .restoreWorkloads(c): return "restore-workloads: untaint \(c) and rebalance"
        case .pause: return "pause"
        }
    }
}
