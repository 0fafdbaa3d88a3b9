import Foundation
import QuakeCore
import Synchronization

/// What the clusters show during a run, as timeline events: each member's Nodes (Ready turning
/// False or Unknown and back, taints appearing and going), Karmada's Clusters (Ready), the plan's
/// ResourceBindings (placement, graceful evictions, ready replicas per cluster) and the members'
/// EndpointSlices (ready endpoints per service), from informers started with the run. A watch
/// that stops for good (a revoked token, say) becomes a timeline warning, not a failed run.
///
/// Events are told against each informer's first list: what was there before is no event.
public final class KubeObserver: Sendable {
    /// What an informer follows, and so what its changes mean.
    public enum Source: Sendable, Equatable {
        /// A member's Nodes.
        case nodes
        /// Karmada's Clusters.
        case clusters
        /// Karmada's ResourceBindings; `services` maps the name of each binding of the plan's
        /// services (`<name>-deployment`) to the service, and others are passed over.
        case bindings(services: [String: String])
        /// A member's EndpointSlices, each counted for the Service its label names.
        case endpointSlices
    }

    private let state = Mutex(State())
    /// Where event times count from; nil until the run starts (what the first lists show is the
    /// state at time 0).
    private let started: Mutex<ContinuousClock.Instant?>

    private struct State {
        var events: [TimelineEvent] = []
        var warnings: [String] = []
        /// Each object's Ready status and taints as last seen, by server and name.
        var ready: [String: String] = [:]
        var taints: [String: Set<String>] = [:]
        /// Each binding as last seen, by server, namespace and name.
        var bindings: [String: KubeBinding] = [:]
        /// Each EndpointSlice as last seen, by server, then namespace and name.
        var slices: [String: [String: KubeEndpointSlice]] = [:]
        /// Each service's endpoints as last counted, by server and service.
        var endpoints: [String: KubeEndpointSlice.Count] = [:]
        var replicas = KubeReplicaLog()
    }

    /// An observer whose event times count from `started`.
    public init(started: ContinuousClock.Instant? = nil) {
        self.started = Mutex(started)
    }

    /// Counts event times from `instant` on (the run's start, once the informers have listed).
    public func startClock(at instant: ContinuousClock.Instant) {
        started.withLock { $0 = instant }
    }

    /// The events seen so far, in order.
    public var events: [TimelineEvent] { state.withLock { $0.events } }
    /// Why a watch stopped, if one did.
    public var warnings: [String] { state.withLock { $0.warnings } }

    /// Fills `timeline`'s replica series through `window` with the ready replicas seen so far
    /// (``KubeReplicaLog``).
    public func fillReplicas(_ timeline: inout Timeline, through window: Int) {
        let replicas = state.withLock { $0.replicas }
        replicas.fill(&timeline, through: window)
    }

    /// Watches `informer`'s objects, which are `source`'s, on `server` (a topology cluster, or
    /// Karmada) until cancelled; `listed` is called once, when the first list is known (or the
    /// list failed), so that a caller can wait for the baseline before it changes anything.
    public func follow(_ informer: KubeInformer, server: String, source: Source, listed: @escaping @Sendable () -> Void = {}) async {
        let once = Mutex(false)
        let listedOnce: @Sendable () -> Void = { if once.withLock({ let first = !$0; $0 = true; return first }) { listed() } }
        do {
            try await informer.run(onListed: listedOnce) { change in
                self.apply(change, server: server, source: source, baseline: !once.withLock { $0 })
            }
        } catch is CancellationError {
            listedOnce()
        } catch {
            state.withLock { $0.warnings.append("the watch of \(informer.path) on \(server) stopped: \(error)") }
            listedOnce()
        }
    }

    /// Records what `change` of one of `source`'s objects on `server` shows, at `at` (by default
    /// now): for Nodes and Clusters a Ready transition and taints added or removed; for bindings
    /// and EndpointSlices see ``KubeBinding`` and ``KubeEndpointSlice``. A change of the first
    /// list (`baseline`) is known, never an event.
    public func apply(_ change: KubeInformer.Change, server: String, source: Source, baseline: Bool = false, at: TimeSpan? = nil) {
        guard let name = change.object[path: "metadata.name"]?.string else { return }
        let now = at ?? elapsed
        switch source {
        case .nodes: applyNode(change, name: name, server: server, clusters: false, at: now)
        case .clusters: applyNode(change, name: name, server: server, clusters: true, at: now)
        case let .bindings(services):
            guard let service = services[name] else { return }
            applyBinding(change, name: name, service: service, server: server, baseline: baseline, at: now)
        case .endpointSlices: applySlice(change, name: name, server: server, baseline: baseline, at: now)
        }
    }

