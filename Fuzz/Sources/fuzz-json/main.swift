import FuzzSupport
import JSON

// The JSON reader every manifest, partial report and metadata document goes through: any
// bytes, strictly (duplicate members, bad UTF-8, deep nesting refused), and the round trip of
// what parses through the writer: the writer's text reads back as the same document.
FuzzWorkspace.run(seeds: {
    try FuzzWorkspace.files(under: FuzzWorkspace.fixtures) { $0.hasSuffix(".json") }.map(FuzzWorkspace.read)
        + [Array(#"{"a":[1,-2.5e300,true,null,"\u00e9\ud83d\ude00\n"],"b":{}}"#.utf8)]
}) { input in
    guard let value = try? JSONValue(parsing: input) else { return }
    let text = value.serialized()
    guard let again = try? JSONValue(parsing: Array(text.utf8)) else { fatalError("the writer's JSON does not read back: \(text)") }
    precondition(again.serialized() == text, "JSON does not round-trip")
}
