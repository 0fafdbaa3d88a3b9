import Foundation
import QuakeCore

/// Service-time distributions sampled by table lookup: per distribution, 2,049 quantiles of the
/// log-normal (in µs, as `Float`: 8 KB that stays in cache), linearly interpolated, so a draw costs
/// one uniform number instead of a normal variate and an `exp`. The tail past the 99.95th
/// percentile is cut there. Every distribution's row sits in one flat buffer.
struct QuantileTable {
    private static let quantiles = 2048
    private static let width = quantiles + 1
    private var values: ContiguousArray<Float> = []

    /// One row per service time, in order: `sample(row, ...)` draws from `times[row]`.
    init(_ times: [ServiceTime]) {
        let n = Self.quantiles
        for time in times {
            let (mu, sigma) = time.logNormalParameters
            values.append(contentsOf: (0...n).map { i in
                let p = min(max((Double(i) + 0.5) / Double(n + 1), 1e-9), 1 - 1e-9)
                return Float(exp(mu + sigma * Self.standardNormalQuantile(p)) * 1_000_000)
            })
        }
    }

    /// A draw from row `row`, in µs.
    @inline(__always)
    func sample(_ row: Int, _ rng: inout RandomSource) -> Int64 {
        let x = Float(rng.unit()) * Float(Self.quantiles)
        let i = min(Int(x), Self.quantiles - 1)
        let f = x - Float(i)
        let base = row * Self.width + i
        return values.withUnsafeBufferPointer { v in
            precondition(base >= 0 && base + 1 < v.count, "no such service time")
            return Int64(v[base] + (v[base + 1] - v[base]) * f)
        }
    }

    /// The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9 after one Newton step).
    static func standardNormalQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        return x - u / (1 + x * u / 2)
    }
}
