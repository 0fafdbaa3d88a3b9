import Glibc

/// Starts a program fully detached with `posix_spawn`: in a new session and process group of its
/// own, standard input from `/dev/null`, standard output and error appended to a log file,
/// descriptors above 2 closed, every signal at its default action and none blocked.
///
/// The only file of the supervisor that handles C strings and `posix_spawn` attributes.
enum ProcessSpawn {
    /// glibc's `POSIX_SPAWN_SETSID` (`spawn.h`, glibc ≥ 2.26): the child calls `setsid()`. It is
    /// declared only under `_GNU_SOURCE`, which Swift's Glibc module does not see; the value is
    /// part of glibc's ABI.
    private static let setSessionFlag: Int32 = 0x80

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc ≥ 2.34), looked up at run time for the
    /// same reason; `nil` on an older glibc, where only descriptors opened close-on-exec stay out
    /// of the child.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    /// Starts `executable` (an absolute path) with `arguments` and `environment` (`NAME=value`
    /// strings), output appended to `logFile`; returns the new PID.
    static func spawn(executable: String, arguments: [String], environment: [String], logFile: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        try check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init")
        defer { posix_spawn_file_actions_destroy(&actions) }
        try check(posix_spawnattr_init(&attributes), "posix_spawnattr_init")
        defer { posix_spawnattr_destroy(&attributes) }

        try check(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0), "addopen /dev/null")
        try check(posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644), "addopen \(logFile)")
        try check(posix_spawn_file_actions_adddup2(&actions, 1, 2), "adddup2")
        if let closeFrom { try check(closeFrom(&actions, 3), "addclosefrom_np") }

        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in Int32(1)..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        try check(posix_spawnattr_setsigdefault(&attributes, &defaults), "setsigdefault")
        try check(posix_spawnattr_setsigmask(&attributes, &mask), "setsigmask")
        let flags = setSessionFlag | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        try check(posix_spawnattr_setflags(&attributes, Int16(flags)), "setflags")

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup($0) }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
            (envp + [nil]).withUnsafeBufferPointer { envBuffer in
                guard let argv = argvBuffer.baseAddress, let envp = envBuffer.baseAddress else { return EINVAL }
                return posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            }
        }
        guard result == 0 else {
            throw LabError(code: .process, message: "cannot start \(executable): \(String(cString: strerror(result)))", location: executable)
        }
        return pid
    }

    private static func check(_ result: Int32, _ operation: String) throws {
        guard result == 0 else {
            throw LabError(code: .process, message: "\(operation) failed: \(String(cString: strerror(result)))")
        }
    }
}
