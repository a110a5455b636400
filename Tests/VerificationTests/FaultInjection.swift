import FixtureSupport
import Foundation
import TensorBundle
import Verification

/// Copies of fixtures to damage, and what the verifier then says.
struct FaultInjection {
    let directory = TemporaryDirectory()

    /// Copies fixture group `group` and returns the copy's folder.
    func copy(_ group: String) -> String {
        directory.copy(fixture: group)
    }

    /// The error findings for `prefix` as (code, tensor) pairs, in report order.
    static func errors(_ prefix: String) -> [Pair] {
        Verifier().verify(prefix: prefix).findings.filter { $0.severity == .error }.map { Pair($0.code.rawValue, $0.tensor) }
    }

    /// The warning findings for `prefix`.
    static func warnings(_ prefix: String) -> [Pair] {
        Verifier().verify(prefix: prefix).findings.filter { $0.severity == .warning }.map { Pair($0.code.rawValue, $0.tensor) }
    }

    /// Flips `mask` into byte `offset` of `path`.
    static func flip(_ path: String, at offset: Int, mask: UInt8 = 0x01) {
        var bytes = TestFiles.read(path)
        bytes[offset] ^= mask
        TestFiles.write(bytes, to: path)
    }

    /// Cuts `path` to `length` bytes.
    static func truncate(_ path: String, to length: Int) {
        TestFiles.write(Array(TestFiles.read(path).prefix(length)), to: path)
    }
}

/// A finding's code and tensor, comparable in expectations.
struct Pair: Hashable, CustomStringConvertible {
    let code: String
    let tensor: String?

    init(_ code: String, _ tensor: String? = nil) {
        self.code = code
        self.tensor = tensor
    }

    var description: String { tensor.map { "\(code)@\($0)" } ?? code }
}
