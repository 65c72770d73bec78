// safetensors files (Hugging Face's tensor format), read and written exactly per its spec so that
// Python's `safetensors` loads what we write and we load what it writes.
//
// Layout:  N (8 bytes, u64 little-endian) | header (N bytes, UTF-8 JSON) | data buffer
// Header:  {"__metadata__": {str: str},                      (optional)
//           name: {"dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end]}, …}
// Offsets are byte offsets into the data buffer, end exclusive; the ranges must tile the buffer
// exactly: no overlaps, no holes, nothing after the last tensor. Values are little-endian, row-major.
//
// Writing: F32 only. Tensors are sorted by the UTF-8 bytes of their names (the reference sorts by
// dtype, then name; ours are all F32), `__metadata__` comes first with its keys sorted the same
// way, the JSON is compact, and the header is padded with spaces to a multiple of 8 bytes so the
// data starts 8-byte aligned — the reference implementation's output, byte for byte.
// Reading: F32, F64, F16 and BF16, converted to Float (F64 rounds to nearest); other safetensors
// dtypes (integers, bool, 8-bit and smaller floats) are refused by name.
//
// The reader treats the file as hostile: every size and offset is checked, with overflow-checked
// arithmetic, before it is used, so a bad file is a `SafeTensorsError` and never a trap, and the
// memory it costs is bounded by its own length (at most 2× for F16/BF16 widening to Float).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Values

/// One named tensor: a row-major array of `Float` and its shape. A scalar has shape `[]`.
public struct SafeTensorsEntry: Equatable, Sendable {
    /// The key in the file, e.g. `blocks.0.attn.qkv.weight`.
    public var name: String
    /// The dimensions, outermost first; `values.count` is their product (1 for `[]`).
    public var shape: [Int]
    /// The elements in row-major order.
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// The contents of a safetensors file.
public struct SafeTensorsFile: Equatable, Sendable {
    /// The tensors, in the order the header lists them.
    public var entries: [SafeTensorsEntry]
    /// The `__metadata__` map (empty when the file has none).
    public var metadata: [String: String]

    public init(entries: [SafeTensorsEntry], metadata: [String: String] = [:]) {
        self.entries = entries
        self.metadata = metadata
    }

    /// The tensor called `name`, if any (a linear search; files hold hundreds of tensors, not millions).
    public subscript(name: String) -> SafeTensorsEntry? {
        entries.first { $0.name == name }
    }
}

/// A file's header alone: each tensor's name and shape in header order, and the metadata.
/// What a loader checks against a config before it allocates or reads any weights.
public struct SafeTensorsHeader: Equatable, Sendable {
    /// One tensor as the header lists it; its data is not read.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var shape: [Int]

        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
    }

    /// The tensors, in the order the header lists them.
    public var tensors: [Entry]
    /// The `__metadata__` map (empty when the file has none).
    public var metadata: [String: String]

    public init(tensors: [Entry], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }
}

// MARK: - Errors

