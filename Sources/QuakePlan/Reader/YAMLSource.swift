import Foundation
import Yams

/// A YAML file read for Quake: checked to be text of a sane size, then composed into nodes.
struct YAMLSource {
    /// The largest plan or manifest Quake reads (a real plan is a few kilobytes).
    static let maxBytes = 4 * 1024 * 1024

    /// The name diagnostics use for the file.
    let file: String
    /// The file's text.
    let text: String
    /// libyaml's lines and columns to the file's.
    let lineMap: YAMLLineMap

    init(file: String, text: String) {
        self.file = file
        self.text = text
        lineMap = YAMLLineMap(text: text)
    }

    /// Reads `path`, or records why it cannot be read (`file:1:1`) and returns nil.
    static func read(path: String, displayName: String? = nil, emptyHint: String = planHint, sink: DiagnosticSink) -> YAMLSource? {
        let name = displayName ?? path
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            sink.error(file: name, line: 1, column: 1, key: "", "no such file")
            return nil
        }
        guard !isDirectory.boolValue else {
            sink.error(file: name, line: 1, column: 1, key: "", "is a directory, not a YAML file")
            return nil
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maxBytes else {
            sink.error(file: name, line: 1, column: 1, key: "", "the file is \(size) bytes; Quake reads files of at most \(maxBytes) bytes (4 MiB)")
            return nil
        }
        guard let data = try? Data(contentsOf: url) else {
            sink.error(file: name, line: 1, column: 1, key: "", "cannot be read (permission denied or I/O error)")
            return nil
        }
        return from(data: data, file: name, emptyHint: emptyHint, sink: sink)
    }

    /// Checks bytes are UTF-8 text without NUL bytes; records the first bad byte's line and column otherwise.
    /// What an empty plan should start with.
    static let planHint = "a plan starts with 'apiVersion: quake/v1'"

    static func from(data: Data, file: String, emptyHint: String = planHint, sink: DiagnosticSink) -> YAMLSource? {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let bad = firstInvalidByte(bytes) {
            let (line, column) = position(ofByte: bad, in: bytes)
            let what = bytes[bad] == 0 ? "a NUL byte" : String(format: "byte 0x%02X, which is not UTF-8 text", bytes[bad])
            sink.error(file: file, line: line, column: column, key: "", "\(what): a plan must be a YAML text file")
            return nil
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains(where: { !$0.isWhitespace }) else {
            sink.error(file: file, line: 1, column: 1, key: "", "the file is empty; \(emptyHint)")
            return nil
        }
        return YAMLSource(file: file, text: text)
    }

    /// The documents of the file (`---`-separated); empty documents are skipped. Records a YAML
    /// syntax error, or aliases that expand too far (``YAMLAliasBudget``), and returns nil.
    func documents(sink: DiagnosticSink) -> [Node]? {
        do {
            if let excess = try YAMLAliasBudget.excess(in: text) {
                let at = lineMap.position(line: excess.line, column: excess.column)
                sink.error(file: file, line: at.line, column: at.column, key: "", "YAML aliases: \(excess.message)")
                return nil
            }
            // UTF-8 named here: Yams's default reads the process environment on every parse.
            let parser = try Parser(yaml: text, encoding: .utf8)
            var nodes: [Node] = []
            while let node = try parser.nextRoot() {
                if case .scalar = node, node.null != nil { continue }
                nodes.append(node)
            }
            return nodes
        } catch let error as YamlError {
            record(error, sink: sink)
            return nil
        } catch {
            sink.error(file: file, line: 1, column: 1, key: "", "cannot parse YAML: \(error)")
            return nil
        }
    }

    private func record(_ error: YamlError, sink: DiagnosticSink) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let lines = lines
            let (at, message) = Self.explain(problem: problem, context: context.map { ($0.text, lineMap.position($0.mark)) }, at: lineMap.position(mark), lines: lines)
            // At the end of a text without a final newline, libyaml points at the start of a line after it.
            let end = (line: lines.count, column: (lines.last?.unicodeScalars.count ?? 0) + 1)
            let inside = at.line > end.line ? end : at
            sink.error(file: file, line: inside.line, column: inside.column, key: "", "YAML syntax: \(message)")
        case let .reader(problem, offset, _, _):
            // Yams counts the offset in Characters (a CRLF is one), not in bytes.
            let at = offset.flatMap { text.index(text.startIndex, offsetBy: $0, limitedBy: text.endIndex) }.map { index in
                let before = text.unicodeScalars[..<index]
                return (line: before.filter { $0 == "\n" }.count + 1, column: before.reversed().prefix { $0 != "\n" }.count + 1)
            } ?? (line: 1, column: 1)
            sink.error(file: file, line: at.line, column: at.column, key: "", "YAML reader: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let mark = lineMap.position(context.mark)
            for key in duplicates {
                // Yams names a key that is not text (a list or a mapping) so.
                guard key != "<uncovertable>" else {
                    sink.error(file: file, line: mark.line, column: mark.column, key: "", "a list or mapping is given twice as a key of one mapping; keys are text")
                    continue
                }
                let at = Self.repeatedKey(key, after: mark.line, lines: lines) ?? mark
                sink.error(file: file, line: at.line, column: at.column, key: key, "'\(key)' is given twice in one mapping; the second would silently win")
            }
        default:
            sink.error(file: file, line: 1, column: 1, key: "", "YAML: \(error)")
        }
    }

