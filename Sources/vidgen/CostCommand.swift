import Foundation
import Eval
import World

extension Vidgen.Bench {
    /// `vidgen bench attention-cost [--quick] [--json FILE]`: experiment 3, a table row
    /// per point as it is measured, then the slopes and the budget; `--json` gets the
    /// whole `AttentionCostReport`.
    func runAttentionCost() throws {
        let setup: AttentionCostSetup = quick ? .quick : .full
        (AttentionCostReport.preamble(setup) + [AttentionCostReport.header]).forEach { print($0) }
        fflush(stdout)
        let report = AttentionCost.run(setup) { point in
            print(AttentionCostReport.row(point))
            fflush(stdout)
        }
        report.summary.forEach { print($0) }
        if let json {
            try PrettyJSON.write(report, to: json)
        }
    }
}
