import QuakeTestSupport

/// Random plans for the loader's fuzz test, written with the plan language's own keys: mostly valid
/// values with now and then one of the wrong type, out of range or hostile, a misspelt key, and
/// references to localities and services that may not exist; and hostile shapes: nesting deeper
/// than libyaml allows, anchors and aliases, billion-laughs alias bombs, odd documents.
struct PlanGenerator {
    private var rng: SeededGenerator

    /// A generator whose plans follow from `seed`.
    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    /// A plan of one or two regions and services, maybe a load and an SLO, and up to two faults.
    mutating func plan() -> String {
        let regions = (1...int(1...2)).map { "r\($0)" }
        let clusters = regions.flatMap { r in (1...int(1...2)).map { "\(r)/c\(r.dropFirst())\($0)" } }
        let zones = clusters.flatMap { c in (1...int(1...2)).map { "\(c)/z\($0)" } }
        let services = (1...int(1...2)).map { "s\($0)" }
        var y = "\(key("apiVersion")): \(value("quake/v1"))\n\(key("kind")): \(value("Experiment"))\n"
        y += "metadata: {\(key("name")): \(value("gen")), tags: [\(value("a")), b], owner: \(value("me"))}\n"
        y += "topology:\n  latency: {sameZone: \(value("0.3ms")), crossRegion: \(value("30ms"))}\n  regions:\n"
        for region in regions {
            y += "    \(region):\n"
            for cluster in clusters where cluster.hasPrefix(region + "/") {
                let own = zones.filter { $0.hasPrefix(cluster + "/") }.map { "\($0.split(separator: "/").last ?? ""): {\(key("nodes")): \(value(String(int(1...4))))}" }
                y += "      \(cluster.split(separator: "/").last ?? ""): {\(key("zones")): {\(own.joined(separator: ", "))}}\n"
            }
        }
        y += "services:\n"
        for (i, service) in services.enumerated() {
            let calls = services.dropFirst(i + 1).filter { _ in Bool.random(using: &rng) }
            y += "  \(service): {\(key("replicas")): \(value(String(int(1...6)))), serviceTime: \(value("\(int(1...50))ms")), calls: [\(calls.joined(separator: ", "))], errorRate: \(value("0.1%"))}\n"
        }
        let traffic = (0..<int(0...1)).map { _ in
            "{\(key("from")): \(value(pick(zones))), to: \(value(pick(services))), rate: \(value("\(int(1...900))/s"))}"
        }
        let slos = (0..<int(0...1)).map { n in
            "{name: \(value("slo\(n)")), \(key("sli")): \(value("successRatio(\(pick(services)))")), objective: \(value("\">= 99%\"")), window: \(value("30s"))}"
        }
        y += "traffic: [\(traffic.joined(separator: ", "))]\nslos: [\(slos.joined(separator: ", "))]\n"
        y += "safety: {allowWholeRegion: \(value("true")), allowAllClusters: \(value("true"))}\n"
        let faults = int(0...2)
        y += "schedule:\n  \(key("duration")): \(value("\(int(5...30))m"))\n  faults:\(faults == 0 ? " []" : "")\n"
        for _ in 0..<faults {
            let (kind, target) = [("zone-outage", "zone: \(pick(zones))"), ("cluster-outage", "cluster: \(pick(clusters).split(separator: "/").last ?? "")"),
                                  ("http-abort", "service: \(pick(services)), percentage: \(value("50%"))"), ("pod-kill", "service: \(pick(services))"),
                                  ("node-crash", "node: \(pick(clusters).split(separator: "/").last ?? "")-\(pick(["z1", "z2"]))-0")].randomElement(using: &rng) ?? ("", "")
            y += "    - {at: \(value("1m")), \(key("fault")): \(value(kind)), \(value(target)), for: \(value("2m"))}\n"
        }
        return y + "seed: \(value(String(int(0...1000))))\n"
    }

    /// A hostile document: nested past libyaml's limit of 1000, a plan built on anchors and aliases,
    /// an alias bomb in one of several places, or a document that is not a plan at all.
    mutating func hostile() -> String {
        let depth = int(990...1010)
        switch int(0...4) {
        case 0:
            return "apiVersion: quake/v1\nmetadata: " + String(repeating: pick(["[", "{a: "]), count: depth) + "\n"
        case 1:
            return "apiVersion: quake/v1\nmetadata:\n" + (1...depth / 4).map { String(repeating: "  ", count: $0) + "a:\n" }.joined()
        case 2:
            let extra = pick(["s3: {<<: *service, \(key("replicas")): 3}", "s3: *service", "s3: *zone", "s3: *name", "s3: *missing", "*service: {replicas: 1}"])
            return Self.aliasedPlan.replacingOccurrences(of: "schedule:", with: "  \(extra)\nschedule:")
        case 3:
            var bomb = "x-bomb:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            for level in 1...9 {
                bomb += "  a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
            }
            let top = "a\(int(4...9))"
            let use = pick(["? *\(top)\n: boom\n", "*\(top) : boom\n", "metadata: {*\(top): boom}\n", "services: [*\(top): boom]\n",
                            "metadata: *\(top)\n", "services: {s: *\(top)}\n", "slos: *\(top)\n", "metadata: {tags: *\(top)}\n",
                            "placement: [{inline: {apiVersion: policy.karmada.io/v1alpha1, kind: PropagationPolicy, metadata: {name: p}, spec: *\(top)}}]\n"])
            return pick([bomb + "apiVersion: quake/v1\n" + use, "apiVersion: quake/v1\n" + bomb + use])
        default:
            return pick(["", "\n\n", "# only a comment\n", "---\n", "--- \n...\n", "\u{FEFF}apiVersion: quake/v1\n", "apiVersion: quake/v1\n---\nkind: Experiment\n",
                         "%YAML 1.2\n---\napiVersion: quake/v1\n", "%TAG ! tag:x,2024:\n--- !x\napiVersion: quake/v1\n", "just text", "- a list\n", "42",
                         "? [a, b]\n: c\n", "{[a]: 1, [a]: 2}\n", "a: 1\na: 2\n", "&a a: *a\n", "!!binary aGVsbG8=\n", String(repeating: "- ", count: 3000) + "x\n"])
        }
    }

    /// A valid plan that repeats its zones, service times and durations through anchors and aliases.
    static let aliasedPlan = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: &name aliased, description: *name}
        topology:
          regions:
            r1:
              c1: {zones: {a: &zone {nodes: 2}, b: *zone}}
        services:
          s1: &service {replicas: 2, serviceTime: &time 5ms}
          s2: {replicas: 2, serviceTime: *time}
        schedule: {duration: 10m, faults: [{at: &minute 1m, fault: zone-outage, zone: r1/c1/a, for: *minute}]}

        """

    /// `valid` 24 times in 25, else a hostile value.
    private mutating func value(_ valid: String) -> String {
        int(0...24) > 0 ? valid : pick(PlanTextMutator.hostileValues)
    }

    /// `key`, misspelt one time in thirty.
    private mutating func key(_ key: String) -> String {
        guard int(0...29) == 0, key.count > 1 else { return key }
        var letters = Array(key)
        letters.remove(at: int(0...(letters.count - 1)))
        return String(letters)
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    private mutating func pick(_ choices: [String]) -> String { choices.randomElement(using: &rng) ?? "" }
}
