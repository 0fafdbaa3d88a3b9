import Foundation

/// Where the history database lives: `--history FILE`, else `$QUAKE_HISTORY`, else
/// `$XDG_DATA_HOME/quake/history.sqlite`, else `~/.local/share/quake/history.sqlite`.
public enum HistoryLocation {
    /// The database file for a command given `flag` (its `--history`) in `environment`.
    public static func path(flag: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let file = environment["QUAKE_HISTORY"], !file.isEmpty { return file }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/quake/history.sqlite" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/quake/history.sqlite"
    }
}
