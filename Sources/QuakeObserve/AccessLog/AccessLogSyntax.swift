/// How an access log is written: a text format (Envoy's default, Istio's, or a format string)
/// or JSON lines.
public enum AccessLogSyntax: Sendable, Equatable, CustomStringConvertible {
    /// Text lines in a compiled format.
    case text(AccessLogTextFormat)
    /// One JSON object per line.
    case json

    /// Envoy's default text format.
    public static let envoy = AccessLogSyntax.text(.envoy)
    /// Istio's default text format.
    public static let istio = AccessLogSyntax.text(.istio)

    /// `envoy`, `istio`, `json`, or an Envoy format string (anything holding a `%`).
    public init(argument: String) throws(ObserveError) {
        switch argument {
        case "envoy": self = .envoy
        case "istio": self = .istio
        case "json": self = .json
        default:
            guard argument.contains("%") else {
                throw ObserveError(code: .invalidArgument, message: "unknown access-log format `\(argument)`: use envoy, istio, json or an Envoy format string such as '[%START_TIME%] %RESPONSE_CODE% …'")
            }
            self = .text(try AccessLogTextFormat(argument))
        }
    }

    /// The syntax that reads the most of `lines` (the first lines of a log, blank ones ignored):
    /// JSON when they are objects, else Istio's or Envoy's default; nil when none reads any.
    public static func detect<S: Sequence>(_ lines: S) -> AccessLogSyntax? where S.Element: StringProtocol {
        let sample = lines.filter { !$0.allSatisfy(\.isWhitespace) }.prefix(20)
        var best: (syntax: AccessLogSyntax, read: Int)?
        for syntax in [AccessLogSyntax.json, .istio, .envoy] {
            var parser = AccessLogParser(syntax: syntax)
            let read = sample.filter { line in (try? parser.parse(String(line))) != nil }.count
            if read > 0, read > best?.read ?? 0 { best = (syntax, read) }
        }
        return best?.syntax
    }

    /// `envoy`, `istio`, `json`, or the format string.
    public var description: String {
        switch self {
        case .json: return "json"
        case .text(let format) where format == .envoy: return "envoy"
        case .text(let format) where format == .istio: return "istio"
        case .text(let format): return format.formatString
        }
    }
}
