import Foundation
import QuakeCore

/// Reads access-log lines into records, streaming: feed it chunks of any size and it calls back
/// once per request. A malformed line is counted (with its line number) and skipped, never fatal.
/// Names are interned in `symbols`; no string is made per line.
public struct AccessLogParser: Sendable {
    /// Lines longer than this (1 MiB) are counted as malformed without being kept whole.
    public static let maxLineLength = 1 << 20

    /// How the lines are written.
    public let syntax: AccessLogSyntax
    /// Where the lines come from (a path), for error locations.
    public let source: String
    /// The names the records refer to.
    public internal(set) var symbols = AccessLogSymbols()
    /// The lines that could not be read.
    public private(set) var malformed: AccessLogMalformedLines
    /// The number of the last line seen (blank lines count, as in an editor).
    public private(set) var lineNumber = 0
    /// How many records were read.
    public private(set) var records = 0

    /// Decoded flag sets by flag-text symbol, filled on first sight of each combination.
    private var flagSets: [ResponseFlags?] = [nil]
    /// The start of a line whose newline has not come yet.
    private var partial: [UInt8] = []
    /// Whether the current line already passed `maxLineLength` and is being skipped.
    private var overlong = false
    /// Room to unescape JSON strings into.
    private var scratch: [UInt8] = []
    /// Whether lines in Envoy's default format go through `envoyDefaultRecord` first.
    private(set) var readsEnvoyDefault: Bool
    /// The minute of the last start time read.
    var timeCache = AccessLogTimeCache()
    /// The tail of Envoy default lines from the authority to the upstream host
    /// (`cart:80" "10.0.0.2:8080`) as seen before, and the two symbols each one gave: one lookup
    /// instead of two for the pairs a log repeats. At most `maxPairs` of at most `maxPairLength`
    /// bytes are kept (4 MiB at most).
    var pairs = AccessLogSymbols()
    var pairSymbols: [(authority: AccessLogSymbol, host: AccessLogSymbol)] = []
    static let maxPairs = 1 << 14
    static let maxPairLength = 256

    /// A parser for one source; pass the symbols of an earlier parser to read several files into one aggregation.
    public init(syntax: AccessLogSyntax, source: String = "", symbols: AccessLogSymbols = AccessLogSymbols(), sampleLimit: Int = 5) {
        self.syntax = syntax
        self.source = source
        self.symbols = symbols
        malformed = AccessLogMalformedLines(sampleLimit: sampleLimit)
        readsEnvoyDefault = syntax == .envoy
    }

    /// A parser that reads every line through the general matcher (to check the fast path against it).
    init(generalOnly syntax: AccessLogSyntax) {
        self.init(syntax: syntax)
        readsEnvoyDefault = false
    }

