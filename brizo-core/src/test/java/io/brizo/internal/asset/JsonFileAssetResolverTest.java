package io.brizo.internal.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonFileAssetResolverTest {
    static final String DID = "did:op:" + "a1".repeat(32);
    static final String DIGEST = "sha256:" + "0e".repeat(32);
    static final String FILE =
            "{\"url\": \"file:///srv/algorithms/count.py\", \"checksum\": \"sha256:" + "12".repeat(32) + "\"}";

    static Map<String, Asset> parse(String json) {
        return JsonFileAssetResolver.parse(json.getBytes(StandardCharsets.UTF_8), "assets.json");
    }

    static String algorithm(String files, String container) {
        return "{\"" + DID + "\": {\"files\": [" + files + "], \"publisher\": \"0x" + "AB".repeat(20)
                + "\", \"algorithm\": {\"language\": \"python\", \"format\": \"docker-image\", \"version\": \"0.1\","
                + " \"container\": " + container + "}}}";
    }

    static BrizoException refused(String json) {
        BrizoException e = assertThrows(BrizoException.class, () -> parse(json), json);
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertFalse(e.getMessage().contains("/srv/algorithms"), "no location: " + e.getMessage());
        return e;
    }

    @Test
    void anAlgorithmCarriesItsContainerAndPublisherAsOceanDdosGiveThem() {
        Asset a = parse(algorithm(
                        FILE,
                        "{\"entrypoint\": \"python $ALGO\", \"image\": \"python\", \"tag\": \"3.12\", \"checksum\": \""
                                + DIGEST + "\"}"))
                .get(DID);
        assertEquals(
                new AlgorithmContainer("python", "3.12", DIGEST, "python $ALGO"),
                a.algorithm().container());
        assertEquals("python", a.algorithm().language());
        assertEquals("0.1", a.algorithm().version());
        assertEquals("0x" + "ab".repeat(20), a.publisher());
    }

    @Test
    void aDataAssetHasNoAlgorithmAndMayHaveNoPublisher() {
        Asset a = parse("{\"" + DID + "\": {\"files\": [" + FILE + ", " + FILE + "]}}")
                .get(DID);
        assertTrue(a.algorithmIfAny().isEmpty());
        assertNull(a.publisher());
    }

    @Test
    void malformedAlgorithmMetadataFailsNamingTheAssetAndField() {
        String python = "{\"entrypoint\": \"python $ALGO\", \"image\": \"python\"}";
        for (Map.Entry<String, String> bad : Map.of(
                        algorithm(FILE + ", " + FILE, python),
                        "exactly one file",
                        algorithm("", python),
                        "exactly one file",
                        algorithm(FILE, "{\"image\": \"python\"}"),
                        "entrypoint",
                        algorithm(FILE, "{\"entrypoint\": \"python $ALGO\"}"),
                        "image",
                        algorithm(FILE, "{\"entrypoint\": \"x\", \"image\": \"python\", \"checksum\": \"sha256:12\"}"),
                        "checksum",
                        algorithm(FILE, "{\"entrypoint\": \"x\", \"image\": \"python\", \"cmd\": \"sh\"}"),
                        "\"cmd\"",
                        algorithm(FILE, "\"python\""),
                        "container",
                        "{\"" + DID + "\": {\"files\": [" + FILE + "], \"publisher\": \"0x12\"}}",
                        "publisher")
                .entrySet()) {
            BrizoException e = refused(bad.getKey());
            assertTrue(e.getMessage().contains(DID) && e.getMessage().contains(bad.getValue()), e.getMessage());
        }
    }

    @Test
    void aKeyGivenTwiceIsAnError() {
        for (String json : List.of(
                "{\"" + DID + "\": {\"files\": []}, \"" + DID + "\": {\"files\": [" + FILE + "]}}",
                "{\"" + DID + "\": {\"files\": [{\"url\": \"file:///a\", \"url\": \"file:///b\"}]}}")) {
            refused(json);
        }
    }
}
