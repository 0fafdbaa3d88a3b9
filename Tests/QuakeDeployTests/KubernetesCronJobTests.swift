import Foundation
import QuakeKube
import QuakePlan
import Testing
import Yams

/// deploy/kubernetes/cronjob.yaml: the identity Quake acts as, its rights, and the CronJob that
/// runs the suite with them.
@Suite struct KubernetesCronJobTests {
    static func objects() throws -> [Node] { try DeployFile.documents("deploy/kubernetes/cronjob.yaml") }

    static func object(_ kind: String) throws -> Node {
        try #require(try objects().first { $0.at("kind")?.string == kind }, "the file has a \(kind)")
    }

    /// Rules as plain values, to compare two ClusterRoles.
    static func rules(_ role: Node) -> [[String: [String]]] {
        (role.at("rules")?.items ?? []).map { rule in
            Dictionary(uniqueKeysWithValues: (rule.mapping ?? [:]).compactMap { key, value in key.string.map { ($0, value.strings) } })
        }
    }

    static func container() throws -> Node {
        try #require(try object("CronJob").at("spec", "jobTemplate", "spec", "template", "spec", "containers")?.items.first)
    }

    @Test func theServiceAccountIsBoundToTheMemberRoleOfDocsRBAC() throws {
        let account = try Self.object("ServiceAccount")
        let namespace = try #require(account.at("metadata", "namespace")?.string)
        let docs = try #require(try DeployFile.documents("docs/rbac/quake-member.yaml").first)
        let role = try Self.object("ClusterRole")
        #expect(role.at("metadata", "name")?.string == docs.at("metadata", "name")?.string)
        #expect(Self.rules(role) == Self.rules(docs), "the copy of docs/rbac/quake-member.yaml has its rules")
        #expect(!Self.rules(role).isEmpty)
        let binding = try Self.object("ClusterRoleBinding")
        #expect(binding.at("roleRef", "kind")?.string == "ClusterRole")
        #expect(binding.at("roleRef", "name")?.string == docs.at("metadata", "name")?.string)
        let subject = try #require(binding.at("subjects")?.items.first)
        #expect(subject.at("kind")?.string == "ServiceAccount")
        #expect(subject.at("name")?.string == account.at("metadata", "name")?.string)
        #expect(subject.at("namespace")?.string == namespace)
        #expect(try Self.object("CronJob").at("metadata", "namespace")?.string == namespace)
    }

