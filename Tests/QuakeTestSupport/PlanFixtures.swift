import Foundation

/// Small plan texts for tests.
public enum PlanFixtures {
    /// The repository's root folder (found from this source file).
    public static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A valid plan whose topology and services fit the real manifests (bookinfo, helloworld, httpbin,
    /// nginx; Karmada clusters member1–3 and cluster-foo), with `manifests` as its `placement` list.
    public static func planUsing(manifests: [String]) -> String {
        let entries = manifests.map { "  - file: \($0)" }.joined(separator: "\n")
        return """
            apiVersion: quake/v1
            kind: Experiment
            metadata: {name: real-manifests}
            topology:
              regions:
                region1:
                  member1: {zones: {zone1: 2, zone2: 2}}
                  member2: {zones: {zone3: 2}}
                region2:
                  member3: {zones: {zone4: 2}}
                ap-southeast-1:
                  cluster-foo: {zones: {az-1: 1}}
            services:
              productpage: {replicas: 2, serviceTime: 5ms, calls: [reviews, details]}
              reviews: {replicas: 3, serviceTime: 5ms, calls: [ratings]}
              ratings: {replicas: 2, serviceTime: 5ms}
              details: {replicas: 2, serviceTime: 5ms}
              helloworld: {replicas: 4, serviceTime: 5ms, namespace: sample}
              httpbin: {replicas: 2, serviceTime: 5ms}
              destall: {replicas: 2, serviceTime: 5ms}
              nginx: {replicas: 2, serviceTime: 5ms}
            placement:
            \(entries)
            schedule: {duration: 10m}

            """
    }
}
