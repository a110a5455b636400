import ArgumentParser
import Parallelism

/// `--jobs`, as every command takes it: worker threads, all cores by default, at least one.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Worker threads (default: all cores).")
    var jobs: Int = Parallelism.availableCores

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }
}
