/// What a text format's command operator holds, as far as Quake reads it, and which bytes
/// its value may contain (so a parser knows where it can end).
struct AccessLogField: Sendable, Equatable {
    /// What Quake takes from the field.
    enum Role: Sendable, Equatable {
        case startTime, responseCode, responseFlags, duration, upstreamHost, upstreamCluster, authority
        /// Read past and dropped.
        case skipped
    }

    /// The bytes a value may hold; a field of a narrow class can end in only one place.
    enum ByteClass: Sendable, Equatable {
        /// Digits and `-`.
        case number
        /// Upper-case letters, `,` and `-`.
        case flags
        /// Digits, letters, `.:+-` and space-free ISO 8601.
        case time
        /// Anything but spaces, quotes and control bytes.
        case token
        /// Anything: header values, paths and details are written as sent, unescaped.
        case text
    }

    var role: Role
    var byteClass: ByteClass
    /// The operator as written, for messages (`%REQ(USER-AGENT)%`).
    var spelling: String
    /// Whether this free-text field may absorb what cannot be told apart (a user agent, say, before any field Quake reads).
    var absorbsAmbiguity: Bool

    /// Whether `b` may appear in a value of class `byteClass`.
    @inline(__always)
    static func admits(_ b: UInt8, _ byteClass: ByteClass) -> Bool {
        switch byteClass {
        case .number: return b &- 48 < 10 || b == UInt8(ascii: "-")
        case .flags: return b &- 65 < 26 || b == UInt8(ascii: ",") || b == UInt8(ascii: "-")
        case .time: return b > 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: "]")
        case .token: return b > 0x20 && b != UInt8(ascii: "\"") && b != 0x7F
        case .text: return true
        }
    }

    /// Operators whose values never hold a space or a quote.
    static let tokenOperators: Set<String> = [
        "PROTOCOL", "UPSTREAM_PROTOCOL", "RESPONSE_CODE_DETAILS", "RESPONSE_FLAGS_LONG", "ROUTE_NAME", "VIRTUAL_CLUSTER_NAME",
        "REQUESTED_SERVER_NAME", "HOSTNAME", "UPSTREAM_LOCAL_ADDRESS", "UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT", "UPSTREAM_LOCAL_PORT",
        "UPSTREAM_REMOTE_ADDRESS", "UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "UPSTREAM_REMOTE_PORT",
        "DOWNSTREAM_LOCAL_ADDRESS", "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_LOCAL_PORT",
        "DOWNSTREAM_REMOTE_ADDRESS", "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_REMOTE_PORT",
        "DOWNSTREAM_DIRECT_REMOTE_ADDRESS", "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT",
        "UPSTREAM_HOST_NAME", "UPSTREAM_HOST_NAME_WITHOUT_PORT", "UPSTREAM_TLS_VERSION", "DOWNSTREAM_TLS_VERSION",
    ]

    /// Operators whose values are numbers or `-`.
    static let numberOperators: Set<String> = [
        "BYTES_RECEIVED", "BYTES_SENT", "REQUEST_DURATION", "REQUEST_TX_DURATION", "RESPONSE_DURATION", "RESPONSE_TX_DURATION",
        "UPSTREAM_REQUEST_ATTEMPT_COUNT", "CONNECTION_ID", "UPSTREAM_CONNECTION_ID", "UPSTREAM_WIRE_BYTES_SENT", "UPSTREAM_WIRE_BYTES_RECEIVED",
        "DOWNSTREAM_WIRE_BYTES_SENT", "DOWNSTREAM_WIRE_BYTES_RECEIVED", "REQUEST_HEADERS_BYTES", "RESPONSE_HEADERS_BYTES", "GRPC_STATUS_NUMBER",
    ]

    /// The field of one command operator: `name` as in `%NAME(argument):length%`.
    static func operator_(name: String, argument: String?, spelling: String) throws(ObserveError) -> AccessLogField {
        func field(_ role: Role, _ byteClass: ByteClass, absorbs: Bool = false) -> AccessLogField {
            AccessLogField(role: role, byteClass: byteClass, spelling: spelling, absorbsAmbiguity: absorbs)
        }
        switch name {
        case "START_TIME":
            guard let argument else { return field(.startTime, .time) }
            let epoch = argument.hasPrefix("%s")
            let iso = argument.hasPrefix("%Y-%m-%dT%H:%M:%S") || argument.hasPrefix("%FT%T")
            guard epoch || iso else {
                throw ObserveError(code: .invalidArgument, message: "\(spelling): only ISO 8601 (%START_TIME%) or epoch seconds (%START_TIME(%s.%3f)%) start times are read")
            }
            return field(.startTime, .time)
        case "RESPONSE_CODE": return field(.responseCode, .number)
        case "RESPONSE_FLAGS": return field(.responseFlags, .flags)
        case "DURATION": return field(.duration, .number)
        case "UPSTREAM_HOST": return field(.upstreamHost, .token)
        case "UPSTREAM_CLUSTER", "UPSTREAM_CLUSTER_RAW": return field(.upstreamCluster, .token)
        case "REQ", "REQUEST_HEADER", "RESP", "RESPONSE_HEADER", "TRAILER", "RESPONSE_TRAILER":
            let headers = (argument ?? "").uppercased().split(separator: "?")
            if name == "REQ" || name == "REQUEST_HEADER", headers.contains(where: { $0 == ":AUTHORITY" || $0 == "HOST" }) {
                return field(.authority, .text)
            }
            if name == "REQ" || name == "REQUEST_HEADER", headers.first == ":METHOD" { return field(.skipped, .token) }
            return field(.skipped, .text, absorbs: true)
        default:
            if tokenOperators.contains(name) { return field(.skipped, .token) }
            if numberOperators.contains(name) { return field(.skipped, .number) }
            return field(.skipped, .text, absorbs: true)
        }
    }
}
