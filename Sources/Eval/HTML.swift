// Text set into the report's HTML and SVG: the one escape both use.

/// Text for HTML and SVG documents.
enum HTML {
    /// `s` with `&`, `<` and `>` written as entities, so that it reads as text between tags.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
