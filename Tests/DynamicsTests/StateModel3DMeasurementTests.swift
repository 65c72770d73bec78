import Foundation
import XCTest
import World
@testable import Dynamics

/// The structured state model in 3D trained with the default recipe and measured: 3D position
/// error by horizon on validation scenes, then on test scenes. Minutes, not seconds, so it
/// runs only when asked: VIDGEN_MEASURE_3D=N scores N clips of each range, the validation
/// clips from seed VIDGEN_MEASURE_3D_FIRST when it is given (the range's first by default).
final class StateModel3DMeasurementTests: XCTestCase {
    func testTrainAndMeasure() throws {
        guard let clips = ProcessInfo.processInfo.environment["VIDGEN_MEASURE_3D"].flatMap(Int.init) else {
            throw XCTSkip("set VIDGEN_MEASURE_3D=N to train the default recipe and score N clips per range")
        }
        let start = Date()
        var trainer = try StateTrainer3D(config: StateConfig3D.default)
        try trainer.train { p in
            if p.step % 250 == 0 || p.step == p.steps {
                print(String(format: "step %d/%d loss %.3g lr %.3g", p.step, p.steps, p.loss, p.learningRate))
            }
        }
        let law = trainer.network.law
        print(String(format: "trained in %.0f s: g (%.5f, %.5f, %.5f), wall %.4f, pair %.4f", Date().timeIntervalSince(start),
                     law.gravity.x, law.gravity.y, law.gravity.z, law.wall, law.pair))
        // `depth-near` is the same box through another camera: the law is the box's, the
        // perception the camera's.
        for scenario in DepthScenario.all {
            let models = [("learned", StateModel3D(law: law, scenario: scenario)),
                          ("hand-set", StateModel3D(law: .handSet(gravity: scenario.box.gravity), scenario: scenario))]
            let validation = ProcessInfo.processInfo.environment["VIDGEN_MEASURE_3D_FIRST"].flatMap(UInt64.init)
                ?? SceneSeeds.validation.lowerBound
            for (range, first) in [("validation", validation), ("test", SceneSeeds.test.lowerBound)] {
                let seeds = (0..<UInt64(clips)).map { first + $0 }
                for (name, model) in models {
                    let e = try model.positionErrors(scenario: scenario, seeds: seeds, context: 8, horizon: 30)
                    print(String(format: "%@ %@ %@: %d clips (%d unperceived, %d balls hidden in the context): mean error h1 %.3f "
                                 + "h10 %.3f h30 %.3f, median h30 %.3f px-equivalent", scenario.name, range, name, e.clips,
                                 e.unperceived, e.missingBalls, e.mean[0], e.mean[9], e.mean[29], e.median[29]))
                }
            }
        }
    }
}
