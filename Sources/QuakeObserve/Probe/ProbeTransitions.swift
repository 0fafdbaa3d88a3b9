import QuakeCore

/// When each probe started failing and passing again, from its checks: a `probe-failing` event at
/// the first failed check of each streak of failures (its detail the reason, the first of the
/// streak), a `probe-passing` event at the first passing check after one. Checks are taken in the
/// order they were scheduled, whatever order they ended in. Pure.
public enum ProbeTransitions {
    /// The events for `checks`, in time order (probes in the order their names sort, at equal times).
    public static func events(_ checks: [ProbeCheck]) -> [TimelineEvent] {
        var events: [TimelineEvent] = []
        for (probe, ofProbe) in Dictionary(grouping: checks, by: \.probe).sorted(by: { $0.key < $1.key }) {
            var failing = false
            for check in ofProbe.sorted(by: { $0.offset < $1.offset }) where check.verdict.passed == failing {
                failing.toggle()
                events.append(failing
                    ? TimelineEvent(at: check.offset, kind: .probeFailing, subject: probe, detail: check.verdict.reason)
                    : TimelineEvent(at: check.offset, kind: .probePassing, subject: probe))
            }
        }
        return events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}
