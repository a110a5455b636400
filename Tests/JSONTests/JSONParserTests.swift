import JSON
import Testing

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(JSONError) -> JSONValue {
        try JSONValue(parsing: Array(text.utf8))
    }

    @Test func serializedDocumentsParseBackUnchanged() throws {
        let document = JSONValue.object([
            ("name", .string("ckpt-40 \"quoted\" \\ é 日本 \u{1}")), ("step", .int(-9_223_372_036_854_775_808)),
            ("ratio", .double(0.25)), ("flags", .array([.bool(true), .bool(false), .null])), ("empty", .object([])),
        ])
        #expect(try parse(document.serialized()) == document)
    }

    @Test func acceptsWhatRFC8259Allows() throws {
        let value = try parse(" {\"a\" : [1, 2.5e3, -0, \"\\u00e9\\ud83d\\ude00\\/\"] }\n")
        #expect(value["a"]?.elements?.count == 4)
        #expect(value["a"]?.elements?[1] == .double(2500))
        #expect(value["a"]?.elements?[3].string == "é😀/")
        #expect(try parse("18446744073709551616") == .double(18446744073709551616))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"abc", "\"\\x\"", "\"\\ud800\"", "tru", "[1] 2",
        "{a:1}", "\"\u{1}\"", String(repeating: "[", count: 600),
    ])
    func refusesMalformedText(text: String) {
        #expect(throws: JSONError.self) { try parse(text) }
    }

    @Test func errorsNameTheOffset() {
        #expect(throws: JSONError(offset: 5, cause: "expected ':'")) { try parse("{\"a\" 1}") }
    }
}
