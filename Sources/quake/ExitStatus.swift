import ArgumentParser

/// Every exit code of `quake`, decided here and nowhere else (README and `quake --help` list them).
enum ExitStatus: Int32, CaseIterable {
    /// Every SLO held (or, for `validate`, every plan is valid).
    case passed = 0
    /// At least one SLO failed.
    case sloFailed = 1
    /// A plan is invalid, or the command line is wrong.
    case invalid = 2
    /// No SLO failed, but at least one could not be judged.
    case inconclusive = 3
    /// A stop condition or the kill switch aborted the run (every fault was reverted), or the
    /// kill switch kept it from starting.
    case aborted = 4
    /// The target could not run the plan, or Quake itself failed.
    case targetError = 5

    /// The code as ArgumentParser's error, to throw from a command.
    var exitCode: ExitCode { ExitCode(rawValue) }

    /// One line each, for `quake --help` and the README.
    static let table = """
        Exit codes:
          0  every SLO held (validate: every plan is valid)
          1  an SLO failed
          2  invalid plan or usage
          3  inconclusive: an SLO could not be judged
          4  aborted by a stop condition or the kill switch (faults reverted)
          5  target or internal error
        """
}
