/// Values Quake writes where the API restricts them: a run's id as a label value (a taint's value)
/// and in an object's name. A run id is the plan's name with a time, and a plan's name may be
/// long or hold letters the API refuses there.
enum KubeNames {
    /// `text` as a label value: ASCII letters, digits, `-`, `_` and `.`, beginning and ending with
    /// a letter or digit, at most 63 characters. A longer one keeps its first 54 characters and
    /// adds an 8-digit digest of the whole, so that two long ids stay apart.
    static func labelValue(_ text: String) -> String {
        let allowed = sanitized(text) { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        guard allowed.count > 63 else { return allowed }
        return trimmed(String(allowed.prefix(54))) + "-" + digest(text)
    }

    /// `text` as an object name (a DNS subdomain): lowercase ASCII letters, digits, `-` and `.`,
    /// beginning and ending with a letter or digit, at most 253 characters (a digest as above
    /// past that).
    static func objectName(_ text: String) -> String {
        let allowed = sanitized(text.lowercased()) { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
        guard allowed.count > 253 else { return allowed }
        return trimmed(String(allowed.prefix(244))) + "-" + digest(text)
    }

    /// `text` with every character `keep` refuses made a `-`, without leading or trailing
    /// characters other than letters and digits.
    private static func sanitized(_ text: String, keep: (Character) -> Bool) -> String {
        trimmed(String(text.map { keep($0) ? $0 : "-" }))
    }

    private static func trimmed(_ text: String) -> String {
        let alphanumeric: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
        guard let first = text.firstIndex(where: alphanumeric), let last = text.lastIndex(where: alphanumeric) else { return "quake" }
        return String(text[first...last])
    }

    /// The 32-bit FNV-1a digest of `text`'s UTF-8 bytes, as 8 hexadecimal digits.
    private static func digest(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
