import BinaryCoding
import MappedIO
import TensorBundle

extension DeltaFormat {
    /// The most bytes one chunk or predicted run may decode to (the creator's chunks are 4 MiB):
    /// a reader allocates a run's length, so a larger one is refused as corrupt.
    public static let maximumChunkLength = 64 << 20
    /// The widest element a chunk's byte planes split (complex128).
    static let maximumElementSize = 16
}

extension Manifest {
    /// Checks what a hash cannot: a crafted manifest with valid hashes must not make a reader
    /// write outside its output directory, allocate without bound or overflow.
    ///
    /// Every file name is a plain name of its checkpoint (the index `NAME.index`, data files
    /// `NAME.data-SSSSS-of-NNNNN`) and each checkpoint's sizes add up within `Int`; every run has a positive length, a decodable element size
    /// and a chunk length within ``DeltaFormat/maximumChunkLength``; every byte a run reads
    /// lies inside a file the manifest describes; and the runs of each data file add up to its
    /// recorded size, without overflow.
    func validate() throws {
        try Self.validate(target, side: "target")
        if let base { try Self.validate(base, side: "base") }
        let baseSizes = base?.dataFiles.map(\.size) ?? []
        let targetSizes = target.dataFiles.map(\.size)
        for (digest, plan) in zip(target.dataFiles, files) {
            var total = 0
            for run in plan.runs {
                guard run.length > 0 else { throw DeltaError(.corrupt, "manifest: an empty run in \(digest.name)") }
                var reads: [TensorLocation] = []
                switch run {
                case .copy(let file, let offset, _, _):
                    reads = [TensorLocation(source: .base, file: file, offset: offset)]
                case .chunk(let length, _, let elementSize, _, let reference, _):
                    guard length <= DeltaFormat.maximumChunkLength, (1...DeltaFormat.maximumElementSize).contains(elementSize) else {
                        throw DeltaError(.corrupt, "manifest: a chunk of \(length) bytes in elements of \(elementSize) in \(digest.name)")
                    }
                    reads = reference.map { [TensorLocation(source: .base, file: $0.file, offset: $0.offset)] } ?? []
                case .predicted(let length, _, _, let prediction, _):
                    guard length <= DeltaFormat.maximumChunkLength, length % 4 == 0, prediction.level >= 1,
                        prediction.inputs.count == prediction.program.inputCount
                    else {
                        throw DeltaError(.corrupt, "manifest: a predicted run of \(length) bytes in \(digest.name)")
                    }
                    reads = prediction.inputs
                }
                for location in reads {
                    let sizes = location.source == .base ? baseSizes : targetSizes
                    guard location.file >= 0, location.file < sizes.count, location.offset >= 0,
                        run.length <= sizes[location.file], location.offset <= sizes[location.file] - run.length
                    else { throw DeltaError(.corrupt, "manifest: a run of \(digest.name) reads bytes outside the files it names") }
                }
                let (sum, overflow) = total.addingReportingOverflow(run.length)
                guard !overflow, sum <= digest.size else {
                    throw DeltaError(.corrupt, "manifest: the runs of \(digest.name) add up to more than its \(digest.size) bytes")
                }
                total = sum
            }
            guard total == digest.size else {
                throw DeltaError(.corrupt, "manifest: the runs of \(digest.name) add up to \(total) bytes, not \(digest.size)")
            }
        }
    }

    /// A checkpoint name and file names that stay inside the directory they are joined to
    /// (``FileName``'s rule), and sizes that add up.
    private static func validate(_ identity: BundleIdentity, side: String) throws {
        let name = identity.name
        if let problem = FileName.problem(with: name) {
            throw DeltaError(.corrupt, "manifest: the \(side) checkpoint name \(KeyText.escape(Array(name.utf8))) \(problem)")
        }
        guard ([identity.index] + identity.dataFiles).checkedSum(of: \.size) != nil else {
            throw DeltaError(.corrupt, "manifest: the \(side) files' sizes add up past \(Int.max)")
        }
        guard identity.index.name == name + ".index" else {
            throw DeltaError(
                .corrupt, "manifest: the \(side) index is named \(KeyText.escape(Array(identity.index.name.utf8))), not \(name).index")
        }
        var previous: Int64 = -1
        let count = identity.dataFiles.first.flatMap { BundleFiles.parseData(fileName: $0.name)?.count }
        for file in identity.dataFiles {
            guard let parsed = BundleFiles.parseData(fileName: file.name), parsed.count == count, parsed.shard > previous,
                parsed.shard < parsed.count,
                file.name == BundleFiles.data(prefix: name, shard: parsed.shard, of: parsed.count)
            else { throw DeltaError(.corrupt, "manifest: \(KeyText.escape(Array(file.name.utf8))) is not a data file of \(side) \(name)") }
            previous = parsed.shard
        }
    }
}
