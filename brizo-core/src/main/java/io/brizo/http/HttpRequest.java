package io.brizo.http;

import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP request as any server framework can describe it, for {@link BrizoHttpApi}.
 *
 * @param method the method, upper case
 * @param path the raw (still percent-encoded) path, relative to where the API is mounted
 * @param rawQuery the raw query string without {@code ?}, or null
 * @param headers the request headers; names are matched case-insensitively
 * @param body the request body; may be empty, never null
 * @param baseUrl the absolute URL the API's routes are relative to, as the client addressed this
 *     request: scheme, authority and mount prefix, for example {@code https://example.com/ctx/brizo};
 *     or null if the binding cannot tell. It names the server in the OpenAPI document served at
 *     {@link Routes#SPEC}, which checks it before use; nothing else reads it.
 */
public record HttpRequest(
        String method,
        String path,
        String rawQuery,
        Map<String, List<String>> headers,
        InputStream body,
        String baseUrl) {
    /** Validates and copies the headers into a case-insensitive map. */
    public HttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> {
            if (k != null) {
                copy.put(k, List.copyOf(v));
            }
        });
        headers = copy;
        method = method.toUpperCase(Locale.ROOT);
    }

    /** A request whose binding cannot tell the API's base URL. */
    public HttpRequest(
            String method, String path, String rawQuery, Map<String, List<String>> headers, InputStream body) {
        this(method, path, rawQuery, headers, body, null);
    }

    /** {@return the first value of header {@code name}, if present} */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
    }
}