/// Why a safetensors file could not be read or written. Tensor names are quoted Swift-style.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    // Framing
    case fileTooShort(byteCount: Int)
    case headerTooLarge(byteCount: UInt64)
    case headerPastEndOfFile(headerBytes: UInt64, available: Int)
    case headerNotUTF8
    /// `offset` counts from the start of the file.
    case invalidJSON(offset: Int, reason: String)
    case headerNotObject
    case duplicateTensorName(String)
    /// A key repeated inside `within` (a tensor entry or `__metadata__`).
    case duplicateKey(String, within: String)
    // __metadata__
    case metadataNotObject
    case metadataValueNotString(key: String)
    // Tensor entries
    case entryNotObject(tensor: String)
    case missingField(tensor: String, field: String)
    case unexpectedField(tensor: String, field: String)
    case wrongFieldType(tensor: String, field: String, expected: String)
    case unknownDtype(tensor: String, dtype: String)
    case unsupportedDtype(tensor: String, dtype: String)
    case badDimension(tensor: String, value: String)
    case badOffset(tensor: String, value: String)
    case sizeOverflow(tensor: String)
    case byteCountMismatch(tensor: String, dtype: String, shape: [Int], expected: Int, actual: Int)
    case offsetsReversed(tensor: String, begin: Int, end: Int)
    case offsetsOutOfBounds(tensor: String, end: Int, dataBytes: Int)
    case overlappingTensors(String, String)
    case uncoveredBytes(begin: Int, end: Int)
    // Writing
    case reservedName
    case shapeMismatch(tensor: String, shape: [Int], valueCount: Int)
    // Reading files (writes go through AtomicFile and fail with its VidgenError)
    case io(path: String, operation: String, reason: String)
    /// A format error found while reading the file at `path`.
    indirect case inFile(path: String, SafeTensorsError)

    public var description: String {
        func q(_ s: String) -> String { String(reflecting: s) }
        switch self {
        case .fileTooShort(let n):
            return "file is \(n) bytes long, too short for the 8-byte header length that starts a safetensors file"
        case .headerTooLarge(let n):
            return "header length field says \(n) bytes; headers over \(SafeTensors.maxHeaderBytes) bytes are refused"
        case .headerPastEndOfFile(let n, let available):
            return "header length field says \(n) bytes but only \(available) bytes follow it (truncated file?)"
        case .headerNotUTF8:
            return "header is not valid UTF-8"
        case .invalidJSON(let offset, let reason):
            return "header is not valid JSON: \(reason) at byte \(offset)"
        case .headerNotObject:
            return "header is not a JSON object"
        case .duplicateTensorName(let name):
            return "tensor name \(q(name)) appears twice"
        case .duplicateKey(let key, let within):
            return "key \(q(key)) appears twice in \(within)"
        case .metadataNotObject:
            return "__metadata__ is not a JSON object"
        case .metadataValueNotString(let key):
            return "__metadata__ value for \(q(key)) is not a string"
        case .entryNotObject(let t):
            return "tensor \(q(t)): entry is not a JSON object"
        case .missingField(let t, let field):
            return "tensor \(q(t)): missing \"\(field)\""
        case .unexpectedField(let t, let field):
            return "tensor \(q(t)): unexpected field \(q(field)) (only dtype, shape, data_offsets are allowed)"
        case .wrongFieldType(let t, let field, let expected):
            return "tensor \(q(t)): \"\(field)\" must be \(expected)"
        case .unknownDtype(let t, let dtype):
            return "tensor \(q(t)): \(q(dtype)) is not a safetensors dtype"
        case .unsupportedDtype(let t, let dtype):
            return "tensor \(q(t)): dtype \(dtype) is not supported (only F32, F64, F16, BF16 are read)"
        case .badDimension(let t, let value):
            return "tensor \(q(t)): shape entry \(value) is not a non-negative integer"
        case .badOffset(let t, let value):
            return "tensor \(q(t)): data offset \(value) is not a non-negative integer"
        case .sizeOverflow(let t):
            return "tensor \(q(t)): byte size of its shape overflows a 64-bit integer"
        case .byteCountMismatch(let t, let dtype, let shape, let expected, let actual):
            return "tensor \(q(t)): \(dtype) \(shape) needs \(expected) bytes but data_offsets span \(actual)"
        case .offsetsReversed(let t, let begin, let end):
            return "tensor \(q(t)): data_offsets [\(begin), \(end)] end before they begin"
        case .offsetsOutOfBounds(let t, let end, let dataBytes):
            return "tensor \(q(t)): data ends at byte \(end) but the data buffer has only \(dataBytes) bytes"
        case .overlappingTensors(let a, let b):
            return "tensors \(q(a)) and \(q(b)) overlap in the data buffer"
        case .uncoveredBytes(let begin, let end):
            return "data bytes \(begin)..<\(end) belong to no tensor (the spec forbids holes and trailing bytes)"
        case .reservedName:
            return "a tensor cannot be named \"__metadata__\""
        case .shapeMismatch(let t, let shape, let count):
            return "tensor \(q(t)): shape \(shape) needs \(shape.reduce(1, { $0 &* $1 })) values but has \(count)"
        case .io(let path, let operation, let reason):
            return "\(path): \(operation) failed: \(reason)"
        case .inFile(let path, let error):
            return "\(path): \(error)"
        }
    }
}

