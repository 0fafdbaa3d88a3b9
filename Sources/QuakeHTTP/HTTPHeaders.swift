/// Header fields in the order they were added or received; names compare case-insensitively on lookup.
///
/// A name may appear more than once. Looking a name up scans the fields, which is cheap for
/// the few dozen headers a message carries.
public struct HTTPHeaders: Hashable, Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One field: its name as written and its value.
    public typealias Element = (name: String, value: String)

    private struct Field: Hashable, Sendable {
        var name: String
        var value: String
    }

    private var fields: [Field]

    /// Creates headers from name–value pairs, keeping their order and any repeated names.
    public init(_ pairs: [(name: String, value: String)] = []) {
        fields = pairs.map { Field(name: $0.name, value: $0.value) }
    }

    /// Creates headers from a literal such as `["Accept": "text/plain"]`, keeping its order.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The index of the first field.
    public var startIndex: Int { fields.startIndex }

    /// The index past the last field.
    public var endIndex: Int { fields.endIndex }

    /// The field at `position`.
    public subscript(position: Int) -> Element {
        let field = fields[position]
        return (field.name, field.value)
    }

    /// The value of the first field named `name`, ignoring case, or `nil` if there is none.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    /// The values of every field named `name`, ignoring case, in order.
    public func values(for name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// Adds a field after the existing ones, keeping any earlier field of the same name.
    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }
}
