/// Columns of the tools' plain-text tables: cells are padded with spaces,
/// never cut, so a long value pushes the rest of its row right.
extension String {
    /// Left-aligned in `width` columns.
    public func leftAligned(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    /// Right-aligned in `width` columns.
    public func rightAligned(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// A table's lines, the header's first: each column as wide as its widest
/// cell (cells are never cut), columns joined by `separator`, the last
/// column not padded.  Every row has the header's count of cells.
public func tableLines(_ header: [String], _ rows: [[String]], separator: String = " ") -> [String] {
    let widths = header.indices.map { c in rows.reduce(header[c].count) { max($0, $1[c].count) } }
    return ([header] + rows).map { cells in
        cells.indices.map { $0 == cells.count - 1 ? cells[$0] : cells[$0].leftAligned(widths[$0]) }
            .joined(separator: separator)
    }
}
