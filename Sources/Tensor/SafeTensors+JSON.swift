// The small, strict JSON reader and writer behind the safetensors header.
//
// Hand-written rather than Foundation's so that the whole accepted language is on this page:
// the header comes from untrusted files and this parser is a fuzzing target. It takes RFC 8259
// JSON with three restrictions — the text must be UTF-8, objects may not repeat a key, and
// nesting stops at `maxDepth` — and it never traps: every index is checked, numbers are parsed
// with overflow checks, and recursion is bounded. Object members keep their file order.

// MARK: - Values

/// A parsed JSON value. Objects keep their members in file order.
indirect enum JSONValue: Equatable {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    /// An integer literal that fits `Int` (`-0` excluded, as serde_json reads it as a float).
    case integer(Int)
    /// Any other number literal (fraction, exponent, out of range), exactly as written.
    case number(String)
    case bool(Bool)
    case null

    /// A short description for error messages: scalars as written, containers by kind.
    var brief: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string(let s): return s.count <= 40 ? String(reflecting: s) : String(reflecting: String(s.prefix(40)) + "…")
        case .integer(let v): return String(v)
        case .number(let text): return text.count <= 40 ? text : String(text.prefix(40)) + "…"
        case .bool(let b): return String(b)
        case .null: return "null"
        }
    }
}

/// One `key: value` member of a JSON object.
struct JSONMember: Equatable {
    var key: String
    var value: JSONValue
}

/// Why a text is not accepted as JSON.
enum JSONError: Error, Equatable {
    case notUTF8
    /// `offset` is the byte offset into the text.
    case syntax(offset: Int, reason: String)
    /// `path` holds the keys of the enclosing objects, outermost first (empty at top level).
    case duplicateKey(String, path: [String])
}

// MARK: - Reading

struct JSONParser {
    /// Deeper nesting is refused so that recursion stays bounded (serde_json stops at 128).
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var i = 0
    private var path: [String] = []

    /// Parses `bytes` as exactly one JSON value with optional surrounding whitespace.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        // Valid UTF-8 decodes and re-encodes to the same bytes; anything invalid comes back
        // with U+FFFD in its place. After this check every run of bytes between ASCII
        // delimiters is valid UTF-8 too.
        guard String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes) else { throw JSONError.notUTF8 }
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 1)
        parser.skipWhitespace()
        guard parser.i == bytes.count else { throw parser.fail("unexpected text after the top-level value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private func fail(_ reason: String) -> JSONError { .syntax(offset: i, reason: reason) }

    private mutating func skipWhitespace() {
        while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
    }

    private mutating func expect(_ c: UInt8, _ what: String) throws {
        guard peek == c else { throw fail("expected \(what)") }
        i += 1
    }

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth <= JSONParser.maxDepth else { throw fail("nested deeper than \(JSONParser.maxDepth) levels") }
        guard let c = peek else { throw fail("unexpected end of text, expected a value") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        default: throw fail("expected a value")
        }
    }

    private mutating func parseLiteral(_ word: String) throws {
        for c in word.utf8 {
            guard peek == c else { throw fail("expected '\(word)'") }
            i += 1
        }
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        i += 1  // {
        var members: [JSONMember] = []
        var seen = Set<String>()
        skipWhitespace()
        if peek == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try parseString()
            // Keys equal as Swift strings (canonically equivalent Unicode) count as repeats, so
            // that a key never silently shadows another once it is a dictionary key or name.
            guard seen.insert(key).inserted else { throw JSONError.duplicateKey(key, path: path) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after an object key")
            skipWhitespace()
            path.append(key)
            let value = try parseValue(depth: depth + 1)
            path.removeLast()
            members.append(JSONMember(key: key, value: value))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): i += 1; skipWhitespace()
            case UInt8(ascii: "}"): i += 1; return .object(members)
            default: throw fail("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        i += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") { i += 1; return .array(elements) }
        while true {
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): i += 1; skipWhitespace()
            case UInt8(ascii: "]"): i += 1; return .array(elements)
            default: throw fail("expected ',' or ']' in an array")
            }
        }
    }

    /// Parses a string literal starting at its opening quote.
    private mutating func parseString() throws -> String {
        i += 1  // "
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                i += 1
                try parseEscape(into: &out)
            case 0x00..<0x20:
                throw fail("control character in a string must be escaped")
            default:
                out.append(c)
                i += 1
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws {
        guard let c = peek else { throw fail("unterminated escape") }
        let simple: UInt8
        switch c {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            i += 1
            var scalar = UInt32(try parseHex4())
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard peek == UInt8(ascii: "\\") else { throw fail("lone surrogate in \\u escape") }
                i += 1
                guard peek == UInt8(ascii: "u") else { throw fail("lone surrogate in \\u escape") }
                i += 1
                let low = UInt32(try parseHex4())
                guard (0xDC00..<0xE000).contains(low) else { throw fail("lone surrogate in \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw fail("lone surrogate in \\u escape")
            }
            guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
            UTF8.encode(u) { out.append($0) }
            return
        default:
            throw fail("invalid escape")
        }
        i += 1
        out.append(simple)
    }

    private mutating func parseHex4() throws -> UInt16 {
        var v: UInt16 = 0
        for _ in 0..<4 {
            guard let c = peek else { throw fail("unterminated \\u escape") }
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("expected 4 hex digits after \\u")
            }
            v = v << 4 | UInt16(digit)
            i += 1
        }
        return v
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = i
        func isDigit(_ c: UInt8?) -> Bool { c.map { (0x30...0x39).contains($0) } ?? false }
        if peek == UInt8(ascii: "-") { i += 1 }
        guard isDigit(peek) else { throw fail("invalid number") }
        if peek == UInt8(ascii: "0") {
            i += 1
            guard !isDigit(peek) else { throw fail("number with a leading zero") }
        } else {
            while isDigit(peek) { i += 1 }
        }
        var isInteger = true
        if peek == UInt8(ascii: ".") {
            i += 1
            guard isDigit(peek) else { throw fail("expected a digit after '.'") }
            while isDigit(peek) { i += 1 }
            isInteger = false
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard isDigit(peek) else { throw fail("expected a digit in the exponent") }
            while isDigit(peek) { i += 1 }
            isInteger = false
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger, let v = Int(text), !(v == 0 && text.hasPrefix("-")) { return .integer(v) }
        return .number(text)
    }
}

// MARK: - Writing

enum JSONWriter {
    /// Appends `s` as a JSON string literal, escaped the way serde_json does (so our headers
    /// match the reference implementation's byte for byte): `"` `\` and control characters
    /// are escaped, everything else — `/`, DEL, non-ASCII — is written as raw UTF-8.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])                   // \"
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])                   // \\
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 0xF)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `[a,b,c]` with no spaces.
    static func appendIntegers(_ values: [Int], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (k, v) in values.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: String(v).utf8)
        }
        out.append(UInt8(ascii: "]"))
    }
}
