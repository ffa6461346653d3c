package io.brizo.spring.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.testkit.TestConsumer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A publisher's files for the tests: a data directory with a text dataset, a binary one and a
 * published algorithm (a line count that waits for its release), the asset catalogue and
 * development grants for one consumer; and small HTTP helpers for the API's requests.
 */
final class Publisher {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DATASET = "da".repeat(32);
    static final String DATASET_DID = "did:op:" + DATASET;
    static final String BINARY_DID = "did:op:" + "b1".repeat(32);
    static final String ALGORITHM_DID = "did:op:" + "a1".repeat(32);
    /** The consumer's access agreement for the text dataset. */
    static final String ACCESS = "ac".repeat(32);
    /** The consumer's access agreement for the binary dataset. */
    static final String BINARY_ACCESS = "bb".repeat(32);
    /** The consumer's compute agreement on the text dataset. */
    static final String COMPUTE = "c0".repeat(32);

    static final String LINES = "a\nb\nc\n";
    /** Waits for the file {@code release} in its job directory, so a test sees its log while it runs. */
    static final String COUNT_LINES = "echo counting\n"
            + "while [ ! -e \"$VOLUME/release\" ]; do sleep 0.02; done\n"
            + "wc -l < \"$INPUTS/" + DATASET + "/0\" | tr -d ' ' > \"$OUTPUTS/count.txt\"\n"
            + "echo done\n";

    final Path dir;
    final Path data;
    final Path jobs;
    final byte[] binary;
    final TestConsumer consumer = TestConsumer.random();
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    Publisher(Path dir) throws IOException {
        this.dir = dir;
        // The compute backend's sandbox user must be able to traverse to the jobs' folders.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        this.data = Files.createDirectories(dir.resolve("data"));
        this.jobs = Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(data.resolve("lines.csv"), LINES);
        binary = new byte[300_000];
        new Random(7).nextBytes(binary);
        Files.write(data.resolve("weather.bin"), binary);
        Files.writeString(data.resolve("count.sh"), COUNT_LINES);
        Map<String, Object> assets = new LinkedHashMap<>();
        assets.put(DATASET_DID, Map.of("files", List.of(file("lines.csv", "text/csv"))));
        assets.put(BINARY_DID, Map.of("files", List.of(file("weather.bin", "application/octet-stream"))));
        assets.put(
                ALGORITHM_DID,
                Map.of(
                        "files",
                        List.of(file("count.sh", "text/x-sh")),
                        "algorithm",
                        Map.of("language", "sh", "container", Map.of("image", "sh", "entrypoint", "sh $ALGO"))));
        Files.writeString(dir.resolve("assets.json"), JSON.writeValueAsString(assets));
        Files.writeString(
                dir.resolve("grants.json"),
                JSON.writeValueAsString(List.of(
                        grant(ACCESS, DATASET_DID, "access"),
                        grant(BINARY_ACCESS, BINARY_DID, "access"),
                        grant(COMPUTE, DATASET_DID, "compute"))));
    }

    private Map<String, String> file(String name, String contentType) {
        return Map.of("url", data.resolve(name).toUri().toString(), "contentType", contentType);
    }

    private Map<String, String> grant(String agreement, String did, String service) {
        return Map.of("agreementId", agreement, "did", did, "consumer", consumer.address(), "service", service);
    }

    /** {@return the brizo.* properties of this publisher, as an application.yml would hold them} */
    Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("brizo.assets", dir.resolve("assets.json").toString());
        p.put("brizo.grants", dir.resolve("grants.json").toString());
        p.put("brizo.file-roots", data.toString());
        p.put("brizo.compute.dir", jobs.toString());
        p.put("brizo.compute.commands", "sh=/bin/sh");
        return p;
    }

    /** {@return the consume URI of file 0 of {@code agreement}'s asset, signed by the consumer} */
    URI consumeUri(URI base, String basePath, String agreement) {
        return URI.create(base + basePath + "/services/consume?serviceAgreementId=" + agreement + "&consumerAddress="
                + consumer.address() + "&signature=" + consumer.sign(agreement) + "&index=0");
    }

    /** {@return the default mount's consume URI of {@code agreement}'s file 0} */
    URI consumeUri(URI base, String agreement) {
        return consumeUri(base, "/api/v1/brizo", agreement);
    }

    HttpResponse<byte[]> get(URI uri, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> send(String method, URI base, String path, Map<String, String> params, String... headers)
            throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path + "?" + q))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** {@return the signed parameters of a request about the consumer's job} */
    Map<String, String> job(String jobId) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("consumerAddress", consumer.address());
        p.put("jobId", jobId);
        p.put("signature", consumer.sign(consumer.address() + jobId));
        return p;
    }

    static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