// MARK: - Encoding and decoding

/// Reads and writes safetensors files. See the top of this file for the format.
public enum SafeTensors {
    /// The largest header accepted or written, as in the reference implementation.
    public static let maxHeaderBytes = 100_000_000

    /// The file bytes for `entries` (stored as F32) and `metadata`. Identical input gives
    /// identical bytes whatever the order of `entries` or of the dictionary.
    /// Throws for a repeated or reserved name, a negative dimension, or `values.count` ≠ shape product.
    public static func encode(_ entries: [SafeTensorsEntry], metadata: [String: String] = [:]) throws -> [UInt8] {
        var names = Set<String>()
        var dataBytes = 0
        for e in entries {
            guard e.name != "__metadata__" else { throw SafeTensorsError.reservedName }
            guard names.insert(e.name).inserted else { throw SafeTensorsError.duplicateTensorName(e.name) }
            let count = try elementCount(e.shape, tensor: e.name, bad: { .badDimension(tensor: e.name, value: String($0)) })
            guard count == e.values.count else {
                throw SafeTensorsError.shapeMismatch(tensor: e.name, shape: e.shape, valueCount: e.values.count)
            }
            let (bytes, o1) = count.multipliedReportingOverflow(by: 4)
            let (total, o2) = dataBytes.addingReportingOverflow(bytes)
            guard !o1, !o2 else { throw SafeTensorsError.sizeOverflow(tensor: e.name) }
            dataBytes = total
        }
        let sorted = entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }

