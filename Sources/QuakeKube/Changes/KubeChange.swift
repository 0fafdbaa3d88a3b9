import Foundation

/// One change a fault made to a real system, as the journal keeps it (before it is made): on
/// which API server, and what undoes it. Tokens and keys are never part of it; the connection
/// is found again from the plan and the kubeconfig by its name.
public struct KubeChange: Sendable, Equatable, Codable {
    /// Where: `karmada` for the Karmada control plane, else the member cluster's name.
    public var on: String
    /// Taints (and a cordon) added to a Node or a Karmada Cluster.
    public var taint: TaintChange?
    /// A fault put on a VirtualService's routes.
    public var virtualService: VirtualServiceChange?
    /// A pod deleted (its API path): nothing to undo, its Deployment replaces it.
    public var deletedPod: String?
    /// A pod evicted through the eviction API (its path): nothing to undo either.
    public var evictedPod: String?

    /// The name of the Karmada control plane in ``on``.
    public static let karmada = "karmada"

    /// The journal's text of this change (sorted keys, one line).
    public var journalText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A change read back from the journal.
    ///
    /// - Throws: ``KubeError`` `config` when the text is not one.
    public init(journalText: String) throws {
        do {
            self = try JSONDecoder().decode(KubeChange.self, from: Data(journalText.utf8))
        } catch {
            throw KubeError(code: .config, message: "the journal holds a change Quake cannot read back: \(journalText.prefix(200))")
        }
    }

    /// A change from its parts.
    public init(on: String, taint: TaintChange? = nil, virtualService: VirtualServiceChange? = nil, deletedPod: String? = nil, evictedPod: String? = nil) {
        self.on = on
        self.taint = taint
        self.virtualService = virtualService
        self.deletedPod = deletedPod
        self.evictedPod = evictedPod
    }

    /// What the change touched, for people.
    public var description: String {
        if let taint { return "\(taint.path) on \(on): taints \(taint.taints.map(\.description).joined(separator: ", "))\(taint.cordoned ? ", cordoned" : "")" }
        if let virtualService { return "\(virtualService.path) on \(on): spec.http changed" }
        if let evictedPod { return "\(evictedPod) on \(on): evicted" }
        return "\(deletedPod ?? "?") on \(on): deleted"
    }
}
