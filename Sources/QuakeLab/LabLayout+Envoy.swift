import QuakeCore

extension LabLayout {
    /// One Envoy of the lab: the outbound proxy of one client locality, as every sidecar of that
    /// locality would see the mesh (same priorities, same routes).
    public struct Envoy: Sendable, Hashable {
        /// `envoy-<cluster>-<zone>`: the node id Envoy reports and the name of its folder.
        public var name: String
        /// The client locality whose view of the mesh the Envoy has.
        public var locality: Locality
        /// The 127.0.0.1 port of its HTTP listener (clients send `Host: <service>`).
        public var listenerPort: Int
        /// The 127.0.0.1 port of its admin API (`/ready`, `/clusters`, `/runtime_modify`, `/stats/prometheus`).
        public var adminPort: Int
        /// Its `--base-id`, distinct per Envoy (its admin port) so that several run side by side.
        public var baseID: Int
        /// The loopback address its connections to the pods come from (`upstream_bind_config`), one
        /// per Envoy (``sourceAddress(index:)``), so that a pod tells the client localities apart and
        /// can be cut off from some of them (a partition).
        public var sourceAddress: String

        /// An Envoy from its parts.
        public init(name: String, locality: Locality, listenerPort: Int, adminPort: Int, baseID: Int, sourceAddress: String) {
            self.name = name
            self.locality = locality
            self.listenerPort = listenerPort
            self.adminPort = adminPort
            self.baseID = baseID
            self.sourceAddress = sourceAddress
        }

        /// The source address of the `index`-th Envoy (from 0): 127.1.0.1, 127.1.0.2, … 127.1.0.254,
        /// then 127.1.1.1. Every 127/8 address is local on Linux's `lo`, and none of these is
        /// 127.0.0.1, which Quake's own calls and Prometheus's scrapes come from.
        public static func sourceAddress(index: Int) -> String {
            "127.1.\(index / 254).\(index % 254 + 1)"
        }

        /// `http://127.0.0.1:<listener>`.
        public var listenerURL: String { "http://127.0.0.1:\(listenerPort)" }

        /// `http://127.0.0.1:<admin>`.
        public var adminURL: String { "http://127.0.0.1:\(adminPort)" }

        /// Where this Envoy's files go under the lab's folder `root`: `<root>/<name>/…`.
        public func files(in root: String) -> EnvoyFiles {
            EnvoyFiles(directory: root.hasSuffix("/") ? root + name : root + "/" + name)
        }

        /// The command-line arguments after `envoy` that run this Envoy with its files: the bootstrap,
        /// its base id, `concurrency` worker threads, and access logs flushed every second (Envoy's
        /// default is 10 s, LAB-NOTES §5; only the command line sets it). Envoy's own log goes to
        /// standard error, which the process supervisor keeps in the process's log file.
        public func arguments(files: EnvoyFiles, concurrency: Int = 1, logLevel: String = "warning") -> [String] {
            [
                "-c", files.bootstrap,
                "--base-id", String(baseID),
                "--concurrency", String(concurrency),
                "--file-flush-interval-msec", "1000",
                "--log-level", logLevel,
            ]
        }

        /// The program and arguments that start this Envoy in the lab: `/bin/sh`, which runs the
        /// `envoy` at `executable` with ``arguments(files:concurrency:logLevel:)`` and waits for it.
        /// Envoy asks the kernel for `SIGTERM` when its parent exits (`PR_SET_PDEATHSIG`, seen with
        /// strace on 1.40); with the shell as its parent it outlives `quake lab up`, and after a
        /// crashed run it is left, like every other lab process, for `quake lab down`. Signals reach
        /// both, since they share the process group; the command line still ends with Envoy's
        /// arguments.
        public func launchCommand(executable: String, files: EnvoyFiles, concurrency: Int = 1) -> (program: String, arguments: [String]) {
            ("/bin/sh", ["-c", "\"$0\" \"$@\"; exit $?", executable] + arguments(files: files, concurrency: concurrency))
        }
    }
}