    /// A Node's or Cluster's Ready transition, taints added or removed.
    private func applyNode(_ change: KubeInformer.Change, name: String, server: String, clusters: Bool, at now: TimeSpan) {
        let key = server + "/" + name
        let conditions = change.object[path: "status.conditions"]?.array ?? []
        let ready = conditions.first { $0["type"]?.string == "Ready" }
        let status = change.type == "DELETED" ? "Deleted" : (ready?["status"]?.string ?? "Unknown")
        let taints = Set((change.object[path: "spec.taints"]?.array ?? []).map { "\($0["key"]?.string ?? ""):\($0["effect"]?.string ?? "")" })
        state.withLock { state in
            let subject = clusters ? name : "\(name) (\(server))"
            if let before = state.ready[key], before != status {
                let reason = ready?["reason"]?.string.map { " (\($0))" } ?? ""
                if status == "True" {
                    state.events.append(TimelineEvent(at: now, kind: clusters ? .clusterReady : .nodeReady, subject: subject, detail: "Ready=True"))
                } else if before == "True" {
                    state.events.append(TimelineEvent(at: now, kind: clusters ? .clusterNotReady : .nodeNotReady, subject: subject, detail: "Ready=\(status)\(reason)"))
                }
            }
            state.ready[key] = status
            if let before = state.taints[key] {
                for added in taints.subtracting(before).sorted() { state.events.append(TimelineEvent(at: now, kind: .taintAdded, subject: subject, detail: added)) }
                for removed in before.subtracting(taints).sorted() { state.events.append(TimelineEvent(at: now, kind: .taintRemoved, subject: subject, detail: removed)) }
            }
            state.taints[key] = taints
        }
    }

    /// A binding's new placement and evictions, and its clusters' ready replicas.
    private func applyBinding(_ change: KubeInformer.Change, name: String, service: String, server: String, baseline: Bool, at now: TimeSpan) {
        let key = server + "/" + (change.object[path: "metadata.namespace"]?.string ?? "") + "/" + name
        let after = change.type == "DELETED" ? KubeBinding() : KubeBinding(change.object)
        state.withLock { state in
            let before = state.bindings[key]
            if !baseline { state.events += KubeBinding.events(from: before ?? KubeBinding(), to: after, service: service, binding: name, at: now) }
            for cluster in Set(after.ready.keys).union(before.map { Array($0.ready.keys) } ?? []).sorted() {
                state.replicas.record(ReplicaKey(service: service, cluster: cluster), ready: after.ready[cluster] ?? 0, at: now, from: .binding)
            }
            state.bindings[key] = change.type == "DELETED" ? nil : after
        }
    }

    /// The ready endpoints of the services of a slice that changed, counted over all their slices.
    private func applySlice(_ change: KubeInformer.Change, name: String, server: String, baseline: Bool, at now: TimeSpan) {
        let key = (change.object[path: "metadata.namespace"]?.string ?? "") + "/" + name
        let after = change.type == "DELETED" ? nil : KubeEndpointSlice(change.object)
        state.withLock { state in
            let before = state.slices[server]?[key]
            state.slices[server, default: [:]][key] = after
            for service in Set([before?.service, after?.service].compactMap { $0 }).sorted() {
                let count = KubeEndpointSlice.Count((state.slices[server] ?? [:]).values.filter { $0.service == service })
                let counted = server + "/" + service
                if !baseline, let event = KubeEndpointSlice.Count.event(from: state.endpoints[counted] ?? KubeEndpointSlice.Count([]), to: count, service: service, cluster: server, at: now) {
                    state.events.append(event)
                }
                state.endpoints[counted] = count
                state.replicas.record(ReplicaKey(service: service, cluster: server), ready: count.ready, at: now, from: .endpoints)
            }
        }
    }

    private var elapsed: TimeSpan {
        guard let origin = started.withLock({ $0 }) else { return .zero }
        let d = origin.duration(to: .now)
        return TimeSpan(microseconds: d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000)
    }
}
