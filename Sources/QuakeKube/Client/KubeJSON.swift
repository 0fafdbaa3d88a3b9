import Foundation

/// A Kubernetes object, or any part of one, as JSON: what Quake reads from the API, saves in its
/// journal before a change, and sends back in patches. Rendered with sorted keys, so the same
/// value always gives the same bytes.
public enum KubeJSON: Sendable, Equatable, Codable, CustomStringConvertible {
    case object([String: KubeJSON])
    case array([KubeJSON])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([KubeJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: KubeJSON].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .object(o): try c.encode(o)
        case let .array(a): try c.encode(a)
        case let .string(s): try c.encode(s)
        case let .number(n):
            if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case let .bool(b): try c.encode(b)
        case .null: try c.encodeNil()
        }
    }

    /// Parses JSON text.
    ///
    /// - Throws: ``KubeError`` `api` naming `what` when the text is not JSON.
    public static func parse(_ data: Data, what: String) throws -> KubeJSON {
        do {
            return try JSONDecoder().decode(KubeJSON.self, from: data)
        } catch {
            throw KubeError(code: .api, message: "\(what) is not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }

    /// The compact JSON text, keys sorted.
    public var data: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    public var description: String { String(decoding: data, as: UTF8.self) }

    /// The member `key` of an object (nil otherwise).
    public subscript(key: String) -> KubeJSON? {
        if case let .object(o) = self { return o[key] }
        return nil
    }

    /// The value at a dotted path such as `metadata.resourceVersion`.
    public subscript(path path: String) -> KubeJSON? {
        path.split(separator: ".").reduce(Optional(self)) { $0?[String($1)] }
    }

    public var string: String? { if case let .string(s) = self { return s }; return nil }
    public var array: [KubeJSON]? { if case let .array(a) = self { return a }; return nil }
    public var number: Double? { if case let .number(n) = self { return n }; return nil }
    public var bool: Bool? { if case let .bool(b) = self { return b }; return nil }
}

extension KubeJSON: ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(dictionaryLiteral elements: (String, KubeJSON)...) { self = .object(Dictionary(elements, uniquingKeysWith: { $1 })) }
    public init(arrayLiteral elements: KubeJSON...) { self = .array(elements) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
}
