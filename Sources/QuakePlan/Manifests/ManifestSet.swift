import Foundation
import QuakeCore
import Yams

/// Kubernetes-style documents the plan's `placement` and `trafficPolicy` sections bring in,
/// each kept with the reader of the file it came from so errors point into that file.
struct ManifestSet {
    struct Document {
        let node: Node
        let reader: YAMLReader
        /// The key path prefix for findings in this document (empty for a whole file).
        let path: String
        /// Which plan section brought it in.
        let section: String
    }

    var documents: [Document] = []
}

/// The modelled objects read from the manifests.
struct ImportedManifests {
    var policies: [PropagationPolicy] = []
    var taintPolicies: [ClusterTaintPolicy] = []
    var destinationRules: [DestinationRule] = []
    var virtualServices: [VirtualService] = []
}

extension PlanDecoder {
    /// Reads `[{file: path} | {inline: manifest}]` of one plan section.
    func readManifests(_ node: Node, _ section: String) {
        for (i, item) in (reader.sequence(node, section, of: "manifests ({file: path} or {inline: ...})") ?? []).enumerated() {
            let path = "\(section)[\(i)]"
            guard let m = reader.mapping(item, path, keys: ["file", "inline"], what: "a manifest entry") else { continue }
            switch (m["file"], m["inline"]) {
            case let (fileNode?, nil):
                guard let file = reader.string(fileNode, m.path("file")) else { continue }
                let shown = file.hasPrefix("/") || directory == "." ? file : (directory as NSString).appendingPathComponent(file)
                guard FileManager.default.fileExists(atPath: shown) else {
                    reader.error(fileNode, m.path("file"), "manifest '\(file)' does not exist (looked for \(shown))")
                    continue
                }
                let fileSink = reader.sink
                guard let source = YAMLSource.read(path: shown, displayName: shown, emptyHint: "a manifest holds Kubernetes objects with apiVersion and kind", sink: fileSink) else {
                    continue
                }
                let fileReader = YAMLReader(file: shown, sink: fileSink, lineMap: source.lineMap)
                for doc in source.documents(sink: fileSink) ?? [] {
                    manifests.documents.append(.init(node: doc, reader: fileReader, path: "", section: section))
                }
            case let (nil, inline?):
                manifests.documents.append(.init(node: inline, reader: reader, path: m.path("inline"), section: section))
            default:
                if !m.hadUnknownKeys { reader.error(item, path, "a manifest entry has exactly one of 'file' or 'inline'") }
            }
        }
    }

    /// Reads every document by its kind; kinds Quake does not model are warned about, never dropped silently.
    func importManifests(istioVersion: Version) -> ImportedManifests {
        var out = ImportedManifests()
        for doc in manifests.documents {
            let r = doc.reader
            guard case .mapping = doc.node else {
                r.error(doc.node, doc.path, "expected a Kubernetes object (a mapping with apiVersion and kind), found \(r.describe(doc.node))")
                continue
            }
            guard let apiVersion = doc.node["apiVersion"]?.string, let kind = doc.node["kind"]?.string else {
                r.error(doc.node, doc.path, "a manifest needs 'apiVersion' and 'kind'")
                continue
            }
            let group = apiVersion.split(separator: "/").first.map(String.init) ?? ""
            let importer = ManifestImporter(reader: r, base: doc.path, topology: topology, services: services, istioVersion: istioVersion, checkClusters: !topologyBroken)
            switch (group, kind) {
            case ("policy.karmada.io", "PropagationPolicy"), ("policy.karmada.io", "ClusterPropagationPolicy"):
                if let p = importer.propagationPolicy(doc.node, kind: kind) { out.policies.append(p) }
            case ("policy.karmada.io", "ClusterTaintPolicy"):
                if let p = importer.clusterTaintPolicy(doc.node) { out.taintPolicies.append(p) }
            case ("cluster.karmada.io", "Cluster"):
                if let update = importer.cluster(doc.node) { apply(update) }
            case ("networking.istio.io", "DestinationRule"):
                if let d = importer.destinationRule(doc.node) { out.destinationRules.append(d) }
            case ("networking.istio.io", "VirtualService"):
                if let v = importer.virtualService(doc.node) { out.virtualServices.append(v) }
            default:
                let name = doc.node["metadata"]?["name"]?.string ?? "unnamed"
                r.warning(doc.node, doc.path, "\(kind) '\(name)' (\(apiVersion)) is not modelled by Quake; ignored (workloads come from the plan's 'services')")
            }
        }
        return out
    }

    /// Takes the sync mode, provider and labels of a Karmada `Cluster` manifest into the topology.
    private func apply(_ update: ManifestImporter.ClusterUpdate) {
        for r in topology.regions.indices {
            for c in topology.regions[r].clusters.indices where topology.regions[r].clusters[c].name == update.name {
                if let mode = update.syncMode { topology.regions[r].clusters[c].syncMode = mode }
                if let provider = update.provider { topology.regions[r].clusters[c].provider = provider }
                topology.regions[r].clusters[c].labels.merge(update.labels) { _, new in new }
            }
        }
    }
}
