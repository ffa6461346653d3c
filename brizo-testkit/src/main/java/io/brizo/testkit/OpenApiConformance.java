package io.brizo.testkit;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.http.BrizoHttpApi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Holds HTTP exchanges with the Brizo API to its OpenAPI document, the one brizo-core ships and
 * serves at {@code /spec}: an exchange the document does not describe fails the test that made it.
 * The HTTP tests of this project send their requests through it ({@link HttpBindingContract} for
 * every binding, and the compute, keeper and {@code serve} tests), so a route, a status, a header
 * or a body shape that is not in the document fails the build.
 *
 * <p>Checked, with Atlassian's {@code swagger-request-validator} and the rules below:
 *
 * <ul>
 *   <li>the response: its status is documented for the operation, its content type and JSON body
 *       match, the headers the document requires are there, and every header it carries is
 *       documented (but for the transport's own: {@code Date}, {@code Content-Length}, {@code
 *       Content-Type}, {@code Connection}, {@code Keep-Alive}, {@code Transfer-Encoding}, {@code
 *       Server}, and CORS headers a server adds around the API);
 *   <li>the request, when the API accepted it (a status below 400): its parameters, body and
 *       signature are as the document says, and it sends no undocumented query parameter. A request
 *       the API refused may break the document: that is what the refusal is for. A JSON body of
 *       parameters sent without a query string is checked as the query it stands for;
 *   <li>a path of no route must be answered 404 with the JSON error, and a method the path does
 *       not take 405 with the JSON error and an {@code Allow} header naming exactly the methods the
 *       document gives that path.
 * </ul>
 *
 * <p>Not checked: bodies other than JSON (downloads, the docs page and its files) beyond their
 * content type, and bodies a test did not keep (a streamed download, a request body sent from a
 * stream).
 */
public final class OpenApiConformance {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The document as brizo-core ships it. */
    private static final JsonNode DOCUMENT = readDocument();

    private static final OpenApiInteractionValidator VALIDATOR =
            OpenApiInteractionValidator.createForInlineApiSpecification(DOCUMENT.toString())
                    // The document's servers name where it is served; here paths are relative to the API.
                    .withBasePathOverride("/")
                    .withLevelResolver(LevelResolver.create()
                            .withLevel("validation.request.parameter.query.unexpected", ValidationReport.Level.ERROR)
                            .build())
                    .build();

    /** Response headers of the transport, not of the API: any answer may carry them. */
    private static final Set<String> TRANSPORT_HEADERS =
            Set.of("date", "content-length", "content-type", "connection", "keep-alive", "transfer-encoding", "server");
    /** The query parameters the document's security schemes name. */
    private static final Set<String> SECURITY_PARAMETERS = securityParameters();

    private final String basePath;

