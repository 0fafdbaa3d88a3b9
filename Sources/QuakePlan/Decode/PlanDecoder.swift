import QuakeCore
import Yams

/// Turns a plan's root node into a `Plan`, section by section, recording every error.
///
/// Sections that fail to decode are left at a neutral value so that later sections are still
/// checked; the loader refuses the plan if any error was recorded.
final class PlanDecoder {
    let reader: YAMLReader
    let directory: String
    var topology = Topology(regions: [])
    var services: [ServiceSpec] = []
    var manifests = ManifestSet()
    /// The YAML node of each decoded fault and procedure, to point errors found later at them.
    var faultNodes: [(index: Int, node: Node)] = []
    var procedureNodes: [(index: Int, node: Node)] = []
    /// Whether the topology had errors, or no service was read: references to them are then not checked,
    /// since every one would be a follow-on error.
    var topologyBroken = false
    var servicesBroken = false
    /// The Istio and Karmada objects read from the manifests.
    var imported = ImportedManifests()

    init(reader: YAMLReader, directory: String) {
        self.reader = reader
        self.directory = directory
    }

    static let topKeys = ["apiVersion", "kind", "metadata", "topology", "services", "placement", "trafficPolicy", "controlPlane", "traffic", "probes", "slos", "stopConditions", "safety", "schedule", "target", "seed"]

    func decode(_ root: Node) -> Plan? {
        guard let top = reader.mapping(root, "", keys: Self.topKeys, required: ["apiVersion", "kind", "metadata", "topology", "services", "schedule"], what: "a Quake plan") else { return nil }
        if let node = top["apiVersion"], let v = reader.string(node, "apiVersion"), v != "quake/v1" {
            reader.error(node, "apiVersion", "'\(v)' is not supported; this Quake reads 'quake/v1'")
        }
        if let node = top["kind"], let k = reader.string(node, "kind"), k != "Experiment" {
            let suite = k == "Suite" ? " (a suite runs with quake run SUITE; see docs/suites.md)" : ""
            reader.error(node, "kind", "'\(k)' is not a plan kind; expected 'Experiment'" + Suggestion.phrase(for: k, among: ["Experiment"]) + suite)
        }
        let metadata = top["metadata"].flatMap(decodeMetadata) ?? PlanMetadata(name: "unnamed")
        let before = reader.sink.errorCount
        if let node = top["topology"] { topology = decodeTopology(node) ?? topology }
        topologyBroken = reader.sink.errorCount > before || topology.regions.isEmpty
        if let node = top["services"] { services = decodeServices(node) }
        // Missing, or with no service read (an empty mapping is an error of its own).
        servicesBroken = services.isEmpty
        let controlPlane = top["controlPlane"].map(decodeControlPlane) ?? ControlPlane()
        for key in ["placement", "trafficPolicy"] {
            if let node = top[key] { readManifests(node, key) }
        }
        imported = importManifests(istioVersion: controlPlane.istio)
        let traffic = top["traffic"].map(decodeTraffic) ?? []
        let probes = top["probes"].map(decodeProbes) ?? []
        let slos = top["slos"].map { decodeSLOs($0, probes: probes) } ?? []
        let stops = top["stopConditions"].map { decodeStopConditions($0, probes: probes) } ?? []
        let safety = top["safety"].map(decodeSafety) ?? SafetyPolicy()
        let schedule = top["schedule"].map(decodeSchedule) ?? Schedule(duration: .zero)
        let target = top["target"].map(decodeTarget) ?? TargetSettings()
        let seed = top["seed"].flatMap { node -> UInt64? in reader.int(node, "seed").map { UInt64($0) } } ?? 1
        let plan = Plan(
            metadata: metadata, topology: topology, services: services,
            propagationPolicies: imported.policies, clusterTaintPolicies: imported.taintPolicies,
            destinationRules: imported.destinationRules, virtualServices: imported.virtualServices,
            controlPlane: controlPlane, traffic: traffic, probes: probes, slos: slos, stopConditions: stops,
            safety: safety, schedule: schedule, target: target, seed: seed, warnings: []
        )
        if !topologyBroken, let node = top["safety"] ?? top["schedule"] { checkSafety(plan, at: node) }
        return plan
    }

    func decodeMetadata(_ node: Node) -> PlanMetadata? {
        guard let m = reader.mapping(node, "metadata", keys: ["name", "description", "tags", "owner"], required: ["name"]) else { return nil }
        let name = m["name"].flatMap { reader.string($0, m.path("name")) } ?? "unnamed"
        if let node = m["name"], name.isEmpty || name.contains(where: { $0 == "/" || $0.isWhitespace }) {
            reader.error(node, m.path("name"), "'\(name)' is not a usable name: reports are named after it, so use letters, digits, '-' and '.'")
        }
        return PlanMetadata(
            name: name,
            description: m["description"].flatMap { reader.string($0, m.path("description")) } ?? "",
            tags: m["tags"].flatMap { reader.strings($0, m.path("tags")) } ?? [],
            owner: m["owner"].flatMap { reader.string($0, m.path("owner")) }
        )
    }
}
