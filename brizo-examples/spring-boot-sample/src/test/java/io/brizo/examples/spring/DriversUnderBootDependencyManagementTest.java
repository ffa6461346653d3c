package io.brizo.examples.spring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.core.util.BinaryData;
import com.sun.net.httpserver.HttpServer;
import io.brizo.storage.azure.Azurite;
import io.brizo.storage.s3.S3ProxyServer;
import io.brizo.testkit.TestConsumer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The http(s), S3 and Azure drivers in an application whose third-party versions are all Spring
 * Boot's (this module's parent is spring-boot-starter-parent): each serves its dataset whole and
 * by range, byte for byte, from a real server on 127.0.0.1 (a JDK HTTP server, S3Proxy, Azurite).
 */
class DriversUnderBootDependencyManagementTest {
    static final String HTTP_DID = "did:op:" + "01".repeat(32);
    static final String S3_DID = "did:op:" + "02".repeat(32);
    static final String AZURE_DID = "did:op:" + "03".repeat(32);

    @TempDir
    Path dir;

    final TestConsumer consumer = TestConsumer.random();
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void httpS3AndAzureDriversServeWholeFilesAndRangesByteForByte() throws Exception {
        byte[] content = new byte[200_000];
        new Random(3).nextBytes(content);
        HttpServer origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.createContext("/datasets/weather.bin", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(200, head ? -1 : content.length);
            if (!head) {
                exchange.getResponseBody().write(content);
            }
            exchange.close();
        });
        origin.start();
        try (S3ProxyServer s3 = S3ProxyServer.startInMemory(dir);
                Azurite azurite = Azurite.inMemory()) {
            s3.client().createBucket(b -> b.bucket("datasets"));
            s3.client().putObject(b -> b.bucket("datasets").key("weather.bin"), RequestBody.fromBytes(content));
            azurite.container("datasets").getBlobClient("weather.bin").upload(BinaryData.fromBytes(content));

            URI httpUrl = URI.create("http://127.0.0.1:" + origin.getAddress().getPort() + "/datasets/weather.bin");
            URI s3Url = URI.create("s3://datasets/weather.bin");
            URI azureUrl = Azurite.canonical("datasets", "weather.bin");
            Map<String, Object> p = new HashMap<>(SampleData.write(dir, consumer.address()));
            Files.writeString(
                    dir.resolve("assets.json"),
                    "{" + asset(HTTP_DID, httpUrl) + "," + asset(S3_DID, s3Url) + "," + asset(AZURE_DID, azureUrl)
                            + "}");
            Files.writeString(
                    dir.resolve("grants.json"),
                    "[" + grant("01", HTTP_DID) + "," + grant("02", S3_DID) + "," + grant("03", AZURE_DID) + "]");
            p.put("brizo.http.allowed-networks", "127.0.0.1/32");
            p.put("brizo.s3.endpoint", s3.endpoint().toString());
            p.put("brizo.s3.path-style", "true");
            p.put("brizo.aws.region", S3ProxyServer.REGION);
            p.put("brizo.aws.access-key", s3.identity());
            p.put("brizo.aws.secret-key", s3.credential());
            azurite.keySettings()
                    .forEach((k, v) ->
                            p.put("brizo." + k.toLowerCase(Locale.ROOT).replace('_', '-'), v));
            p.put("server.address", "127.0.0.1");
            p.put("server.port", "0");

            try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SampleApplication.class)
                    .properties(p)
                    .run()) {
                URI base = URI.create("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
                for (String agreement : new String[] {"01", "02", "03"}) {
                    String id = agreement.repeat(32);
                    HttpResponse<byte[]> whole = get(base, id, null);
                    assertEquals(200, whole.statusCode(), agreement + ": " + new String(whole.body()));
                    assertArrayEquals(content, whole.body(), agreement);
                    HttpResponse<byte[]> range = get(base, id, "bytes=100-65635");
                    assertEquals(206, range.statusCode(), agreement + ": " + new String(range.body()));
                    assertArrayEquals(Arrays.copyOfRange(content, 100, 65636), range.body(), agreement);
                }
            }
        } finally {
            origin.stop(0);
        }
    }

    private HttpResponse<byte[]> get(URI base, String agreement, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base
                + "/api/v1/brizo/services/consume?serviceAgreementId=" + agreement + "&consumerAddress="
                + consumer.address() + "&signature=" + consumer.sign(agreement) + "&index=0"));
        if (range != null) {
            request.header("Range", range);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String asset(String did, URI url) {
        return "\"" + did + "\": {\"files\": [{\"url\": \"" + url + "\"}]}";
    }

    private String grant(String agreement, String did) {
        return "{\"agreementId\": \"" + agreement.repeat(32) + "\", \"did\": \"" + did + "\", \"consumer\": \""
                + consumer.address() + "\", \"service\": \"access\"}";
    }
}