        var header: [UInt8] = [UInt8(ascii: "{")]
        func append(_ s: String) { header.append(contentsOf: s.utf8) }
        if !metadata.isEmpty {
            append("\"__metadata__\":{")
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (k, key) in keys.enumerated() {
                if k > 0 { append(",") }
                JSONWriter.appendString(key, to: &header)
                append(":")
                JSONWriter.appendString(metadata[key] ?? "", to: &header)
            }
            append("}")
            if !sorted.isEmpty { append(",") }
        }
        var offset = 0
        for (k, e) in sorted.enumerated() {
            if k > 0 { append(",") }
            JSONWriter.appendString(e.name, to: &header)
            append(":{\"dtype\":\"F32\",\"shape\":")
            JSONWriter.appendIntegers(e.shape, to: &header)
            append(",\"data_offsets\":")
            JSONWriter.appendIntegers([offset, offset + 4 * e.values.count], to: &header)  // ≤ dataBytes: no overflow
            append("}")
            offset += 4 * e.values.count
        }
        append("}")
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        guard header.count <= maxHeaderBytes else { throw SafeTensorsError.headerTooLarge(byteCount: UInt64(header.count)) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + dataBytes)
        let n = UInt64(header.count)
        for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: n >> (8 * k))) }
        out.append(contentsOf: header)
        for e in sorted {
            for v in e.values {
                let bits = v.bitPattern
                for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
            }
        }
        return out
    }

    /// Parses and checks a whole safetensors file held in `bytes`. Strict: anything outside
    /// the spec (see `SafeTensorsError`) is refused, and so are repeated JSON keys and fields
    /// other than dtype, shape and data_offsets in a tensor entry.
    public static func decode(_ bytes: [UInt8]) throws -> SafeTensorsFile {
        guard bytes.count >= 8 else { throw SafeTensorsError.fileTooShort(byteCount: bytes.count) }
        var n: UInt64 = 0
        for k in 0..<8 { n |= UInt64(bytes[k]) << (8 * k) }
        guard n <= UInt64(maxHeaderBytes) else { throw SafeTensorsError.headerTooLarge(byteCount: n) }
        let headerBytes = Int(n)  // ≤ maxHeaderBytes
        guard headerBytes <= bytes.count - 8 else {
            throw SafeTensorsError.headerPastEndOfFile(headerBytes: n, available: bytes.count - 8)
        }
        let dataStart = 8 + headerBytes
        let dataBytes = bytes.count - dataStart
        let (metadata, members) = try header(Array(bytes[8..<dataStart]))
        var infos: [SafeTensorsHeaderEntry] = []
        for member in members {
            infos.append(try SafeTensorsHeaderEntry(name: member.key, member.value, dataBytes: dataBytes))
        }
        try checkTiling(infos, dataBytes: dataBytes)

        let entries = bytes.withUnsafeBytes { raw in
            infos.map { info in
                SafeTensorsEntry(name: info.name, shape: info.shape,
                                 values: info.dtype.floats(raw, from: dataStart + info.begin, count: info.count))
            }
        }
        return SafeTensorsFile(entries: entries, metadata: metadata)
    }

    /// The JSON header (the bytes after the 8-byte length): its `__metadata__` and, in file
    /// order, the tensor entries still to be checked against the data.
    static func header(_ bytes: [UInt8]) throws -> (metadata: [String: String], tensors: [(key: String, value: JSONValue)]) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch let error as JSONError {
            switch error {
            case .notUTF8: throw SafeTensorsError.headerNotUTF8
            case .syntax(let offset, let reason): throw SafeTensorsError.invalidJSON(offset: 8 + offset, reason: reason)
            case .duplicateKey(let key, let path):
                guard let outer = path.first else { throw SafeTensorsError.duplicateTensorName(key) }
                let within = outer == "__metadata__" ? "__metadata__" : "tensor \(String(reflecting: outer))"
                throw SafeTensorsError.duplicateKey(key, within: within)
            }
        }
        guard case .object(let members) = json else { throw SafeTensorsError.headerNotObject }

        var metadata: [String: String] = [:]
        var tensors: [(key: String, value: JSONValue)] = []
        for member in members {
            if member.key == "__metadata__" {
                guard case .object(let pairs) = member.value else { throw SafeTensorsError.metadataNotObject }
                for pair in pairs {
                    guard case .string(let value) = pair.value else { throw SafeTensorsError.metadataValueNotString(key: pair.key) }
                    metadata[pair.key] = value  // keys are distinct: the parser refuses repeats
                }
            } else {
                tensors.append((member.key, member.value))
            }
        }
        return (metadata, tensors)
    }

    /// The product of `shape`, refusing negative dimensions (via `bad`) and overflow.
    static func elementCount(_ shape: [Int], tensor: String, bad: (Int) -> SafeTensorsError) throws -> Int {
        var count = 1
        for d in shape {
            guard d >= 0 else { throw bad(d) }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw SafeTensorsError.sizeOverflow(tensor: tensor) }
            count = p
        }
        return count
    }

    /// Checks that the tensors' byte ranges tile `0..<dataBytes` exactly, as the spec requires.
    static func checkTiling(_ infos: [SafeTensorsHeaderEntry], dataBytes: Int) throws {
        let order = infos.indices.sorted { (infos[$0].begin, infos[$0].end, $0) < (infos[$1].begin, infos[$1].end, $1) }
        var cursor = 0, last = ""
        for k in order {
            let t = infos[k]
            guard t.begin >= cursor else { throw SafeTensorsError.overlappingTensors(last, t.name) }
            guard t.begin == cursor else { throw SafeTensorsError.uncoveredBytes(begin: cursor, end: t.begin) }
            if t.end > t.begin { cursor = t.end; last = t.name }
        }
        guard cursor == dataBytes else { throw SafeTensorsError.uncoveredBytes(begin: cursor, end: dataBytes) }
    }
}

// MARK: - Header entries

/// The element types we read. Other safetensors dtypes are known by name only, to refuse them clearly.
enum SafeTensorsDType: String {
    case f16 = "F16", bf16 = "BF16", f32 = "F32", f64 = "F64"

    static let unsupported: Set<String> = [
        "BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "C64",
        "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",
    ]

    var size: Int {
        switch self {
        case .f16, .bf16: return 2
        case .f32: return 4
        case .f64: return 8
        }
    }

