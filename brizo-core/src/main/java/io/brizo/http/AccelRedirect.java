package io.brizo.http;

import io.brizo.internal.CoreSettings;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hands local files to a front nginx ({@code X-Accel-Redirect}) once a download is authorised, so
 * the proxy sends them with {@code sendfile}, which no Java server here can. Only for requests
 * that carry the proxy's key: a consumer reaching Brizo directly gets the bytes, never an
 * internal path.
 */
final class AccelRedirect {
    /** The request header by which the front proxy proves itself. */
    static final String KEY_HEADER = "X-Brizo-Accel-Key";
    /** The response header nginx follows. */
    static final String REDIRECT_HEADER = "X-Accel-Redirect";

    private static final int MIN_KEY_LENGTH = 16;
    private static final String FORM = "DIRECTORY=/internal/prefix/ pairs such as /srv/data=/_brizo/files/";

    /** A directory as it really is (links resolved) and the internal URI prefix it maps to. */
    private record Mapping(Path directory, String prefix) {}

    private final List<Mapping> mappings;
    private final byte[] key;

    private AccelRedirect(List<Mapping> mappings, byte[] key) {
        this.mappings = mappings;
        this.key = key;
    }

    /**
     * {@return the redirect that {@code settings} configure, or empty when {@code
     * BRIZO_ACCEL_REDIRECT} is unset}
     *
     * @throws io.brizo.spi.BrizoException of kind CONFIGURATION if a pair is malformed, a directory
     *     does not exist, or the key is missing or short
     */
    static Optional<AccelRedirect> of(Settings settings) {
        String name = CoreSettings.ACCEL_REDIRECT.name();
        String keyName = CoreSettings.ACCEL_REDIRECT_KEY.name();
        List<String> pairs = settings.getList(name, ",");
        if (pairs.isEmpty()) {
            if (settings.has(keyName)) {
                throw settings.malformed(keyName, "unset, or given with " + name);
            }
            return Optional.empty();
        }
        List<Mapping> mappings = new ArrayList<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw settings.malformed(name, FORM);
            }
            String dir = pair.substring(0, eq).trim();
            String prefix = pair.substring(eq + 1).trim();
            if (!prefix.startsWith("/") || prefix.contains("?") || prefix.contains("#") || prefix.contains("..")) {
                throw settings.malformed(name, FORM + " (the prefix an absolute path of the proxy)");
            }
            Path directory = Path.of(dir);
            if (!directory.isAbsolute() || !Files.isDirectory(directory)) {
                throw settings.malformed(name, FORM + " (each DIRECTORY an existing absolute directory)");
            }
            try {
                directory = directory.toRealPath();
            } catch (IOException e) {
                throw settings.malformed(name, FORM + " (each DIRECTORY an existing absolute directory)");
            }
            mappings.add(new Mapping(directory, prefix.endsWith("/") ? prefix : prefix + "/"));
        }
        String key = settings.get(keyName).orElse("");
        if (key.length() < MIN_KEY_LENGTH) {
            throw settings.malformed(
                    keyName,
                    "at least " + MIN_KEY_LENGTH + " characters, which the front proxy sends in " + KEY_HEADER);
        }
        return Optional.of(new AccelRedirect(List.copyOf(mappings), key.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@return whether {@code request} came through the proxy: it carries the key} */
    boolean trusts(HttpRequest request) {
        Optional<String> sent = request.header(KEY_HEADER);
        // Compared in constant time: the key is a secret a consumer could otherwise guess by timing.
        return sent.isPresent() && MessageDigest.isEqual(key, sent.get().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@return the internal URI the proxy sends {@code file} from, or empty when no mapped directory
     * holds it} {@code file} is a real path; each segment below the directory is percent-encoded
     * (nginx decodes it).
     */
    Optional<String> target(Path file) {
        for (Mapping m : mappings) {
            if (file.startsWith(m.directory()) && !file.equals(m.directory())) {
                StringBuilder uri = new StringBuilder(m.prefix());
                Path relative = m.directory().relativize(file);
                for (int i = 0; i < relative.getNameCount(); i++) {
                    if (i > 0) {
                        uri.append('/');
                    }
                    // RFC 3986's unreserved characters stay as they are.
                    ContentDisposition.percentEncode(relative.getName(i).toString(), "-._~", uri);
                }
                return Optional.of(uri.toString());
            }
        }
        return Optional.empty();
    }
}
