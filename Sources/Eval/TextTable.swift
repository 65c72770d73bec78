// Tables of text: padded columns for the printed reports and benchmarks, and the report's
// tables, which one renderer writes as markdown (report.md, headline.md) or as HTML
// (index.html).

/// `s` padded with spaces to `width` characters (on the left when `left`); a longer `s` is
/// left as it is.
public func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return left ? fill + s : s + fill
}

/// A table of the report: a header row and body rows of text cells.
struct TextTable {
    var header: [String]
    var rows: [[String]]

    /// What a format writes around the table, its rows and its cells.
    struct Markup {
        var start: String
        var end: String
        var rowStart: String
        var separator: String
        var rowEnd: String
        /// A cell's text as the format writes it; `header` for the header row's cells.
        var cell: (_ text: String, _ header: Bool) -> String
        /// The text of every cell of a row drawn under the header (markdown's rule), or none.
        var rule: String?

        /// A GitHub-flavoured markdown table, a blank line after it.
        static let markdown = Markup(start: "", end: "\n", rowStart: "| ", separator: " | ", rowEnd: " |\n",
                                     cell: { text, _ in text.replacingOccurrences(of: "|", with: "\\|") }, rule: "---")
        /// An HTML table, one row per line.
        static let html = Markup(start: "<table>", end: "</table>\n", rowStart: "<tr>", separator: "", rowEnd: "</tr>\n",
                                 cell: { text, header in header ? "<th>\(HTML.escape(text))</th>" : "<td>\(HTML.escape(text))</td>" },
                                 rule: nil)
    }

    /// The table written in `markup`.
    func rendered(_ markup: Markup) -> String {
        func line(_ cells: [String], header: Bool = false) -> String {
            markup.rowStart + cells.map { markup.cell($0, header) }.joined(separator: markup.separator) + markup.rowEnd
        }
        let rule = markup.rule.map { r in markup.rowStart + header.map { _ in r }.joined(separator: markup.separator) + markup.rowEnd }
        return markup.start + line(header, header: true) + (rule ?? "") + rows.map { line($0) }.joined() + markup.end
    }
}
