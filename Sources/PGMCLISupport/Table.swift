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
