// A small SVG line-plot writer for the report: axes with round-number ticks (linear or log),
// one polyline per series (a missing value breaks the line), markers, a legend. The output is
// plain SVG 1.1 text that a browser shows inline or from a file, with no scripts or fonts to fetch.

import Foundation

/// One line of a plot.
public struct PlotSeries: Sendable {
    public var name: String
    /// (x, y) points in order; a nil y breaks the line.
    public var points: [(x: Double, y: Double?)]
    public var dashed: Bool
    /// Index into the plot's colours; nil takes the series' own place in the plot.
    public var color: Int?

    public init(_ name: String, _ points: [(x: Double, y: Double?)], dashed: Bool = false, color: Int? = nil) {
        self.name = name
        self.points = points
        self.dashed = dashed
        self.color = color
    }

    /// A series over x = 1, 2, 3, … (e.g. horizons).
    public init(_ name: String, values: [Double?], firstX: Double = 1, dashed: Bool = false, color: Int? = nil) {
        self.init(name, values.enumerated().map { (firstX + Double($0.offset), $0.element) }, dashed: dashed, color: color)
    }
}

/// A line plot rendered as SVG.
public struct LinePlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [PlotSeries]
    public var logX = false
    public var logY = false
    public var width = 520
    public var height = 320

    public init(title: String, xLabel: String, yLabel: String, series: [PlotSeries], logX: Bool = false, logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logX = logX
        self.logY = logY
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The SVG document.
    public var svg: String {
        let (left, right, top, bottom) = (62.0, 150.0, 30.0, 46.0)
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let xs = series.flatMap { $0.points.map(\.x) }.filter { !logX || $0 > 0 }
        let ys = series.flatMap { $0.points.compactMap(\.y) }.filter { $0.isFinite && (!logY || $0 > 0) }
        let xAxis = Axis(values: xs, log: logX, includeZero: false)
        let yAxis = Axis(values: ys, log: logY, includeZero: !logY)
        func px(_ x: Double) -> Double { left + xAxis.fraction(x) * plotW }
        func py(_ y: Double) -> Double { top + (1 - yAxis.fraction(y)) * plotH }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left))" y="18" font-size="13" font-weight="bold">\(HTML.escape(title))</text>

            """
        for t in xAxis.ticks {
            let x = px(t)
            out += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 14))\" text-anchor=\"middle\">\(Axis.label(t))</text>\n"
        }
        for t in yAxis.ticks {
            let y = py(t)
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(f(left - 5))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Axis.label(t))</text>\n"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#444\"/>\n"
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(Double(height) - 8))\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>\n"
        out += "<text transform=\"translate(14 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>\n"
        for (i, s) in series.enumerated() {
            let color = LinePlot.colors[(s.color ?? i) % LinePlot.colors.count]
            let dash = s.dashed ? " stroke-dasharray=\"5 3\"" : ""
            var runs: [[(Double, Double)]] = [[]]
            for p in s.points {
                guard let y = p.y, y.isFinite, !logY || y > 0, !logX || p.x > 0 else {
                    runs.append([])
                    continue
                }
                runs[runs.count - 1].append((px(p.x), py(y)))
            }
            for run in runs where !run.isEmpty {
                let pts = run.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
                out += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
                if run.count <= 40 {
                    for (x, y) in run { out += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"2.5\" fill=\"\(color)\"/>" }
                    out += "\n"
                }
            }
            let ly = top + 8 + Double(i) * 16
            out += "<line x1=\"\(f(left + plotW + 10))\" y1=\"\(f(ly))\" x2=\"\(f(left + plotW + 30))\" y2=\"\(f(ly))\" "
                + "stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>"
            out += "<text x=\"\(f(left + plotW + 34))\" y=\"\(f(ly + 4))\">\(HTML.escape(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    func f(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// An axis range and its ticks.
struct Axis {
    var lo: Double
    var hi: Double
    var log: Bool
    var ticks: [Double]

    init(values: [Double], log: Bool, includeZero: Bool) {
        self.log = log
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if log {
            lo = pow(10, floor(log10(lo > 0 ? lo : 1)))
            hi = pow(10, ceil(log10(hi > 0 ? hi : 10)))
            if hi <= lo { hi = lo * 10 }
            var t: [Double] = [], v = lo
            while v <= hi * 1.0001 { t.append(v); v *= 10 }
            ticks = t
        } else {
            if hi - lo < 1e-12 { hi = lo + (lo == 0 ? 1 : abs(lo) * 0.1) }
            let raw = (hi - lo) / 5, mag = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
            lo = floor(lo / step) * step
            hi = ceil(hi / step) * step
            ticks = stride(from: lo, through: hi + step / 2, by: step).map { $0 }
        }
        self.lo = lo
        self.hi = hi
    }

    /// Where `v` falls between the ends, 0…1.
    func fraction(_ v: Double) -> Double {
        if log { return (log10(max(v, 1e-300)) - log10(lo)) / (log10(hi) - log10(lo)) }
        return (v - lo) / (hi - lo)
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1000 || abs(v) < 0.01 { return String(format: "%g", v) }
        return String(format: "%g", (v * 1000).rounded() / 1000)
    }
}
