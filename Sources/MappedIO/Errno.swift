import Glibc

/// An operating-system error number kept as a value, as swift-system's `Errno` keeps it:
/// callers compare it, reports print its text.
public struct Errno: Error, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The calling thread's `errno`.
    public static var current: Errno { Errno(rawValue: Glibc.errno) }

    public static let interrupted = Errno(rawValue: EINTR)
    public static let invalidArgument = Errno(rawValue: EINVAL)
    public static let noSuchFile = Errno(rawValue: ENOENT)
    public static let fileExists = Errno(rawValue: EEXIST)
    public static let noSpace = Errno(rawValue: ENOSPC)

    /// `strerror`'s text: "No such file or directory".
    public var description: String { String(cString: strerror(rawValue)) }
}

/// Calls `body` (a system call returning −1 on failure with `errno` set) until it is not
/// interrupted, and returns its result or throws its ``Errno``.
@inlinable
public func valueOrErrno<Value: FixedWidthInteger>(retryingInterrupts body: () -> Value) throws(Errno) -> Value {
    while true {
        let value = body()
        if value != -1 { return value }
        let error = Errno.current
        if error != .interrupted { throw error }
    }
}

/// `body`'s result, retried while interrupted; a failure as the ``FileError`` of `operation`
/// on `path`.
func systemCall<Value: FixedWidthInteger>(_ path: String, _ operation: String? = nil, _ body: () -> Value) throws(FileError) -> Value {
    do {
        return try valueOrErrno(retryingInterrupts: body)
    } catch {
        throw FileError(error, path: path, operation: operation)
    }
}

/// Like ``systemCall(_:_:_:)``, with `ignored` taken as success (nil): `EEXIST` for a
/// directory that is already there, `ENOENT` for a file already gone.
func systemCall<Value: FixedWidthInteger>(
    _ path: String, _ operation: String? = nil, ignoring ignored: Errno, _ body: () -> Value
) throws(FileError) -> Value? {
    do {
        return try valueOrErrno(retryingInterrupts: body)
    } catch  where error == ignored {
        return nil
    } catch {
        throw FileError(error, path: path, operation: operation)
    }
}
