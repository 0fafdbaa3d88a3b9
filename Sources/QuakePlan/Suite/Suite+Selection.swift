extension Suite {
    /// The entries `--tags` and `--skip-tags` select, in suite order: with `tags`, those carrying at
    /// least one of them; then without any carrying one of `skipTags`.
    public func selected(tags: [String], skipTags: [String]) -> [Entry] {
        entries.filter { entry in
            (tags.isEmpty || entry.tags.contains(where: tags.contains)) && !entry.tags.contains(where: skipTags.contains)
        }
    }

    /// A folder name for each entry, in order: the plan file's name without its extension, with
    /// `-2`, `-3`, … added when the suite runs the same file more than once.
    public static func folderNames(_ entries: [Entry]) -> [String] {
        var seen: [String: Int] = [:]
        return entries.map { entry in
            let file = entry.plan.split(separator: "/").last.map(String.init) ?? entry.plan
            let stem = file.hasSuffix(".yaml") ? String(file.dropLast(5)) : file.hasSuffix(".yml") ? String(file.dropLast(4)) : file
            let count = (seen[stem] ?? 0) + 1
            seen[stem] = count
            return count == 1 ? stem : "\(stem)-\(count)"
        }
    }
}
