import QuakeCore
import Yams

/// Reads the Istio and Karmada objects Quake models from one manifest document, with Istio's and
/// Karmada's own defaults; known fields Quake does not model are warned about, unknown ones are errors.
struct ManifestImporter {
    let reader: YAMLReader
    /// Key path prefix of the document (empty for a document of its own file).
    let base: String
    let topology: Topology
    let services: [ServiceSpec]
    /// The Istio version, for the retry defaults of a route's `retries` block.
    let istioVersion: Version
    /// Whether cluster names can be checked against the topology (not when the topology had errors).
    let checkClusters: Bool

    func path(_ key: String) -> String { reader.join(base, key) }

    /// The top-level keys of a Kubernetes object, with `spec` checked by the caller.
    func object(_ node: Node) -> (name: String, namespace: String?, spec: Node?)? {
        guard let m = reader.mapping(node, base, keys: ["apiVersion", "kind", "metadata", "spec"], required: ["apiVersion", "kind", "metadata"], ignored: ["status"]) else { return nil }
        guard let meta = m["metadata"], case .mapping = meta else {
            reader.error(m["metadata"], path("metadata"), "expected a mapping with 'name'")
            return nil
        }
        guard let name = meta["name"]?.string, !name.isEmpty else {
            reader.error(meta, path("metadata"), "missing required key 'name'")
            return nil
        }
        return (name, meta["namespace"]?.string, m["spec"])
    }

    /// The service a host names: `svc2`, `svc2.ns`, `svc2.ns.svc.cluster.local`; nil (with a warning) if the plan has none.
    func serviceName(forHost host: String, _ node: Node, _ keyPath: String, owner: String) -> String? {
        let parts = host.split(separator: ".").map(String.init)
        let short = parts.first ?? host
        let namespace = parts.count > 1 ? parts[1] : nil
        if let service = services.first(where: { $0.name == short }), let namespace, namespace != service.namespace {
            reader.warning(node, keyPath, "\(owner): host '\(host)' is in namespace '\(namespace)', but service \(short) is in '\(service.namespace)'; it has no effect")
            return nil
        }
        guard services.contains(where: { $0.name == short }) else {
            reader.warning(node, keyPath, "\(owner): host '\(host)' is not a service of this plan" + Suggestion.phrase(for: short, among: services.map(\.name)) + "; it has no effect")
            return nil
        }
        return short
    }
}
