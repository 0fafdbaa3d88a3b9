/// A `fieldSelector` query parameter: `field=value`, `field==value` or `field!=value`, separated
/// by commas, over the fields the real server indexes for the resource (`metadata.name` and
/// `metadata.namespace` everywhere; `spec.nodeName` and `status.phase` for pods). Any other field
/// is refused with 400, as the real server refuses it.
struct KubeAPIFieldSelector {
    private let requirements: [(field: String, value: String, equal: Bool)]

    init(parsing text: String, for resource: KubeAPIResource) throws {
        var requirements: [(field: String, value: String, equal: Bool)] = []
        for clause in text.split(separator: ",") {
            let (separator, equal) = clause.contains("!=") ? ("!=", false) : (clause.contains("==") ? "==" : "=", true)
            guard let range = clause.range(of: separator) else {
                throw KubeAPIStatus.badRequest("invalid selector: '\(text)'; can't understand '\(clause)'")
            }
            let field = String(clause[..<range.lowerBound])
            guard Self.fields(of: resource).contains(field) else {
                throw KubeAPIStatus.badRequest("field label not supported: \(field)")
            }
            requirements.append((field, String(clause[range.upperBound...]), equal))
        }
        self.requirements = requirements
    }

    private static func fields(of resource: KubeAPIResource) -> Set<String> {
        resource == .pods ? ["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"] : ["metadata.name", "metadata.namespace"]
    }

    func matches(_ object: KubeAPIJSON) -> Bool {
        requirements.allSatisfy { requirement in
            let actual = object[path: requirement.field.split(separator: ".").map(String.init)].string ?? ""
            return (actual == requirement.value) == requirement.equal
        }
    }
}
