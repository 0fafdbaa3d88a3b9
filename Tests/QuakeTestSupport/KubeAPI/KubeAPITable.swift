import Foundation

/// How objects leave the double: as themselves in the version asked for, or as rows of a
/// `meta.k8s.io` Table, the server-side printing `kubectl get` asks for.
///
/// Nodes and pods get the columns kube-apiserver prints for them (NAME STATUS ROLES AGE VERSION;
/// NAME READY STATUS RESTARTS AGE, with IP and NODE for `-o wide`); every other resource gets
/// NAME and AGE, as a CRD without printer columns does.
enum KubeAPITable {
    private struct Column {
        let name: String
        let type: String
        let priority: Int
        let cell: (KubeAPIJSON) -> KubeAPIJSON
    }

    /// `object` as the client asked to see it: in `version`, or as a one-row Table.
    static func present(_ object: KubeAPIJSON, of resource: KubeAPIResource, version: String, as presentation: KubeAPIPresentation, inList: Bool) -> KubeAPIJSON {
        switch presentation {
        case .json:
            var shown = object
            shown["apiVersion"] = .string(resource.apiVersion(version))
            if inList, !resource.isCustom {
                // Typed lists carry kind and apiVersion once, on the list (custom resources keep them per item).
                shown["kind"] = .null
                shown["apiVersion"] = .null
            }
            return shown
        case let .table(tableVersion, includeObject):
            return table([object], of: resource, version: version, tableVersion: tableVersion, includeObject: includeObject, metadata: ["resourceVersion": object["metadata"]["resourceVersion"]])
        }
    }

    /// A list of `objects` in the asked presentation, with list `metadata`.
    static func list(_ objects: [KubeAPIJSON], of resource: KubeAPIResource, version: String, as presentation: KubeAPIPresentation, metadata: KubeAPIJSON) -> KubeAPIJSON {
        switch presentation {
        case .json:
            return [
                "kind": .string(resource.kind + "List"), "apiVersion": .string(resource.apiVersion(version)), "metadata": metadata,
                "items": .array(objects.map { present($0, of: resource, version: version, as: .json, inList: true) }),
            ]
        case let .table(tableVersion, includeObject):
            return table(objects, of: resource, version: version, tableVersion: tableVersion, includeObject: includeObject, metadata: metadata)
        }
    }

    private static func table(_ objects: [KubeAPIJSON], of resource: KubeAPIResource, version: String, tableVersion: String, includeObject: String, metadata: KubeAPIJSON) -> KubeAPIJSON {
        let columns = self.columns(for: resource)
        let rows: [KubeAPIJSON] = objects.map { object in
            var row: KubeAPIJSON = ["cells": .array(columns.map { $0.cell(object) })]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = present(object, of: resource, version: version, as: .json, inList: false)
            default: row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": .string("meta.k8s.io/\(tableVersion)"), "metadata": object["metadata"]]
            }
            return row
        }
        return [
            "kind": "Table", "apiVersion": .string("meta.k8s.io/\(tableVersion)"), "metadata": metadata,
            "columnDefinitions": .array(columns.map { column in
                [
                    "name": .string(column.name), "type": .string(column.type), "format": column.name == "Name" ? "name" : "",
                    "description": .string(column.name), "priority": .int(column.priority),
                ]
            }),
            "rows": .array(rows),
        ]
    }

    private static func columns(for resource: KubeAPIResource) -> [Column] {
        let name = Column(name: "Name", type: "string", priority: 0) { $0["metadata"]["name"] }
        let age = Column(name: "Age", type: "string", priority: 0) { .string(Self.age(of: $0)) }
        switch resource {
        case .nodes:
            return [
                name,
                Column(name: "Status", type: "string", priority: 0) { .string(nodeStatus($0)) },
                Column(name: "Roles", type: "string", priority: 0) { .string(nodeRoles($0)) },
                age,
                Column(name: "Version", type: "string", priority: 0) { $0["status"]["nodeInfo"]["kubeletVersion"].string.map(KubeAPIJSON.string) ?? "" },
                Column(name: "Internal-IP", type: "string", priority: 1) { node in
                    let address = (node["status"]["addresses"].array ?? []).first { $0["type"].string == "InternalIP" }
                    return address?["address"] ?? "<none>"
                },
            ]
        case .pods:
            return [
                name,
                Column(name: "Ready", type: "string", priority: 0) { pod in
                    let statuses = pod["status"]["containerStatuses"].array ?? []
                    let containers = pod["spec"]["containers"].array?.count ?? 0
                    return .string("\(statuses.filter { $0["ready"].bool == true }.count)/\(containers)")
                },
                Column(name: "Status", type: "string", priority: 0) { $0["metadata"]["deletionTimestamp"].isNull ? ($0["status"]["phase"].string.map(KubeAPIJSON.string) ?? "Unknown") : "Terminating" },
                Column(name: "Restarts", type: "string", priority: 0) { pod in
                    .string(String((pod["status"]["containerStatuses"].array ?? []).compactMap { $0["restartCount"].int }.reduce(0, +)))
                },
                age,
                Column(name: "IP", type: "string", priority: 1) { $0["status"]["podIP"].string.map(KubeAPIJSON.string) ?? "<none>" },
                Column(name: "Node", type: "string", priority: 1) { $0["spec"]["nodeName"].string.map(KubeAPIJSON.string) ?? "<none>" },
            ]
        default:
            return [name, age]
        }
    }

    /// `Ready`, `NotReady` or `Unknown` from the Ready condition, then `SchedulingDisabled` when cordoned.
    private static func nodeStatus(_ node: KubeAPIJSON) -> String {
        let ready = (node["status"]["conditions"].array ?? []).first { $0["type"].string == "Ready" }
        var states: [String]
        switch ready?["status"].string {
        case "True": states = ["Ready"]
        case "False": states = ["NotReady"]
        default: states = ["Unknown"]
        }
        if node["spec"]["unschedulable"].bool == true { states.append("SchedulingDisabled") }
        return states.joined(separator: ",")
    }

    private static func nodeRoles(_ node: KubeAPIJSON) -> String {
        let prefix = "node-role.kubernetes.io/"
        let roles = node["metadata"]["labels"].stringMap.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
        return roles.isEmpty ? "<none>" : roles.joined(separator: ",")
    }

    /// The object's age as kubectl shows it: seconds up to two minutes, then minutes, hours, days.
    static func age(of object: KubeAPIJSON, now: Date = Date()) -> String {
        guard let text = object["metadata"]["creationTimestamp"].string, let created = ISO8601DateFormatter().date(from: text) else { return "<unknown>" }
        let seconds = Int(now.timeIntervalSince(created))
        switch seconds {
        case ..<0: return "0s"
        case ..<120: return "\(seconds)s"
        case ..<(180 * 60): return "\(seconds / 60)m"
        case ..<(48 * 3600): return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }
}
