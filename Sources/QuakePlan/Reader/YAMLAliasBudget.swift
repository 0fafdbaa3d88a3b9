import Yams

/// The guard against alias bombs: a YAML alias (`*name`) stands for the whole node its anchor
/// names, so a few hundred bytes of nested aliases can stand for billions of nodes. Yams hashes
/// every mapping key in full while it composes a document, so a single such alias used as a key
/// kept the loader busy for hours.
///
/// Before the real parse, a text with aliases is composed once more with each `*` that could start
/// one turned into a private-use character the text does not hold: every alias becomes a plain
/// one-node scalar (so composing the copy costs what its text does), every line and column stays
/// where it was, and walking the copy tells how many nodes each anchor and alias stand for.
enum YAMLAliasBudget {
    /// How many nodes aliases may add to a file beyond the ones written out: far more than a plan
    /// or manifest needs, and little enough that composing the real text stays quick.
    static let maxAddedNodes = 100_000

    /// Where the aliases of `text` pass ``maxAddedNodes``, and a message saying so; nil when they
    /// stay within it (or the text has none).
    ///
    /// - Throws: `YamlError` when the copy does not compose: the text's own syntax error, at the same
    ///   line and column (an alias, which the copy does not resolve, is reported by the real parse).
    static func excess(in text: String) throws -> (line: Int, column: Int, message: String)? {
        // Without an anchor, an alias names nothing and the real parse stops at it.
        guard text.containsByte(UInt8(ascii: "*")), text.containsByte(UInt8(ascii: "&")) else { return nil }
        var scalars = Array(text.unicodeScalars)
        let stars = scalars.indices.filter { scalars[$0] == "*" && $0 + 1 < scalars.count && isAnchorCharacter(scalars[$0 + 1]) }
        guard !stars.isEmpty else { return nil }
        let taken = Set(scalars.lazy.filter { (0xE000...0xF8FF).contains($0.value) })
        guard let marker = (0xE000...0xF8FF).lazy.compactMap(Unicode.Scalar.init).first(where: { !taken.contains($0) }) else {
            return (1, 1, "the file uses aliases (*name) and every private-use character, so Quake cannot check what its aliases expand to")
        }
        for i in stars { scalars[i] = marker }
        var walk = Walk(marker: marker)
        do {
            let parser = try Parser(yaml: String(String.UnicodeScalarView(scalars)), encoding: .utf8)
            while let root = try parser.nextRoot() {
                _ = walk.size(of: root)
                if let excess = walk.excess { return excess }
            }
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            // An alias key given twice: name it as the text writes it.
            throw YamlError.duplicatedKeysInMapping(duplicates: duplicates.map { String(String.UnicodeScalarView($0.unicodeScalars.map { $0 == marker ? "*" : $0 })) }, context: context)
        }
        return nil
    }

    /// The characters libyaml allows in an anchor's or alias's name.
    static func isAnchorCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "_"
    }

    /// Counts the nodes each anchored node stands for, in the order Yams registers anchors (a node's
    /// anchor after the node, a later anchor of the same name replacing an earlier one).
    private struct Walk {
        let marker: Unicode.Scalar
        var anchors: [String: Int] = [:]
        var added = 0
        var excess: (line: Int, column: Int, message: String)?

        /// Keeps sums far from overflowing however many times aliases multiply them.
        private static let ceiling = 1 << 60

        mutating func size(of node: Node) -> Int {
            var size = 1
            switch node {
            case let .scalar(scalar):
                if scalar.style == .plain, let name = aliasName(scalar.string) {
                    size = anchors[name] ?? 1
                    added = min(added + size - 1, Self.ceiling)
                    if added > YAMLAliasBudget.maxAddedNodes, excess == nil {
                        excess = (node.mark?.line ?? 1, node.mark?.column ?? 1,
                                  "the alias '*\(name)' takes the file past \(YAMLAliasBudget.maxAddedNodes) nodes brought in by aliases (an alias bomb); write the values out, or nest fewer aliases")
                    }
                }
            case let .sequence(sequence):
                for item in sequence { size = min(size + self.size(of: item), Self.ceiling) }
            case let .mapping(mapping):
                for (key, value) in mapping { size = min(size + self.size(of: key) + self.size(of: value), Self.ceiling) }
            case .alias:
                break // only built for emitting; a composed document holds none
            }
            if let anchor = node.anchor { anchors[anchor.rawValue] = size }
            return size
        }

        /// The name of the alias a plain scalar of the copy stands for.
        private func aliasName(_ text: String) -> String? {
            guard text.unicodeScalars.first == marker else { return nil }
            let name = String(String.UnicodeScalarView(text.unicodeScalars.dropFirst().prefix(while: YAMLAliasBudget.isAnchorCharacter)))
            return name.isEmpty ? nil : name
        }
    }
}
