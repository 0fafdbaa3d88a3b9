import Foundation

/// The JSON envelope of every Prometheus HTTP API answer:
/// `{"status": "success"|"error", "data": ..., "errorType": ..., "error": ..., "warnings": [...]}`.
struct PrometheusAPIResponse: Decodable {
    var status: String
    var data: ResultData?
    var errorType: String?
    var error: String?
    var warnings: [String]?

    /// The `data` object of a query answer.
    struct ResultData: Decodable {
        var resultType: String
        var result: PrometheusResultData

        enum CodingKeys: String, CodingKey { case resultType, result }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            resultType = try container.decode(String.self, forKey: .resultType)
            switch resultType {
            case "vector":
                let series = try container.decode([Series].self, forKey: .result)
                result = .vector(try series.map { item in
                    guard let value = item.value else {
                        throw DecodingError.dataCorruptedError(
                            forKey: .result, in: container,
                            debugDescription: "a vector sample has no \"value\" (native histograms are not read)")
                    }
                    return PrometheusSeriesPoint(metric: item.metric, point: value.point)
                })
            case "matrix":
                let series = try container.decode([Series].self, forKey: .result)
                result = .matrix(try series.map { item in
                    guard let values = item.values else {
                        throw DecodingError.dataCorruptedError(
                            forKey: .result, in: container,
                            debugDescription: "a matrix series has no \"values\" (native histograms are not read)")
                    }
                    return PrometheusSeries(metric: item.metric, points: values.map(\.point))
                })
            case "scalar":
                result = .scalar(try container.decode(Pair.self, forKey: .result).point)
            case "string":
                let pair = try container.decode(StringPair.self, forKey: .result)
                result = .string(time: pair.time, value: pair.value)
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .resultType, in: container, debugDescription: "unknown resultType \"\(resultType)\"")
            }
        }
    }

    /// A series of a vector or matrix: `{"metric": {...}, "value": [t, "v"]}` or `"values": [[t, "v"], ...]`.
    struct Series: Decodable {
        var metric: [String: String]
        var value: Pair?
        var values: [Pair]?
    }

    /// `[1435781451.781, "1.5"]`: a time in seconds and the value as a string.
    struct Pair: Decodable {
        var point: PrometheusPoint

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            let time = try container.decode(Double.self)
            let text = try container.decode(String.self)
            guard let value = Self.value(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a number")
            }
            point = PrometheusPoint(time: time, value: value)
        }

        /// Prometheus' spelling of a value: a Go float, `NaN`, `+Inf` or `-Inf`.
        static func value(_ text: String) -> Double? {
            var text = text
            return text.withUTF8 { buffer in
                buffer.baseAddress.flatMap { PrometheusNumber.double($0, buffer.count) }
            }
        }
    }

    /// `[1435781451.781, "text"]`: the result of a string query.
    struct StringPair: Decodable {
        var time: Double
        var value: String

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            time = try container.decode(Double.self)
            value = try container.decode(String.self)
        }
    }
}