    @Test func theCronJobRunsTheSuiteOnceAtATimeAtItsSchedule() throws {
        let job = try Self.object("CronJob")
        #expect(job.at("spec", "concurrencyPolicy")?.string == "Forbid")
        #expect(job.at("spec", "schedule")?.string == (try DeployFile.nightly().schedule))
        #expect(job.at("spec", "timeZone")?.string == "Etc/UTC")
        #expect(job.at("spec", "jobTemplate", "spec", "backoffLimit")?.int == 0, "a failed night is not retried with the faults again")
        let pod = try #require(job.at("spec", "jobTemplate", "spec", "template", "spec"))
        #expect(pod.at("serviceAccountName")?.string == (try Self.object("ServiceAccount").at("metadata", "name")?.string))
        let arguments = try Self.container().at("args")?.strings ?? []
        #expect(arguments.first == "run")
        func value(_ option: String) -> String? { arguments.firstIndex(of: option).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
        #expect(value("--target") == "kubernetes")
        #expect(value("--allow-target") == "in-cluster")
        #expect(value("--context") == "in-cluster")
    }

    /// The suite file and the kubeconfig the CronJob names are in the mounted ConfigMap, and both
    /// load as Quake reads them.
    @Test func theSuiteAndKubeconfigFromTheConfigMapLoad() throws {
        let arguments = try Self.container().at("args")?.strings ?? []
        let mounts = try Self.container().at("volumeMounts")?.items ?? []
        let volumes = try Self.object("CronJob").at("spec", "jobTemplate", "spec", "template", "spec", "volumes")?.items ?? []
        let map = try Self.object("ConfigMap")
        func configMapFile(_ path: String) throws -> String {
            let mount = try #require(mounts.first { path.hasPrefix(($0.at("mountPath")?.string ?? "") + "/") }, "\(path) is mounted")
            let volume = try #require(volumes.first { $0.at("name")?.string == mount.at("name")?.string })
            #expect(volume.at("configMap", "name")?.string == map.at("metadata", "name")?.string)
            let key = String(path.dropFirst((mount.at("mountPath")?.string ?? "").count + 1))
            return try #require(map.at("data", key)?.string, "the ConfigMap has \(key)")
        }
        let suitePath = try #require(arguments.dropFirst().first)
        let kubeconfigPath = try #require(arguments.firstIndex(of: "--kubeconfig").map { arguments[$0 + 1] })

        // Lay the files out as the pod sees them, with the suite's plans beside it.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quake-deploy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let suiteFolder = dir.appendingPathComponent("suite"), plans = dir.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: suiteFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: plans, withIntermediateDirectories: true)
        let experiments = DeployFile.root.appendingPathComponent("experiments")
        for plan in try FileManager.default.contentsOfDirectory(atPath: experiments.path) where plan.hasSuffix(".yaml") && plan != "nightly.yaml" {
            try FileManager.default.copyItem(at: experiments.appendingPathComponent(plan), to: plans.appendingPathComponent(plan))
        }
        let suite = try SuiteLoader.load(text: try configMapFile(suitePath), file: suitePath, directory: suiteFolder.path)
        #expect(suite.name == "nightly")
        #expect(suite.schedule == (try DeployFile.nightly().schedule))
        #expect(suite.entries.allSatisfy { $0.target == .kubernetes })
        #expect(suite.entries.allSatisfy { $0.path.hasPrefix(suiteFolder.path + "/../plans/") }, "plans come from the quake-plans mount")

        // Quake reads the kubeconfig's in-cluster context as the ServiceAccount's token and CA.
        let secrets = "/var/run/secrets/kubernetes.io/serviceaccount"
        let token = dir.appendingPathComponent("token"), ca = dir.appendingPathComponent("ca.crt")
        try Data("token".utf8).write(to: token)
        try Data("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".utf8).write(to: ca)
        let kubeconfig = try configMapFile(kubeconfigPath)
        #expect(kubeconfig.contains("\(secrets)/token") && kubeconfig.contains("\(secrets)/ca.crt"))
        let local = dir.appendingPathComponent("kubeconfig")
        try Data(kubeconfig.replacingOccurrences(of: "\(secrets)/token", with: token.path).replacingOccurrences(of: "\(secrets)/ca.crt", with: ca.path).utf8).write(to: local)
        let connection = try Kubeconfig.load(paths: [local.path]).connection(context: "in-cluster")
        #expect(connection.server == "https://kubernetes.default.svc")
        #expect(connection.authorization.map { "\($0)" } == "bearer token from \(token.path)")
    }

    @Test func theHistoryAndJournalLiveOnTheClaim() throws {
        let env = try Self.container().at("env")?.items ?? []
        let history = try #require(env.first { $0.at("name")?.string == "QUAKE_HISTORY" }?.at("value")?.string)
        let state = try #require(env.first { $0.at("name")?.string == "QUAKE_STATE_DIR" }?.at("value")?.string)
        let mount = try #require(try Self.container().at("volumeMounts")?.items.first { history.hasPrefix(($0.at("mountPath")?.string ?? "-") + "/") })
        #expect(state.hasPrefix((mount.at("mountPath")?.string ?? "-") + "/"))
        #expect(try Self.container().at("workingDir")?.string == mount.at("mountPath")?.string, "the reports folder is on the claim too")
        let volume = try #require(try Self.object("CronJob").at("spec", "jobTemplate", "spec", "template", "spec", "volumes")?.items.first { $0.at("name")?.string == mount.at("name")?.string })
        let claim = try #require(volume.at("persistentVolumeClaim", "claimName")?.string)
        #expect(try Self.object("PersistentVolumeClaim").at("metadata", "name")?.string == claim)
    }
}
