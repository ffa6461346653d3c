package io.brizo.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.brizo.http.BrizoHttpApi;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** {@link Yaml} read back by a real YAML parser (SnakeYAML through Jackson) gives the same tree. */
class YamlTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static void assertRoundTrip(JsonNode tree) throws Exception {
        String yaml = Yaml.write(tree);
        assertEquals(tree, YAML.readTree(yaml), yaml);
    }

    @Test
    void stringsThatYamlWouldReadAsSomethingElseAreQuoted() throws Exception {
        String json = "{\"a\": [\"true\", \"no\", \"Off\", \"null\", \"~\", \"3.0.3\", \"0x12\", \"1e3\", \"-1\","
                + " \"\", \" lead\", \"trail \", \"a: b\", \"a #b\", \"#c\", \"*/*\", \"&x\", \"!y\", \"|z\", \">w\","
                + " \"'q'\", \"\\\"dq\\\"\", \"@at\", \"`bt\", \"%p\", \"{x}\", \"[y]\", \"- item\", \"? key\","
                + " \"line\\nbreak\", \"tab\\there\", \"\\u0007bell\", \"é ü 😀\", \"Brizo for Java\","
                + " \"/api/v1/{token}\", \"$ref\", \"bytes=0-1023\", \"y\", \"N\", \"a, b; c's `d`\", \"x,\", \"[a, b]\", \"{a: b}\"],"
                + " \"200\": 1, \"true\": false, \"x-y\": null, \"$ref\": \"#/components/x\", \"*/*\": {}}";
        assertRoundTrip(new ObjectMapper().readTree(json));
    }

    @Test
    void textOfSeveralLinesIsALiteralBlockWhereThatKeepsItExactly() throws Exception {
        String json = "{\"a\": \"one\\ntwo\\n\\n  three: # four\", \"b\": [\"x\\ny\", \"end\\n\", \" lead\\nx\","
                + " \"trail \\nx\", \"x\\ntrail \", \"\\nfirst empty\", \"tab\\tin\\nx\", \"\\n\", \"a\\u2028b\\nc\","
                + " \"a\\r\\nb\"], \"c\": {\"d\": \"- not\\n- a list\"}}";
        JsonNode tree = new ObjectMapper().readTree(json);
        assertRoundTrip(tree);
        String yaml = Yaml.write(tree);
        assertTrue(yaml.startsWith("a: |-\n  one\n  two\n\n    three: # four\n"), yaml);
        assertTrue(yaml.contains("  - |-\n    x\n    y\n"), yaml);
    }

    @Test
    void nestedListsAndMapsKeepTheirShape() throws Exception {
        String json = "{\"l\": [[1, [2, []]], {\"a\": {\"b\": [{\"c\": 1, \"d\": [true, 2.5, -3]}]}}, {}, []],"
                + " \"e\": {}, \"f\": [], \"g\": 12345678901234}";
        assertRoundTrip(new ObjectMapper().readTree(json));
        assertRoundTrip(new ObjectMapper().readTree("[1, \"two\"]"));
        assertRoundTrip(new ObjectMapper().readTree("\"just a string\""));
    }

    @Test
    void theApiDocumentIsTheSameInYaml() throws Exception {
        try (InputStream in = BrizoHttpApi.class.getResourceAsStream("openapi.json")) {
            JsonNode document = Json.MAPPER.readTree(in);
            assertRoundTrip(document);
            assertTrue(Yaml.write(document).startsWith("openapi: \"3.0.3\"\n"), "block style, readable");
        }
    }
}
