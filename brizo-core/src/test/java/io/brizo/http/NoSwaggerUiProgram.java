package io.brizo.http;

import io.brizo.Brizo;
import io.brizo.spi.Settings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link NoSwaggerUiClassPathTest} in a JVM without the Swagger UI webjar: serves an empty
 * publisher over HTTP and prints the answers to the docs page and the document.
 */
public final class NoSwaggerUiProgram {
    private NoSwaggerUiProgram() {}

    public static void main(String[] args) throws Exception {
        if (NoSwaggerUiProgram.class
                        .getClassLoader()
                        .getResource("META-INF/maven/org.webjars/swagger-ui/pom.properties")
                != null) {
            throw new AssertionError("the Swagger UI webjar is on the class path");
        }
        Path dir = Path.of(args[0]);
        Settings settings = Settings.builder()
                .put(
                        "BRIZO_ASSETS",
                        Files.writeString(dir.resolve("assets.json"), "{}").toString())
                .put(
                        "BRIZO_GRANTS",
                        Files.writeString(dir.resolve("grants.json"), "[]").toString())
                .build();
        HttpClient http = HttpClient.newHttpClient();
        try (Brizo brizo = Brizo.builder().settings(settings).discover().build();
                BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 2)) {
            HttpResponse<String> docs = http.send(
                    HttpRequest.newBuilder(URI.create(server.uri() + Routes.DOCS))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("docs: " + docs.statusCode() + " "
                    + docs.headers().firstValue("Content-Type").orElse("") + " " + docs.body());
            HttpResponse<String> spec = http.send(
                    HttpRequest.newBuilder(URI.create(server.uri() + Routes.SPEC))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("spec: " + spec.statusCode());
        }
    }
}
