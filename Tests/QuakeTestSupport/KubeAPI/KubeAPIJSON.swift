/// A JSON value as the Kubernetes API double stores and sends it: objects keep their keys in the
/// order they were written, so responses read like the real server's (`kind`, `apiVersion`,
/// `metadata`, `spec`, `status`).
///
/// Literals build values (`["spec": ["unschedulable": true]]`); subscripts read and write nested
/// fields, a missing one reading as `.null`.
public enum KubeAPIJSON: Sendable, Equatable {
    /// `null`, and what an absent field reads as.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent.
    case int(Int)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([KubeAPIJSON])
    /// An object, its members in order.
    case object([(key: String, value: KubeAPIJSON)])

    /// The value of `key` in an object; `.null` when absent or when this is not an object.
    /// Setting `.null` removes the key; setting on a non-object makes it an object first.
    public subscript(key: String) -> KubeAPIJSON {
        get {
            guard case let .object(members) = self else { return .null }
            return members.first { $0.key == key }?.value ?? .null
        }
        set {
            var members: [(key: String, value: KubeAPIJSON)] = []
            if case let .object(existing) = self { members = existing }
            if let index = members.firstIndex(where: { $0.key == key }) {
                if newValue == .null {
                    members.remove(at: index)
                } else {
                    members[index].value = newValue
                }
            } else if newValue != .null {
                members.append((key, newValue))
            }
            self = .object(members)
        }
    }

    /// The element at `index` of an array; `.null` when out of range or not an array.
    public subscript(index: Int) -> KubeAPIJSON {
        guard case let .array(elements) = self, elements.indices.contains(index) else { return .null }
        return elements[index]
    }

    /// The string, or `nil` for any other kind of value.
    public var string: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    /// The number as an integer (a double only when it is whole), or `nil`.
    public var int: Int? {
        switch self {
        case let .int(value): return value
        case let .double(value) where value.rounded() == value && abs(value) < 1e15: return Int(value)
        default: return nil
        }
    }

    /// The boolean, or `nil` for any other kind of value.
    public var bool: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    /// The elements of an array, or `nil` for any other kind of value.
    public var array: [KubeAPIJSON]? {
        if case let .array(elements) = self { return elements }
        return nil
    }

    /// The members of an object in order, or `nil` for any other kind of value.
    public var members: [(key: String, value: KubeAPIJSON)]? {
        if case let .object(members) = self { return members }
        return nil
    }

    /// Whether this is `null` (absent fields read as `null` too).
    public var isNull: Bool { self == .null }

    /// An object's string values (`metadata.labels`), ignoring other members; empty otherwise.
    public var stringMap: [String: String] {
        var map: [String: String] = [:]
        for (key, value) in members ?? [] {
            if let text = value.string { map[key] = text }
        }
        return map
    }

    /// Equal values; objects compare regardless of key order, numbers by value (`1 == 1.0`).
    public static func == (lhs: KubeAPIJSON, rhs: KubeAPIJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { member in b.contains { $0.key == member.key && $0.value == member.value } }
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            return lhs.number == rhs.number
        default: return false
        }
    }

    private var number: Double? {
        switch self {
        case let .int(value): return Double(value)
        case let .double(value): return value
        default: return nil
        }
    }
}

extension KubeAPIJSON {
    /// The value at a path of keys, such as `["spec", "taints"]`.
    public subscript(path keys: [String]) -> KubeAPIJSON {
        get { keys.reduce(self) { $0[$1] } }
        set {
            guard let first = keys.first else {
                self = newValue
                return
            }
            var child = self[first]
            child[path: Array(keys.dropFirst())] = newValue
            self[first] = child
        }
    }
}

extension KubeAPIJSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: KubeAPIJSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, KubeAPIJSON)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }

    /// An object of strings, keys sorted (labels, annotations, selectors).
    public init(_ map: [String: String]) {
        self = .object(map.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) })
    }
}
