package io.brizo.internal.compute.receipt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

/** RFC 8785 canonical JSON, on the examples of the RFC that apply to integers-only documents. */
class CanonicalJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String canonical(String json) throws Exception {
        return CanonicalJson.text(JSON.readTree(json));
    }

    @Test
    void objectMembersAreSortedByUtf16CodeUnitsAsInSection3_2_3() throws Exception {
        // RFC 8785 section 3.2.3: the emoji (a surrogate pair, 0xd83d...) sorts before U+FB33.
        String input = "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter Dalet"
                + " With Dagesh\", \"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\":"
                + " \"Control\", \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}";
        String expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small"
                + " Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\","
                + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        assertEquals(expected, canonical(input));
    }

    @Test
    void stringsAreEscapedAsInSection3_2_2_2() throws Exception {
        // RFC 8785 section 3.2.2.2 / appendix: only ", \ and control characters are escaped.
        String input = "{\"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\"}";
        assertEquals("{\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}", canonical(input));
    }

    @Test
    void literalsAndNestedStructuresHaveNoWhiteSpace() throws Exception {
        assertEquals(
                "{\"a\":[null,true,false,{\"b\":[],\"c\":{}}],\"literals\":[null,true,false]}",
                canonical(
                        "{ \"literals\" : [null, true, false], \"a\": [ null, true, false, {\"c\": {}, \"b\": [ ]}]}"));
    }

    @Test
    void controlCharactersHaveShortFormsOrLowercaseHex() throws Exception {
        assertEquals(
                "\"\\b\\t\\n\\f\\r\\u0000\\u001f\\u000b\u007f\"",
                CanonicalJson.text(JsonNodeFactory.instance.textNode("\b\t\n\f\r\u0000\u001f\u000b\u007f")));
    }

    @Test
    void integersArePrintedPlainlyUpToTheSafeRange() throws Exception {
        assertEquals(
                "[0,-1,9007199254740991,-9007199254740991]", canonical("[0, -1, 9007199254740991, -9007199254740991]"));
    }

    @Test
    void numbersThatAreNotSafeIntegersAreRefused() throws Exception {
        for (String json : new String[] {"1.5", "1.0", "1e3", "9007199254740992", "123456789012345678901234567890"}) {
            JsonNode node = JSON.readTree("[" + json + "]");
            assertThrows(IllegalArgumentException.class, () -> CanonicalJson.bytes(node), json);
        }
    }

    @Test
    void loneSurrogatesAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> CanonicalJson.bytes(JsonNodeFactory.instance.textNode("a\ud800b")));
        assertThrows(
                IllegalArgumentException.class, () -> CanonicalJson.bytes(JsonNodeFactory.instance.textNode("\udc00")));
    }

    @Test
    void theBytesAreUtf8() throws Exception {
        assertEquals("{\"\u20ac\":1}", new String(CanonicalJson.bytes(JSON.readTree("{\"\\u20ac\": 1}")), "UTF-8"));
        assertEquals(5, CanonicalJson.bytes(JSON.readTree("\"\u20ac\"")).length);
    }
}
