extension Sequence {
    /// The sum of `value` over the elements, or nil when it does not fit `T`. Numbers read from
    /// a file or a store can add up past any bound: they are summed this way, and a total that
    /// does not fit is refused, or with ``saturatingSum(of:)`` where the total is only shown.
    @inlinable
    public func checkedSum<T: FixedWidthInteger>(of value: (Element) throws -> T) rethrows -> T? {
        var total: T = 0
        for element in self {
            let (sum, overflow) = total.addingReportingOverflow(try value(element))
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// The sum of `value` over the elements, held at `T.max` (or `T.min`) when it does not fit:
    /// for figures that are shown or compared, never used to size, index or allocate anything.
    @inlinable
    public func saturatingSum<T: FixedWidthInteger>(of value: (Element) throws -> T) rethrows -> T {
        try reduce(0) { $0.saturatingAdding(try value($1)) }
    }
}

extension FixedWidthInteger {
    /// `self + other`, held at `Self.max` (or `Self.min`) when it does not fit.
    @inlinable
    public func saturatingAdding(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
