import Yams

/// Turns libyaml's lines and columns into the ones editors show. libyaml (YAML 1.1) also ends a
/// line at a lone carriage return, NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR
/// (U+2029); Quake's findings, like editors and the loader's own byte checks, count lines by line
/// feeds, so a finding after such a character would otherwise point lines below where it is, or
/// past the end of the file.
struct YAMLLineMap: Sendable {
    /// Where each of libyaml's lines starts, as (line, column) of the file; nil when the two agree.
    private let starts: [(line: Int, column: Int)]?

    /// The map of `text`; it costs one pass over the text only when the text has such characters.
    init(text: String) {
        let extra: Set<Unicode.Scalar> = ["\r", "\u{85}", "\u{2028}", "\u{2029}"]
        // A carriage return, or the first byte of NEL (C2 85) or of LS and PS (E2 80 A8, E2 80 A9).
        let bytes: [UInt8] = [0x0D, 0xC2, 0xE2]
        guard bytes.contains(where: text.containsByte), text.unicodeScalars.contains(where: extra.contains) else {
            starts = nil
            return
        }
        var starts = [(line: 1, column: 1)]
        var line = 1, column = 1
        var scalars = text.unicodeScalars.makeIterator()
        var next = scalars.next()
        while let c = next {
            next = scalars.next()
            if c == "\n" {
                line += 1
                column = 1
                starts.append((line, column))
            } else {
                column += 1
                // A carriage return before a line feed ends no line of its own.
                if extra.contains(c), !(c == "\r" && next == "\n") { starts.append((line, column)) }
            }
        }
        self.starts = starts
    }

    /// The file's line and column of libyaml's `line` and `column`.
    func position(line: Int, column: Int) -> (line: Int, column: Int) {
        guard let starts, line >= 1 else { return (line, column) }
        guard line <= starts.count else { return (starts[starts.count - 1].line + line - starts.count, column) }
        let start = starts[line - 1]
        return (start.line, start.column + column - 1)
    }

    /// The file's line and column of `mark`.
    func position(_ mark: Mark) -> (line: Int, column: Int) {
        position(line: mark.line, column: mark.column)
    }
}
