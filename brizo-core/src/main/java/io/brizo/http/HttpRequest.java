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
 * @param path the raw (still percent-encoded) path
 * @param rawQuery the raw query string without {@code ?}, or null
 * @param headers the request headers; names are matched case-insensitively
 * @param body the request body; may be empty, never null
 */
public record HttpRequest(
        String method, String path, String rawQuery, Map<String, List<String>> headers, InputStream body) {
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

    /** {@return the first value of header {@code name}, if present} */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
    }
}
