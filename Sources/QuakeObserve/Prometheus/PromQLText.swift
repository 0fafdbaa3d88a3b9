/// How values are spelt inside a PromQL query that Quake writes.
enum PromQLText {
    /// `text` as a PromQL string literal, in double quotes with `\` and `"` escaped.
    static func string(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `text` matched literally by a PromQL regular expression (RE2): its metacharacters escaped.
    static func literal(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\.^$|?*+()[]{}".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
