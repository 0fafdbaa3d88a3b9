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

    /// Reads `path`, or records why it cannot be read (`file:1:1`) and returns nil.
    static func read(path: String, displayName: String? = nil, sink: DiagnosticSink) -> YAMLSource? {
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
        return from(data: data, file: name, sink: sink)
    }

    /// Checks bytes are UTF-8 text without NUL bytes; records the first bad byte's line and column otherwise.
    static func from(data: Data, file: String, sink: DiagnosticSink) -> YAMLSource? {
        let bytes = [UInt8](data)
        if let bad = firstInvalidByte(bytes) {
            let (line, column) = position(ofByte: bad, in: bytes)
            let what = bytes[bad] == 0 ? "a NUL byte" : String(format: "byte 0x%02X, which is not UTF-8 text", bytes[bad])
            sink.error(file: file, line: line, column: column, key: "", "\(what): a plan must be a YAML text file")
            return nil
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains(where: { !$0.isWhitespace }) else {
            sink.error(file: file, line: 1, column: 1, key: "", "the file is empty; a plan starts with 'apiVersion: quake/v1'")
            return nil
        }
        return YAMLSource(file: file, text: text)
    }

    /// The documents of the file (`---`-separated); empty documents are skipped. Records a YAML syntax error and returns nil.
    func documents(sink: DiagnosticSink) -> [Node]? {
        do {
            let parser = try Parser(yaml: text)
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
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            sink.error(file: file, line: mark.line, column: mark.column, key: "", "YAML syntax: \(detail)")
        case let .reader(problem, offset, _, _):
            let (line, column) = offset.map { Self.position(ofByte: $0, in: Array(text.utf8)) } ?? (1, 1)
            sink.error(file: file, line: line, column: column, key: "", "YAML reader: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            sink.error(file: file, line: context.mark.line, column: context.mark.column, key: duplicates.joined(separator: ", "), "key given twice in one mapping")
        default:
            sink.error(file: file, line: 1, column: 1, key: "", "YAML: \(error)")
        }
    }

    private static func firstInvalidByte(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0 { return i }
            if b < 0x80 { i += 1; continue }
            let length: Int
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return i
            }
            guard i + length <= bytes.count else { return i }
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
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
