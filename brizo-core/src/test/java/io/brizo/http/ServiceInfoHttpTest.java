package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.Settings;
import io.brizo.spi.Verdict;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code GET /}: the fields of the Python Brizo beside this library's own. */
class ServiceInfoHttpTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    final HttpClient http = HttpClient.newHttpClient();

    JsonNode info(ServiceAgreementVerifier verifier) throws Exception {
        try (Brizo brizo = Brizo.builder()
                        .settings(Settings.builder()
                                .put("PROVIDER_ADDRESS", PROVIDER)
                                .build())
                        .verifier(verifier)
                        .assetResolver(did -> Optional.empty())
                        .build();
                BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 2)) {
            URI root = URI.create(server.uri() + "/");
            // The document's conformance is checked with the keeper verifier, in brizo-verifier-keeper.
            HttpResponse<String> r =
                    http.send(HttpRequest.newBuilder(root).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return JSON.readTree(r.body());
        }
    }

    @Test
    void rootAnnouncesTheOriginalsFieldsThatTheVerifierKnows() throws Exception {
        ServiceAgreementVerifier keeperLike = new ServiceAgreementVerifier() {
            @Override
            public Verdict verify(io.brizo.spi.AgreementClaim claim) {
                return Verdict.denied("no");
            }

            @Override
            public Map<String, Object> serviceInfo() {
                return Map.of(
                        "network", "development",
                        "keeper-url", "http://127.0.0.1:8545",
                        "contracts", Map.of("DIDRegistry", "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"),
                        "keeper-version", "v0.13.2",
                        // A verifier cannot replace core's fields.
                        "software", "Impostor");
            }
        };
        JsonNode body = info(keeperLike);
        assertEquals("Brizo for Java", body.get("software").asText());
        assertFalse(body.get("version").asText().isEmpty());
        assertEquals(PROVIDER, body.get("provider-address").asText());
        assertEquals(PROVIDER, body.get("providerAddress").asText());
        assertEquals("development", body.get("network").asText());
        assertEquals("http://127.0.0.1:8545", body.get("keeper-url").asText());
        assertEquals(
                "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
                body.get("contracts").get("DIDRegistry").asText());
        assertEquals("v0.13.2", body.get("keeper-version").asText());
    }

    @Test
    void rootWithoutAKeeperHasNoKeeperFields() throws Exception {
        JsonNode body = info(claim -> Verdict.denied("no"));
        assertEquals(PROVIDER, body.get("provider-address").asText());
        assertFalse(body.has("network"));
        assertFalse(body.has("contracts"));
        assertFalse(body.has("keeper-url"));
    }
}
