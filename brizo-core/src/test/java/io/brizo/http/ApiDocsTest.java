package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.internal.Version;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's documentation routes over the JDK binding, as {@code BRIZO_API_DOCS} and {@code
 * BRIZO_PUBLIC_URL} configure them. Every binding's own checks of {@code /spec} and {@code
 * /api/v1/docs} are in the testkit's {@code HttpBindingContract}.
 */
class ApiDocsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** {@return the base URI of a JDK server for a publisher with nothing to serve but these settings} */
    URI start(Map<String, String> extra) throws IOException {
        Settings.Builder s = Settings.builder()
                .put(
                        "BRIZO_ASSETS",
                        Files.writeString(dir.resolve("assets.json"), "{}").toString())
                .put(
                        "BRIZO_GRANTS",
                        Files.writeString(dir.resolve("grants.json"), "[]").toString());
        extra.forEach(s::put);
        Brizo brizo = Brizo.builder().settings(s.build()).discover().build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 2);
        toClose.add(0, brizo);
        toClose.add(0, server);
        return server.uri();
    }

    HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), BodyHandlers.ofString());
    }

    @Test
    void theDocumentNamesTheServerOfTheRequestThenThePublicUrl() throws Exception {
        URI base = start(Map.of("BRIZO_PUBLIC_URL", "http://brizo.brizo.svc:8030/"));
        HttpResponse<String> r = get(base, Routes.SPEC);
        assertEquals(200, r.statusCode());
        assertEquals("Accept", r.headers().firstValue("Vary").orElseThrow());
        JsonNode servers = JSON.readTree(r.body()).get("servers");
        assertEquals(2, servers.size(), servers::toString);
        assertEquals(base.toString(), servers.get(0).get("url").asText());
        assertEquals("http://brizo.brizo.svc:8030", servers.get(1).get("url").asText());
        assertEquals(
                Version.get(),
                JSON.readTree(r.body()).get("info").get("version").asText());
    }

    @Test
    void anOddHostIsLeftOutOfTheDocument() throws Exception {
        URI base = start(Map.of());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream()
                    .write(("GET " + Routes.SPEC
                                    + " HTTP/1.1\r\nHost: evil.example/x?<script>\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(
                    answer.startsWith("HTTP/1.1 200"),
                    answer.lines().findFirst().orElse(""));
            JsonNode servers = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4))
                    .get("servers");
            assertEquals(1, servers.size(), servers::toString);
            assertEquals(".", servers.get(0).get("url").asText(), "the document's own place instead");
        }
    }

    @Test
    void onlyPlainHttpBaseUrlsNameAServer() {
        assertEquals("https://example.com/ctx/brizo", ApiDocs.checkedBase("https://example.com/ctx/brizo/"));
        assertEquals("http://127.0.0.1:8030", ApiDocs.checkedBase("http://127.0.0.1:8030"));
        assertEquals("http://[::1]:8030", ApiDocs.checkedBase("http://[::1]:8030"));
        for (String odd : List.of(
                "javascript:alert(1)",
                "http://user@example.com",
                "http://example.com/a?b",
                "http://example.com/#x",
                "http://exa mple.com",
                "http:///path",
                "ftp://example.com")) {
            assertNull(ApiDocs.checkedBase(odd), odd);
        }
        assertNull(ApiDocs.checkedBase(null));
    }

    @Test
    void apiDocsFalseTurnsTheDocumentAndThePageOff() throws Exception {
        URI base = start(Map.of("BRIZO_API_DOCS", "false"));
        for (String path : List.of(Routes.SPEC, Routes.DOCS, Routes.DOCS + "/swagger-ui.css")) {
            HttpResponse<String> r = get(base, path);
            assertEquals(404, r.statusCode(), path);
            assertEquals("NOT_FOUND", JSON.readTree(r.body()).get("error").asText());
        }
        JsonNode endpoints = JSON.readTree(get(base, "/").body()).get("endpoints");
        assertFalse(endpoints.has("spec") || endpoints.has("docs"), endpoints::toString);
    }

    @Test
    void apiDocsSpecServesTheDocumentWithoutThePage() throws Exception {
        URI base = start(Map.of("BRIZO_API_DOCS", "spec"));
        assertEquals(200, get(base, Routes.SPEC).statusCode());
        assertEquals(404, get(base, Routes.DOCS).statusCode());
        assertEquals(404, get(base, Routes.DOCS + "/swagger-ui-bundle.js").statusCode());
        JsonNode endpoints = JSON.readTree(get(base, "/").body()).get("endpoints");
        assertTrue(endpoints.has("spec") && !endpoints.has("docs"), endpoints::toString);
    }

    @Test
    void aMalformedApiDocsSettingFailsTheBuildNamingIt() throws Exception {
        Settings settings = Settings.builder()
                .put(
                        "BRIZO_ASSETS",
                        Files.writeString(dir.resolve("assets.json"), "{}").toString())
                .put(
                        "BRIZO_GRANTS",
                        Files.writeString(dir.resolve("grants.json"), "[]").toString())
                .put("BRIZO_API_DOCS", "sometimes")
                .build();
        BrizoException e = assertThrows(
                BrizoException.class,
                () -> Brizo.builder().settings(settings).discover().build());
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("BRIZO_API_DOCS") && e.getMessage().contains("spec"), e::getMessage);
    }

    @Test
    void thePageAndItsFilesComeFromThisServerWithAPolicyThatSaysSo() throws Exception {
        URI base = start(Map.of());
        HttpResponse<String> page = get(base, Routes.DOCS);
        assertEquals(200, page.statusCode());
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(policy.contains("script-src") || policy.contains("default-src 'self'"), policy);
        assertFalse(page.body().contains("//"), "no absolute or protocol-relative link: " + page.body());
        HttpResponse<String> script = get(base, Routes.DOCS + "/" + ApiDocs.PAGE_SCRIPT);
        assertEquals(200, script.statusCode());
        assertTrue(script.body().contains("validatorUrl: null"), "no call to the outside validator");
        HttpResponse<String> css = get(base, Routes.DOCS + "/swagger-ui.css");
        assertEquals(
                "text/css; charset=utf-8",
                css.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(
                "public, max-age=3600",
                css.headers().firstValue("Cache-Control").orElseThrow());
    }
}
