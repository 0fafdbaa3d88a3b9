/// Where one lab Envoy's files live, all under one folder: the bootstrap, the JSON access log, and one folder per upstream cluster holding that cluster's EDS file.
///
/// Each EDS file has a folder of its own because Envoy's `watched_directory` reloads on any rename
/// in the folder: one file per folder means a replaced file reloads only its own cluster.
public struct EnvoyFiles: Sendable, Hashable {
    /// The Envoy's folder.
    public var directory: String

    /// The files of an Envoy whose folder is `directory`.
    public init(directory: String) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    /// `<dir>/envoy.json`: the bootstrap (JSON, which Envoy reads as such).
    public var bootstrap: String { directory + "/envoy.json" }

    /// `<dir>/access.log`: one JSON object per request (see `EnvoyBootstrap.accessLogFields`).
    public var accessLog: String { directory + "/access.log" }

    /// `<dir>/eds/<upstream>`: the folder Envoy watches for `upstream`'s endpoints.
    public func edsDirectory(for upstream: EnvoyUpstream) -> String { directory + "/eds/" + upstream.fileStem }

    /// `<dir>/eds/<upstream>/eds.json`: `upstream`'s endpoints, replaced by atomic rename (`AtomicFileWriter`).
    public func edsFile(for upstream: EnvoyUpstream) -> String { edsDirectory(for: upstream) + "/eds.json" }
}
