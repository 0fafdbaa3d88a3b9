import Foundation
import QuakeCore
import Synchronization

/// What the clusters show during a run, as timeline events: each member's Nodes (Ready turning
/// False or Unknown and back, taints appearing and going) and Karmada's Clusters (Ready), from
/// informers started with the run. A watch that stops for good (a revoked token, say) becomes a
/// timeline warning, not a failed run.
public final class KubeObserver: Sendable {
    private let state = Mutex(State())
    private let started: Mutex<ContinuousClock.Instant>

    private struct State {
        var events: [TimelineEvent] = []
        var warnings: [String] = []
        /// Each object's Ready status and taints as last seen, by server and name.
        var ready: [String: String] = [:]
        var taints: [String: Set<String>] = [:]
    }

    /// An observer whose event times count from `started`.
    public init(started: ContinuousClock.Instant = .now) {
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

    /// Watches `informer`'s objects (Nodes of a member, or Karmada Clusters) until cancelled;
    /// `listed` is called once, when the first list is known (or the list failed), so that a
    /// caller can wait for the baseline before it changes anything.
    public func follow(_ informer: KubeInformer, server: String, clusters: Bool, listed: @escaping @Sendable () -> Void = {}) async {
        let once = Mutex(false)
        let listedOnce: @Sendable () -> Void = { if once.withLock({ let first = !$0; $0 = true; return first }) { listed() } }
        do {
            try await informer.run(onListed: listedOnce) { change in self.apply(change, server: server, clusters: clusters) }
        } catch is CancellationError {
            listedOnce()
        } catch {
            state.withLock { $0.warnings.append("the watch of \(informer.path) on \(server) stopped: \(error)") }
            listedOnce()
        }
    }

    /// Records what `change` shows: a Ready transition, taints added or removed.
    public func apply(_ change: KubeInformer.Change, server: String, clusters: Bool, at: TimeSpan? = nil) {
        guard let name = change.object[path: "metadata.name"]?.string else { return }
        let key = server + "/" + name
        let now = at ?? elapsed
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

    private var elapsed: TimeSpan {
        let d = started.withLock { $0 }.duration(to: .now)
        return TimeSpan(microseconds: d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000)
    }
}
