import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming parser for the Prometheus text exposition format 0.0.4 (`/metrics`, Envoy's
/// `/stats/prometheus`), working on UTF-8 bytes.
///
/// Feed it chunks as they arrive with ``feed(_:_:)`` and call ``finish(_:)`` at the end; each
/// sample line is handed to the callback as it is read, so memory stays bounded by the longest
/// line and the number of distinct strings. Names and label strings are interned: after the
/// first occurrence a sample allocates nothing.
///
/// In ``Mode/strict`` mode the first malformed line throws ``ObserveError`` with code
/// `malformed` and the line number as location; in ``Mode/lenient`` mode such lines are skipped
/// and counted (``skippedLineCount``, the first ``skippedLineLimit`` kept in ``skippedLines``).
/// Errors thrown by the callback always end the parse and are rethrown unchanged.
public struct PrometheusTextParser: Sendable {
    /// What to do with a malformed line.
    public enum Mode: Sendable {
        /// Throw at the first malformed line.
        case strict
        /// Skip malformed lines and count them.
        case lenient
    }

    /// How many skipped lines' errors ``skippedLines`` keeps.
    public static let skippedLineLimit = 100

    /// The mode given at creation.
    public let mode: Mode
    /// Where the page came from (a file path or URL), used in error locations; may be empty.
    public let source: String
    /// How many lines have been read so far.
    public private(set) var lineCount = 0
    /// How many samples have been handed to the callback so far.
    public private(set) var sampleCount = 0
    /// How many malformed lines were skipped (lenient mode only).
    public private(set) var skippedLineCount = 0
    /// The errors of the first ``skippedLineLimit`` skipped lines, in order.
    public private(set) var skippedLines: [ObserveError] = []

    var interner = PrometheusInterner()
    /// Bytes of a line not yet ended by a newline at the end of the last chunk.
    private var pending: [UInt8] = []
    /// The labels of the line being read, their name ids and 1-based columns: the first
    /// `labelCount` entries, overwritten in place from line to line so that a line allocates nothing.
    private var labels: [PrometheusLabel] = []
    private var labelNames: [Int32] = []
    private var labelColumns: [Int] = []
    private var labelCount = 0
    /// Unescaped label value or help text of the line being read.
    private var scratch: [UInt8] = []
    /// What the page said about each family, indexed by the interned id of its name.
    private var metadata: [FamilyState] = []
    private var metadataOrder: [Int32] = []
    private var current = CurrentFamily()
    private let leID: Int32
    private let quantileID: Int32

    /// What the page has said so far about one family name.
    private struct FamilyState {
        var known = false
        var type: PrometheusMetricType = .untyped
        var typed = false
        var help: String?
        var sawSamples = false
    }

    /// The family that samples are matched against: the last one named by `# TYPE`, `# HELP` or a sample.
    private struct CurrentFamily {
        var id: Int32 = -1
        var type: PrometheusMetricType = .untyped
        var bucket: Int32 = -1
        var sum: Int32 = -1
        var count: Int32 = -1
    }

    /// A parser for one page; `source` names it in errors.
    public init(source: String = "", mode: Mode = .strict) {
        self.source = source
        self.mode = mode
        leID = interner.intern("le")
        quantileID = interner.intern("quantile")
    }

    /// The families declared or seen so far, in the order they first appeared.
    public var families: [PrometheusFamily] {
        metadataOrder.map { id in
            let state = metadata[Int(id)]
            return PrometheusFamily(name: interner.strings[Int(id)], type: state.type, help: state.help)
        }
    }

    /// Parses a whole page in one go and returns the parser, for its counts and families.
    @discardableResult
    public static func parse(
        _ data: Data, source: String = "", mode: Mode = .strict,
        _ onSample: (PrometheusSample) throws -> Void
    ) throws -> PrometheusTextParser {
        var parser = PrometheusTextParser(source: source, mode: mode)
        try parser.feed(data, onSample)
        try parser.finish(onSample)
        return parser
    }

    /// Every sample of a page, collected into an array (convenient for small pages and tests).
    public static func samples(in data: Data, source: String = "", mode: Mode = .strict) throws -> [PrometheusSample] {
        var samples: [PrometheusSample] = []
        try parse(data, source: source, mode: mode) { samples.append($0) }
        return samples
    }

    /// Reads the complete lines of `chunk` (with any partial line kept from the previous chunk)
    /// and keeps its trailing partial line for the next call.
    public mutating func feed(_ chunk: Data, _ onSample: (PrometheusSample) throws -> Void) throws {
        try chunk.withUnsafeBytes { raw in
            guard let start = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else { return }
            try feed(start, raw.count, onSample)
        }
    }

    /// Reads what is left of the page: a last line that had no newline.
    public mutating func finish(_ onSample: (PrometheusSample) throws -> Void) throws {
        guard !pending.isEmpty else { return }
        let line = pending
        pending.removeAll(keepingCapacity: true)
        try line.withUnsafeBufferPointer { buffer in
            try readLine(buffer.baseAddress!, buffer.count, onSample)
        }
    }

    private mutating func feed(_ base: UnsafePointer<UInt8>, _ count: Int, _ onSample: (PrometheusSample) throws -> Void) throws {
        var offset = 0
        if !pending.isEmpty {
            guard let newline = memchr(base, 0x0A, count) else {
                pending.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
                return
            }
            let length = UnsafeRawPointer(newline) - UnsafeRawPointer(base)
            pending.append(contentsOf: UnsafeBufferPointer(start: base, count: length))
            let line = pending
            pending.removeAll(keepingCapacity: true)
            try line.withUnsafeBufferPointer { buffer in
                try readLine(buffer.baseAddress!, buffer.count, onSample)
            }
            offset = length + 1
        }
        while offset < count {
            guard let newline = memchr(base + offset, 0x0A, count - offset) else {
                pending.append(contentsOf: UnsafeBufferPointer(start: base + offset, count: count - offset))
                return
            }
            let end = UnsafeRawPointer(newline) - UnsafeRawPointer(base)
            try readLine(base + offset, end - offset, onSample)
            offset = end + 1
        }
    }

    /// Reads one line (without its newline), hands its sample to `onSample`, and in lenient mode
    /// records instead of throwing a malformed line.
    private mutating func readLine(_ base: UnsafePointer<UInt8>, _ count: Int, _ onSample: (PrometheusSample) throws -> Void) throws {
        lineCount += 1
        let sample: PrometheusSample?
        do {
            sample = try parseLine(base, count)
        } catch {
            let located = ObserveError(
                code: .malformed,
                message: "\(error.message) (column \(error.column))",
                location: source.isEmpty ? "line \(lineCount)" : "\(source):\(lineCount)"
            )
            guard mode == .lenient else { throw located }
            skippedLineCount += 1
            if skippedLines.count < Self.skippedLineLimit { skippedLines.append(located) }
            return
        }
        if let sample {
            sampleCount += 1
            try onSample(sample)
        }
    }
}

/// Why a line is malformed, and at which 1-based byte column.
struct PrometheusLineError: Error {
    var message: String
    var column: Int
}

extension PrometheusTextParser {
    @inline(__always)
    private static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    @inline(__always)
    private static func isNameStart(_ c: UInt8) -> Bool {
        (c | 0x20) &- UInt8(ascii: "a") < 26 || c == UInt8(ascii: "_")
    }

    @inline(__always)
    private static func isNameByte(_ c: UInt8) -> Bool {
        isNameStart(c) || c &- UInt8(ascii: "0") < 10
    }

    /// Reads one line; returns its sample, or `nil` for a blank line or a comment.
    private mutating func parseLine(_ p: UnsafePointer<UInt8>, _ n: Int) throws(PrometheusLineError) -> PrometheusSample? {
        var i = 0
        while i < n, Self.isBlank(p[i]) { i += 1 }
        guard i < n else { return nil }
        if p[i] == UInt8(ascii: "#") {
            try parseComment(p, n, from: i + 1)
            return nil
        }
        return try parseSample(p, n, from: i)
    }

    /// Scans a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) from `i`; returns where it ends.
    @inline(__always)
    static func metricNameEnd(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int) -> Int {
        var j = i
        guard j < n, isNameStart(p[j]) || p[j] == UInt8(ascii: ":") else { return j }
        j += 1
        while j < n, isNameByte(p[j]) || p[j] == UInt8(ascii: ":") { j += 1 }
        return j
    }

    /// Scans a label name (`[a-zA-Z_][a-zA-Z0-9_]*`) from `i`; returns where it ends.
    @inline(__always)
    static func labelNameEnd(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int) -> Int {
        var j = i
        guard j < n, isNameStart(p[j]) else { return j }
        j += 1
        while j < n, isNameByte(p[j]) { j += 1 }
        return j
    }

    private mutating func intern(_ p: UnsafePointer<UInt8>, _ count: Int, at column: Int, what: String) throws(PrometheusLineError) -> Int32 {
        guard let id = interner.intern(p, count) else {
            throw PrometheusLineError(message: "\(what) is not valid UTF-8", column: column + 1)
        }
        return id
    }

    private mutating func parseSample(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int) throws(PrometheusLineError) -> PrometheusSample? {
        // Fast path: up to the next delimiter, a name already known to be valid. Otherwise the
        // name is scanned byte by byte, which finds where exactly it goes wrong.
        var i = PrometheusByteScan.first(p, from: start, end: n, UInt8(ascii: "{"), 0x20, 0x09)
        let nameID: Int32
        if i > start, let known = interner.intern(p + start, i - start), interner.kinds(known).contains(.metric) {
            nameID = known
        } else {
            i = Self.metricNameEnd(p, n, from: start)
            guard i > start else {
                throw PrometheusLineError(message: "expected a metric name, found \(Self.describe(p, n, at: start))", column: start + 1)
            }
            nameID = try intern(p + start, i - start, at: start, what: "metric name")
        }
        while i < n, Self.isBlank(p[i]) { i += 1 }
        labelCount = 0
        if i < n, p[i] == UInt8(ascii: "{") {
            i = try parseLabels(p, n, from: i + 1)
            while i < n, Self.isBlank(p[i]) { i += 1 }
        }
        if labels.count > labelCount { labels.removeLast(labels.count - labelCount) }
        let valueStart = i
        while i < n, !Self.isBlank(p[i]) { i += 1 }
        guard i > valueStart else {
            throw PrometheusLineError(message: "expected a value after the metric name and labels", column: valueStart + 1)
        }
        guard let value = PrometheusNumber.double(p + valueStart, i - valueStart) else {
            throw PrometheusLineError(message: "invalid value \(Self.quote(p + valueStart, i - valueStart))", column: valueStart + 1)
        }
        while i < n, Self.isBlank(p[i]) { i += 1 }
        var timestamp: Int64?
        if i < n {
            let timestampStart = i
            while i < n, !Self.isBlank(p[i]) { i += 1 }
            guard let parsed = PrometheusNumber.int64(p + timestampStart, i - timestampStart) else {
                throw PrometheusLineError(
                    message: "invalid timestamp \(Self.quote(p + timestampStart, i - timestampStart)) (expected integer milliseconds)",
                    column: timestampStart + 1)
            }
            timestamp = parsed
            while i < n, Self.isBlank(p[i]) { i += 1 }
            guard i == n else {
                throw PrometheusLineError(message: "unexpected text after the timestamp", column: i + 1)
            }
        }
        let (familyID, type) = try family(of: nameID, column: start + 1)
        let strings = interner.strings
        return PrometheusSample(
            name: strings[Int(nameID)], family: strings[Int(familyID)], type: type,
            labels: labels, value: value, timestamp: timestamp, line: lineCount)
    }

    /// Reads `name="value"` pairs after `{` up to and including `}`; returns the index after `}`.
    private mutating func parseLabels(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int) throws(PrometheusLineError) -> Int {
        var i = start
        while true {
            while i < n, Self.isBlank(p[i]) { i += 1 }
            guard i < n else { throw PrometheusLineError(message: "unterminated label set: expected '}'", column: i + 1) }
            if p[i] == UInt8(ascii: "}") { return i + 1 }
            let nameStart = i
            i = PrometheusByteScan.first(p, from: i, end: n, UInt8(ascii: "="), 0x20, 0x09)
            let nameID: Int32
            if i > nameStart, let known = interner.intern(p + nameStart, i - nameStart), interner.kinds(known).contains(.label) {
                nameID = known
            } else {
                i = Self.labelNameEnd(p, n, from: nameStart)
                guard i > nameStart else {
                    throw PrometheusLineError(message: "expected a label name or '}', found \(Self.describe(p, n, at: nameStart))", column: nameStart + 1)
                }
                nameID = try intern(p + nameStart, i - nameStart, at: nameStart, what: "label name")
            }
            if labelNames[0..<labelCount].contains(nameID) {
                throw PrometheusLineError(message: "label \(interner.strings[Int(nameID)]) appears twice", column: nameStart + 1)
            }
            while i < n, Self.isBlank(p[i]) { i += 1 }
            guard i < n, p[i] == UInt8(ascii: "=") else {
                throw PrometheusLineError(message: "expected '=' after label name, found \(Self.describe(p, n, at: i))", column: i + 1)
            }
            i += 1
            while i < n, Self.isBlank(p[i]) { i += 1 }
            guard i < n, p[i] == UInt8(ascii: "\"") else {
                throw PrometheusLineError(message: "expected '\"' to open the label value, found \(Self.describe(p, n, at: i))", column: i + 1)
            }
            i += 1
            let valueStart = i
            i = PrometheusByteScan.first(p, from: i, end: n, UInt8(ascii: "\""), UInt8(ascii: "\\"))
            var escaped = false
            while i < n, p[i] != UInt8(ascii: "\"") {
                if p[i] == UInt8(ascii: "\\") {
                    escaped = true
                    i += 1
                }
                i += 1
            }
            guard i < n else {
                throw PrometheusLineError(message: "unterminated label value: expected a closing '\"'", column: valueStart)
            }
            let valueID: Int32
            if escaped {
                try unescape(p + valueStart, i - valueStart, column: valueStart, help: false)
                valueID = try scratch.withUnsafeBufferPointer { buffer throws(PrometheusLineError) in
                    try intern(buffer.baseAddress ?? p, buffer.count, at: valueStart, what: "label value")
                }
            } else {
                valueID = try intern(p + valueStart, i - valueStart, at: valueStart, what: "label value")
            }
            i += 1
            let strings = interner.strings
            let label = PrometheusLabel(name: strings[Int(nameID)], value: strings[Int(valueID)])
            if labelCount < labels.count { labels[labelCount] = label } else { labels.append(label) }
            if labelCount < labelNames.count {
                labelNames[labelCount] = nameID
                labelColumns[labelCount] = nameStart + 1
            } else {
                labelNames.append(nameID)
                labelColumns.append(nameStart + 1)
            }
            labelCount += 1
            while i < n, Self.isBlank(p[i]) { i += 1 }
            guard i < n else { throw PrometheusLineError(message: "unterminated label set: expected '}'", column: i + 1) }
            if p[i] == UInt8(ascii: ",") {
                i += 1
            } else if p[i] != UInt8(ascii: "}") {
                throw PrometheusLineError(message: "expected ',' or '}' after a label value, found \(Self.describe(p, n, at: i))", column: i + 1)
            }
        }
    }

    /// Copies `count` bytes into `scratch`, turning `\\` and `\n` (and, in label values, `\"`) into
    /// the characters they stand for; any other escape is an error.
    private mutating func unescape(_ p: UnsafePointer<UInt8>, _ count: Int, column: Int, help: Bool) throws(PrometheusLineError) {
        scratch.removeAll(keepingCapacity: true)
        var i = 0
        while i < count {
            let c = p[i]
            if c != UInt8(ascii: "\\") {
                scratch.append(c)
                i += 1
                continue
            }
            guard i + 1 < count else {
                throw PrometheusLineError(message: "a backslash ends the text; write \\\\ for a backslash", column: column + i + 1)
            }
            switch p[i + 1] {
            case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "\"") where !help: scratch.append(UInt8(ascii: "\""))
            default:
                let allowed = help ? "\\\\ and \\n" : "\\\\, \\\" and \\n"
                throw PrometheusLineError(
                    message: "invalid escape \\\(Self.printable(p[i + 1])) (only \(allowed) are allowed)", column: column + i + 1)
            }
            i += 2
        }
    }

    /// The family a sample named `nameID` belongs to, and its type; starts a new family (typed if
    /// an earlier `# TYPE` line declared it) when the name does not belong to the current one.
    /// Checks that a histogram's series are `_bucket` (with a numeric `le`), `_sum` or `_count`,
    /// and that a summary's quantile series carry a numeric `quantile`.
    private mutating func family(of nameID: Int32, column: Int) throws(PrometheusLineError) -> (Int32, PrometheusMetricType) {
        let isBucket = current.id >= 0 && nameID == current.bucket
        if !isBucket, nameID != current.id, !(current.id >= 0 && (nameID == current.sum || nameID == current.count)) {
            let type = recordSamples(of: nameID)
            select(nameID, type: type)
        }
        switch current.type {
        case .histogram where isBucket:
            try checkBound(leID, column: column)
        case .histogram where nameID == current.id:
            throw PrometheusLineError(message: "a histogram's samples end in _bucket, _sum or _count", column: column)
        case .summary where nameID == current.id:
            try checkBound(quantileID, column: column)
        default:
            break
        }
        return (current.id, current.type)
    }

    /// What the page has said about family `id`, recording it as seen (in order) if it is new.
    private mutating func state(of id: Int32) -> FamilyState {
        if metadata.count <= Int(id) {
            metadata.append(contentsOf: repeatElement(FamilyState(), count: Int(id) + 1 - metadata.count))
        }
        if !metadata[Int(id)].known {
            metadata[Int(id)].known = true
            metadataOrder.append(id)
        }
        return metadata[Int(id)]
    }

    /// Records that family `id` has samples; returns its declared type.
    private mutating func recordSamples(of id: Int32) -> PrometheusMetricType {
        let type = state(of: id).type
        metadata[Int(id)].sawSamples = true
        return type
    }

    /// Checks that the line has label `id` (`le` or `quantile`) and that its value is a number.
    private func checkBound(_ id: Int32, column: Int) throws(PrometheusLineError) {
        let name = interner.strings[Int(id)]
        guard let index = labelNames[0..<labelCount].firstIndex(of: id) else {
            throw PrometheusLineError(message: "\(name) label missing", column: column)
        }
        var text = labels[index].value
        let valid = text.withUTF8 { buffer in
            buffer.baseAddress.map { PrometheusNumber.double($0, buffer.count) != nil } ?? false
        }
        guard valid else {
            throw PrometheusLineError(message: "\(name) label \"\(labels[index].value)\" is not a number", column: labelColumns[index])
        }
    }

    /// Makes `id` the current family, with the ids of its `_bucket`, `_sum` and `_count` series.
    private mutating func select(_ id: Int32, type: PrometheusMetricType) {
        current.id = id
        current.type = type
        switch type {
        case .histogram:
            current.bucket = interner.intern(id, suffix: "_bucket")
            current.sum = interner.intern(id, suffix: "_sum")
            current.count = interner.intern(id, suffix: "_count")
        case .summary:
            current.bucket = -1
            current.sum = interner.intern(id, suffix: "_sum")
            current.count = interner.intern(id, suffix: "_count")
        case .counter, .gauge, .untyped:
            current.bucket = -1
            current.sum = -1
            current.count = -1
        }
    }

    /// Reads a line that starts with `#`: `HELP` and `TYPE` lines are checked and recorded, any
    /// other comment is ignored.
    private mutating func parseComment(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int) throws(PrometheusLineError) {
        var i = start
        while i < n, Self.isBlank(p[i]) { i += 1 }
        let keywordStart = i
        while i < n, !Self.isBlank(p[i]) { i += 1 }
        let keyword = UnsafeBufferPointer(start: p + keywordStart, count: i - keywordStart)
        let isHelp = keyword.elementsEqual("HELP".utf8)
        guard isHelp || keyword.elementsEqual("TYPE".utf8) else { return }
        let what = isHelp ? "HELP" : "TYPE"
        guard i < n else { throw PrometheusLineError(message: "\(what) line without a metric name", column: i + 1) }
        while i < n, Self.isBlank(p[i]) { i += 1 }
        let nameStart = i
        i = Self.metricNameEnd(p, n, from: i)
        guard i > nameStart, i == n || Self.isBlank(p[i]) else {
            throw PrometheusLineError(message: "\(what) line: invalid metric name at \(Self.describe(p, n, at: max(i, nameStart)))", column: i + 1)
        }
        let nameID = try intern(p + nameStart, i - nameStart, at: nameStart, what: "metric name")
        let name = interner.strings[Int(nameID)]
        var state = self.state(of: nameID)
        while i < n, Self.isBlank(p[i]) { i += 1 }
        var end = n
        while end > i, Self.isBlank(p[end - 1]) { end -= 1 }
        if isHelp {
            guard state.help == nil else { throw PrometheusLineError(message: "second HELP line for \(name)", column: 1) }
            try unescape(p + i, end - i, column: i, help: true)
            guard let help = String(validating: scratch, as: UTF8.self) else {
                throw PrometheusLineError(message: "HELP text is not valid UTF-8", column: i + 1)
            }
            state.help = help
        } else {
            guard !state.typed else { throw PrometheusLineError(message: "second TYPE line for \(name)", column: 1) }
            guard !state.sawSamples else {
                throw PrometheusLineError(message: "TYPE line for \(name) comes after its samples", column: 1)
            }
            let token = UnsafeBufferPointer(start: p + i, count: end - i)
            guard let type = PrometheusMetricType.allCases.first(where: { token.elementsEqual($0.rawValue.utf8) }) else {
                throw PrometheusLineError(
                    message: "TYPE line for \(name): expected counter, gauge, histogram, summary or untyped, found \(Self.quote(p + i, end - i))",
                    column: i + 1)
            }
            state.type = type
            state.typed = true
        }
        metadata[Int(nameID)] = state
        if nameID != current.id || !isHelp { select(nameID, type: state.type) }
    }

    /// A short description of what is at `i`, for error messages.
    private static func describe(_ p: UnsafePointer<UInt8>, _ n: Int, at i: Int) -> String {
        guard i < n else { return "the end of the line" }
        return "'\(printable(p[i]))'"
    }

    private static func printable(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : String(format: "\\x%02X", c)
    }

    /// Up to 40 bytes in quotes, non-printable bytes escaped.
    private static func quote(_ p: UnsafePointer<UInt8>, _ count: Int) -> String {
        let shown = (0..<min(count, 40)).map { printable(p[$0]) }.joined()
        return "\"\(shown)\(count > 40 ? "…" : "")\""
    }
}
