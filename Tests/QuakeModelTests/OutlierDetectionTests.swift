@testable import QuakeModel
import QuakeCore
import Testing

/// Envoy outlier detection as Istio configures it (SEMANTICS.md §4.1, §3.6).
@Suite struct OutlierDetectionTests {
    let defaults = OutlierDetection()

    func cluster(hosts: Int) -> EnvoyCluster {
        var c = EnvoyCluster(clientZone: 0, service: 0)
        c.setHosts((0..<hosts).map { (pod: $0, priority: 0, cluster: 0, zone: 0) }, overprovisioning: 1.4, panicThreshold: 0)
        return c
    }

    @Test func ejectsOnExactlyTheFifthConsecutive5xx() {
        var c = cluster(hosts: 10)
        for n in 1...4 {
            let change = c.recordOutcome(host: 0, status: 503, localOriginFailure: false, now: Int64(n), config: defaults)
            #expect(change == .none)
        }
        let fifth = c.recordOutcome(host: 0, status: 503, localOriginFailure: false, now: 5, config: defaults)
        #expect(fifth == .ejected)
    }

    @Test func aSuccessResetsTheCount() {
        var c = cluster(hosts: 10)
        for n in 1...4 { _ = c.recordOutcome(host: 0, status: 500, localOriginFailure: false, now: Int64(n), config: defaults) }
        _ = c.recordOutcome(host: 0, status: 200, localOriginFailure: false, now: 5, config: defaults)
        for n in 6...9 {
            let change = c.recordOutcome(host: 0, status: 500, localOriginFailure: false, now: Int64(n), config: defaults)
            #expect(change == .none)
        }
        let fifth = c.recordOutcome(host: 0, status: 500, localOriginFailure: false, now: 10, config: defaults)
        #expect(fifth == .ejected)
    }

    @Test func connectFailuresCountAsErrors() {
        var c = cluster(hosts: 10)
        for n in 1...4 { _ = c.recordOutcome(host: 2, status: 503, localOriginFailure: true, now: Int64(n), config: defaults) }
        let fifth = c.recordOutcome(host: 2, status: 503, localOriginFailure: true, now: 5, config: defaults)
        #expect(fifth == .ejected)
    }

    @Test func theCapBlocksFurtherEjections() {
        // maxEjectionPercent 30 of 10 hosts: ejection allowed while 100·ejected/10 < 30, so 3 hosts.
        let od = OutlierDetection(maxEjectionPercent: Percentage(30))
        var c = cluster(hosts: 10)
        var ejected = 0
        for host in 0..<5 {
            for n in 1...5 {
                let change = c.recordOutcome(host: host, status: 503, localOriginFailure: false, now: Int64(n), config: od)
                if change == .ejected { ejected += 1 }
                if host >= 3 && n == 5 { #expect(change == .blocked) }
            }
            c.refreshHealth()
        }
        #expect(ejected == 3)
        #expect(c.ejectedCount == 3)
    }

    @Test func oneHostCanAlwaysBeEjected() {
        var c = cluster(hosts: 2)
        for n in 1...5 { _ = c.recordOutcome(host: 0, status: 503, localOriginFailure: false, now: Int64(n), config: defaults) }
        #expect(c.outlier(ofPod: 0)?.ejected == true, "10 % of 2 hosts rounds to none, but 0 % < 10 % lets the first one go")
    }

    @Test func secondEjectionLastsTwiceAsLongUnderDefaults() {
        var host = OutlierHost()
        let base = defaults.baseEjectionTime.microseconds
        host.eject(now: 0, config: defaults)
        let early = host.sweep(now: base - 1, config: defaults)
        let back = host.sweep(now: base, config: defaults)
        #expect(!early && back)
        host.eject(now: base, config: defaults)
        let secondEarly = host.sweep(now: base + 2 * base - 1, config: defaults)
        let secondBack = host.sweep(now: base + 2 * base, config: defaults)
        #expect(!secondEarly && secondBack)
    }

    @Test func theTalksEjectionNeverLengthens() {
        // 5 / 4m / 10m / 30 %: max ejection time is max(300 s, 600 s) = 600 s.
        let talk = OutlierDetection(consecutive5xxErrors: 5, interval: .minutes(4), baseEjectionTime: .minutes(10), maxEjectionPercent: Percentage(30))
        var host = OutlierHost()
        host.eject(now: 0, config: talk)
        let first = host.sweep(now: TimeSpan.minutes(10).microseconds, config: talk)
        host.eject(now: TimeSpan.minutes(10).microseconds, config: talk)
        let second = host.sweep(now: TimeSpan.minutes(20).microseconds, config: talk)
        #expect(first && second)
    }

    @Test func sweepsWindDownTheMultiplierOfHealthyHosts() {
        var host = OutlierHost()
        host.eject(now: 0, config: defaults)
        _ = host.sweep(now: defaults.baseEjectionTime.microseconds, config: defaults)
        #expect(host.multiplier == 1)
        _ = host.sweep(now: defaults.baseEjectionTime.microseconds + 10_000_000, config: defaults)
        #expect(host.multiplier == 0)
    }
}
