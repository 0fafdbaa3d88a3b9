/// A text access-log format compiled once into a matcher: the literal text between Envoy command
/// operators, and for each operator what it holds and which bytes it may contain.
///
/// Envoy escapes nothing in text logs, so a quote or a space inside a header value is written as
/// is. The matcher therefore anchors on the fixed fields at both ends of the line and lets one
/// free-text field (the user agent when there is one) take whatever is left in the middle.
public struct AccessLogTextFormat: Sendable, Equatable, CustomStringConvertible {
    /// The format string as given.
    public let formatString: String
    /// The literal text, back to back: the literal before field `i` is
    /// `literalBytes[literalBounds[i]..<literalBounds[i + 1]]`, the one after the last field comes last.
    let literalBytes: [UInt8]
    /// Where each literal starts in `literalBytes`, and its end.
    let literalBounds: [Int]
    /// Each field's role and byte class, without the strings, for the matcher's inner loops.
    let fieldShapes: [(role: AccessLogField.Role, byteClass: AccessLogField.ByteClass)]
    /// Three 256-entry tables per field, for the matcher's inner loops: at `k * 256 + b`, 1 when
    /// field `k` may hold byte `b` and `b` cannot start the literal after it; at
    /// `(n + k) * 256 + b`, the same for the end of the literal before it; at `(2n + k) * 256 + b`,
    /// 1 when field `k` may hold `b`.
    let scanTables: [UInt8]
    /// The field that takes what is left between the parts matched from the left and from the right.
    let pivot: Int

    /// Envoy's default format (SEMANTICS.md §4.6), which Quake's model also writes.
    public static let envoy = AccessLogTextFormat(known: """
        [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% \
        %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" \
        "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n
        """)

    /// Istio's default (`EnvoyTextLogFormat` in istio/istio pilot/pkg/model/telemetry_logging.go).
    public static let istio = AccessLogTextFormat(known: """
        [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% \
        %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% \
        %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" \
        "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% %UPSTREAM_LOCAL_ADDRESS% \
        %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n
        """)

    /// Compiles an Envoy format string (`%START_TIME%`, `%RESPONSE_CODE%`, `%REQ(X)%`, …); a
    /// trailing newline, real or written `\n`, is dropped. It must hold `%START_TIME%` and
    /// `%RESPONSE_CODE%`, and two operators must have text between them.
    public init(_ formatString: String) throws(ObserveError) {
        self.formatString = formatString
        var text = Substring(formatString)
        if text.hasSuffix("\\n") { text = text.dropLast(2) } else if text.hasSuffix("\n") { text = text.dropLast() }
        var literals: [[UInt8]] = [[]]
        var fields: [AccessLogField] = []
        var rest = text[...]
        while let percent = rest.firstIndex(of: "%") {
            literals[literals.count - 1].append(contentsOf: rest[..<percent].utf8)
            let offset = text.distance(from: text.startIndex, to: percent)
            let afterPercent = rest.index(after: percent)
            let name = rest[afterPercent...].prefix { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
            var at = name.endIndex
            var argument: String?
            if at < rest.endIndex, rest[at] == "(" {
                // The argument may itself hold `%` (`%START_TIME(%s.%3f)%`): it ends at a `)` followed by `%` or `:`.
                var close = rest.index(after: at)
                while close < rest.endIndex, !(rest[close] == ")" && rest.index(after: close) < rest.endIndex && ":%".contains(rest[rest.index(after: close)])) {
                    close = rest.index(after: close)
                }
                guard close < rest.endIndex else {
                    throw ObserveError(code: .invalidArgument, message: "format string: the operator at offset \(offset) has no closing `)%`")
                }
                argument = String(rest[rest.index(after: at)..<close])
                at = rest.index(after: close)
            }
            if at < rest.endIndex, rest[at] == ":" {
                at = rest[rest.index(after: at)...].drop(while: \.isNumber).startIndex
            }
            guard !name.isEmpty, at < rest.endIndex, rest[at] == "%" else {
                throw ObserveError(code: .invalidArgument, message: "format string: `%` at offset \(offset) does not start a command operator such as %RESPONSE_CODE%")
            }
            let spelling = String(rest[percent...at])
            if !fields.isEmpty, literals[literals.count - 1].isEmpty {
                throw ObserveError(code: .invalidArgument, message: "format string: \(fields[fields.count - 1].spelling)\(spelling) have nothing between them, so they cannot be told apart")
            }
            fields.append(try AccessLogField.operator_(name: String(name), argument: argument, spelling: spelling))
            literals.append([])
            rest = rest[rest.index(after: at)...]
        }
        literals[literals.count - 1].append(contentsOf: rest.utf8)
        for required in [(AccessLogField.Role.startTime, "%START_TIME%"), (.responseCode, "%RESPONSE_CODE%")] where !fields.contains(where: { $0.role == required.0 }) {
            throw ObserveError(code: .invalidArgument, message: "format string: has no \(required.1), which Quake needs to read a request")
        }
        literalBytes = literals.flatMap { $0 }
        literalBounds = literals.reduce(into: [0]) { bounds, literal in bounds.append(bounds[bounds.count - 1] + literal.count) }
        fieldShapes = fields.map { ($0.role, $0.byteClass) }
        var tables = [UInt8](repeating: 0, count: 3 * fields.count * 256)
        for (k, field) in fields.enumerated() {
            let next = literals[k + 1].first, previous = literals[k].last
            for b in 0...255 where AccessLogField.admits(UInt8(b), field.byteClass) {
                if UInt8(b) != next { tables[k * 256 + b] = 1 }
                if UInt8(b) != previous { tables[(fields.count + k) * 256 + b] = 1 }
                tables[(2 * fields.count + k) * 256 + b] = 1
            }
        }
        scanTables = tables
        pivot = Self.pivot(fields)
    }

    /// One of the formats above, known to compile.
    private init(known: String) {
        do { try self.init(known) } catch { preconditionFailure("built-in format does not compile: \(error)") }
    }

    /// The user agent if there is one (it is the field most often full of quotes), else the
    /// last free-text field Quake does not read, else the last free-text field, else the last field.
    static func pivot(_ fields: [AccessLogField]) -> Int {
        if let ua = fields.firstIndex(where: { $0.spelling.uppercased().contains("(USER-AGENT)") }) { return ua }
        if let free = fields.lastIndex(where: \.absorbsAmbiguity) { return free }
        if let text = fields.lastIndex(where: { $0.byteClass == .text }) { return text }
        return fields.count - 1
    }

    public var description: String { formatString }

    public static func == (a: AccessLogTextFormat, b: AccessLogTextFormat) -> Bool { a.formatString == b.formatString }
}
