package io.brizo.storage.azure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A stand-in for the Microsoft identity platform's token endpoint, since the real one cannot be
 * reached from a test: an HTTPS server on 127.0.0.1 that answers the OAuth 2.0 client-credentials
 * request azure-identity (MSAL) sends to {@code POST {authority}/{tenant}/oauth2/v2.0/token}. It
 * checks the grant type, client id, client secret and scope as the platform would, refuses a wrong
 * secret with the platform's {@code invalid_client} answer, and otherwise issues a JWT access token
 * with the claims Azurite's "basic" OAuth checks (issuer under {@code https://sts.windows.net/},
 * audience {@code https://storage.azure.com}, {@code iat}/{@code nbf}/{@code exp}) and the {@code
 * oid}/{@code tid} its user delegation keys are derived from. The token is signed with HMAC-SHA256
 * under a random key: Azurite's basic level does not check signatures, so what this stand-in does
 * not prove is the platform's own signing, nor Azure's role checks.
 */
final class StandInIdentityPlatform implements AutoCloseable {
    static final String AUDIENCE = "https://storage.azure.com";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpsServer server;
    private final String tenant;
    private final String clientId;
    private final String clientSecret;
    private final byte[] signingKey = new byte[32];
    private final List<Map<String, String>> tokenRequests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> otherRequests = Collections.synchronizedList(new ArrayList<>());
    private volatile String audience = AUDIENCE;

    StandInIdentityPlatform(TestTls tls, String tenant, String clientId, String clientSecret)
            throws IOException, GeneralSecurityException {
        this.tenant = tenant;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        new SecureRandom().nextBytes(signingKey);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.context()));
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@return the authority host to configure: https://127.0.0.1:port/} */
    String authorityHost() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** {@return the form fields of every token request so far} */
    List<Map<String, String>> tokenRequests() {
        synchronized (tokenRequests) {
            return List.copyOf(tokenRequests);
        }
    }

    /** {@return the method and path of every request that was not a token request} */
    List<String> otherRequests() {
        synchronized (otherRequests) {
            return List.copyOf(otherRequests);
        }
    }

    /** Issues tokens for another audience from now on, which Azurite must refuse. */
    void issueForAudience(String aud) {
        this.audience = aud;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("POST") || !path.equals("/" + tenant + "/oauth2/v2.0/token")) {
                otherRequests.add(exchange.getRequestMethod() + " " + path);
                send(exchange, 404, Map.<String, Object>of("error", "not_found"));
                return;
            }
            Map<String, String> form =
                    form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            tokenRequests.add(form);
            if (!"client_credentials".equals(form.get("grant_type"))) {
                send(exchange, 400, error("unsupported_grant_type", "AADSTS70003"));
            } else if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
                send(exchange, 401, error("invalid_client", "AADSTS7000215: Invalid client secret provided."));
            } else if (!List.of(form.getOrDefault("scope", "").split(" ")).contains(AUDIENCE + "/.default")) {
                send(exchange, 400, error("invalid_scope", "AADSTS70011: The provided value for scope is not valid."));
            } else {
                long now = Instant.now().getEpochSecond();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("token_type", "Bearer");
                body.put("expires_in", 3599);
                body.put("ext_expires_in", 3599);
                body.put("access_token", jwt(now));
                send(exchange, 200, body);
            }
        }
    }

    private String jwt(long now) throws IOException {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("iss", "https://sts.windows.net/" + tenant + "/");
        claims.put("iat", now - 60);
        claims.put("nbf", now - 60);
        claims.put("exp", now + 3600);
        claims.put("appid", clientId);
        claims.put(
                "oid",
                UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8))
                        .toString());
        claims.put("tid", tenant);
        claims.put("ver", "1.0");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signed = b64.encodeToString(JSON.writeValueAsBytes(Map.of("alg", "HS256", "typ", "JWT"))) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            return signed + "." + b64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> error(String error, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        body.put("error_codes", List.of(7000215));
        return body;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
