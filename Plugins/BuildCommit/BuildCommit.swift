import Foundation
import PackagePlugin

/// Before every build, writes `BuildCommit.swift` into the target: `BuildCommit.id`, the commit
/// of the git checkout this package is built in (abbreviated to 12 digits, `-dirty` when files
/// differ from it), or nil when the package is not the top of a git checkout (a source archive,
/// no git). The file is rewritten only when its contents change, so a build recompiles the
/// target only when the commit or the dirty state does.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(component: "Generated")
        return [
            .prebuildCommand(
                displayName: "Recording the git commit of \(target.name)",
                executable: URL(filePath: "/bin/sh"),
                arguments: [
                    "-c", Self.script, "build-commit", context.package.directoryURL.path(percentEncoded: false),
                    output.path(percentEncoded: false),
                ],
                outputFilesDirectory: output)
        ]
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
        mkdir -p "$output"
        printf '// Written by Plugins/BuildCommit before each build.\nenum BuildCommit {\n    static let id: String? = %s\n}\n' "$id" >"$output/BuildCommit.swift.new"
        if cmp -s "$output/BuildCommit.swift.new" "$output/BuildCommit.swift"; then
            rm "$output/BuildCommit.swift.new"
        else
            mv "$output/BuildCommit.swift.new" "$output/BuildCommit.swift"
        fi
        """#
}
