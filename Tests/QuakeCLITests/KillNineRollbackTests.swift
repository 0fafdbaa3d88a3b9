import Foundation
import QuakeTestSupport
import Testing

/// Issue #7: `kill -9` of `quake run` at 200 seeded instants spread over a lab run's whole life
/// (bring-up, a node hang, a zone outage and an HTTP abort active together, their reverts, the
/// teardown), each followed by `quake rollback`: afterwards no lab process is stopped or alive, no
/// Envoy holds a fault, and `quake status` lists no unfinished run.
///
/// Four lanes run side by side, each a lab on ports of its own (29000–29300) with its own state
/// directory; a run's life is measured first by one run to its end in each lane, and the instants
/// are stratified over it (one in each 1/200 of the life, at a seeded point in it), then shuffled
/// over the lanes, each taking the next as soon as it is free. A run lives about 15 s (6 s of it
/// waiting for Prometheus's first scrapes), so a kill comes 7.5 s after the launch on average: four
/// lanes keep the 200 kills near 6.5 minutes on two cores, where they spend most of it waiting.
@Suite struct KillNineRollbackTests {
    static let seed: UInt64 = 0x7_0007
    static let runs = 200
    static let basePorts = [29000, 29100, 29200, 29300]
    static let faults = 3

    /// Two zones (a: one node, b: two), three backend pods, one client locality. At time scale
    /// 0.05 the node grace period is 2.5 s, so the zone's and the hung node's endpoints leave
    /// during the faults, and the zone's pod is started again at its revert: the control plane
    /// starts processes in the middle of the run, not only at bring-up.
    static func plan(basePort: Int) -> String {
        """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: kill-nine}
        target: {lab: {basePort: \(basePort)}}
        topology:
          regions:
            r1:
              c1: {zones: {a: 1, b: 2}}
        services:
          backend: {replicas: 3, serviceTime: 2ms}
        traffic:
          - {from: r1/c1/a, to: backend, rate: 50/s}
        slos:
          - name: available
            sli: successRatio(backend)
            objective: ">= 1%"
        schedule:
          duration: 6s
          faults:
            - {at: 1s, fault: node-hang, node: c1-b-1, for: 3s}
            - {at: 1500ms, fault: zone-outage, zone: r1/c1/a, for: 2500ms}
            - {at: 2s, fault: http-abort, service: backend, status: 503, percentage: 50%, for: 3s}
        """
    }

    /// `count` instants over `life`: the i-th at a seeded point of the i-th 1/count of it, then
    /// shuffled, so every part of the life gets its share whatever the draws.
    static func instants(count: Int, over life: Duration, seed: UInt64) -> [Duration] {
        var generator = SeededGenerator(seed: seed)
        let spread = (0..<count).map { i in life * ((Double(i) + Double.random(in: 0..<1, using: &generator)) / Double(count)) }
        return spread.shuffled(using: &generator)
    }

    @Test(.timeLimit(.minutes(20)))
    func rollbackAfterAKillAtAnyInstantLeavesNothing() async throws {
        let root = try QuakeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let lanes = try Self.basePorts.enumerated().map { k, port in
            try KillNineLane(basePort: port, folder: root.appendingPathComponent("lane-\(k)"), planText: Self.plan(basePort: port), faults: Self.faults)
        }
        let calibrations = try await withThrowingTaskGroup(of: (life: Duration, problems: [String]).self) { group in
            for lane in lanes { group.addTask { try await lane.calibrate() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let calibrationProblems = calibrations.flatMap(\.problems)
        try #require(calibrationProblems.isEmpty, "\(calibrationProblems)")
        let life = try #require(calibrations.map(\.life).max())
        let instants = Self.instants(count: Self.runs, over: life, seed: Self.seed)

        let dispenser = RunDispenser(count: Self.runs)
        let outcomes = try await withThrowingTaskGroup(of: [KillNineOutcome].self) { group in
            for lane in lanes {
                group.addTask {
                    var done: [KillNineOutcome] = []
                    while let i = await dispenser.take() {
                        done.append(try await lane.killAndRollBack(run: i, at: instants[i]))
                    }
                    return done
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }

        let byPhase = Dictionary(grouping: outcomes, by: \.phase)
        let distribution = KillPhase.allCases.map { "\($0.rawValue) \(byPhase[$0]?.count ?? 0)" }.joined(separator: ", ")
        let summary = "seed \(Self.seed): \(outcomes.count) kills over a life of \(life) (\(distribution)); "
            + "\(outcomes.filter(\.unconfirmedStart).count) inside a process start; before rollback: "
            + "\(outcomes.filter { $0.before.live > 0 }.count) left lab processes, \(outcomes.filter { $0.before.stopped > 0 }.count) stopped ones, "
            + "\(outcomes.filter { !$0.before.faultKeys.isEmpty }.count) an Envoy with fault keys; after: "
            + "\(outcomes.map(\.after.live).reduce(0, +)) live, \(outcomes.map(\.after.stopped).reduce(0, +)) stopped, "
            + "\(outcomes.filter { !$0.after.faultKeys.isEmpty }.count) Envoys with fault keys"
        print("KillNineRollbackTests: " + summary)
        let problems = outcomes.flatMap(\.problems)
        #expect(problems.isEmpty, "\(summary)\n\(problems.joined(separator: "\n"))")
        #expect(outcomes.count == Self.runs)
        for phase in [KillPhase.bringUp, .faults, .teardown] {
            #expect(byPhase[phase, default: []].count >= Self.runs / 10, "every phase gets a fair share of the kills: \(summary)")
        }
        // The counts see what they count: kills during the faults left stopped pods and an Envoy
        // holding the abort, which rollback then cleared.
        #expect(outcomes.contains { $0.before.live > 0 } && outcomes.contains { $0.before.stopped > 0 } && outcomes.contains { !$0.before.faultKeys.isEmpty },
                "\(summary)")
    }
}

/// Hands the runs' numbers out to the lanes, each once: a lane whose kills came early takes more.
private actor RunDispenser {
    private var next = 0
    private let count: Int

    init(count: Int) { self.count = count }

    /// The next run's number, or `nil` once every run was handed out.
    func take() -> Int? {
        guard next < count else { return nil }
        defer { next += 1 }
        return next
    }
}
