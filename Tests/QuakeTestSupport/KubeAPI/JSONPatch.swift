/// RFC 6902 JSON Patch (`application/json-patch+json`): `add`, `remove`, `replace`, `move`,
/// `copy` and `test`, over JSON Pointers (RFC 6901, `-` appending to an array).
enum JSONPatch {
    /// The patch document is not a list of operations (the server answers 400).
    struct Malformed: Error {
        let reason: String
    }

    /// An operation could not be applied: a failed `test`, a missing path (the server answers 422).
    struct NotApplicable: Error {
        let reason: String
    }

    /// `document` with every operation of `patch` applied in order; all or nothing.
    static func apply(_ patch: KubeAPIJSON, to document: KubeAPIJSON) throws -> KubeAPIJSON {
        guard let operations = patch.array else { throw Malformed(reason: "a JSON patch is a list of operations") }
        var result = document
        for operation in operations {
            guard let op = operation["op"].string, let path = operation["path"].string else {
                throw Malformed(reason: "each operation needs \"op\" and \"path\"")
            }
            let pointer = try parsePointer(path)
            if ["add", "replace", "test"].contains(op), !(operation.members ?? []).contains(where: { $0.key == "value" }) {
                throw Malformed(reason: "\(op) needs \"value\"")
            }
            switch op {
            case "add":
                result = try add(operation["value"], at: pointer, in: result)
            case "remove":
                result = try remove(at: pointer, in: result)
            case "replace":
                _ = try value(at: pointer, in: result)
                result = try remove(at: pointer, in: result)
                result = try add(operation["value"], at: pointer, in: result)
            case "move", "copy":
                guard let from = operation["from"].string else { throw Malformed(reason: "\(op) needs \"from\"") }
                let source = try parsePointer(from)
                let moved = try value(at: source, in: result)
                if op == "move" { result = try remove(at: source, in: result) }
                result = try add(moved, at: pointer, in: result)
            case "test":
                guard try value(at: pointer, in: result) == operation["value"] else {
                    throw NotApplicable(reason: "testing value \(path) failed")
                }
            default:
                throw Malformed(reason: "unknown operation \"\(op)\"")
            }
        }
        return result
    }

    /// The tokens of a JSON Pointer, `~1` and `~0` unescaped.
    static func parsePointer(_ pointer: String) throws -> [String] {
        guard !pointer.isEmpty else { return [] }
        guard pointer.hasPrefix("/") else { throw Malformed(reason: "a path must start with '/': \(pointer)") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func value(at pointer: [String], in document: KubeAPIJSON) throws -> KubeAPIJSON {
        var current = document
        for token in pointer {
            switch current {
            case let .object(members):
                guard let member = members.first(where: { $0.key == token }) else { throw NotApplicable(reason: "no member \(token)") }
                current = member.value
            case let .array(elements):
                guard let index = Int(token), elements.indices.contains(index) else { throw NotApplicable(reason: "no element \(token)") }
                current = elements[index]
            default:
                throw NotApplicable(reason: "\(token) is below a value that is neither object nor array")
            }
        }
        return current
    }

    private static func add(_ value: KubeAPIJSON, at pointer: [String], in document: KubeAPIJSON) throws -> KubeAPIJSON {
        guard let last = pointer.last else { return value }
        let parentPointer = Array(pointer.dropLast())
        var parent = try self.value(at: parentPointer, in: document)
        switch parent {
        case var .array(elements):
            if last == "-" {
                elements.append(value)
            } else {
                guard let index = Int(last), (0...elements.count).contains(index) else { throw NotApplicable(reason: "no index \(last)") }
                elements.insert(value, at: index)
            }
            parent = .array(elements)
        case .object:
            parent = setMember(last, to: value, in: parent)
        default:
            throw NotApplicable(reason: "cannot add below a value that is neither object nor array")
        }
        return try replace(at: parentPointer, with: parent, in: document)
    }

    /// Sets a member keeping its place (or appending it), `null` kept as a value.
    private static func setMember(_ key: String, to value: KubeAPIJSON, in object: KubeAPIJSON) -> KubeAPIJSON {
        var members = object.members ?? []
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    private static func remove(at pointer: [String], in document: KubeAPIJSON) throws -> KubeAPIJSON {
        guard let last = pointer.last else { throw NotApplicable(reason: "cannot remove the whole document") }
        let parentPointer = Array(pointer.dropLast())
        let parent = try value(at: parentPointer, in: document)
        _ = try value(at: pointer, in: document)
        let newParent: KubeAPIJSON
        switch parent {
        case var .array(elements):
            guard let index = Int(last) else { throw NotApplicable(reason: "no index \(last)") }
            elements.remove(at: index)
            newParent = .array(elements)
        case let .object(members):
            newParent = .object(members.filter { $0.key != last })
        default:
            throw NotApplicable(reason: "cannot remove below a scalar")
        }
        return try replace(at: parentPointer, with: newParent, in: document)
    }

    private static func replace(at pointer: [String], with value: KubeAPIJSON, in document: KubeAPIJSON) throws -> KubeAPIJSON {
        guard let first = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object:
            return setMember(first, to: try replace(at: rest, with: value, in: self.value(at: [first], in: document)), in: document)
        case var .array(elements):
            guard let index = Int(first), elements.indices.contains(index) else { throw NotApplicable(reason: "no element \(first)") }
            elements[index] = try replace(at: rest, with: value, in: elements[index])
            return .array(elements)
        default:
            throw NotApplicable(reason: "no member \(first)")
        }
    }
}