    /// Reads every complete line in `chunk`, calling `body` per record; a trailing partial line is
    /// kept for the next call (or `finish`).
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (AccessLogRecord) -> Void) {
        feedLines(chunk, body)
    }

    /// Reads every complete line in `chunk` into `aggregator` (as `feed` does, with the counting
    /// inlined into the loop).
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, into aggregator: inout AccessLogAggregator) {
        feedLines(chunk) { aggregator.add($0) }
    }

    @inline(__always)
    private mutating func feedLines(_ chunk: UnsafeRawBufferPointer, _ body: (AccessLogRecord) -> Void) {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let bytes = UnsafeBufferPointer(start: base, count: chunk.count)
        var start = 0
        while start < bytes.count {
            guard let newline = memchr(base + start, 0x0A, bytes.count - start) else {
                keep(UnsafeBufferPointer(rebasing: bytes[start...]))
                return
            }
            let end = UnsafePointer(newline.assumingMemoryBound(to: UInt8.self)) - base
            if partial.isEmpty, !overlong {
                line(UnsafeBufferPointer(rebasing: bytes[start..<end]), body)
            } else {
                keep(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                completeKept(body)
            }
            start = end + 1
        }
    }

    /// Reads the last line if it had no newline.
    public mutating func finish(_ body: (AccessLogRecord) -> Void) {
        if !partial.isEmpty || overlong { completeKept(body) }
    }

    /// Forgets a partial line and numbers lines from 1 again: the file was truncated or replaced.
    public mutating func restart() {
        partial.removeAll(keepingCapacity: true)
        overlong = false
        lineNumber = 0
    }

    /// Reads one line (no newline), without counting it.
    public mutating func parse(_ line: UnsafeBufferPointer<UInt8>) throws(ObserveError) -> AccessLogRecord {
        var line = line
        if line.last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        if readsEnvoyDefault, let record = envoyDefaultRecord(line) { return record }
        switch syntax {
        case .text(let format):
            var raw = AccessLogRawFields()
            guard format.match(line, into: &raw) else {
                throw ObserveError(code: .malformed, message: "does not fit the \(Self.name(of: syntax)) format: `\(Self.excerpt(line))`")
            }
            return try record(raw)
        case .json:
            if scratch.count < line.count { scratch = [UInt8](repeating: 0, count: max(line.count, 2 * scratch.count)) }
            var room: [UInt8] = []
            swap(&room, &scratch)
            defer { swap(&room, &scratch) }
            let decoded = room.withUnsafeMutableBufferPointer { room in
                Result { () throws(ObserveError) -> AccessLogRawFields in
                    var decoder = AccessLogJSONLine(line: line, scratch: room)
                    return try decoder.decode()
                }
            }
            return try record(decoded.get())
        }
    }

    /// Reads one line given as text, without counting it.
    public mutating func parse(_ line: String) throws(ObserveError) -> AccessLogRecord {
        var text = line
        let result = text.withUTF8 { bytes in Result { () throws(ObserveError) -> AccessLogRecord in try parse(bytes) } }
        return try result.get()
    }

    private mutating func keep(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !overlong else { return }
        if partial.count + bytes.count > Self.maxLineLength {
            overlong = true
            partial.removeAll(keepingCapacity: false)
        } else {
            partial.append(contentsOf: bytes)
        }
    }

    private mutating func completeKept(_ body: (AccessLogRecord) -> Void) {
        if overlong {
            lineNumber += 1
            overlong = false
            malformed.record(ObserveError(code: .malformed, message: "line longer than \(Self.maxLineLength) bytes", location: location))
            return
        }
        var kept: [UInt8] = []
        swap(&kept, &partial)
        kept.withUnsafeBufferPointer { line($0, body) }
        kept.removeAll(keepingCapacity: true)
        swap(&kept, &partial)
    }

    @inline(__always)
    private mutating func line(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (AccessLogRecord) -> Void) {
        lineNumber += 1
        if bytes.isEmpty || (bytes.count == 1 && bytes[0] == 0x0D) { return }
        if readsEnvoyDefault, let record = envoyDefaultRecord(bytes.last == 0x0D ? UnsafeBufferPointer(rebasing: bytes.dropLast()) : bytes) {
            records += 1
            body(record)
            return
        }
        do {
            let record = try parse(bytes)
            records += 1
            body(record)
        } catch {
            malformed.record(ObserveError(code: error.code, message: error.message, location: location))
        }
    }

    private var location: String { source.isEmpty ? "line \(lineNumber)" : "\(source):\(lineNumber)" }

    /// Checks and converts the fields of a line.
    private mutating func record(_ raw: AccessLogRawFields) throws(ObserveError) -> AccessLogRecord {
        guard let startBytes = raw.start, Self.hasValue(startBytes) else {
            throw ObserveError(code: .malformed, message: "no start time")
        }
        guard let start = timeCache.time(startBytes) else {
            throw ObserveError(code: .malformed, message: "start time `\(Self.excerpt(startBytes))` is neither ISO 8601 nor seconds since the epoch")
        }
        guard let codeBytes = raw.code else { throw ObserveError(code: .malformed, message: "no response code") }
        var status = 0
        if Self.hasValue(codeBytes) {
            guard let code = AccessLogValue.integer(codeBytes), code < 1000 else {
                throw ObserveError(code: .malformed, message: "response code `\(Self.excerpt(codeBytes))` is not a number from 0 to 999")
            }
            status = Int(code)
        }
        var flagText = AccessLogSymbol.none
        var flags: ResponseFlags = []
        if let flagBytes = raw.flags, Self.hasValue(flagBytes) {
            guard AccessLogValue.isFlagList(flagBytes) else {
                throw ObserveError(code: .malformed, message: "response flags `\(Self.excerpt(flagBytes))` are not `-` or names like URX,UF")
            }
            flagText = symbols.intern(flagBytes)
            flags = flagSet(flagText)
        }
        var duration: Int64?
        if let durationBytes = raw.duration, Self.hasValue(durationBytes) {
            guard let ms = AccessLogValue.scaled(durationBytes, scale: 1000) else {
                throw ObserveError(code: .malformed, message: "duration `\(Self.excerpt(durationBytes))` is not a number of milliseconds")
            }
            duration = ms
        }
        return AccessLogRecord(
            start: start, duration: duration, status: status, flags: flags, flagText: flagText,
            upstreamHost: intern(raw.host), upstreamCluster: intern(raw.cluster), authority: intern(raw.authority)
        )
    }

    @inline(__always)
    private mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>?) -> AccessLogSymbol {
        guard let bytes, Self.hasValue(bytes) else { return .none }
        return symbols.intern(bytes)
    }

    /// The flags Quake knows in a combination, decoded once per distinct combination.
    mutating func flagSet(_ symbol: AccessLogSymbol) -> ResponseFlags {
        let id = Int(symbol.rawValue)
        if id < flagSets.count, let known = flagSets[id] { return known }
        if id >= flagSets.count { flagSets.append(contentsOf: repeatElement(nil, count: id + 1 - flagSets.count)) }
        var set: ResponseFlags = []
        for name in (symbols.string(symbol) ?? "").split(separator: ",") {
            if let entry = ResponseFlags.named.first(where: { $0.name == name }) { set.insert(entry.flag) }
        }
        flagSets[id] = set
        return set
    }

    @inline(__always)
    private static func hasValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { !bytes.isEmpty && !AccessLogValue.isDash(bytes) }

    /// At most 80 bytes of a value or line, for a message.
    static func excerpt(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(80), as: UTF8.self)
        return bytes.count > 80 ? text + "…" : text
    }

    static func name(of syntax: AccessLogSyntax) -> String {
        if case .text(let format) = syntax, format != .envoy, format != .istio { return "given" }
        return syntax.description
    }
}
