// Plain-text tables of the printed reports and benchmarks.

/// `s` padded with spaces to `width` characters (on the left when `left`); a longer `s` is
/// left as it is.
public func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return left ? fill + s : s + fill
}
