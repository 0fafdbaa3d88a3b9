/// A taint as Nodes and Karmada Clusters carry it in `spec.taints`.
public struct KubeTaint: Sendable, Equatable, Codable, CustomStringConvertible {
    public var key: String
    public var value: String?
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    public var effect: String

    /// The key Quake's own taints carry; their value is the run's id, so a taint tells which run made it.
    public static let chaosKey = "quake.io/chaos"

    /// A taint from its parts.
    public init(key: String, value: String? = nil, effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    /// Quake's NoExecute taint for run `run`; its value is the run's id as a label value
    /// (shortened with a digest past 63 characters, as the API requires).
    public static func chaos(run: String, effect: String = "NoExecute") -> KubeTaint {
        KubeTaint(key: chaosKey, value: KubeNames.labelValue(run), effect: effect)
    }

    /// The taint that tells Kubernetes a node is shut down for good, so its pods move at once
    /// (`node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`).
    public static let outOfService = KubeTaint(key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute")

    /// The taint as the API writes it.
    public var json: KubeJSON {
        var object: [String: KubeJSON] = ["key": .string(key), "effect": .string(effect)]
        if let value { object["value"] = .string(value) }
        return .object(object)
    }

    /// Whether the API object `taint` is this one (key, value and effect).
    func matches(_ taint: KubeJSON) -> Bool {
        taint["key"]?.string == key && taint["effect"]?.string == effect && taint["value"]?.string == value
    }

    public var description: String { "\(key)\(value.map { "=\($0)" } ?? ""):\(effect)" }
}
