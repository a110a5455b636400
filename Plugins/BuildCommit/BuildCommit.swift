import Foundation
import PackagePlugin

/// Writes `BuildCommit.swift` into the target: `BuildCommit.id`, the commit of the git checkout
/// this package is built in (abbreviated to 12 digits, `-dirty` when files differ from it), or nil
/// when the package is not the top of a git checkout (a source archive, no git).
///
/// It is a build command, not a prebuild command, because SwiftPM runs prebuild commands only when
/// it plans a build, and it reuses a plan until the package's sources or manifest change: a commit
/// that touched no source left the old commit in `--version`. As a build command it reruns whenever
/// one of its inputs changes: git's `HEAD`, the branch ref it names, `packed-refs`, the index (every
/// commit, `git add` and checkout rewrites one of them), the manifest, or any source file of the
/// package (so an edit makes the build `-dirty` at once). An edit to another file (a script, the
/// README) shows as `-dirty` from the next change to git's index. The file is rewritten only when
/// its contents change, so the target recompiles only when the commit or the dirty state does.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(components: "Generated", "BuildCommit.swift")
        let sources = context.package.targets.compactMap { $0 as? SourceModuleTarget }.flatMap { module in
            module.sourceFiles.map(\.url)
        }
        return [
            .buildCommand(
                displayName: "Recording the git commit of \(target.name)",
                executable: URL(filePath: "/bin/sh"),
                arguments: [
                    "-c", Self.script, "build-commit", package.path(percentEncoded: false),
                    output.path(percentEncoded: false),
                ],
                inputFiles: Self.gitState(of: package) + [package.appending(component: "Package.swift")] + sources,
                outputFiles: [output])
        ]
    }

    /// The files whose change means a different commit or index: `HEAD`, the ref it names,
    /// `packed-refs` and `index` of the checkout's git directory (`.git`, or the one a `.git` file
    /// points to in a worktree), those that exist.
    private static func gitState(of package: URL) -> [URL] {
        let dotGit = package.appending(component: ".git")
        var gitDirectory = dotGit
        if let link = try? String(contentsOf: dotGit, encoding: .utf8), link.hasPrefix("gitdir: ") {
            let path = link.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDirectory = URL(filePath: path, relativeTo: package).standardizedFileURL
        }
        let head = gitDirectory.appending(component: "HEAD")
        var files = [head, gitDirectory.appending(component: "index"), gitDirectory.appending(component: "packed-refs")]
        if let text = try? String(contentsOf: head, encoding: .utf8), text.hasPrefix("ref: ") {
            let ref = text.dropFirst("ref: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
            files.append(gitDirectory.appending(path: ref))
        }
        return files.filter { FileManager.default.fileExists(atPath: $0.path(percentEncoded: false)) }
    }

    /// `sh -c SCRIPT build-commit PACKAGE OUTPUT`. `--no-optional-locks` keeps git from taking the
    /// index lock while refreshing it for `--dirty`; `safe.directory` lets a build as another
    /// user than the checkout's owner read it.
    private static let script = #"""
        set -eu
        package=$1 output=$2
        id=nil
        if command -v git >/dev/null 2>&1; then
            top=$(git -c safe.directory='*' -C "$package" rev-parse --show-toplevel 2>/dev/null || true)
            if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$package" && pwd -P)" ]; then
                commit=$(git --no-optional-locks -c safe.directory='*' -C "$package" \
                    describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null || true)
                [ -z "$commit" ] || id="\"$commit\""
            fi
        fi
        mkdir -p "$(dirname "$output")"
        printf '// Written by Plugins/BuildCommit.\nenum BuildCommit {\n    static let id: String? = %s\n}\n' "$id" >"$output.new"
        if cmp -s "$output.new" "$output"; then
            rm "$output.new"
        else
            mv "$output.new" "$output"
        fi
        """#
}
