import Glibc

/// Which rows of a 2-D tensor changed: an embedding updated sparsely changes few of them.
/// Kept as a count and a strip of bands, so its size does not grow with the tensor's.
public struct RowChanges: Sendable, Hashable {
    /// Bands a strip has at most.
    public static let maximumBands = 200

    /// Rows the tensor has.
    public let rows: Int
    /// Rows whose elements differ.
    public let changed: Int
    /// Changed rows in each band of ``rowsPerBand`` consecutive rows, first row first.
    public let strip: [Int]
    /// Rows in each band (the last may hold fewer).
    public let rowsPerBand: Int

    /// The tally of a tensor of `rows` rows from the tallies of its chunks.
    init(rows: Int, tallies: [RowTally]) {
        let layout = RowTally.Bands(rows: rows)
        var strip = [Int](repeating: 0, count: layout.count)
        var whole = 0
        var cut = Set<Int>()
        for tally in tallies {
            whole += tally.whole
            for (offset, count) in tally.bands.enumerated() { strip[tally.firstBand + offset] += count }
            cut.formUnion(tally.cut)
        }
        for row in cut { strip[layout.band(of: row)] += 1 }
        self.rows = rows
        self.changed = whole + cut.count
        self.strip = strip
        self.rowsPerBand = layout.rowsPerBand
    }
}

/// The changed rows one chunk of a 2-D tensor holds: rows it holds whole are counted (in all
/// and per band); rows it holds only part of are listed (at most two), since the chunk next
/// to it may find the same row changed.
struct RowTally: Sendable {
    /// How a tensor's rows fall into a strip's bands.
    struct Bands {
        let rowsPerBand: Int
        let count: Int

        init(rows: Int) {
            rowsPerBand = max(1, rows / RowChanges.maximumBands + (rows % RowChanges.maximumBands == 0 ? 0 : 1))
            count = rows / rowsPerBand + (rows % rowsPerBand == 0 ? 0 : 1)
        }

        func band(of row: Int) -> Int { row / rowsPerBand }
    }

    var whole = 0
    var firstBand = 0
    var bands: [Int] = []
    var cut: [Int] = []

    /// Compares rows of `rowBytes` bytes in `left` and `right`, two runs starting at byte
    /// `offset` of a tensor of `rows` rows.
    init(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer, at offset: Int, rowBytes: Int, rows: Int) {
        guard rowBytes > 0, !left.isEmpty, left.count == right.count else { return }
        let layout = Bands(rows: rows)
        firstBand = layout.band(of: offset / rowBytes)
        var start = 0
        while start < left.count {
            let row = (offset + start) / rowBytes
            let rowStart = row * rowBytes - offset
            let end = min(left.count, rowStart + rowBytes)
            if memcmp(left.baseAddress! + start, right.baseAddress! + start, end - start) != 0 {
                if rowStart < 0 || rowStart + rowBytes > left.count {
                    cut.append(row)
                } else {
                    whole += 1
                    let band = layout.band(of: row) - firstBand
                    if bands.count <= band { bands += [Int](repeating: 0, count: band + 1 - bands.count) }
                    bands[band] += 1
                }
            }
            start = end
        }
    }
}
