/// The answer to a Prometheus query: the result and any warnings the server attached.
public struct PrometheusQueryResult: Sendable, Equatable {
    /// The result, by its `resultType`.
    public var data: PrometheusResultData
    /// Warnings the server returned next to a successful result (for example a partial answer).
    public var warnings: [String]

    /// A result from its parts.
    public init(data: PrometheusResultData, warnings: [String] = []) {
        self.data = data
        self.warnings = warnings
    }
}

/// A query result of one of Prometheus' four result types.
public enum PrometheusResultData: Sendable, Equatable {
    /// One value per series at the evaluation time (`resultType: vector`).
    case vector([PrometheusSeriesPoint])
    /// Values over time per series (`resultType: matrix`, what `query_range` returns).
    case matrix([PrometheusSeries])
    /// A single number (`resultType: scalar`).
    case scalar(PrometheusPoint)
    /// A single string at a time (`resultType: string`).
    case string(time: Double, value: String)
}

/// One value at one time; the time is in seconds since the Unix epoch, as Prometheus gives it.
public struct PrometheusPoint: Sendable, Equatable {
    /// Seconds since the Unix epoch.
    public var time: Double
    /// The value; Prometheus' `"NaN"`, `"+Inf"` and `"-Inf"` become the matching `Double`s.
    public var value: Double

    /// A point from its parts.
    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }

    /// Points are equal when their times are and their values are, NaN counting as equal to NaN.
    public static func == (a: PrometheusPoint, b: PrometheusPoint) -> Bool {
        a.time == b.time && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

/// One series of an instant vector: its labels and its value.
public struct PrometheusSeriesPoint: Sendable, Equatable {
    /// The series' labels, `__name__` included when the query kept it.
    public var metric: [String: String]
    /// The value at the evaluation time.
    public var point: PrometheusPoint

    /// A series value from its parts.
    public init(metric: [String: String], point: PrometheusPoint) {
        self.metric = metric
        self.point = point
    }
}

/// One series of a range result: its labels and its values in time order.
public struct PrometheusSeries: Sendable, Equatable {
    /// The series' labels, `__name__` included when the query kept it.
    public var metric: [String: String]
    /// The values, oldest first.
    public var points: [PrometheusPoint]

    /// A series from its parts.
    public init(metric: [String: String], points: [PrometheusPoint]) {
        self.metric = metric
        self.points = points
    }
}
