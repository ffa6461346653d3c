package io.brizo.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.http.Routes;
import io.brizo.testkit.TestConsumer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The sample as it runs, on a random port over real HTTP: the demo's dataset and compute. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
class SampleApplicationTest {
    static final TestConsumer CONSUMER = TestConsumer.random();
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    Environment environment;

    @DynamicPropertySource
    static void demoFiles(DynamicPropertyRegistry registry) {
        try {
            SampleData.write(Files.createTempDirectory("brizo-sample-test"), CONSUMER.address())
                    .forEach((k, v) -> registry.add(k, () -> v));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port"));
    }

    @Test
    void servesTheDemoDatasetByteForByte() throws Exception {
        TestConsumer.Download d = CONSUMER.consume(base(), SampleData.ACCESS_AGREEMENT, 0, null);
        assertEquals(200, d.status());
        assertEquals(SampleData.WEATHER.length(), d.bytes());
    }

    @Test
    void runsThePublishedAlgorithmNextToTheData() throws Exception {
        String a = CONSUMER.address();
        HttpResponse<String> started = send(
                "POST",
                Routes.COMPUTE + "?serviceAgreementId=" + SampleData.COMPUTE_AGREEMENT + "&consumerAddress=" + a
                        + "&algorithmDid=" + SampleData.ALGORITHM_DID + "&signature="
                        + CONSUMER.sign(a + SampleData.COMPUTE_AGREEMENT));
        assertEquals(200, started.statusCode(), started.body());
        JsonNode first = JSON.readTree(started.body());
        String jobId = (first.isArray() ? first.get(0) : first).get("jobId").asText();
        String job = "?consumerAddress=" + a + "&jobId=" + jobId + "&signature=" + CONSUMER.sign(a + jobId);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String state;
        do {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            state = JSON.readTree(send("GET", Routes.COMPUTE + job).body())
                    .get(0)
                    .get("state")
                    .asText();
        } while (!state.equals("SUCCEEDED") && !state.equals("FAILED") && System.nanoTime() < deadline);
        assertEquals("SUCCEEDED", state);
        assertTrue(send("GET", Routes.COMPUTE_LOGS + job + "&offset=0").body().contains("counting lines"));
        assertEquals(
                "4",
                send("GET", Routes.COMPUTE_RESULT + job + "&index=0").body().strip());
    }

    @Test
    void actuatorHealthIncludesBrizo() throws Exception {
        HttpResponse<String> health = send("GET", "/actuator/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals(
                "UP",
                JSON.readTree(health.body())
                        .get("components")
                        .get("brizo")
                        .get("status")
                        .asText());
    }

    private HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base() + pathAndQuery))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
