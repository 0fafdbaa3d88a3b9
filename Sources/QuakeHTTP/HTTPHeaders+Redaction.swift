extension HTTPHeaders: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Header names whose values are credentials: printed, dumped and logged as `<redacted>`.
    ///
    /// `Authorization` carries bearer tokens and passwords; `Proxy-Authorization` the same for a
    /// proxy; `Cookie` and `Set-Cookie` carry session tokens.
    public static let redactedNames: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    /// Whether the value of the field `name` is hidden in descriptions.
    public static func isRedacted(_ name: String) -> Bool {
        redactedNames.contains(name.lowercased())
    }

    /// The value of field `index` as it may be shown to people: itself, or `<redacted>` for a credential.
    func displayValue(at index: Int) -> String {
        let (name, value) = self[index]
        return Self.isRedacted(name) ? "<redacted>" : value
    }

    /// The fields as `[Name: value, ...]`, credentials replaced by `<redacted>`.
    public var description: String {
        "[" + indices.map { "\(self[$0].name): \(displayValue(at: $0))" }.joined(separator: ", ") + "]"
    }

    /// The same as ``description``: credentials stay hidden in debug output too.
    public var debugDescription: String { description }

    /// One child per field, credentials replaced by `<redacted>`, so that `dump` hides them too.
    public var customMirror: Mirror {
        Mirror(self, unlabeledChildren: indices.map { "\(self[$0].name): \(displayValue(at: $0))" }, displayStyle: .collection)
    }
}
