import XCTest
import World
@testable import Dynamics

/// One-step errors by event, and the pair collisions split by the instant of first contact.
final class EventErrorsTests: XCTestCase {
    func ball(_ x: Double, _ y: Double, _ vx: Double, _ vy: Double, r: Double = 1) -> Ball {
        Ball(id: 0, position: Vec2(x, y), velocity: Vec2(vx, vy), radius: r, color: 0)
    }

    func testContactInstantIsTheFirstTouchOnTheLine() {
        // Head-on, closing at 2 px/frame, 2 px of gap: they touch at the frame's end.
        XCTAssertEqual(contactInstant(ball(0, 0, 1, 0), ball(4, 0, -1, 0))!, 1, accuracy: 1e-12)
        XCTAssertEqual(contactInstant(ball(0, 0, 1, 0), ball(3.5, 0, -1, 0))!, 0.75, accuracy: 1e-12)
        // A glancing pass: closest approach 1.5 px of centres, within the reach of 2.
        let tau = contactInstant(ball(0, 0, 0, 0), ball(3, 1.5, -4, 0))!
        XCTAssertEqual((Vec2(3 - 4 * tau, 1.5)).length, 2, accuracy: 1e-12)
        XCTAssertNil(contactInstant(ball(0, 0, -1, 0), ball(4, 0, 1, 0)), "moving apart")
        XCTAssertNil(contactInstant(ball(0, 0, 1, 0), ball(5, 0, -1, 0)), "touching only after the frame")
        XCTAssertEqual(contactInstant(ball(0, 0, 0, 0), ball(1.5, 0, 0, 0)), 0, "already touching")
        XCTAssertEqual([0, 0.2, 0.5, 0.75, 1].map { ContactInstantError.group($0) }, [0, 0, 1, 2, 2])
        XCTAssertEqual(ContactInstantError.group(nil), 3)
    }

    /// The hand-set law is the simulator on `id`: every group's error is round-off, and the
    /// groups hold every pair collision between them.
    func testEventErrorsOfTheSimulatorsOwnStep() throws {
        let law = StateModel.handSet(DynamicsConfig.default.model, gravity: Scenario.id.gravity[0])
        let (events, pairs) = try law.eventErrors(scenario: .id, seeds: Array(0..<24), frames: 32)
        let pair = try XCTUnwrap(events.first { $0.event == .pair })
        XCTAssertGreaterThan(pair.count, 10, "the clips have collisions")
        XCTAssertEqual(pairs.map(\.instants), ContactInstantError.groups)
        XCTAssertEqual(pairs.reduce(0) { $0 + $1.count }, pair.count)
        XCTAssertGreaterThan(pairs.filter { $0.count > 0 }.count, 1, "collisions fall at more than one instant")
        for x in events { XCTAssertLessThan(x.max, 1e-4, "\(x.event)") }
        for x in pairs { XCTAssertLessThan(x.mean, 1e-4, x.instants) }
    }
}