    private OpenApiConformance(URI base) {
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /**
     * {@return a checker for the API served at {@code base}} The routes of the document are relative
     * to it: {@code http://127.0.0.1:8030}, or {@code http://127.0.0.1:8030/ctx/brizo} for an API
     * mounted under a prefix.
     */
    public static OpenApiConformance forApiAt(URI base) {
        return new OpenApiConformance(base);
    }

    /** {@return the document brizo-core ships, as a JSON tree (a copy)} */
    public static JsonNode document() {
        return DOCUMENT.deepCopy();
    }

    /**
     * One exchange with the API.
     *
     * @param method the request method
     * @param rawPath the request's path as sent (still percent-encoded), the API's base included
     * @param rawQuery the request's query as sent, without {@code ?}, or null
     * @param requestHeaders the request headers (names in any case)
     * @param requestBody the request body as sent, empty for none, or null if not known (sent from
     *     a stream)
     * @param status the response status
     * @param responseHeaders the response headers (names in any case)
     * @param responseBody the response body as received, or null if the test did not keep it
     */
    public record Exchange(
            String method,
            String rawPath,
            String rawQuery,
            Map<String, List<String>> requestHeaders,
            byte[] requestBody,
            int status,
            Map<String, List<String>> responseHeaders,
            byte[] responseBody) {}

    /**
     * Checks an exchange made with {@code java.net.http} and returns it. The request body is read
     * again from its publisher when that can be done (strings, byte arrays); the response body is
     * checked when it is a {@code byte[]} or a {@code String}.
     *
     * @throws AssertionError naming every way the exchange departs from the document
     */
    public <T> HttpResponse<T> check(HttpResponse<T> response) {
        HttpRequest request = response.request();
        byte[] requestBody =
                request.bodyPublisher().map(OpenApiConformance::bytesOf).orElse(new byte[0]);
        Map<String, List<String>> requestHeaders =
                new LinkedHashMap<>(request.headers().map());
        if (requestBody != null && requestBody.length > 0) {
            // Sent by the client itself, so not among the headers the test set.
            requestHeaders.put("Content-Length", List.of(Integer.toString(requestBody.length)));
        }
        Object body = response.body();
        byte[] responseBody = body instanceof byte[] bytes
                ? bytes
                : body instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : null;
        check(new Exchange(
                request.method(),
                request.uri().getRawPath(),
                request.uri().getRawQuery(),
                requestHeaders,
                requestBody,
                response.statusCode(),
                response.headers().map(),
                responseBody));
        return response;
    }

    /**
     * Checks an exchange made with {@link RawHttp} and returns its answer.
     *
     * @param request the request exactly as sent: request line, headers, blank line and body
     * @throws AssertionError naming every way the exchange departs from the document
     */
    public RawHttp.Answer check(String request, RawHttp.Answer answer) {
        int headEnd = request.indexOf("\r\n\r\n");
        String head = headEnd < 0 ? request : request.substring(0, headEnd);
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body = headEnd < 0 ? new byte[0] : request.substring(headEnd + 4).getBytes(StandardCharsets.ISO_8859_1);
        // The target as sent, split by hand: it may be no valid URI (a malformed escape, say).
        String target = requestLine[1];
        int q = target.indexOf('?');
        check(new Exchange(
                requestLine[0],
                q < 0 ? target : target.substring(0, q),
                q < 0 ? null : target.substring(q + 1),
                headers,
                body,
                answer.status(),
                answer.headers(),
                answer.body()));
        return answer;
    }

    /**
     * Checks one exchange.
     *
     * @throws AssertionError naming every way the exchange departs from the document
     */
    public void check(Exchange exchange) {
        List<String> problems = problems(exchange);
        if (!problems.isEmpty()) {
            throw new AssertionError("the exchange " + exchange.method() + " " + exchange.rawPath()
                    + (exchange.rawQuery() == null ? "" : "?" + exchange.rawQuery()) + " -> "
                    + exchange.status() + " departs from the OpenAPI document:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    private List<String> problems(Exchange e) {
        List<String> problems = new ArrayList<>();
        String rawPath = e.rawPath() == null ? "" : e.rawPath();
        if (!rawPath.startsWith(basePath)) {
            problems.add("the request is not under the API's base path " + basePath);
            return problems;
        }
        String path = rawPath.substring(basePath.length());
        if (path.isEmpty()) {
            path = "/";
        }
        String method = e.method().toUpperCase(Locale.ROOT);
        Map<String, List<String>> responseHeaders = lowerCase(e.responseHeaders());
        boolean head = method.equals("HEAD");

        Optional<Map.Entry<String, JsonNode>> template = template(path);
        if (template.isEmpty()) {
            requireError(e, responseHeaders, 404, "NOT_FOUND", problems);
            return problems;
        }
        JsonNode pathItem = template.get().getValue();
        Set<String> methods = new TreeSet<>();
        pathItem.fieldNames().forEachRemaining(m -> {
            if (!m.startsWith("x-") && !m.equals("parameters") && !m.equals("summary") && !m.equals("description")) {
                methods.add(m.toUpperCase(Locale.ROOT));
            }
        });
        if (!methods.contains(method)) {
            requireError(e, responseHeaders, 405, "METHOD_NOT_ALLOWED", problems);
            Set<String> allow = new TreeSet<>();
            for (String value : responseHeaders.getOrDefault("allow", List.of())) {
                for (String m : value.split(",")) {
                    allow.add(m.trim().toUpperCase(Locale.ROOT));
                }
            }
            if (!allow.equals(methods)) {
                problems.add("Allow says " + allow + " but the document gives "
                        + template.get().getKey() + " " + methods);
            }
            return problems;
        }

        Request.Method validatorMethod = Request.Method.valueOf(method);
        JsonNode operation = pathItem.path(method.toLowerCase(Locale.ROOT));
        SimpleRequest request = request(validatorMethod, path, e, operation.has("requestBody"));
        if (e.status() < 400 && request != null) {
            for (ValidationReport.Message m : VALIDATOR.validateRequest(request).getMessages()) {
                if (m.getLevel() != ValidationReport.Level.ERROR || ignoredForRequest(m, e)) {
                    continue;
                }
                problems.add("request: " + m.getKey() + ": " + m.getMessage());
            }
        }
        SimpleResponse.Builder response = new SimpleResponse.Builder(e.status());
        responseHeaders.forEach(response::withHeader);
        // Only JSON bodies are checked against a schema; the validator cannot read others (a
        // download, a page, a script) and would only log that it did not.
        boolean bodyChecked = isJson(responseHeaders) && e.responseBody() != null && e.responseBody().length > 0;
        if (bodyChecked) {
            response.withBody(e.responseBody());
        }
        for (ValidationReport.Message m : VALIDATOR
                .validateResponse(path, validatorMethod, response.build())
                .getMessages()) {
            if (m.getLevel() != ValidationReport.Level.ERROR) {
                continue;
            }
            if (m.getKey().equals("validation.response.body.missing") && (!bodyChecked || head)) {
                continue; // a body not checked here, or none by HEAD's rule
            }
            problems.add("response: " + m.getKey() + ": " + m.getMessage());
        }
        JsonNode documented = documentedResponse(operation, e.status());
        if (documented != null) {
            Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            documented.path("headers").fieldNames().forEachRemaining(names::add);
            for (String name : responseHeaders.keySet()) {
                if (!names.contains(name) && !TRANSPORT_HEADERS.contains(name) && !fromCors(name, responseHeaders)) {
                    problems.add("response: the header " + name + " is not documented for " + e.status());
                }
            }
        }
        return problems;
    }

    /** {@return whether a request message is beside the point for this exchange} */
    private static boolean ignoredForRequest(ValidationReport.Message m, Exchange e) {
        if (m.getKey().equals("validation.request.body.missing")
                && (e.requestBody() == null
                        || (e.requestBody().length > 0 && !isJson(lowerCase(e.requestHeaders()))))) {
            return true; // sent from a stream the check could not read again, or not JSON
        }
        if (m.getKey().equals("validation.request.parameter.query.unexpected")) {
            // Parameters the security schemes name are expected, though not listed as parameters.
            return SECURITY_PARAMETERS.stream().anyMatch(p -> m.getMessage().contains("'" + p + "'"));
        }
        return false;
    }

    /** {@return whether the lower-cased {@code headers} give a JSON content type} */
    private static boolean isJson(Map<String, List<String>> headers) {
        String type = headers.getOrDefault("content-type", List.of("")).get(0);
        return type.toLowerCase(Locale.ROOT).matches("application/([a-z.+-]+\\+)?json\\b.*");
    }

    /** {@return whether {@code name} is a header a CORS filter around the API adds} */
    private static boolean fromCors(String name, Map<String, List<String>> headers) {
        // A CORS layer varies answers by the request headers it reads (Spring's names all three).
        return name.startsWith("access-control-")
                || (name.equals("vary")
                        && headers.get("vary").stream()
                                .flatMap(v -> Arrays.stream(v.split(",")))
                                .map(v -> v.trim().toLowerCase(Locale.ROOT))
                                .allMatch(v -> v.equals("origin") || v.startsWith("access-control-request-")));
    }

    /** Requires the API's JSON error of {@code status} and {@code kind} (no body for HEAD). */
    private static void requireError(
            Exchange e, Map<String, List<String>> headers, int status, String kind, List<String> problems) {
        if (e.status() != status) {
            problems.add("expected " + status + " " + kind + " but got " + e.status());
            return;
        }
        if (e.method().equalsIgnoreCase("HEAD") || e.responseBody() == null) {
            return;
        }
        String type = headers.getOrDefault("content-type", List.of("")).get(0);
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            problems.add("the error is not JSON but " + type);
            return;
        }
        try {
            JsonNode error = JSON.readTree(e.responseBody());
            Set<String> fields = new TreeSet<>();
            error.fieldNames().forEachRemaining(fields::add);
            if (!fields.equals(Set.of("error", "message"))
                    || !kind.equals(error.path("error").asText())) {
                problems.add("the error body is not {\"error\": \"" + kind + "\", \"message\"}: " + error);
            }
        } catch (IOException ex) {
            problems.add("the error body is not JSON");
        }
    }

    /**
     * {@return the request for the validator, or null if its query cannot be decoded} A JSON body
     * that stands for the parameters is checked as them, and as a body only where the operation
     * documents one.
     */
    private static SimpleRequest request(Request.Method method, String path, Exchange e, boolean bodyDocumented) {
        SimpleRequest.Builder b = new SimpleRequest.Builder(method, path);
        lowerCase(e.requestHeaders()).forEach(b::withHeader);
        String query = e.rawQuery();
        boolean body = e.requestBody() != null && e.requestBody().length > 0;
        try {
            if (query != null && !query.isEmpty()) {
                Map<String, List<String>> params = new LinkedHashMap<>();
                for (String part : query.split("&")) {
                    int eq = part.indexOf('=');
                    String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                    params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                }
                params.forEach(b::withQueryParam);
            } else if (body) {
                // The API takes a JSON object body as the parameters when there is no query string.
                Map<String, String> params = jsonParameters(e.requestBody());
                params.forEach(b::withQueryParam);
                body = params.isEmpty() || bodyDocumented;
            }
        } catch (IllegalArgumentException malformed) {
            return null;
        }
        // Only a JSON body is checked against a schema (the validator reads no other kind).
        if (body && isJson(lowerCase(e.requestHeaders()))) {
            b.withBody(e.requestBody());
        }
        return b.build();
    }

    /** {@return the fields of a JSON object body as the API reads them: text, numbers, JSON text} */
    private static Map<String, String> jsonParameters(byte[] body) {
        Map<String, String> params = new LinkedHashMap<>();
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null && root.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    JsonNode v = f.getValue();
                    if (!v.isNull()) {
                        params.put(f.getKey(), v.isContainerNode() ? v.toString() : v.asText());
                    }
                }
            }
        } catch (IOException notJson) {
            // Not parameters: the body is checked as it is.
        }
        return params;
    }

    /** {@return the document's path template that {@code path} falls under, with its path item} */
    private static Optional<Map.Entry<String, JsonNode>> template(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        String[] segments = p.split("/", -1);
        for (Iterator<Map.Entry<String, JsonNode>> it = DOCUMENT.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String[] t = entry.getKey().split("/", -1);
            if (t.length != segments.length) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < t.length && match; i++) {
                match = t[i].startsWith("{") ? !segments[i].isEmpty() : t[i].equals(segments[i]);
            }
            if (match) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    /** {@return the documented response of {@code operation} for {@code status}, refs resolved, or null} */
    private static JsonNode documentedResponse(JsonNode operation, int status) {
        JsonNode r = operation.path("responses").path(Integer.toString(status));
        if (r.isMissingNode()) {
            return null;
        }
        while (r.has("$ref")) {
            r = DOCUMENT.at(r.get("$ref").asText().substring(1));
        }
        return r;
    }

    private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
        Map<String, List<String>> out = new TreeMap<>();
        headers.forEach((k, v) -> {
            if (k != null && !k.startsWith(":")) {
                out.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>())
                        .addAll(v);
            }
        });
        return out;
    }

    private static Set<String> securityParameters() {
        Set<String> names = new TreeSet<>();
        DOCUMENT.path("components").path("securitySchemes").forEach(s -> {
            if ("query".equals(s.path("in").asText())) {
                names.add(s.path("name").asText());
            }
        });
        return names;
    }

    /** {@return the body a publisher gives, or null if it cannot be read again (a stream)} */
    private static byte[] bytesOf(HttpRequest.BodyPublisher publisher) {
        if (publisher.contentLength() < 0) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                out.write(b, 0, b.length);
            }

            @Override
            public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
        return out.size() == publisher.contentLength() ? out.toByteArray() : null;
    }

    private static JsonNode readDocument() {
        try (InputStream in = BrizoHttpApi.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("brizo-core's jar holds no io/brizo/http/openapi.json");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
