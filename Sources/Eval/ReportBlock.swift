// The report as one list of blocks (headings, text, tables, figures), rendered twice:
// report.md linking the figure files, and index.html with the SVG plots inline and the GIFs
// and PNGs embedded as data URIs, so it opens offline from anywhere.

import Foundation

/// A piece of the report.
enum ReportBlock {
    case heading(String, level: Int)
    case text(String)
    case table([String], [[String]])
    case preformatted([String])
    /// A file among the report's files (.svg, .png or .gif) and its caption.
    case figure(String, caption: String)
}

extension ReportBlock {
    /// `blocks` as markdown, figures linked by file name.
    static func markdown(_ blocks: [ReportBlock]) -> String {
        var out = ""
        for block in blocks {
            switch block {
            case let .heading(text, level): out += String(repeating: "#", count: level) + " \(text)\n\n"
            case let .text(text): out += text + "\n\n"
            case let .table(header, rows): out += TextTable(header: header, rows: rows).rendered(.markdown)
            case let .preformatted(lines): out += "```\n" + lines.joined(separator: "\n") + "\n```\n\n"
            case let .figure(file, caption): out += "![\(caption)](\(file))\n\n"
            }
        }
        return out
    }

    /// `blocks` as one self-contained HTML page: SVG figures inline, the others as data URIs
    /// of their bytes in `files`.
    static func html(_ blocks: [ReportBlock], files: ReportFiles) -> String {
        let esc = HTML.escape
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>vidgen report</title>
            <style>
            body { font-family: sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
            th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; }
            th { background: #f3f3f3; }
            pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 12px; }
            figure { display: inline-block; margin: 0.5em 1em 0.5em 0; vertical-align: top; max-width: 100%; }
            figure img { image-rendering: pixelated; max-width: 100%; }
            figcaption { font-size: 12px; color: #555; max-width: 540px; }
            </style></head><body>

            """
        for block in blocks {
            switch block {
            case let .heading(text, level): out += "<h\(level)>\(esc(text))</h\(level)>\n"
            case let .text(text): out += "<p>\(esc(text))</p>\n"
            case let .table(header, rows): out += TextTable(header: header, rows: rows).rendered(.html)
            case let .preformatted(lines): out += "<pre>\(esc(lines.joined(separator: "\n")))</pre>\n"
            case let .figure(file, caption):
                guard let bytes = files.bytes(file) else { continue }
                out += "<figure>"
                if file.hasSuffix(".svg") {
                    out += String(decoding: bytes, as: UTF8.self)
                } else {
                    let type = file.hasSuffix(".gif") ? "image/gif" : "image/png"
                    out += "<img alt=\"\(esc(caption))\" src=\"data:\(type);base64,\(Data(bytes).base64EncodedString())\">"
                }
                out += "<figcaption>\(esc(caption))</figcaption></figure>\n"
            }
        }
        return out + "</body></html>\n"
    }
}