    /// `count` little-endian elements starting at byte `start` of `raw`, as Float.
    /// The caller has checked that the range lies inside `raw`.
    func floats(_ raw: UnsafeRawBufferPointer, from start: Int, count: Int) -> [Float] {
        switch self {
        case .f32:
            return (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self))) }
        case .f64:
            return (0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * $0, as: UInt64.self)))) }
        case .bf16:
            // bfloat16 is the top half of a float32.
            return (0..<count).map { Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * $0, as: UInt16.self))) << 16) }
        case .f16:
            return (0..<count).map { Self.float(fromHalf: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * $0, as: UInt16.self))) }
        }
    }

    /// IEEE binary16 → binary32, exactly (every half is a float). Written out rather than using
    /// `Float16`, which is missing on some platforms.
    static func float(fromHalf h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h) & 0x3FF
        switch exponent {
        case 0:  // zero or subnormal: mantissa × 2^-24
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:  // infinity or NaN, payload kept
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }
}

/// One checked tensor entry of the header.
struct SafeTensorsHeaderEntry {
    var name: String
    var dtype: SafeTensorsDType
    var shape: [Int]
    var begin: Int, end: Int
    var count: Int

    /// Checks one `name: {...}` entry against the spec and against a data buffer of `dataBytes`.
    init(name: String, _ value: JSONValue, dataBytes: Int) throws {
        typealias E = SafeTensorsError
        guard case .object(let fields) = value else { throw E.entryNotObject(tensor: name) }
        var dtypeValue, shapeValue, offsetsValue: JSONValue?
        for field in fields {
            switch field.key {
            case "dtype": dtypeValue = field.value
            case "shape": shapeValue = field.value
            case "data_offsets": offsetsValue = field.value
            default: throw E.unexpectedField(tensor: name, field: field.key)
            }
        }
        guard let dtypeValue else { throw E.missingField(tensor: name, field: "dtype") }
        guard let shapeValue else { throw E.missingField(tensor: name, field: "shape") }
        guard let offsetsValue else { throw E.missingField(tensor: name, field: "data_offsets") }

        guard case .string(let dtypeName) = dtypeValue else {
            throw E.wrongFieldType(tensor: name, field: "dtype", expected: "a string")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsDType.unsupported.contains(dtypeName)
                ? E.unsupportedDtype(tensor: name, dtype: dtypeName) : E.unknownDtype(tensor: name, dtype: dtypeName)
        }
        guard case .array(let dims) = shapeValue else {
            throw E.wrongFieldType(tensor: name, field: "shape", expected: "an array of integers")
        }
        let shape = try dims.map { dim -> Int in
            guard case .integer(let d) = dim, d >= 0 else { throw E.badDimension(tensor: name, value: dim.brief) }
            return d
        }
        guard case .array(let offsets) = offsetsValue, offsets.count == 2 else {
            throw E.wrongFieldType(tensor: name, field: "data_offsets", expected: "an array [begin, end]")
        }
        let bounds = try offsets.map { offset -> Int in
            guard case .integer(let o) = offset, o >= 0 else { throw E.badOffset(tensor: name, value: offset.brief) }
            return o
        }
        let (begin, end) = (bounds[0], bounds[1])
        guard begin <= end else { throw E.offsetsReversed(tensor: name, begin: begin, end: end) }
        // Negative dimensions were refused above, so `bad` is never called.
        let count = try SafeTensors.elementCount(shape, tensor: name, bad: { E.badDimension(tensor: name, value: String($0)) })
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow else { throw E.sizeOverflow(tensor: name) }
        guard byteCount == end - begin else {
            throw E.byteCountMismatch(tensor: name, dtype: dtypeName, shape: shape, expected: byteCount, actual: end - begin)
        }
        guard end <= dataBytes else { throw E.offsetsOutOfBounds(tensor: name, end: end, dataBytes: dataBytes) }
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.begin = begin
        self.end = end
        self.count = count
    }
}

// MARK: - Files

extension SafeTensors {
    /// Writes `entries` and `metadata` to `path` atomically (AtomicFile): on any failure an
    /// existing file at `path` is left untouched.
    public static func write(_ entries: [SafeTensorsEntry], metadata: [String: String] = [:], to path: String) throws {
        let bytes = try encode(entries, metadata: metadata)
        try AtomicFile.write(bytes, to: path)
    }

