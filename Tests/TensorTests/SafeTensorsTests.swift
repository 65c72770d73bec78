import Foundation
import XCTest
@testable import Tensor

final class SafeTensorsTests: XCTestCase {
    // MARK: - Helpers

    /// A file with `header` as its JSON header (unpadded) and `data` as its data buffer.
    func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
        file(Array(header.utf8), data: data)
    }

    func file(_ header: [UInt8], data: [UInt8] = []) -> [UInt8] {
        le64(UInt64(header.count)) + header + data
    }

    func le64(_ n: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } }

    func f32(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
    }

    /// One header entry `"name":{...}` with the given raw JSON for each field.
    func entry(_ name: String, dtype: String = "\"F32\"", shape: String, offsets: String) -> String {
        "\"\(name)\":{\"dtype\":\(dtype),\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    func bytes(hex lines: [String]) -> [UInt8] {
        let hex = Array(lines.joined().utf8)
        return stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    func assertDecodeFails(_ bytes: [UInt8], _ expected: SafeTensorsError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(bytes), file: file, line: line) { error in
            XCTAssertEqual(error as? SafeTensorsError, expected, file: file, line: line)
            let message = String(describing: error)
            XCTAssertFalse(message.isEmpty || message.contains("\n"), "not one line: \(message)", file: file, line: line)
        }
    }

    func assertEncodeFails(_ entries: [SafeTensorsEntry], _ expected: SafeTensorsError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.encode(entries), file: file, line: line) { error in
            XCTAssertEqual(error as? SafeTensorsError, expected, file: file, line: line)
        }
    }

    let sample = [
        SafeTensorsEntry(name: "blocks.0.attn.qkv.weight", shape: [2, 3], values: [1, -2, 3.5, 0, -0.0, 0x1p-133]),
        SafeTensorsEntry(name: "scale", shape: [], values: [0.125]),
        SafeTensorsEntry(name: "empty", shape: [0], values: []),
        SafeTensorsEntry(name: "empty.3d", shape: [3, 0, 2], values: []),
        SafeTensorsEntry(name: "big", shape: [4, 5, 6], values: (0..<120).map { Float($0) * 0.37 - 11 }),
        SafeTensorsEntry(name: "ünï/cödé \"name\"", shape: [1], values: [.greatestFiniteMagnitude]),
    ]
    let sampleMetadata = ["format": "vidgen", "note": "ünïcode \"quotes\" \\ back\nslash\t\u{1}", "": "empty key", "step": "42"]

    // MARK: - Round trips and determinism

    func testRoundTrip() throws {
        let bytes = try SafeTensors.encode(sample, metadata: sampleMetadata)
        let decoded = try SafeTensors.decode(bytes)
        XCTAssertEqual(decoded.metadata, sampleMetadata)
        XCTAssertEqual(decoded.entries.map(\.name), sample.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for e in sample { XCTAssertEqual(decoded[e.name], e) }
        XCTAssertNil(decoded["missing"])
        // The header is padded so the data starts 8-byte aligned.
        XCTAssertEqual((bytes.count - 4 * sample.map(\.values.count).reduce(0, +)) % 8, 0)
    }

    /// The header alone gives the metadata a whole read gives, without the data being there.
    func testMetadataFromTheHeaderAlone() throws {
        let path = NSTemporaryDirectory() + "vidgen-st-meta-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = try SafeTensors.encode(sample, metadata: sampleMetadata)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try SafeTensors.readMetadata(from: path), sampleMetadata)
        // Cut off inside the data: the tensors no longer read, the metadata still does.
        try Data(bytes.dropLast(40)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafeTensors.read(from: path))
        XCTAssertEqual(try SafeTensors.readMetadata(from: path), sampleMetadata)
        // Cut off inside the header, or before its length: one-line errors naming the file.
        for cut in [bytes.count / 8, 5] {
            try Data(bytes.prefix(cut)).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try SafeTensors.readMetadata(from: path)) { e in
                XCTAssert("\(e)".contains(path) && !"\(e)".contains("\n"), "\(e)")
            }
        }
        XCTAssertThrowsError(try SafeTensors.readMetadata(from: path + "-missing"))
    }

    /// The header alone lists the tensors a whole read gives, checked as strictly, and a
    /// header that claims more data than the file holds is refused without reading any.
    func testHeaderAloneListsTheTensors() throws {
        let path = NSTemporaryDirectory() + "vidgen-st-header-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = try SafeTensors.encode(sample, metadata: sampleMetadata)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let header = try SafeTensors.readHeader(from: path)
        let whole = try SafeTensors.read(from: path)
        XCTAssertEqual(header.tensors, whole.entries.map { SafeTensorsHeader.Entry(name: $0.name, shape: $0.shape) })
        XCTAssertEqual(header.metadata, sampleMetadata)
        // Cut off inside the data: the header no longer tiles the file.
        try Data(bytes.dropLast(40)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafeTensors.readHeader(from: path)) { e in
            XCTAssert("\(e)".hasPrefix(path + ": tensor") && !"\(e)".contains("\n"), "\(e)")
        }
        // A 100 GB tensor in a 200-byte file.
        try Data(file("{" + entry("w", shape: "[25000000000]", offsets: "[0,100000000000]") + "}")).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafeTensors.readHeader(from: path)) { e in
            XCTAssertEqual(e as? SafeTensorsError, .inFile(path: path, .offsetsOutOfBounds(tensor: "w", end: 100_000_000_000, dataBytes: 0)))
        }
        XCTAssertThrowsError(try SafeTensors.readHeader(from: path + "-missing"))
    }

    func testRoundTripKeepsSpecialValuesBitExact() throws {
        let values: [Float] = [.nan, -.infinity, .infinity, -0.0, .leastNonzeroMagnitude, Float(bitPattern: 0x7FC0_1234)]
        let bytes = try SafeTensors.encode([SafeTensorsEntry(name: "x", shape: [6], values: values)])
        let back = try XCTUnwrap(SafeTensors.decode(bytes)["x"])
        XCTAssertEqual(back.values.map(\.bitPattern), values.map(\.bitPattern))
    }

    func testEmptyFileAndMetadataOnly() throws {
        XCTAssertEqual(try SafeTensors.decode(SafeTensors.encode([])), SafeTensorsFile(entries: []))
        let onlyMetadata = try SafeTensors.encode([], metadata: ["a": "b"])
        XCTAssertEqual(try SafeTensors.decode(onlyMetadata), SafeTensorsFile(entries: [], metadata: ["a": "b"]))
    }

    func testIdenticalInputGivesIdenticalBytes() throws {
        let a = try SafeTensors.encode(sample, metadata: sampleMetadata)
        var shuffled = Dictionary<String, String>(minimumCapacity: 64)
        for key in sampleMetadata.keys.sorted().reversed() { shuffled[key] = sampleMetadata[key] }
        let b = try SafeTensors.encode(sample.reversed(), metadata: shuffled)
        XCTAssertEqual(a, b)
        let decoded = try SafeTensors.decode(a)
        XCTAssertEqual(try SafeTensors.encode(decoded.entries, metadata: decoded.metadata), a)
    }

    // MARK: - Pinned bytes

    /// The reference implementation's own test vectors (safetensors `tensor.rs`: test_serialization, test_empty).
    func testMatchesReferenceImplementationVectors() throws {
        let attn = SafeTensorsEntry(name: "attn.0", shape: [1, 2, 3], values: [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try SafeTensors.encode([attn]), [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ])
        XCTAssertEqual(try SafeTensors.encode([]), [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
        XCTAssertEqual(try SafeTensors.encode([], metadata: ["framework": "pt"]), [
            40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
            95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
            116, 34, 125, 125, 32, 32, 32, 32, 32,
        ])
    }

    /// Python's `safetensors.numpy.save({"b": float32 [1, 2, 3], "a": float32 0.5}, metadata={"k": "v"})`
    /// (safetensors 0.8.0) gives exactly these bytes too.
    func testPinnedBytes() throws {
        let entries = [
            SafeTensorsEntry(name: "b", shape: [3], values: [1, 2, 3]),
            SafeTensorsEntry(name: "a", shape: [], values: [0.5]),
        ]
        let header = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"#
            + #""b":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}    "#
        XCTAssertEqual(header.utf8.count, 136)
        XCTAssertEqual(try SafeTensors.encode(entries, metadata: ["k": "v"]), file(header, data: f32([0.5, 1, 2, 3])))
    }

    // MARK: - Reading other writers' files

    /// Written once by Python (safetensors 0.8.0, numpy 2.4):
    ///
    ///     save_file({"w": np.array([[0, 1.5, -2], [3.25, 1e-3, 65504]], dtype=np.float32),
    ///                "d": np.array(np.pi, dtype=np.float64),
    ///                "h": np.array([1, -0.5, 2**-14, 2**-24, np.inf], dtype=np.float16),
    ///                "z": np.zeros((0, 4), dtype=np.float32)},
    ///               "python.safetensors", metadata={"format": "np", "note": "ünïcode \"quoted\""})
    let pythonFile = [
        "20010000000000007b225f5f6d657461646174615f5f223a7b22666f726d6174223a226e70222c226e6f7465223a22c3",
        "bc6ec3af636f6465205c2271756f7465645c22227d2c2264223a7b226474797065223a22463634222c22736861706522",
        "3a5b5d2c22646174615f6f666673657473223a5b302c385d7d2c2277223a7b226474797065223a22463332222c227368",
        "617065223a5b322c335d2c22646174615f6f666673657473223a5b382c33325d7d2c227a223a7b226474797065223a22",
        "463332222c227368617065223a5b302c345d2c22646174615f6f666673657473223a5b33322c33325d7d2c2268223a7b",
        "226474797065223a22463136222c227368617065223a5b355d2c22646174615f6f666673657473223a5b33322c34325d",
        "7d7d202020202020182d4454fb210940000000000000c03f000000c0000050406f12833a00e07f47003c00b800040100",
        "007c",
    ]

    func testReadsPythonWrittenFile() throws {
        let decoded = try SafeTensors.decode(bytes(hex: pythonFile))
        XCTAssertEqual(decoded.metadata, ["format": "np", "note": "ünïcode \"quoted\""])
        XCTAssertEqual(decoded.entries, [  // in file order
            SafeTensorsEntry(name: "d", shape: [], values: [Float(Double.pi)]),
            SafeTensorsEntry(name: "w", shape: [2, 3], values: [0, 1.5, -2, 3.25, 1e-3, 65504]),
            SafeTensorsEntry(name: "z", shape: [0, 4], values: []),
            SafeTensorsEntry(name: "h", shape: [5], values: [1, -0.5, 0x1p-14, 0x1p-24, .infinity]),
        ])
    }

    func testReadsBF16() throws {
        // bfloat16 1.0 = 0x3F80, -2.5 = 0xC020, NaN = 0x7FC0.
        let decoded = try SafeTensors.decode(file("{" + entry("b", dtype: "\"BF16\"", shape: "[3]", offsets: "[0,6]") + "}",
                                                  data: [0x80, 0x3F, 0x20, 0xC0, 0xC0, 0x7F]))
        let values = try XCTUnwrap(decoded["b"]).values
        XCTAssertEqual(Array(values.prefix(2)), [1, -2.5])
        XCTAssertTrue(values[2].isNaN)
    }

    func testHalfConversionIsExact() {
        #if !(os(macOS) && arch(x86_64))
        for bits in 0...UInt16.max {
            let expected = Float(Float16(bitPattern: bits)), got = SafeTensorsDType.float(fromHalf: bits)
            if expected.isNaN { XCTAssertTrue(got.isNaN, "\(bits)") } else { XCTAssertEqual(got.bitPattern, expected.bitPattern, "\(bits)") }
        }
        #endif
    }

    func testAcceptsWhitespaceInHeader() throws {
        let header = " \n{ \"__metadata__\" : { \"a\" : \"\\u00e9\\ud83d\\ude00\\/\" } ,\r\n\t"
            + entry("x", shape: "[ 1 ]", offsets: "[ 0 , 4 ]") + " }   "
        let decoded = try SafeTensors.decode(file(header, data: f32([7])))
        XCTAssertEqual(decoded, SafeTensorsFile(entries: [SafeTensorsEntry(name: "x", shape: [1], values: [7])], metadata: ["a": "é😀/"]))
    }

    // MARK: - Malformed files: framing

    func testFileShorterThanEightBytes() {
        assertDecodeFails([], .fileTooShort(byteCount: 0))
        assertDecodeFails([2, 0, 0, 0, 0, 0, 0], .fileTooShort(byteCount: 7))
    }

    func testHeaderTooLarge() {
        assertDecodeFails(le64(100_000_001) + Array("{}".utf8), .headerTooLarge(byteCount: 100_000_001))
        assertDecodeFails(le64(.max), .headerTooLarge(byteCount: .max))
    }

    func testHeaderLongerThanFile() {
        assertDecodeFails(le64(100) + Array("{}".utf8), .headerPastEndOfFile(headerBytes: 100, available: 2))
    }

    func testHeaderNotUTF8() {
        assertDecodeFails(file([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x7B, 0x7D, 0x7D]), .headerNotUTF8)  // {"\xFF":{}}
        assertDecodeFails(file([0x7B, 0x22, 0xC0, 0xAF, 0x22, 0x3A, 0x7B, 0x7D, 0x7D]), .headerNotUTF8)  // overlong "/"
        assertDecodeFails(file([0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x7B, 0x7D, 0x7D]), .headerNotUTF8)  // surrogate
    }

    func testHeaderNotJSON() {
        assertDecodeFails(file(#"{"a":}"#), .invalidJSON(offset: 13, reason: "expected a value"))
        assertDecodeFails(file(""), .invalidJSON(offset: 8, reason: "unexpected end of text, expected a value"))
        assertDecodeFails(file("{}\0"), .invalidJSON(offset: 10, reason: "unexpected text after the top-level value"))
        assertDecodeFails(file("{},"), .invalidJSON(offset: 10, reason: "unexpected text after the top-level value"))
        assertDecodeFails(file(#"{"a":1,}"#), .invalidJSON(offset: 15, reason: "expected a string key"))
        assertDecodeFails(file(#"{"a" 1}"#), .invalidJSON(offset: 13, reason: "expected ':' after an object key"))
        assertDecodeFails(file("{\"a\u{1}\":1}"), .invalidJSON(offset: 11, reason: "control character in a string must be escaped"))
        assertDecodeFails(file(#"{"a":"\x"}"#), .invalidJSON(offset: 15, reason: "invalid escape"))
        assertDecodeFails(file(#"{"a":"\ud800"}"#), .invalidJSON(offset: 20, reason: "lone surrogate in \\u escape"))
        assertDecodeFails(file(#"{"a":"\u12"}"#), .invalidJSON(offset: 18, reason: "expected 4 hex digits after \\u"))
        assertDecodeFails(file(#"{"a":01}"#), .invalidJSON(offset: 14, reason: "number with a leading zero"))
        assertDecodeFails(file(#"{"a":tru}"#), .invalidJSON(offset: 16, reason: "expected 'true'"))
        assertDecodeFails(file(#"{"a":"x"#), .invalidJSON(offset: 15, reason: "unterminated string"))
    }

    func testDeepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        assertDecodeFails(file(#"{"a":"# + deep + "}"), .invalidJSON(offset: 76, reason: "nested deeper than 64 levels"))
    }

    func testHeaderNotAnObject() {
        assertDecodeFails(file("[]"), .headerNotObject)
        assertDecodeFails(file(#""x""#), .headerNotObject)
        assertDecodeFails(file("null  "), .headerNotObject)
    }

    // MARK: - Malformed files: tensor entries

    func testEntryNotAnObject() {
        assertDecodeFails(file(#"{"a":[1]}"#), .entryNotObject(tensor: "a"))
    }

    func testMissingFields() {
        assertDecodeFails(file(#"{"a":{"shape":[],"data_offsets":[0,4]}}"#, data: f32([1])), .missingField(tensor: "a", field: "dtype"))
        assertDecodeFails(file(#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, data: f32([1])), .missingField(tensor: "a", field: "shape"))
        assertDecodeFails(file(#"{"a":{"dtype":"F32","shape":[]}}"#, data: f32([1])), .missingField(tensor: "a", field: "data_offsets"))
    }

    func testUnexpectedField() {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"offsets":[0,4]}}"#
        assertDecodeFails(file(header, data: f32([1])), .unexpectedField(tensor: "a", field: "offsets"))
    }

    func testFieldsOfTheWrongType() {
        assertDecodeFails(file("{" + entry("a", dtype: "32", shape: "[1]", offsets: "[0,4]") + "}", data: f32([1])),
                          .wrongFieldType(tensor: "a", field: "dtype", expected: "a string"))
        assertDecodeFails(file("{" + entry("a", shape: "1", offsets: "[0,4]") + "}", data: f32([1])),
                          .wrongFieldType(tensor: "a", field: "shape", expected: "an array of integers"))
        for offsets in ["[0]", "[0,4,4]", "{\"begin\":0}", "null"] {
            assertDecodeFails(file("{" + entry("a", shape: "[1]", offsets: offsets) + "}", data: f32([1])),
                              .wrongFieldType(tensor: "a", field: "data_offsets", expected: "an array [begin, end]"))
        }
    }

    func testUnknownDtype() {
        assertDecodeFails(file("{" + entry("a", dtype: "\"F33\"", shape: "[1]", offsets: "[0,4]") + "}", data: f32([1])),
                          .unknownDtype(tensor: "a", dtype: "F33"))
        assertDecodeFails(file("{" + entry("a", dtype: "\"f32\"", shape: "[1]", offsets: "[0,4]") + "}", data: f32([1])),
                          .unknownDtype(tensor: "a", dtype: "f32"))
    }

    func testUnsupportedDtype() {
        assertDecodeFails(file("{" + entry("a", dtype: "\"I32\"", shape: "[1]", offsets: "[0,4]") + "}", data: f32([1])),
                          .unsupportedDtype(tensor: "a", dtype: "I32"))
    }

    func testNegativeOrNonIntegerDimension() {
        for (dim, shown) in [("-1", "-1"), ("1.5", "1.5"), ("1e0", "1e0"), ("-0", "-0"), ("\"1\"", "\"1\""), ("null", "null"),
                             ("[1]", "an array"), ("99999999999999999999", "99999999999999999999")] {
            assertDecodeFails(file("{" + entry("a", shape: "[\(dim)]", offsets: "[0,4]") + "}", data: f32([1])),
                              .badDimension(tensor: "a", value: shown))
        }
    }

    func testNegativeOrNonIntegerOffset() {
        assertDecodeFails(file("{" + entry("a", shape: "[1]", offsets: "[-4,0]") + "}", data: f32([1])), .badOffset(tensor: "a", value: "-4"))
        assertDecodeFails(file("{" + entry("a", shape: "[1]", offsets: "[0,4.0]") + "}", data: f32([1])), .badOffset(tensor: "a", value: "4.0"))
    }

    func testShapeProductOverflow() {
        // 2^32 × 2^32 overflows the element count; 2^62 elements × 4 bytes overflows the byte count.
        assertDecodeFails(file("{" + entry("a", shape: "[4294967296,4294967296]", offsets: "[0,0]") + "}"), .sizeOverflow(tensor: "a"))
        assertDecodeFails(file("{" + entry("a", shape: "[4611686018427387904]", offsets: "[0,0]") + "}"), .sizeOverflow(tensor: "a"))
    }

    func testByteCountDisagreesWithShape() {
        assertDecodeFails(file("{" + entry("a", shape: "[2]", offsets: "[0,4]") + "}", data: f32([1])),
                          .byteCountMismatch(tensor: "a", dtype: "F32", shape: [2], expected: 8, actual: 4))
        assertDecodeFails(file("{" + entry("a", dtype: "\"F16\"", shape: "[]", offsets: "[0,4]") + "}", data: f32([1])),
                          .byteCountMismatch(tensor: "a", dtype: "F16", shape: [], expected: 2, actual: 4))
    }

    func testBeginAfterEnd() {
        assertDecodeFails(file("{" + entry("a", shape: "[1]", offsets: "[8,4]") + "}", data: f32([1, 2])),
                          .offsetsReversed(tensor: "a", begin: 8, end: 4))
    }

    func testOffsetsOutsideTheDataBuffer() {
        assertDecodeFails(file("{" + entry("a", shape: "[2]", offsets: "[0,8]") + "}", data: f32([1])),
                          .offsetsOutOfBounds(tensor: "a", end: 8, dataBytes: 4))
        assertDecodeFails(file("{" + entry("a", shape: "[1]", offsets: "[9223372036854775803,9223372036854775807]") + "}"),
                          .offsetsOutOfBounds(tensor: "a", end: Int.max, dataBytes: 0))
    }

    func testHundredGigabyteTensorIsRefusedBeforeAllocating() {
        // Consistent shape and offsets, but the bytes are not in the file: refused before any allocation.
        let header = "{" + entry("huge", shape: "[25000000000]", offsets: "[0,100000000000]") + "}"
        assertDecodeFails(file(header, data: f32([1])), .offsetsOutOfBounds(tensor: "huge", end: 100_000_000_000, dataBytes: 4))
    }

    func testOverlappingTensors() {
        let header = "{" + entry("a", shape: "[2]", offsets: "[0,8]") + "," + entry("b", shape: "[2]", offsets: "[4,12]") + "}"
        assertDecodeFails(file(header, data: f32([1, 2, 3])), .overlappingTensors("a", "b"))
        let same = "{" + entry("a", shape: "[1]", offsets: "[0,4]") + "," + entry("b", shape: "[1]", offsets: "[0,4]") + "}"
        assertDecodeFails(file(same, data: f32([1])), .overlappingTensors("a", "b"))
        // An empty tensor may sit at a boundary but not inside another tensor's bytes.
        let inside = "{" + entry("a", shape: "[2]", offsets: "[0,8]") + "," + entry("e", shape: "[0]", offsets: "[4,4]") + "}"
        assertDecodeFails(file(inside, data: f32([1, 2])), .overlappingTensors("a", "e"))
    }

    func testHolesAndTrailingBytes() {
        assertDecodeFails(file("{" + entry("a", shape: "[1]", offsets: "[4,8]") + "}", data: f32([1, 2])), .uncoveredBytes(begin: 0, end: 4))
        let gap = "{" + entry("a", shape: "[1]", offsets: "[0,4]") + "," + entry("b", shape: "[1]", offsets: "[8,12]") + "}"
        assertDecodeFails(file(gap, data: f32([1, 2, 3])), .uncoveredBytes(begin: 4, end: 8))
        assertDecodeFails(file("{" + entry("a", shape: "[1]", offsets: "[0,4]") + "}", data: f32([1]) + [0]), .uncoveredBytes(begin: 4, end: 5))
        assertDecodeFails(file("{}", data: [0]), .uncoveredBytes(begin: 0, end: 1))
    }

    func testEmptyTensorsAtBoundariesAreFine() throws {
        let header = "{" + entry("e0", shape: "[0]", offsets: "[0,0]") + "," + entry("a", shape: "[1]", offsets: "[0,4]") + ","
            + entry("e4", shape: "[2,0]", offsets: "[4,4]") + "}"
        let decoded = try SafeTensors.decode(file(header, data: f32([9])))
        XCTAssertEqual(decoded.entries.map(\.name), ["e0", "a", "e4"])
        XCTAssertEqual(decoded["a"]?.values, [9])
    }

    func testDuplicateTensorName() {
        let header = "{" + entry("a", shape: "[1]", offsets: "[0,4]") + "," + entry("a", shape: "[1]", offsets: "[4,8]") + "}"
        assertDecodeFails(file(header, data: f32([1, 2])), .duplicateTensorName("a"))
        // Canonically equivalent names (é precomposed and decomposed) are one name to Swift, so also refused.
        let nfd = "{" + entry("\u{E9}", shape: "[1]", offsets: "[0,4]") + "," + entry("e\u{301}", shape: "[1]", offsets: "[4,8]") + "}"
        assertDecodeFails(file(nfd, data: f32([1, 2])), .duplicateTensorName("e\u{301}"))
    }

    func testDuplicateKeysInsideEntriesAndMetadata() {
        let header = #"{"a":{"dtype":"F32","shape":[1],"dtype":"F32","data_offsets":[0,4]}}"#
        assertDecodeFails(file(header, data: f32([1])), .duplicateKey("dtype", within: "tensor \"a\""))
        assertDecodeFails(file(#"{"__metadata__":{"k":"1","k":"2"}}"#), .duplicateKey("k", within: "__metadata__"))
        assertDecodeFails(file(#"{"__metadata__":{},"__metadata__":{}}"#), .duplicateTensorName("__metadata__"))
    }

    func testMetadataMustMapStringsToStrings() {
        assertDecodeFails(file(#"{"__metadata__":"x"}"#), .metadataNotObject)
        assertDecodeFails(file(#"{"__metadata__":null}"#), .metadataNotObject)
        assertDecodeFails(file(#"{"__metadata__":{"step":1}}"#), .metadataValueNotString(key: "step"))
        assertDecodeFails(file(#"{"__metadata__":{"o":{}}}"#), .metadataValueNotString(key: "o"))
    }

    func testMessagesNameTheProblemAndTheTensor() {
        let error = SafeTensorsError.byteCountMismatch(tensor: "blocks.0.w", dtype: "F32", shape: [2, 3], expected: 24, actual: 20)
        XCTAssertEqual(error.description, "tensor \"blocks.0.w\": F32 [2, 3] needs 24 bytes but data_offsets span 20")
        XCTAssertEqual(SafeTensorsError.inFile(path: "/x/m.safetensors", .headerNotUTF8).description, "/x/m.safetensors: header is not valid UTF-8")
    }

    // MARK: - Bad input to the writer

    func testWriterRefusesBadEntries() {
        assertEncodeFails([SafeTensorsEntry(name: "__metadata__", shape: [], values: [1])], .reservedName)
        assertEncodeFails([SafeTensorsEntry(name: "a", shape: [], values: [1]), SafeTensorsEntry(name: "a", shape: [], values: [2])],
                          .duplicateTensorName("a"))
        assertEncodeFails([SafeTensorsEntry(name: "a", shape: [2, 2], values: [1, 2, 3])], .shapeMismatch(tensor: "a", shape: [2, 2], valueCount: 3))
        assertEncodeFails([SafeTensorsEntry(name: "a", shape: [-1, -1], values: [1])], .badDimension(tensor: "a", value: "-1"))
        assertEncodeFails([SafeTensorsEntry(name: "a", shape: [1 << 40, 1 << 40], values: [])], .sizeOverflow(tensor: "a"))
    }

    // MARK: - Files

    var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testWriteThenReadLeavesNoTemporaryFiles() throws {
        let path = folder + "/model.safetensors"
        try SafeTensors.write(sample, metadata: sampleMetadata, to: path)
        try SafeTensors.write(sample, metadata: sampleMetadata, to: path)  // over an existing file
        XCTAssertEqual(try SafeTensors.read(from: path), SafeTensorsFile(entries: try SafeTensors.decode(SafeTensors.encode(sample)).entries,
                                                                         metadata: sampleMetadata))
        XCTAssertEqual(try Array(Data(contentsOf: URL(fileURLWithPath: path))), try SafeTensors.encode(sample, metadata: sampleMetadata))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["model.safetensors"])
    }

    func testWriteIntoMissingFolder() {
        let path = folder + "/nope/model.safetensors"
        XCTAssertThrowsError(try SafeTensors.write(sample, to: path)) { error in
            XCTAssertEqual(error as? VidgenError, VidgenError("output folder '\(folder)/nope' does not exist (for \(path))"))
        }
    }

    func testFailedWriteLeavesTargetAndFolderUntouched() throws {
        // A target that is a folder is refused before anything is written.
        let target = folder + "/model.safetensors"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        XCTAssertThrowsError(try SafeTensors.write(sample, to: target)) { error in
            XCTAssertEqual(error as? VidgenError, VidgenError("'\(target)' is a folder, not a file name"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["model.safetensors"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target), [])
        // A writer error comes before anything touches the disk.
        let existing = folder + "/keep.safetensors"
        try SafeTensors.write(sample, to: existing)
        XCTAssertThrowsError(try SafeTensors.write([SafeTensorsEntry(name: "a", shape: [2], values: [])], to: existing))
        XCTAssertEqual(try SafeTensors.read(from: existing).entries.count, sample.count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["keep.safetensors", "model.safetensors"])
    }

    func testReadErrorsNameTheFile() throws {
        let missing = folder + "/missing.safetensors"
        XCTAssertThrowsError(try SafeTensors.read(from: missing)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .io(path: missing, operation: "open", reason: "No such file or directory"))
        }
        XCTAssertThrowsError(try SafeTensors.read(from: folder)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .io(path: folder, operation: "read", reason: "not a regular file"))
        }
        let bad = folder + "/bad.safetensors"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: bad))
        XCTAssertThrowsError(try SafeTensors.read(from: bad)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .inFile(path: bad, .fileTooShort(byteCount: 3)))
            XCTAssertTrue(String(describing: error).hasPrefix(bad + ": file is 3 bytes long"))
        }
    }
}
