/// The three tools as one executable, the way the release archive ships them: `bin/ckpt-tools`,
/// with `ckptverify`, `ckptdiff` and `ckptdelta` as links to it. Run through a link named after
/// a tool, it is that tool; otherwise its first argument names the tool
/// (`ckpt-tools ckptverify DIR`, as the Python package runs it).
public enum MultiCall {
    /// Each tool's name and how it runs, given the index of its first argument.
    private static let tools: [(name: String, run: @Sendable (_ firstArgument: Int) -> Never)] = [
        ("ckptverify", { VerifyCommand.runAsTool(name: "ckptverify", firstArgument: $0) }),
        ("ckptdiff", { DiffCommand.runAsTool(name: "ckptdiff", firstArgument: $0) }),
        ("ckptdelta", { DeltaCommand.runAsTool(name: "ckptdelta", firstArgument: $0) }),
    ]

    /// Runs the tool the executable's name or first argument names, and exits as that tool
    /// does; `--version` and `--help` answer for all three, and anything else is trouble (2).
    public static func main() -> Never {
        let invokedAs = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? ""
        if let tool = tools.first(where: { $0.name == invokedAs }) { tool.run(1) }
        let first = CommandLine.arguments.dropFirst().first ?? ""
        if let tool = tools.first(where: { $0.name == first }) { tool.run(2) }
        let usage = "usage: ckpt-tools {\(tools.map(\.name).joined(separator: ","))} ARGUMENT…"
        switch first {
        case "--version":
            Terminal.document("ckpt-tools \(ToolVersion.current)\n")
            ToolStatus.clean.exit()
        case "-h", "--help":
            Terminal.document("\(usage)\n(or run it through a link named after the tool; each tool's --help says more)\n")
            ToolStatus.clean.exit()
        default:
            let what = first.isEmpty ? "name the tool to run" : "\(first) is not one of the tools"
            ToolStatus.trouble.exit(saying: "ckpt-tools: \(what); \(usage)")
        }
    }
}