    /// The `__metadata__` of the file at `path`, reading its header only (the tensors are
    /// neither read nor checked).
    public static func readMetadata(from path: String) throws -> [String: String] {
        try inFile(path) { try header(headerBytes(path).header).metadata }
    }

    /// The header of the file at `path`: every tensor entry checked as `read` checks it
    /// (dtype, shape, offsets inside the file's length and tiling its data), but no tensor
    /// data read. Memory is bounded by the header's length, however large the tensors.
    public static func readHeader(from path: String) throws -> SafeTensorsHeader {
        try inFile(path) {
            let (bytes, dataBytes) = try headerBytes(path)
            let (metadata, members) = try header(bytes)
            let infos = try members.map { try SafeTensorsHeaderEntry(name: $0.key, $0.value, dataBytes: dataBytes) }
            try checkTiling(infos, dataBytes: dataBytes)
            return SafeTensorsHeader(tensors: infos.map { .init(name: $0.name, shape: $0.shape) }, metadata: metadata)
        }
    }

    /// Reads and checks the safetensors file at `path`; every error names the file.
    public static func read(from path: String) throws -> SafeTensorsFile {
        let bytes = try SafeTensorsIO.readAll(path)
        do {
            return try decode(bytes)
        } catch let error as SafeTensorsError {
            throw SafeTensorsError.inFile(path: path, error)
        }
    }
}

extension SafeTensors {
    /// The JSON header of the file at `path` (the bytes after its 8-byte length) and the
    /// length of the data buffer after it, from the file's size.
    static func headerBytes(_ path: String) throws -> (header: [UInt8], dataBytes: Int) {
        let length = try SafeTensorsIO.readPrefix(path, count: 8)
        guard length.count == 8 else { throw SafeTensorsError.fileTooShort(byteCount: length.count) }
        var n: UInt64 = 0
        for k in 0..<8 { n |= UInt64(length[k]) << (8 * k) }
        guard n <= UInt64(maxHeaderBytes) else { throw SafeTensorsError.headerTooLarge(byteCount: n) }
        let (bytes, size) = try SafeTensorsIO.readPrefixAndSize(path, count: 8 + Int(n))
        guard bytes.count == 8 + Int(n) else {
            throw SafeTensorsError.headerPastEndOfFile(headerBytes: n, available: bytes.count - 8)
        }
        return (Array(bytes[8...]), size - bytes.count)
    }

    /// `body`'s result, with a format error it throws wrapped to name the file at `path`.
    static func inFile<R>(_ path: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as SafeTensorsError {
            if case .io = error { throw error }
            throw SafeTensorsError.inFile(path: path, error)
        }
    }
}

/// Whole-file reads over POSIX calls (kept apart from `SafeTensors`, whose `read` would shadow
/// the C function).
enum SafeTensorsIO {
    static func failure(_ path: String, _ operation: String, _ code: Int32 = errno) -> SafeTensorsError {
        .io(path: path, operation: operation, reason: String(cString: strerror(code)))
    }

    static func readAll(_ path: String) throws -> [UInt8] { try readPrefix(path, count: nil) }

    /// The file's first `count` bytes (fewer if it is shorter), or with nil all of them.
    static func readPrefix(_ path: String, count: Int?) throws -> [UInt8] {
        try readPrefixAndSize(path, count: count).bytes
    }

    /// `readPrefix`, and the file's size in bytes when it was opened.
    static func readPrefixAndSize(_ path: String, count: Int?) throws -> (bytes: [UInt8], size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path, "stat") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw SafeTensorsError.io(path: path, operation: "read", reason: "not a regular file")
        }
        // The size comes from the file system, not from the file's contents, and the bytes are
        // read in full before any of them is interpreted.
        let size = min(Int(info.st_size), count ?? Int.max)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return read(fd, base + done, size - done)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw failure(path, "read")
            }
            if got == 0 { break }  // the file shrank while we read it
            done += got
        }
        if done < size { bytes.removeLast(size - done) }
        return (bytes, Int(info.st_size))
    }
}
