extension Suite {
    /// The entries `--tags` and `--skip-tags` select, in suite order: with `tags`, those carrying at
    /// least one of them; then without any carrying one of `skipTags`.
    public func selected(tags: [String], skipTags: [String]) -> [Entry] {
        entries.filter { entry in
            (tags.isEmpty || entry.tags.contains(where: tags.contains)) && !entry.tags.contains(where: skipTags.contains)
        }
    }

    /// A distinct folder name for each entry, in order: the plan file's name without its
    /// extension, with `-2`, `-3`, … added when that name is already taken (the suite runs the same
    /// file twice, or files of one name from two folders).
    public static func folderNames(_ entries: [Entry]) -> [String] {
        var taken: Set<String> = []
        return entries.map { entry in
            let file = entry.plan.split(separator: "/").last.map(String.init) ?? entry.plan
            let stem = file.hasSuffix(".yaml") ? String(file.dropLast(5)) : file.hasSuffix(".yml") ? String(file.dropLast(4)) : file
            var name = stem, count = 1
            while taken.contains(name) {
                count += 1
                name = "\(stem)-\(count)"
            }
            taken.insert(name)
            return name
        }
    }
}
