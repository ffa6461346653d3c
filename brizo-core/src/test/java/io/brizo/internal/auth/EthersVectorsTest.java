package io.brizo.internal.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signatures made by ethers.js v6 (see {@code vectors/make-vectors.mjs}), so that recovery is
 * checked against an independent implementation rather than only against itself.
 */
class EthersVectorsTest {
    private static final List<JsonNode> VECTORS = new ArrayList<>();

    @BeforeAll
    static void loadVectors() throws IOException {
        try (InputStream in = EthersVectorsTest.class.getResourceAsStream("/vectors/eip191-ethers.json")) {
            assertNotNull(in, "vectors/eip191-ethers.json is missing from the test resources");
            new ObjectMapper().readTree(in).get("vectors").forEach(VECTORS::add);
        }
        // 2 keys x (5 Brizo-form + 3 nonce-form texts); fewer would silently weaken the tests
        assertEquals(16, VECTORS.size());
    }

    @Test
    void ethersBrizoFormSignaturesRecoverToTheirSigner() {
        int checked = 0;
        for (JsonNode v : VECTORS) {
            if (v.get("form").asText().equals("brizo")) {
                String expected = lower(v.get("address").asText());
                assertEquals(expected, lower(v.get("recoveredByEthers").asText()));
                assertEquals(
                        expected,
                        Eip191.recoverBrizoForm(
                                v.get("text").asText(), v.get("signature").asText()),
                        v.get("text").asText());
                checked++;
            }
        }
        assertEquals(10, checked);
    }

    @Test
    void ethersNonceFormSignaturesRecoverToTheirSigner() {
        int checked = 0;
        for (JsonNode v : VECTORS) {
            if (v.get("form").asText().equals("nonce")) {
                String expected = lower(v.get("address").asText());
                long nonce = Long.parseLong(v.get("nonce").asText());
                assertEquals(
                        expected,
                        Eip191.recoverNonceForm(
                                v.get("text").asText(),
                                nonce,
                                v.get("signature").asText()));
                checked++;
            }
        }
        assertEquals(6, checked);
    }

    @Test
    void web3jSignsExactlyAsEthers() {
        // both libraries use RFC 6979 deterministic nonces and low-s, so the bytes must match
        for (JsonNode v : VECTORS) {
            var key = Eip191.keyPairOf(v.get("privateKey").asText());
            String text = v.get("text").asText();
            String mine = v.get("form").asText().equals("brizo")
                    ? Eip191.signBrizoForm(text, key)
                    : Eip191.signNonceForm(text, Long.parseLong(v.get("nonce").asText()), key);
            assertEquals(v.get("signature").asText(), mine, text);
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
