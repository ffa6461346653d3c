package io.brizo.metrics;

import io.brizo.Brizo;
import io.brizo.TestKeys;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.Settings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link NoMicrometerClassPathTest} in a JVM without Micrometer: checks that Micrometer is
 * absent, then builds a facade, serves it over HTTP and consumes a file, a refusal and an unknown
 * route. Prints {@code served} and exits 0 when all went as expected.
 */
public final class NoMicrometerProgram {
    private NoMicrometerProgram() {}

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry");
            throw new AssertionError("Micrometer is on the class path");
        } catch (ClassNotFoundException expected) {
            // As intended: this JVM has no Micrometer.
        }
        Path dir = Path.of(args[0]);
        TestKeys consumer = TestKeys.random();
        String did = "did:op:" + "ab".repeat(32);
        String agreement = "12".repeat(32);
        Path data = Files.writeString(dir.resolve("data.txt"), "hello without micrometer\n");
        Path assets = Files.writeString(
                dir.resolve("assets.json"), "{\"" + did + "\": {\"files\": [{\"url\": \"" + data.toUri() + "\"}]}}");
        Path grants = Files.writeString(
                dir.resolve("grants.json"),
                "[{\"agreementId\": \"" + agreement + "\", \"did\": \"" + did + "\", \"consumer\": \""
                        + consumer.address() + "\", \"service\": \"access\"}]");
        Settings settings = Settings.builder()
                .put("BRIZO_ASSETS", assets.toString())
                .put("BRIZO_GRANTS", grants.toString())
                .put("BRIZO_FILE_ROOTS", dir.toString())
                .build();
        HttpClient http = HttpClient.newHttpClient();
        try (Brizo brizo = Brizo.builder().settings(settings).discover().build();
                BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 2)) {
            String query = "?serviceAgreementId=" + agreement + "&consumerAddress=" + consumer.address() + "&signature="
                    + consumer.signText(agreement) + "&index=0";
            expect(http, URI.create(server.uri() + BrizoHttpApi.CONSUME + query), 200, "hello without micrometer\n");
            expect(
                    http,
                    URI.create(server.uri() + BrizoHttpApi.CONSUME + query.replace("index=0", "index=5")),
                    404,
                    null);
            expect(http, server.uri().resolve("/nope"), 404, null);
        }
        System.out.println("served: " + brizoMetricsName());
    }

    private static String brizoMetricsName() {
        return BrizoMetrics.none().toString();
    }

    private static void expect(HttpClient http, URI uri, int status, String body) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != status || (body != null && !body.equals(r.body()))) {
            throw new AssertionError(
                    "expected " + status + " from " + uri.getPath() + ", got " + r.statusCode() + ": " + r.body());
        }
    }
}
