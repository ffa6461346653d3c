package io.brizo.spring.boot;

import static io.brizo.spring.boot.Publisher.json;
import static io.brizo.spring.boot.Publisher.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.http.Routes;
import io.brizo.testkit.TestConsumer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * A Spring Boot application that adds the starter and a few {@code brizo.*} properties, over real
 * HTTP on 127.0.0.1: consume, ranges, HEAD, errors as JSON, compute with live logs, CORS,
 * Actuator's health, metrics and env, and the API's mount beside the application's own root.
 */
class BrizoStarterTest {
    static final String PROVIDER_KEY = "0x" + "4c".repeat(32);

    @TempDir
    static Path dir;

    static Publisher publisher;
    static TestApp.Running app;
    static LogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        publisher = new Publisher(dir);
        Map<String, Object> p = new HashMap<>(publisher.properties());
        p.put("brizo.provider.key", PROVIDER_KEY);
        p.put("brizo.http.cors.allowed-origins", "https://app.example");
        p.put("management.endpoints.web.exposure.include", "health,metrics,env");
        p.put("management.endpoint.health.show-details", "always");
        p.put("management.endpoint.env.show-values", "always");
        app = TestApp.start(p);
        logs = LogCapture.attach();
    }

    @AfterAll
    static void stop() {
        if (logs != null) {
            logs.close();
        }
        if (app != null) {
            app.close();
        }
        if (logs != null) {
            assertFalse(logs.text().contains(PROVIDER_KEY.substring(2)), "the provider key was logged");
        }
    }

    @Test
    void consumeReturnsTheWholeFileByteForByte() throws Exception {
        TestConsumer.Download d = publisher.consumer.consume(app.base(), Publisher.BINARY_ACCESS, 0, null);
        assertEquals(200, d.status());
        assertEquals(publisher.binary.length, d.contentLength());
        assertEquals(publisher.binary.length, d.bytes());
        assertEquals(Publisher.sha256(publisher.binary), d.sha256());
    }

    @Test
    void rangeRequestReturnsPartialContentWithTheExactBytes() throws Exception {
        HttpResponse<byte[]> r =
                publisher.get(publisher.consumeUri(app.base(), Publisher.BINARY_ACCESS), "Range", "bytes=1000-70999");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 1000-70999/" + publisher.binary.length,
                r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(publisher.binary, 1000, 71000), r.body());
        assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElseThrow());
    }

    @Test
    void headAnswersTheHeadersOfGetWithoutABody() throws Exception {
        HttpResponse<byte[]> r = publisher.http.send(
                java.net.http.HttpRequest.newBuilder(publisher.consumeUri(app.base(), Publisher.ACCESS))
                        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(
                Publisher.LINES.length(),
                r.headers().firstValueAsLong("Content-Length").orElseThrow());
        assertEquals("text/csv", r.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(r.headers().firstValue("Content-Disposition").orElseThrow().contains("lines.csv"));
        assertEquals(0, r.body().length);
    }

    @Test
    void rangePastTheEndIs416WithTheSize() throws Exception {
        HttpResponse<byte[]> r =
                publisher.get(publisher.consumeUri(app.base(), Publisher.ACCESS), "Range", "bytes=1000-2000");
        assertEquals(416, r.statusCode());
        assertEquals(
                "bytes */" + Publisher.LINES.length(),
                r.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void badInputIsAnsweredWithJsonErrorsNeverAStackTraceOrAPath() throws Exception {
        assertError(publisher.get(URI.create(app.base() + Routes.CONSUME + "?serviceAgreementId=xyz")), 400);
        String wrongSigner = publisher
                .consumeUri(app.base(), Publisher.ACCESS)
                .toString()
                .replace(publisher.consumer.address(), TestConsumer.random().address());
        assertError(publisher.get(URI.create(wrongSigner)), 401);
        assertError(publisher.get(URI.create(app.base() + "/api/v1/brizo/services/nothing")), 404);
        assertError(publisher.send("DELETE", app.base(), Routes.CONSUME, Map.of()), 405);
    }

    private static void assertError(HttpResponse<byte[]> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), text(r));
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        JsonNode body = json(r);
        assertTrue(body.hasNonNull("error") && body.hasNonNull("message"), text(r));
        assertFalse(text(r).contains("java."), text(r));
        assertFalse(text(r).contains("Exception"), text(r));
        assertFalse(text(r).contains(dir.toString()), text(r));
    }

    @Test
    void serviceDescriptionIsAtTheBasePathAndTheApplicationKeepsItsRoot() throws Exception {
        HttpResponse<byte[]> description = publisher.get(URI.create(app.base() + "/api/v1/brizo/"));
        assertEquals(200, description.statusCode(), text(description));
        assertEquals("Brizo for Java", json(description).get("software").asText());
        String provider = "0x" + Keys.getAddress(ECKeyPair.create(new BigInteger(PROVIDER_KEY.substring(2), 16)));
        assertTrue(
                provider.equalsIgnoreCase(
                        json(description).get("providerAddress").asText()),
                text(description));
        assertEquals(
                200, publisher.get(URI.create(app.base() + "/api/v1/brizo")).statusCode());
        HttpResponse<byte[]> root = publisher.get(URI.create(app.base() + "/"));
        assertEquals("the application's own root", text(root));
    }

    @Test
    void theApiDocumentAndItsPageAreServedUnderTheBasePath() throws Exception {
        HttpResponse<byte[]> spec = publisher.get(URI.create(app.base() + "/api/v1/brizo/spec"));
        assertEquals(200, spec.statusCode(), new String(spec.body(), StandardCharsets.UTF_8));
        JsonNode document = new ObjectMapper().readTree(spec.body());
        assertTrue(document.has("openapi"), document.toString());
        assertEquals(
                app.base() + "/api/v1/brizo",
                document.get("servers").get(0).get("url").asText(),
                "the document's server is the mount point");

        URI pageUri = URI.create(app.base() + "/api/v1/brizo/api/v1/docs");
        HttpResponse<byte[]> page = publisher.get(pageUri);
        assertEquals(200, page.statusCode());
        String html = new String(page.body(), StandardCharsets.UTF_8);
        // The page names its files and the document relative to itself: they must resolve under the mount.
        assertTrue(html.contains("data-spec=\"../../spec\""), html);
        assertEquals(pageUri.resolve("../../spec"), URI.create(app.base() + "/api/v1/brizo/spec"));
        assertEquals(
                200, publisher.get(pageUri.resolve("docs/swagger-ui-bundle.js")).statusCode());
        assertEquals(200, publisher.get(pageUri.resolve("docs/brizo-docs.js")).statusCode());
    }

    @Test
    void computeJobRunsEndToEndAndItsLogIsReadableWhileItRuns() throws Exception {
        Map<String, String> start = new HashMap<>();
        start.put("serviceAgreementId", Publisher.COMPUTE);
        start.put("consumerAddress", publisher.consumer.address());
        start.put("signature", publisher.consumer.sign(publisher.consumer.address() + Publisher.COMPUTE));
        start.put("algorithmDid", Publisher.ALGORITHM_DID);
        HttpResponse<byte[]> started = publisher.send("POST", app.base(), Routes.COMPUTE, start);
        assertEquals(200, started.statusCode(), text(started));
        JsonNode first = json(started);
        String jobId = (first.isArray() ? first.get(0) : first).get("jobId").asText();

        // The algorithm prints, then waits for its release: its log must be readable meanwhile.
        HttpResponse<byte[]> live = awaitLog(jobId, "counting");
        assertEquals("false", live.headers().firstValue("X-Log-Complete").orElseThrow());
        Files.createFile(publisher.jobs.toRealPath().resolve(jobId).resolve("release"));

        JsonNode done = awaitState(jobId, "SUCCEEDED");
        assertEquals(0, done.get("exitCode").asInt(), done.toString());
        assertTrue(text(awaitLog(jobId, "done")).contains("counting"));
        Map<String, String> result = publisher.job(jobId);
        result.put("index", "0");
        HttpResponse<byte[]> output = publisher.send("GET", app.base(), Routes.COMPUTE_RESULT, result);
        assertEquals(200, output.statusCode(), text(output));
        assertEquals("3", text(output).strip());
    }

    private HttpResponse<byte[]> awaitLog(String jobId, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Map<String, String> p = publisher.job(jobId);
            p.put("offset", "0");
            HttpResponse<byte[]> r = publisher.send("GET", app.base(), Routes.COMPUTE_LOGS, p);
            assertEquals(200, r.statusCode(), text(r));
            if (text(r).contains(expected)) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                return fail("the job's log never showed '" + expected + "': " + text(r));
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    private JsonNode awaitState(String jobId, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<byte[]> r = publisher.send("GET", app.base(), Routes.COMPUTE, publisher.job(jobId));
            assertEquals(200, r.statusCode(), text(r));
            JsonNode status = json(r).get(0);
            if (state.equals(status.get("state").asText())) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                return fail("the job never reached " + state + ": " + status);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    @Test
    void everyDownloadIsCountedInTheApplicationsMeterRegistry() throws Exception {
        double requestsBefore = metric("brizo.http.requests", "route:" + Routes.CONSUME, "status:200");
        double bytesBefore = metric("brizo.consume.bytes");
        TestConsumer.Download d = publisher.consumer.consume(app.base(), Publisher.ACCESS, 0, null);
        assertEquals(200, d.status());
        assertEquals(requestsBefore + 1, metric("brizo.http.requests", "route:" + Routes.CONSUME, "status:200"));
        assertEquals(bytesBefore + Publisher.LINES.length(), metric("brizo.consume.bytes"));
    }

    /** {@return the meter's first measurement as Actuator's metrics endpoint shows it, 0 if none yet} */
    private double metric(String name, String... tags) throws Exception {
        StringBuilder uri = new StringBuilder(app.base() + "/actuator/metrics/" + name);
        for (int i = 0; i < tags.length; i++) {
            uri.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        HttpResponse<byte[]> r = publisher.get(URI.create(uri.toString()));
        if (r.statusCode() == 404) {
            return 0;
        }
        assertEquals(200, r.statusCode(), text(r));
        return json(r).get("measurements").get(0).get("value").asDouble();
    }

    @Test
    void corsPreflightFromTheAllowedOriginIsAnsweredAndOthersAreRefusedAsJson() throws Exception {
        HttpResponse<byte[]> preflight = publisher.send(
                "OPTIONS",
                app.base(),
                Routes.CONSUME,
                Map.of(),
                "Origin",
                "https://app.example",
                "Access-Control-Request-Method",
                "GET",
                "Access-Control-Request-Headers",
                "Range");
        assertEquals(200, preflight.statusCode(), text(preflight));
        assertEquals(
                "https://app.example",
                preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(preflight
                .headers()
                .firstValue("Access-Control-Allow-Methods")
                .orElseThrow()
                .contains("GET"));

        HttpResponse<byte[]> download =
                publisher.get(publisher.consumeUri(app.base(), Publisher.ACCESS), "Origin", "https://app.example");
        assertEquals(200, download.statusCode());
        assertEquals(
                "https://app.example",
                download.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(download.headers()
                .firstValue("Access-Control-Expose-Headers")
                .orElseThrow()
                .contains("Content-Range"));

        HttpResponse<byte[]> other = publisher.send(
                "OPTIONS",
                app.base(),
                Routes.CONSUME,
                Map.of(),
                "Origin",
                "https://elsewhere.example",
                "Access-Control-Request-Method",
                "GET");
        assertEquals(403, other.statusCode());
        assertEquals("FORBIDDEN", json(other).get("error").asText());
    }

    @Test
    void healthShowsTheDriversTheVerifierAndTheComputeBackendUp() throws Exception {
        HttpResponse<byte[]> r = publisher.get(URI.create(app.base() + "/actuator/health"));
        assertEquals(200, r.statusCode(), text(r));
        JsonNode brizo = json(r).get("components").get("brizo");
        assertEquals("UP", brizo.get("status").asText(), brizo.toString());
        assertTrue(brizo.get("details").get("storageDrivers").toString().contains("file"), brizo.toString());
        assertEquals(
                "development", brizo.get("details").get("verifier").get("name").asText());
        assertEquals("UP", brizo.get("details").get("compute").get("status").asText());
    }

    @Test
    void actuatorEnvShowsSettingsButMasksSecretOnes() throws Exception {
        HttpResponse<byte[]> key = publisher.get(URI.create(app.base() + "/actuator/env/brizo.provider.key"));
        assertEquals(200, key.statusCode(), text(key));
        assertFalse(text(key).contains(PROVIDER_KEY.substring(2)), text(key));
        assertTrue(text(key).contains("******"), text(key));
        HttpResponse<byte[]> all = publisher.get(URI.create(app.base() + "/actuator/env"));
        assertFalse(text(all).contains(PROVIDER_KEY.substring(2)), "the env endpoint shows the provider key");
        HttpResponse<byte[]> roots = publisher.get(URI.create(app.base() + "/actuator/env/brizo.file-roots"));
        assertTrue(text(roots).contains(publisher.data.toString()), text(roots));
    }
}