    /// The file's lines as editors count them, split at line feeds. (Split at the character "\n",
    /// a CRLF file would be one line: "\r\n" is a single `Character`.)
    var lines: [Substring] { text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" } }

    /// Where to point and what to say for a libyaml error: an unclosed bracket, brace or quote is
    /// reported where it opens, a bad escape where it stands, and a tab used for indentation and
    /// nesting past libyaml's limit are named as such.
    private static func explain(problem: String, context: (text: String, at: (line: Int, column: Int))?, at mark: (line: Int, column: Int), lines: [Substring]) -> (at: (line: Int, column: Int), message: String) {
        let lineText = mark.line - 1 < lines.count ? lines[mark.line - 1] : ""
        let char = lineText.unicodeScalars.dropFirst(mark.column - 1).first
        if problem.contains("cannot start any token"), char == "\t" {
            return (mark, "a tab cannot indent YAML; use spaces")
        }
        if let context, context.text.contains("flow sequence") || context.text.contains("flow mapping") {
            let closer = context.text.contains("sequence") ? "[" : "{"
            return (context.at, "\(problem): the '\(closer)' here is never closed")
        }
        if let context, context.text.contains("quoted scalar") {
            if problem.contains("end of stream") || problem.contains("document indicator") {
                return (context.at, "the quote here is never closed (\(problem))")
            }
            // A bad escape: libyaml points at it, and its context at the string's opening quote.
            return (mark, "\(problem) in a double-quoted string; escapes are written like \\n, \\\", \\\\ or \\u00e9")
        }
        if problem.hasPrefix("Maximum nesting level reached") {
            return (mark, "nested more than 1000 levels deep; a plan needs a handful")
        }
        return (mark, context.map { "\(problem) \($0.text)" } ?? problem)
    }

    /// The line and column of the second `key:` at the indentation of the first one at or after line `first`.
    private static func repeatedKey(_ key: String, after first: Int, lines: [Substring]) -> (line: Int, column: Int)? {
        var indent: Int?
        for index in lines.indices.dropFirst(max(0, first - 1)) {
            let line = lines[index]
            let spaces = line.prefix { $0 == " " || $0 == "-" }.count
            let rest = line.dropFirst(spaces)
            guard rest.hasPrefix("\(key):") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") else { continue }
            if let indent {
                if spaces == indent { return (index + 1, spaces + 1) }
            } else {
                indent = spaces
            }
        }
        return nil
    }

    private static func firstInvalidByte(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0 { return i }
            if b < 0x80 { i += 1; continue }
            // The second byte's allowed range rules out overlong forms, surrogates and values past U+10FFFF.
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; second = 0xA0...0xBF
            case 0xED: length = 3; second = 0x80...0x9F
            case 0xE1...0xEF: length = 3
            case 0xF0: length = 4; second = 0x90...0xBF
            case 0xF4: length = 4; second = 0x80...0x8F
            case 0xF1...0xF3: length = 4
            default: return i
            }
            guard i + length <= bytes.count, second.contains(bytes[i + 1]) else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    private static func position(ofByte offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1, column = 1
        for b in bytes.prefix(offset) {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }
}
