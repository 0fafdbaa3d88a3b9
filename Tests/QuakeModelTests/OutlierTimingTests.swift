import QuakeCore
import Testing

/// The talk's circuit breaker in a running model: an ejected host returns 10–14 minutes later.
@Suite struct OutlierTimingTests {
    @Test(arguments: [1, 2, 3])
    func talksHostReturnsBetweenTenAndFourteenMinutes(seed: Int) throws {
        let plan = """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: talk-od}
            topology:
              regions:
                region1:
                  cluster1: {zones: {a: 5}}
            services:
              svc: {replicas: 5, serviceTime: 2ms}
            trafficPolicy:
              - inline:
                  apiVersion: networking.istio.io/v1
                  kind: DestinationRule
                  metadata: {name: svc}
                  spec:
                    host: svc
                    trafficPolicy:
                      outlierDetection: {consecutive5xxErrors: 5, interval: 4m, baseEjectionTime: 10m, maxEjectionPercent: 30}
            controlPlane:
              timings: {nodeMonitorGracePeriod: 1h}
            traffic:
              - {from: region1/cluster1/a, to: svc, rate: 50/s}
            schedule:
              duration: 25m
              faults:
                - {at: 1m, fault: node-hang, node: cluster1-a-1, for: 20m}
            seed: \(seed)
            """
        let timeline = try ModelFixtures.run(plan).timeline
        let ejected = try #require(ModelFixtures.firstEvent(timeline, .hostEjected))
        let returned = try #require(ModelFixtures.firstEvent(timeline, .hostReturned))
        #expect((600...840).contains(returned - ejected), "ejected at \(ejected) s, back at \(returned) s")
    }
}
