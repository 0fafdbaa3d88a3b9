/// A way to name one run of the history on the command line: its id, `last`, or `last~N` (the
/// run N before the last; `last~0` is `last`).
public enum RunReference: Sendable, Equatable {
    /// The run with this id.
    case id(String)
    /// The run `back` runs before the newest.
    case last(back: Int)

    /// Reads `last`, `last~N` or an id.
    ///
    /// - Throws: ``HistoryError`` `badArgument` for `last~` without a count of 0 or more.
    public init(parsing text: String) throws(HistoryError) {
        if text == "last" {
            self = .last(back: 0)
        } else if text.hasPrefix("last~") {
            guard let back = Int(text.dropFirst(5)), back >= 0 else {
                throw HistoryError(code: .badArgument, message: "\(text): expected last, last~N with N a count (last~1 is the run before the last) or a run id")
            }
            self = .last(back: back)
        } else {
            self = .id(text)
        }
    }
}
