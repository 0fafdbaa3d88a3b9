/// kube-scheduler's choice of node for a new pod, as Quake models it (SEMANTICS.md §1.4: the
/// default spreading of a pod without constraints, by zone then by node).
///
/// Pure and shared: the model and the lab place pods with this same function, so one plan puts
/// the same pods on the same nodes on both targets.
public enum KubeScheduler {
    /// One node of the pod's cluster as the scheduler sees it at the moment of the choice.
    public struct NodeView: Sendable, Equatable {
        /// The node's zone; nodes of one zone are counted together.
        public var zone: String
        /// Whether a new pod may go there: the node is Ready and has no NoSchedule taint.
        public var schedulable: Bool
        /// Pods of every service on the node now.
        public var pods: Int
        /// How many pods the node can hold.
        public var capacity: Int
        /// Pods of the service being placed that are on the node now.
        public var servicePods: Int

        /// A node view from its parts.
        public init(zone: String, schedulable: Bool = true, pods: Int, capacity: Int, servicePods: Int) {
            self.zone = zone
            self.schedulable = schedulable
            self.pods = pods
            self.capacity = capacity
            self.servicePods = servicePods
        }
    }

    /// The index in `nodes` of the node a new pod of the service goes to, or nil when no node is
    /// schedulable with room.
    ///
    /// `nodes` lists every node of the cluster in topology order, schedulable or not (a pod on a
    /// NotReady node still counts for its zone). The choice is the schedulable node with room whose
    /// zone holds the fewest pods of the service, then with the fewest pods of the service itself,
    /// then with the fewest pods in all; the first in order wins a tie. Cost: O(nodes).
    public static func chooseNode(_ nodes: [NodeView]) -> Int? {
        var perZone: [String: Int] = [:]
        for node in nodes { perZone[node.zone, default: 0] += node.servicePods }
        var best: (index: Int, key: (Int, Int, Int))?
        for (i, node) in nodes.enumerated() where node.schedulable && node.pods < node.capacity {
            let key = (perZone[node.zone] ?? 0, node.servicePods, node.pods)
            if let current = best, current.key <= key { continue }
            best = (i, key)
        }
        return best?.index
    }
}
