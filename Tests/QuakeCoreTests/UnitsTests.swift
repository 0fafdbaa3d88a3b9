import QuakeCore
import Testing

@Suite struct UnitsTests {
    @Test(arguments: [
        ("90s", 90.0), ("5m", 300), ("1h30m", 5400), ("250ms", 0.25), ("0.3ms", 0.0003), ("1.5s", 1.5), ("500us", 0.0005), ("0", 0), ("2d", 172_800),
    ])
    func parsesDurations(text: String, seconds: Double) {
        #expect(TimeSpan(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "5", "5 minutes", "-3s", "s", "1.2.3s", "10x", "1h 30m"])
    func rejectsMalformedDurations(text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test func printsDurationsAsPlansSpellThem() {
        #expect(TimeSpan.seconds(5400).description == "1h30m")
        #expect(TimeSpan.milliseconds(250).description == "250ms")
        #expect(TimeSpan.seconds(1.5).description == "1.5s")
        #expect(TimeSpan.milliseconds(0.3).description == "300us")
        #expect(TimeSpan.zero.description == "0s")
    }

    @Test func parsesRates() {
        #expect(Rate(parsing: "500/s")?.perSecond == 500)
        #expect(Rate(parsing: "30000/m")?.perSecond == 500)
        #expect(Rate(parsing: "3600/h")?.perSecond == 1)
        #expect(Rate(parsing: "500") == nil)
        #expect(Rate(parsing: "-5/s") == nil)
        #expect(Rate(parsing: "5/day") == nil)
    }

    @Test func parsesPercentagesOnlyWithTheirSign() {
        #expect(Percentage(parsing: "12.5%")?.percent == 12.5)
        #expect(Percentage(parsing: "12.5%")?.fraction == 0.125)
        #expect(Percentage(parsing: "12.5") == nil)
        #expect(Percentage(12.5).description == "12.5%")
        #expect(Percentage(30).description == "30%")
    }

    @Test func parsesVersions() {
        #expect(Version(parsing: "1.32") == Version(1, 32))
        #expect(Version(parsing: "v1.13.2") == Version(1, 13))
        #expect(Version(parsing: "1.3x") == nil)
        #expect(Version(1, 9) < Version(1, 10))
    }

    @Test func nodeGraceDependsOnTheKubernetesVersion() {
        #expect(Timings.defaults(kubernetes: Version(1, 31)).nodeMonitorGracePeriod == .seconds(40))
        #expect(Timings.defaults(kubernetes: Version(1, 32)).nodeMonitorGracePeriod == .seconds(50))
    }

    @Test func everyTimingKeyCanBeReadAndSet() {
        var timings = Timings.defaults(kubernetes: Version(1, 32))
        for key in Timings.keys {
            #expect(timings.text(of: key) != nil, "no text for \(key)")
            let accepted: Bool
            switch Timings.valueKind(of: key) {
            case .duration: accepted = timings.set(key, duration: .seconds(7))
            case .rate, .fraction, .count: accepted = timings.set(key, number: 7)
            case nil: accepted = false
            }
            #expect(accepted, "\(key) cannot be set")
        }
        #expect(timings.nodeMonitorGracePeriod == .seconds(7))
        #expect(timings.largeClusterSizeThreshold == 7)
        #expect(Timings.keys.count == Set(Timings.keys).count)
    }

    @Test func karmadaFailoverGateDefaultsByVersion() {
        #expect(KarmadaFeatures.defaults(for: Version(1, 11)).failover)
        #expect(!KarmadaFeatures.defaults(for: Version(1, 12)).failover)
        #expect(ControlPlane(karmada: Version(1, 13), karmadaFeatures: KarmadaFeatures(failover: true, noExecuteTaintEviction: false)).karmadaTaintsFailedClusters)
        #expect(!ControlPlane(karmada: Version(1, 14), karmadaFeatures: KarmadaFeatures(failover: true, noExecuteTaintEviction: true)).karmadaTaintsFailedClusters)
    }

    @Test func istioDefaultRetryPolicyDropped503In124() {
        #expect(RetryPolicy.istioDefault(istioVersion: Version(1, 23)).retryOn.contains("503"))
        #expect(!RetryPolicy.istioDefault(istioVersion: Version(1, 24)).retryOn.contains("503"))
        #expect(RetryPolicy.istioDefault(istioVersion: Version(1, 24)).attempts == 2)
    }
}

@Suite struct TimeSpanSpellingTests {
    @Test func fractionalSecondsPastAMinuteKeepTheirMinutes() {
        #expect(TimeSpan.seconds(346.5).description == "5m46.5s")
        #expect(TimeSpan(parsing: "5m46.5s") == .seconds(346.5))
        #expect(TimeSpan.seconds(5400.25).description == "1h30m0.25s")
    }
}
