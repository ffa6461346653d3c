package io.brizo.spring.boot;

import static io.brizo.spring.boot.Publisher.json;
import static io.brizo.spring.boot.Publisher.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.verifier.keeper.LocalChain;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-chain verifier in a Spring Boot application, against a real local chain (anvil with the
 * keeper test contracts): health UP and downloads granted while the node answers; once the node is
 * stopped, Actuator's health shows the verifier DOWN and the API answers 503, never a grant.
 */
class KeeperHealthTest {
    @TempDir
    Path dir;

    @Test
    void healthShowsTheVerifierDownAndConsumeIs503OnceTheChainNodeStops() throws Exception {
        Publisher publisher = new Publisher(dir);
        String agreement = "e1".repeat(32);
        LocalChain chain = LocalChain.start();
        TestApp.Running app = null;
        try {
            chain.createAgreement(agreement, Publisher.DATASET, List.of(publisher.consumer.address()));
            chain.grantAccess(publisher.consumer.address(), Publisher.DATASET);
            Map<String, Object> p = new HashMap<>(publisher.properties());
            p.remove("brizo.grants");
            p.put("brizo.keeper.url", chain.rpcUrl());
            p.put("brizo.keeper.chain-id", Long.toString(chain.chainId()));
            p.put("brizo.keeper.agreement-store-manager", chain.agreementStoreManager());
            p.put("brizo.keeper.access-secret-store-condition", chain.accessSecretStoreCondition());
            p.put("brizo.keeper.did-registry", chain.didRegistry());
            // Every request asks the chain: a cached grant would hide the outage.
            p.put("brizo.keeper.cache-ttl", "0");
            p.put("management.endpoint.health.show-details", "always");
            app = TestApp.start(p);
            URI consume = publisher.consumeUri(app.base(), agreement);

            HttpResponse<byte[]> granted = publisher.get(consume);
            assertEquals(200, granted.statusCode(), text(granted));
            assertEquals(Publisher.LINES, text(granted));
            JsonNode up = brizoHealth(publisher, app, 200);
            assertEquals("keeper", up.get("details").get("verifier").get("name").asText());
            assertEquals("UP", up.get("details").get("verifier").get("status").asText());

            chain.close();

            JsonNode down = brizoHealth(publisher, app, 503);
            assertEquals("DOWN", down.get("status").asText(), down.toString());
            JsonNode verifier = down.get("details").get("verifier");
            assertEquals("DOWN", verifier.get("status").asText(), down.toString());
            assertEquals("UNAVAILABLE", verifier.get("error").asText(), down.toString());
            assertTrue(!verifier.toString().contains(chain.rpcUrl()), "the node's URL is shown: " + verifier);
            HttpResponse<byte[]> refused = publisher.get(consume);
            assertEquals(503, refused.statusCode(), text(refused));
            assertEquals("UNAVAILABLE", json(refused).get("error").asText());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        } finally {
            if (app != null) {
                app.close();
            }
            chain.close();
        }
    }

    private static JsonNode brizoHealth(Publisher publisher, TestApp.Running app, int status) throws Exception {
        HttpResponse<byte[]> r = publisher.get(URI.create(app.base() + "/actuator/health"));
        assertEquals(status, r.statusCode(), text(r));
        return json(r).get("components").get("brizo");
    }
}
