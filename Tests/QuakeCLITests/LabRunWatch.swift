/// What a lab run did, sampled while it ran.
enum LabRunWatch {
    private enum Part<Seen: Sendable>: Sendable {
        case run(QuakeBinary.Result)
        case seen(Seen)
    }

    /// Runs `quake arguments` off the test pool while `watch` samples the lab; `watch` is cancelled
    /// when the run ends and returns what it saw.
    static func run<Seen: Sendable>(_ arguments: [String], watching watch: @escaping @Sendable () async -> Seen) async throws -> (result: QuakeBinary.Result, seen: Seen) {
        var result: QuakeBinary.Result?
        var seen: Seen?
        try await withThrowingTaskGroup(of: Part<Seen>.self) { group in
            group.addTask { .run(try await QuakeBinary.runOffPool(arguments)) }
            group.addTask { .seen(await watch()) }
            for try await part in group {
                switch part {
                case let .run(finished):
                    result = finished
                    group.cancelAll()
                case let .seen(samples):
                    seen = samples
                }
            }
        }
        guard let result, let seen else { throw CancellationError() }
        return (result, seen)
    }
}
